"""Reading JSON result files: the project's schema-versioned documents (run files, profiles,
counters ...) and other tools' output, with errors that name the file and say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class Unreadable(ValueError):
    """The file is not a complete JSON document: missing, empty, truncated or corrupt.

    Readers tell such a file (perhaps another tool killed while writing it) from one that
    parses but is not what it should be; the message starts with the file's path.
    """

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def _decode_problem(text: str, e: json.JSONDecodeError) -> str:
    # An incomplete document makes the decoder stop at the end of the text (an unterminated
    # string is reported where it starts): the write stopped part-way, rather than someone
    # writing invalid JSON.
    if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
        return f"truncated: the JSON stops after {len(text.encode('utf-8'))} bytes, before the document is complete"
    return str(e)


def parse_json(path: Path) -> Any:
    """Parse ``path`` (NaN allowed: asv writes it); :class:`Unreadable` names the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Unreadable(path, "no such file") from None
    except IsADirectoryError:
        raise Unreadable(path, "a directory, not a file") from None
    except UnicodeDecodeError as e:
        raise Unreadable(path, f"not readable JSON: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise Unreadable(path, f"cannot be read ({e.strerror or e})") from None
    if not text.strip():
        raise Unreadable(path, "not readable JSON: empty file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise Unreadable(path, f"not readable JSON: {_decode_problem(text, e)}") from None


def kind_of(doc: Any) -> str:
    """How to name a JSON value that is not the object a reader wanted."""
    names = {list: "a JSON list", str: "a JSON string", bool: "a JSON boolean", type(None): "JSON null"}
    return names.get(type(doc), "a JSON number")


def read_versioned(path: Path, schema: str | tuple[str, ...], error: type[Exception]) -> dict[str, Any]:
    """Load ``path`` and check its ``schema`` (one name, or the versions a reader still reads,
    newest first); raise ``error`` naming the file and the problem."""
    accepted = (schema,) if isinstance(schema, str) else schema
    expected = " or ".join(repr(s) for s in accepted)
    try:
        doc = parse_json(path)
    except Unreadable as e:
        raise error(str(e)) from None
    if not isinstance(doc, dict):
        raise error(f"{path}: {kind_of(doc)}, not an object (expected a document of schema {expected})")
    found = doc.get("schema")
    if found is None:
        raise error(f"{path}: no 'schema' field (expected {expected})")
    if found not in accepted:
        raise error(f"{path}: schema {found!r}, expected {expected}")
    return doc
