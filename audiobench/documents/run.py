"""Run files: one schema-versioned JSON per run, append-only.

``reports/data/runs/<UTC timestamp>-<commit>.json``. A run never overwrites an earlier one:
the file is created with an exclusive link (see :mod:`audiobench.atomic`), and a name already
taken gets a numeric suffix, in the run id as well. Nothing is written until the run is over:
an interrupted run leaves no run file (at most a hidden temporary one, which no reader takes).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import write_json
from audiobench.documents import read_versioned
from audiobench.documents.fields import need, positive_numbers

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


def check(doc: dict[str, Any], path: Path, error: type[Exception] = RunFileError) -> dict[str, Any]:
    """Check the parts of a run document its readers (collect, report, gate) rely on; returns it
    unchanged or raises ``error`` naming the file and the field."""
    need(doc, "run_id", str, path, "", error)
    need(doc, "suite", str, path, "", error)
    env = need(doc, "environment", dict, path, "", error)
    need(env, "machine_id", str, path, "environment.", error)
    for i, case in enumerate(need(doc, "cases", list, path, "", error)):
        where = f"cases[{i}]."
        for k in ("op", "variant", "size", "input_checksum"):
            need(case, k, str, path, where, error)
        rows = need(case, "rows", list, path, where, error)
        n = None
        for j, row in enumerate(rows):
            w = f"{where}rows[{j}]."
            need(row, "row", str, path, w, error)
            need(row, "unit", str, path, w, error)
            need(row, "unit_median", (int, float), path, w, error)
            positive_numbers(need(row, "samples_s", list, path, w, error), path, f"{w}samples_s", error)
            need(need(row, "stats_s", dict, path, w, error), "median", (int, float), path, f"{w}stats_s.", error)
            ci = need(row, "unit_ci", list, path, w, error)
            if len(ci) != 2 or not all(isinstance(x, int | float) and math.isfinite(x) for x in ci):
                raise error(f"{path}: {w}unit_ci must be two numbers")
            if n is not None and len(row["samples_s"]) != n:
                raise error(f"{path}: {w}samples_s has {len(row['samples_s'])} rounds, the case has {n}")
            n = len(row["samples_s"])
        for j, r in enumerate(need(case, "ratios", list, path, where, error)):
            w = f"{where}ratios[{j}]."
            need(r, "a", str, path, w, error)
            need(r, "b", str, path, w, error)
            for k in ("median", "ci_low", "ci_high"):
                need(r, k, (int, float), path, w, error)
    return doc


def has_checks(doc: dict[str, Any]) -> bool:
    """Whether a run document carries the interference checks (schema /2 on)."""
    return doc.get("schema") != "audiobench.run/1"


def latest(runs_dir: Path = RUNS_DIR) -> Path | None:
    """The newest run file by name (names start with a UTC timestamp)."""
    files = sorted(p for p in runs_dir.glob("*.json") if not p.name.startswith("."))
    return files[-1] if files else None
