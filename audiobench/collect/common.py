"""What every reader shares: the errors for bad input files, JSON loading, UTC timestamps, and the
per-source result (rows, files skipped, and what the summary says about them).

Two kinds of bad file, handled differently (the README's "Bad result files" lists every case):

* our own documents (run files, profile files) are written atomically, so one that is truncated,
  of another schema or malformed is damage, never an interrupted write: :class:`CollectError`,
  and the command stops with exit code 2 naming the file;
* criterion, asv and pytest-benchmark write their files in place, so a tool killed part-way
  leaves an empty or truncated file. Such a file (:class:`UnreadableFile`) is skipped and listed
  (:meth:`Collected.skip`): the rest of that tool's results still make a report. A file of theirs
  that parses but is not what it should be (another format version, missing keys) still stops
  the command: that is not an interrupted write, and guessing around it would hide a real problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import is_temporary
from audiobench.documents import Unreadable, parse_json, read_versioned

Row = dict[str, Any]


class CollectError(ValueError):
    """A result file exists but cannot be read: corrupt JSON, another schema, a missing key.

    The message starts with the file's path, so the CLI can print it as it is.
    """


class UnreadableFile(CollectError):
    """A result file that is missing, empty, truncated or not JSON: perhaps its writer was killed."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def load_json(path: Path) -> Any:
    """Parse ``path`` (JSON with NaN allowed: asv writes it)."""
    try:
        return parse_json(path)
    except Unreadable as e:
        raise UnreadableFile(e.path, e.problem) from None


def load_document(path: Path, schema: str | tuple[str, ...]) -> dict[str, Any]:
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


# Row fields that must hold numbers; ``value`` must be present as well.
_NUMERIC = ("value", "ci_low", "ci_high", "confidence")


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def checked_numbers(path: Path, rows: list[Row]) -> list[Row]:
    """``rows`` unchanged, or a CollectError naming the file, the row and the field that holds
    something other than a number (a string, a list, a boolean, null for a value)."""
    for r in rows:
        for name in _NUMERIC:
            x = r.get(name)
            if (x is not None or name == "value") and not _is_number(x):
                what = " ".join(str(r.get(k)) for k in ("operation", "variant", "size", "tier", "metric", "statistic"))
                raise CollectError(f"{path}: {name} of {what} is {x!r}, not a number")
    return rows


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
    """An ISO-8601 timestamp as UTC with seconds (``2026-11-30T19:00:00+00:00``)."""
    return utc_iso(datetime.fromisoformat(value))


def iso_from_epoch_ms(ms: float) -> str:
    """Milliseconds since the Unix epoch (asv's dates) as an ISO-8601 UTC timestamp."""
    return utc_iso(datetime.fromtimestamp(ms / 1000, UTC))


def iso_from_mtime(path: Path) -> str:
    """A file's modification time as an ISO-8601 UTC timestamp (for tools that write none)."""
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
    skipped: list[dict[str, str]] = field(default_factory=list)
    """Files left out, each ``{"path", "problem"}``: the command warns, the report lists them."""
    context: dict[str, Any] = field(default_factory=dict)
    """Facts about how the newest run was taken (environment, settings) that are not measurements:
    the report's methodology section reads them from the table's metadata."""

    def summary(self) -> dict[str, Any]:
        """What the source contributed: files read, rows, notes, and why it is missing if it is."""
        found = self.files > 0
        notes = self.notes if found else [self.missing_hint]
        if self.skipped:
            notes = [*notes, f"{len(self.skipped)} skipped (see Skipped inputs)"]
        out = {
            "source": self.source,
            "found": found,
            "files": self.files,
            "rows": len(self.rows),
            "note": "; ".join(notes),
            "skipped": self.skipped,
        }
        if self.context:
            out["context"] = self.context
        return out

    def skip(self, path: Path, problem: str) -> None:
        """Leave ``path`` out of the table, saying why."""
        self.skipped.append({"path": str(path), "problem": problem})

    def add_files(self, files: list[Path], rows_of: Callable[[Path], tuple[list[Row], list[str]]]) -> None:
        """Read every file with ``rows_of`` (rows, notes) into this source."""
        for path in files:
            r, notes = rows_of(path)
            self.rows += checked_numbers(path, r)
            self.notes += notes
        self.files += len(files)

    def add_files_skipping_unreadable(
        self, files: list[Path], rows_of: Callable[[Path], tuple[list[Row], list[str]]], why: str
    ) -> None:
        """:meth:`add_files` for a tool that writes in place: an unreadable file is skipped, ``why``
        saying how that happens, instead of stopping the command."""
        for path in files:
            try:
                self.add_files([path], rows_of)
            except UnreadableFile as e:
                self.skip(e.path, f"{e.problem}; {why}")

    def note_unfinished_writes(self, directory: Path) -> None:
        """Mention temporary files of interrupted atomic writes: ignored, but worth knowing about."""
        left = sorted(p.name for p in directory.glob(".*") if is_temporary(p)) if directory.is_dir() else []
        if left:
            self.notes.append(f"ignored {len(left)} unfinished write(s) of an interrupted command ({', '.join(left)})")


def result_files(directory: Path, pattern: str = "*.json") -> list[Path]:
    """The result files in ``directory``, oldest name first; hidden ones (an atomic write's
    temporary file, :func:`audiobench.atomic.is_temporary`) are not results. A missing directory
    holds none."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(pattern) if p.is_file() and not p.name.startswith("."))


def dirty_note(path: Path, env: dict[str, Any]) -> list[str]:
    """The summary's warning for results measured on a working tree with uncommitted changes."""
    return [f"{path.name}: measured on a working tree with uncommitted changes"] if env["git"].get("dirty") else []
