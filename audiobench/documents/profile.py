"""Profile files: one schema-versioned JSON per ``audiobench profile`` run.

``reports/data/profiles/<UTC timestamp>-<commit>.json``, written once (an exclusive link, a
numeric suffix if the name is taken). Written by ``audiobench.profile``; read by collect, the
report and the gate through :func:`read`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json_new
from audiobench.documents import read_versioned
from audiobench.documents.models import validate

SCHEMA = "audiobench.profile/1"
PROFILES_DIR = Path("reports/data/profiles")


class ProfileFileError(ValueError):
    """A profile file is missing, unreadable, of another schema or malformed; the message names it."""


def read(path: Path, error: type[Exception] = ProfileFileError) -> dict[str, Any]:
    """The profile document at ``path``, of this schema and checked (:func:`check`)."""
    return check(read_versioned(path, SCHEMA, error), path, error)


def write(doc: dict[str, Any], out_dir: Path = PROFILES_DIR) -> Path:
    """Write ``doc`` as a new file named after its creation time and commit; returns its path."""
    commit = doc["environment"]["git"]["commit"]
    stamp = doc["created"].replace("-", "").replace(":", "").replace("+0000", "Z").split("+")[0]
    base = f"{stamp}-{commit[:12] if commit and commit != 'unknown' else 'nogit'}"
    check(doc, out_dir / f"{base}.json")
    return write_json_new(out_dir, base, doc)


class _Stage(msgspec.Struct):
    name: str
    allocs: float | None = None
    alloc_bytes: float | None = None


class _Entry(msgspec.Struct):
    op: str
    variant: str
    size: str
    tier: str
    side: str
    stages: list[_Stage] = []


class ProfileDocument(msgspec.Struct):
    """What every reader of a profile file relies on (more fields are allowed): per (case, tier,
    side) the stages, whose native ones carry allocation counts."""

    environment: dict[str, Any]
    created: str
    entries: list[_Entry]


def check(doc: dict[str, Any], path: Path, error: type[Exception] = ProfileFileError) -> dict[str, Any]:
    """Check ``doc`` against :class:`ProfileDocument` (a native stage without its allocation
    counts refused too); returns it unchanged or raises ``error`` naming the file and the field."""
    model = validate(doc, ProfileDocument, path, error)
    for i, e in enumerate(model.entries):
        if e.side != "native":
            continue
        for j, st in enumerate(e.stages):
            for k in ("allocs", "alloc_bytes"):
                if getattr(st, k) is None:
                    raise error(f"{path}: entries[{i}].stages[{j}].{k} is missing")
    return doc
