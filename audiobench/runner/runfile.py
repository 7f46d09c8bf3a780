"""Run files: one schema-versioned JSON per run, append-only.

``reports/data/runs/<UTC timestamp>-<commit>.json``. A run never overwrites an earlier one:
the file is created with an exclusive link (see :mod:`audiobench.atomic`), and a name already
taken gets a numeric suffix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import write_json_new
from audiobench.documents import read_versioned

SCHEMA = "audiobench.run/1"
RUNS_DIR = Path("reports/data/runs")


class RunFileError(ValueError):
    """A run file is missing, unreadable or of another schema; the message names it."""


def new_run_id(commit: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{commit[:12] if commit and commit != 'unknown' else 'nogit'}"


def write(doc: dict[str, Any], runs_dir: Path = RUNS_DIR) -> Path:
    """Write ``doc`` as a new run file; returns its path."""
    base = doc["run_id"]
    try:
        return write_json_new(runs_dir, base, doc)
    except FileExistsError as e:
        raise RunFileError(str(e)) from e


def read(path: Path) -> dict[str, Any]:
    return read_versioned(path, SCHEMA, RunFileError)


def latest(runs_dir: Path = RUNS_DIR) -> Path | None:
    """The newest run file by name (names start with a UTC timestamp)."""
    files = sorted(p for p in runs_dir.glob("*.json") if not p.name.startswith("."))
    return files[-1] if files else None
