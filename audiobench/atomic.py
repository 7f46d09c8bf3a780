"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every result, table and report goes through here: write to a temporary file in the same
directory, flush and fsync it, then ``os.replace`` it over the target (atomic on POSIX), then
fsync the directory so the rename itself survives a power cut.

A writer killed between the two steps (SIGKILL, OOM) leaves its temporary file behind:
``.<name>.<random>.tmp``. Readers never take such a file for a result (:func:`is_temporary`).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"


def is_temporary(path: Path) -> bool:
    """A writer's temporary file (hidden, ``.tmp``): an unfinished write, never a result."""
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: Path | str, data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; with ``exclusive`` refuse to replace a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        # mkstemp creates 0600; give the file the permissions an ordinary open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            # link() fails if the target exists, so an earlier result is never overwritten.
            os.link(tmp, target)
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
        _fsync_directory(target.parent)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def write_text(path: Path | str, text: str, *, exclusive: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (a hidden temporary renamed into place); with
    ``exclusive``, refuse an existing file (``FileExistsError``). Returns ``path``."""
    return write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def write_json(path: Path | str, obj: Any, *, exclusive: bool = False) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically (see :func:`write_text`). Returns ``path``."""
    return write_text(path, json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n", exclusive=exclusive)


def write_json_new(directory: Path | str, base: str, obj: Any) -> Path:
    """Write ``obj`` atomically as ``base.json`` in ``directory``, or ``base-1.json``, ``base-2.json``
    ... when taken: results are never overwritten. Raises FileExistsError if 1000 names are taken."""
    for attempt in range(1000):
        name = f"{base}.json" if attempt == 0 else f"{base}-{attempt}.json"
        try:
            return write_json(Path(directory) / name, obj, exclusive=True)
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory}: no free file name for {base}")
