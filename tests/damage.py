"""Ways to damage a copy of a real result file, shared by the report and gate bad-input tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cut_short(path: Path) -> None:
    """What a writer killed part-way leaves: the first half of the file."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def emptied(path: Path) -> None:
    path.write_bytes(b"")


def edited(path: Path, change: Callable[[Any], Any]) -> None:
    """Parse, change (in place, or return a replacement), write back."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    new = change(doc)
    path.write_text(json.dumps(doc if new is None else new), encoding="utf-8")


def schema(version: str) -> Callable[[dict[str, Any]], None]:
    """A change that relabels a document with another schema version."""

    def change(doc: dict[str, Any]) -> None:
        doc["schema"] = version

    return change


def drop_stats(doc: dict[str, Any]) -> None:
    """A run file whose first row lost its statistics."""
    del doc["cases"][0]["rows"][0]["stats_s"]


def text_median(doc: dict[str, Any]) -> None:
    """A run file with text where a median belongs."""
    doc["cases"][2]["rows"][0]["stats_s"]["median"] = "fast"


def as_list(doc: Any) -> Any:
    """The document wrapped in a list: valid JSON of the wrong type."""
    return [doc]
