"""The smoke file: every registry entry once on the quick sizes, parity-checked, briefly timed.

``reports/data/smoke.json`` (schema ``audiobench.smoke/1``), written by ``audiobench smoke``. Its
times are for orientation only (consecutive calls, no interleaving, no CI): no report or gate
reads them as a measurement.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json
from audiobench.documents.models import validate

SCHEMA = "audiobench.smoke/1"


class SmokeFileError(ValueError):
    """A smoke document does not fit its model; the message names the file and the field."""


class SmokeRow(msgspec.Struct):
    """One entry's result: parity (None for a peer), the detail, metrics, timed seconds."""

    op: str
    variant: str
    tier: str
    size: str
    matched: bool
    parity_ok: bool | None
    detail: str
    metrics: dict[str, float] = {}
    seconds: list[float] = []
    allocation: str = ""
    summary: str = ""
    checksum: str = ""
    error: str | None = None

    @property
    def median(self) -> float | None:
        """Median of the timed calls in seconds (None if the entry failed)."""
        return statistics.median(self.seconds) if self.seconds else None


class SmokeDocument(msgspec.Struct):
    """The whole file."""

    schema: str
    created: str
    method: str
    environment: dict[str, Any]
    rows: list[SmokeRow]


def write(doc: dict[str, Any], path: Path) -> Path:
    """Check ``doc`` against :class:`SmokeDocument` and write it (atomically); returns ``path``."""
    validate(doc, SmokeDocument, path, SmokeFileError)
    return write_json(path, doc)
