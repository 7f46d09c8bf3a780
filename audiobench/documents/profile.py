"""Profile files: one schema-versioned JSON per ``audiobench profile`` run.

``reports/data/profiles/<UTC timestamp>-<commit>.json``, written once (an exclusive link, a
numeric suffix if the name is taken). Written by ``audiobench.profile``; read by collect, the
report and the gate through :func:`read`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audiobench.atomic import write_json_new
from audiobench.documents import read_versioned
from audiobench.documents.fields import need

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
    return write_json_new(out_dir, base, doc)


def check(doc: dict[str, Any], path: Path, error: type[Exception] = ProfileFileError) -> dict[str, Any]:
    """Check the parts of a profile document its readers rely on; returns it unchanged or raises
    ``error`` naming the file and the field."""
    need(doc, "environment", dict, path, "", error)
    need(doc, "created", str, path, "", error)
    for i, e in enumerate(need(doc, "entries", list, path, "", error)):
        where = f"entries[{i}]."
        for k in ("op", "variant", "size", "tier", "side"):
            need(e, k, str, path, where, error)
        if e["side"] != "native":
            continue
        for j, st in enumerate(need(e, "stages", list, path, where, error)):
            w = f"{where}stages[{j}]."
            need(st, "name", str, path, w, error)
            for k in ("allocs", "alloc_bytes"):
                need(st, k, (int, float), path, w, error)
    return doc
