"""Validating a document against its model (msgspec), with refusals that name the field.

Each document module (:mod:`~audiobench.documents.run`, ``profile``, ``counters``, ``smoke``,
``inputs``) declares a ``msgspec.Struct`` model of what its readers rely on; unknown fields are
allowed (a newer writer may add some). Writers validate before writing, readers after parsing,
so a file that passes is the shape every reader expects.

msgspec was chosen over pydantic for these documents: run files carry every timed sample
(hundreds of thousands of floats in a full run), which msgspec validates in C at the speed of
parsing, its errors give the JSON path, and it has no dependencies.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, TypeVar

import msgspec

T = TypeVar("T")

Positive = Annotated[float, msgspec.Meta(gt=0)]
"""A number above zero (a timed sample in seconds)."""
Pair = Annotated[list[float], msgspec.Meta(min_length=2, max_length=2)]
"""Two numbers (a confidence interval)."""

_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)` - at `\$(?P<at>[^`]*)`")
_AT = re.compile(r"^(?P<what>.*) - at `\$(?P<at>[^`]*)`$")


def _where(at: str) -> str:
    return at.removeprefix(".")


def describe(e: msgspec.ValidationError) -> str:
    """msgspec's message as the field's path then the problem: ``cases[0].rows[0].stats_s is
    missing``, ``cases[2].rows[0].stats_s.median: expected `float`, got `str```."""
    text = str(e)
    if m := _MISSING.fullmatch(text):
        where = _where(m["at"])
        return f"{where + '.' if where else ''}{m['field']} is missing"
    if m := _AT.fullmatch(text):
        what = m["what"][:1].lower() + m["what"][1:]
        return f"{_where(m['at']) or 'the document'}: {what}"
    return text


def validate(doc: Any, model: type[T], path: Path, error: type[Exception]) -> T:
    """``doc`` as ``model``, or ``error`` naming ``path`` and the field."""
    try:
        return msgspec.convert(doc, model, strict=True)
    except msgspec.ValidationError as e:
        raise error(f"{path}: {describe(e)}") from None


def finite(values: list[float], path: Path, where: str, error: type[Exception]) -> None:
    """Every value a finite number (msgspec's bounds let ±inf and NaN through some checks)."""
    for i, v in enumerate(values):
        if not math.isfinite(v):
            raise error(f"{path}: {where}[{i}]: expected a finite number, got {v!r}")
