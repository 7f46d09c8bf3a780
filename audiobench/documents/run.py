"""Run files: one schema-versioned JSON per run, append-only.

``reports/data/runs/<UTC timestamp>-<commit>.json``. A run never overwrites an earlier one:
the file is created with an exclusive link (see :mod:`audiobench.atomic`), and a name already
taken gets a numeric suffix, in the run id as well. Nothing is written until the run is over:
an interrupted run leaves no run file (at most a hidden temporary one, which no reader takes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json
from audiobench.documents import read_versioned
from audiobench.documents.models import Pair, Positive, finite, validate

SCHEMA = "audiobench.run/2"
"""/2 added the interference checks: per case ``aa``, per row ``solo`` and ``census``, per run
``interference`` and ``thread_pools``."""
READABLE = (SCHEMA, "audiobench.run/1")
"""Versions readers still take: a /1 file is a /2 file without the interference checks, so
older runs stay in the history (shown as "not recorded" where a check is asked for)."""
RUNS_DIR = Path("reports/data/runs")


class RunFileError(ValueError):
    """A run file is missing, unreadable or of another schema; the message names it."""


def new_run_id(commit: str, when: datetime | None = None) -> str:
    """``<UTC timestamp>-<commit[:12]>`` (``nogit`` outside a checkout): a run's id and file stem."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{commit[:12] if commit and commit != 'unknown' else 'nogit'}"


def write(doc: dict[str, Any], runs_dir: Path = RUNS_DIR) -> Path:
    """Write ``doc`` as a new run file named after its run id; returns its path.

    Two runs started in the same second of the same commit would share an id: the second gets
    ``<id>-1`` (``-2`` ...) as its id *and* its file name, so no two run files ever carry one
    run id (the report and the gate refuse such a pair as a copied file).
    """
    check(doc, runs_dir / f"{doc['run_id']}.json")  # a writer's slip is caught before a file lands
    base = doc["run_id"]
    for attempt in range(1000):
        run_id = base if attempt == 0 else f"{base}-{attempt}"
        try:
            path = write_json(runs_dir / f"{run_id}.json", {**doc, "run_id": run_id}, exclusive=True)
        except FileExistsError:
            continue
        doc["run_id"] = run_id  # the caller reports the id the file carries
        return path
    raise RunFileError(f"{runs_dir}: no free file name for run {base}")


def read(path: Path, error: type[Exception] = RunFileError) -> dict[str, Any]:
    """The run document at ``path``, of a readable schema and checked (:func:`check`): the one
    reader of run files, used by collect, the report and the gate alike."""
    return check(read_versioned(path, READABLE, error), path, error)


class _Stats(msgspec.Struct):
    median: float


class _Row(msgspec.Struct):
    row: str
    unit: str
    unit_median: float
    samples_s: list[Positive]
    stats_s: _Stats
    unit_ci: Pair


class _Ratio(msgspec.Struct):
    a: str
    b: str
    median: float
    ci_low: float
    ci_high: float


class _Case(msgspec.Struct):
    op: str
    variant: str
    size: str
    input_checksum: str
    rows: list[_Row]
    ratios: list[_Ratio]


class _Environment(msgspec.Struct):
    machine_id: str


class RunDocument(msgspec.Struct):
    """What every reader of a run file relies on (more fields are allowed): per case its rows'
    samples in seconds (above zero, one per round), medians, CIs in the operation's unit, and
    the paired ratios between rows."""

    run_id: str
    suite: str
    environment: _Environment
    cases: list[_Case]


def check(doc: dict[str, Any], path: Path, error: type[Exception] = RunFileError) -> dict[str, Any]:
    """Check ``doc`` against :class:`RunDocument` (and that samples and CIs are finite and every
    row of a case has one sample per round); returns it unchanged or raises ``error`` naming the
    file and the field."""
    model = validate(doc, RunDocument, path, error)
    for i, case in enumerate(model.cases):
        rounds = None
        for j, row in enumerate(case.rows):
            where = f"cases[{i}].rows[{j}]"
            finite(row.samples_s, path, f"{where}.samples_s", error)
            finite(row.unit_ci, path, f"{where}.unit_ci", error)
            if rounds is not None and len(row.samples_s) != rounds:
                raise error(f"{path}: {where}.samples_s has {len(row.samples_s)} rounds, the case has {rounds}")
            rounds = len(row.samples_s)
    return doc


def has_checks(doc: dict[str, Any]) -> bool:
    """Whether a run document carries the interference checks (schema /2 on)."""
    return doc.get("schema") != "audiobench.run/1"


def latest(runs_dir: Path = RUNS_DIR) -> Path | None:
    """The newest run file by name (names start with a UTC timestamp)."""
    files = sorted(p for p in runs_dir.glob("*.json") if not p.name.startswith("."))
    return files[-1] if files else None
