"""Field checks shared by the document readers: each names the file and the field's path.

Readers take the error class to raise (the gate's ``InputError``, collect's ``CollectError``,
a document's own), so one check serves every caller and the caller's exit code stays its own.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def need(doc: Any, key: str, kind: type | tuple[type, ...], path: Path, where: str, error: type[Exception]) -> Any:
    """``doc[key]``, which must exist and be of ``kind`` (a bool is never a number)."""
    if not isinstance(doc, dict) or key not in doc:
        raise error(f"{path}: {where}{key} is missing")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise error(f"{path}: {where}{key} has the wrong type ({type(value).__name__})")
    return value


def positive_numbers(xs: Any, path: Path, where: str, error: type[Exception]) -> None:
    """``xs`` must be a non-empty list of finite numbers above zero (sampled times)."""
    if not isinstance(xs, list) or not xs:
        raise error(f"{path}: {where} must be a non-empty list of numbers")
    for x in xs:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or x <= 0:
            raise error(f"{path}: {where} holds {x!r}, not a positive number")
