"""What every reader shares: the error for bad input files, JSON loading, UTC timestamps, and the
per-source result (rows plus what the summary says about them)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.documents import read_versioned

Row = dict[str, Any]


class CollectError(ValueError):
    """A result file exists but cannot be read: corrupt JSON, another schema, a missing key.

    The message starts with the file's path, so the CLI can print it as it is.
    """


def load_json(path: Path) -> Any:
    """Parse ``path`` (JSON with NaN allowed: asv writes it)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CollectError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CollectError(f"{path}: not readable JSON ({e})") from None


def load_document(path: Path, schema: str) -> dict[str, Any]:
    """Parse one of the project's own versioned documents, refusing another schema."""
    return read_versioned(path, schema, CollectError)


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn a document whose shape is not what the reader expects into a CollectError naming it.

    The readers index documents directly (``doc["cases"]``): a missing key or a value of the
    wrong type surfaces here instead of as a traceback from deep inside a reader.
    """
    try:
        yield
    except CollectError:
        raise
    except KeyError as e:
        raise CollectError(f"{path}: missing key {e.args[0]!r}") from None
    except (TypeError, ValueError, IndexError, AttributeError) as e:
        raise CollectError(f"{path}: unexpected content ({type(e).__name__}: {e})") from None


def text(value: Any) -> str | None:
    """An optional string field: missing, empty or 'unknown' all become NA, never ""."""
    if value is None:
        return None
    s = str(value).strip()
    return None if s in ("", "unknown") else s


def number(value: Any) -> float | None:
    """A measured value, or None when the tool left it out (null, NaN: skipped or failed)."""
    if value is None or isinstance(value, bool):
        return None
    x = float(value)
    return None if math.isnan(x) else x


def utc_iso(when: datetime) -> str:
    """ISO 8601 in UTC to the second, the form the runner writes (``2026-11-21T17:47:57+00:00``)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def iso_from_text(value: str) -> str:
    return utc_iso(datetime.fromisoformat(value))


def iso_from_epoch_ms(ms: float) -> str:
    return utc_iso(datetime.fromtimestamp(ms / 1000, UTC))


def iso_from_mtime(path: Path) -> str:
    return utc_iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))


@dataclass
class Collected:
    """One source's rows and the summary the report prints about it."""

    source: str
    missing_hint: str
    """How to produce this source, shown when nothing was found."""
    files: int = 0
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    """Facts about how the newest run was taken (environment, settings) that are not measurements:
    the report's methodology section reads them from the table's metadata."""

    def summary(self) -> dict[str, Any]:
        found = self.files > 0
        note = "; ".join(self.notes) if found else self.missing_hint
        out = {"source": self.source, "found": found, "files": self.files, "rows": len(self.rows), "note": note}
        if self.context:
            out["context"] = self.context
        return out

    def add_files(self, files: list[Path], rows_of: Callable[[Path], tuple[list[Row], list[str]]]) -> None:
        """Read every file with ``rows_of`` (rows, notes) into this source."""
        for path in files:
            r, notes = rows_of(path)
            self.rows += r
            self.notes += notes
        self.files += len(files)


def result_files(directory: Path, pattern: str = "*.json") -> list[Path]:
    """The result files in ``directory``, oldest name first; hidden ones (an atomic write's
    temporary file) are not results. A missing directory holds none."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(pattern) if not p.name.startswith("."))


def dirty_note(path: Path, env: dict[str, Any]) -> list[str]:
    """The summary's warning for results measured on a working tree with uncommitted changes."""
    return [f"{path.name}: measured on a working tree with uncommitted changes"] if env["git"].get("dirty") else []
