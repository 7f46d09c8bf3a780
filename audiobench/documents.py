"""Reading the project's schema-versioned JSON documents (run files, smoke files, ...)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_versioned(path: Path, schema: str, error: type[Exception]) -> dict[str, Any]:
    """Load ``path`` and check its ``schema``; raise ``error`` naming the file and the problem."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise error(f"{path}: not readable JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("schema") != schema:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise error(f"{path}: schema {found!r}, expected {schema!r}")
    return doc
