"""The compare file: BASE and HEAD measured in the same rounds (``audiobench compare``).

``<out-dir>/<compare_id>.json`` (schema ``audiobench.compare/1``; default out-dir
``reports/data/compare``). Every round of every (case, row) is kept — BASE's and HEAD's seconds
per call, which ran first, the process pair — so the verdict can be recomputed from the file
alone, and the same file always gives the same verdict.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json
from audiobench.documents.models import Positive, finite, validate

SCHEMA = "audiobench.compare/1"
COMPARE_DIR = Path("reports/data/compare")
CONFIDENCE = 0.98
"""The CI level of a file that does not record the one it was made for (``settings.confidence``,
from targets.toml ``[regression.paired]`` when it was measured)."""


class CompareFileError(ValueError):
    """A compare file is unreadable or does not fit its model; the message names the file."""


class Round(msgspec.Struct):
    """One round of one (case, row): a batch in each build, back to back."""

    pair: int
    base_s: Positive
    head_s: Positive
    first: str


class Item(msgspec.Struct):
    """One (case, row) both builds ran on the same input bytes."""

    op: str
    variant: str
    size: str
    row: str
    unit: str
    input_checksum: str
    calls: int
    rounds: list[Round]
    same_output: bool
    parity: dict[str, bool | None] = {}

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(op, variant, size, row)."""
        return (self.op, self.variant, self.size, self.row)

    @property
    def subject(self) -> str:
        """``op/variant size row`` as the gate and the reports name it."""
        return f"{self.op}/{self.variant} {self.size} {self.row}"

    def ratio_groups(self) -> list[list[float]]:
        """HEAD/BASE per round, grouped by process pair."""
        groups: dict[int, list[float]] = {}
        for r in self.rounds:
            groups.setdefault(r.pair, []).append(r.head_s / r.base_s)
        return [groups[k] for k in sorted(groups)]


class BuildSide(msgspec.Struct):
    """One side of the comparison: the ref, the commit and where its build was imported from."""

    ref: str
    commit: str
    dirty: bool
    build_s: float
    reused: bool
    worker: dict[str, Any] = {}


class CompareDocument(msgspec.Struct):
    """The whole file."""

    schema: str
    compare_id: str
    created: str
    suite: str
    base: BuildSide
    head: BuildSide
    settings: dict[str, Any]
    interference: dict[str, Any]
    items: list[Item]
    skipped: list[str] = []
    duration_s: float = 0.0


def _check(doc: Any, path: Path) -> CompareDocument:
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise CompareFileError(f"{path}: schema {got!r}, expected {SCHEMA!r}")
    model = validate(doc, CompareDocument, path, CompareFileError)
    for i, item in enumerate(model.items):
        if not item.rounds:
            raise CompareFileError(f"{path}: items[{i}].rounds: no rounds")
        finite([x for r in item.rounds for x in (r.base_s, r.head_s)], path, f"items[{i}].rounds", CompareFileError)
    return model


def write(doc: dict[str, Any], out_dir: Path = COMPARE_DIR) -> Path:
    """Validate ``doc`` and write it (atomically) as ``<out_dir>/<compare_id>.json``."""
    path = out_dir / f"{doc['compare_id']}.json"
    _check(doc, path)
    return write_json(path, doc)


def read(path: Path) -> CompareDocument:
    """Read and validate one compare file (raises :class:`CompareFileError` naming it)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CompareFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CompareFileError(f"{path}: not readable as JSON ({e})") from None
    return _check(raw, path)


def newest(directory: Path = COMPARE_DIR) -> Path | None:
    """The newest compare file of ``directory`` (ids start with their UTC time; None if none).
    Hidden files (an interrupted atomic write) are not compare files."""
    files = sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))
    return files[-1] if files else None


def new_id(created: datetime, base: str, head: str) -> str:
    """``<UTC time>-<base commit>-<head commit>`` (first 8 hex digits of each)."""
    return f"{created:%Y%m%dT%H%M%SZ}-{base[:8]}-{head[:8]}"
