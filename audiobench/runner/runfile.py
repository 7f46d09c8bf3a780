"""Run files: one schema-versioned JSON per run, append-only.

``reports/data/runs/<UTC timestamp>-<commit>.json``. A run never overwrites an earlier one:
the file is created with an exclusive link (see :mod:`audiobench.atomic`), and a name already
taken gets a numeric suffix.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import write_json

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
    for attempt in range(1000):
        name = f"{base}.json" if attempt == 0 else f"{base}-{attempt}.json"
        try:
            return write_json(runs_dir / name, doc, exclusive=True)
        except FileExistsError:
            continue
    raise RunFileError(f"{runs_dir}: could not find a free name for run {base}")


def read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"{path}: no such run file") from None
    except (OSError, json.JSONDecodeError) as e:
        raise RunFileError(f"{path}: not readable JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise RunFileError(f"{path}: schema {found!r}, expected {SCHEMA!r}")
    return doc


def latest(runs_dir: Path = RUNS_DIR) -> Path | None:
    """The newest run file by name (names start with a UTC timestamp)."""
    files = sorted(p for p in runs_dir.glob("*.json") if not p.name.startswith("."))
    return files[-1] if files else None
