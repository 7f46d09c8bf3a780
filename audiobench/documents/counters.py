"""The counter baseline: deterministic counts per native stage, committed with the code.

``benchmarks/baselines/counters.json`` (schema ``audiobench.counters/1``): per (operation,
variant, size, tier, stage) the callgrind instructions and the allocation counts of a profile,
plus the facts that decide whether two sets of counts can be compared (``facts``). Written by
``audiobench gate --save-counter-baseline``, read by the gate's counter check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json
from audiobench.documents import read_versioned
from audiobench.documents.models import validate

SCHEMA = "audiobench.counters/1"


class CounterBaselineError(ValueError):
    """A counter baseline is missing, unreadable or malformed; the message names it."""


class _Entry(msgspec.Struct):
    op: str
    variant: str
    size: str
    tier: str
    stage: str
    instructions: float | None = None
    allocs: float | None = None
    alloc_bytes: float | None = None


class CounterBaseline(msgspec.Struct):
    """What the counter check reads (more fields are allowed): the comparability facts and one
    entry per stage, each counter a number or null (not counted)."""

    facts: dict[str, Any]
    entries: list[_Entry]


def read(path: Path, error: type[Exception] = CounterBaselineError) -> dict[str, Any]:
    """The baseline at ``path``, of this schema and checked against :class:`CounterBaseline`."""
    doc = read_versioned(path, SCHEMA, error)
    validate(doc, CounterBaseline, path, error)
    return doc


def write(doc: dict[str, Any], path: Path) -> Path:
    """Check ``doc`` and write it (atomically) at ``path``; returns it."""
    validate(doc, CounterBaseline, path, CounterBaselineError)
    return write_json(path, doc)
