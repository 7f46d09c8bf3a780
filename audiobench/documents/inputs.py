"""The inputs manifest: the suite's inputs as raw files, for criterion and the native profiler.

``target/audiobench-inputs/<suite>/manifest.json`` (schema ``audiobench.inputs/2``), written by
``audiobench inputs``; read by the Rust side (``rust_impls/core/benches/audiobench/inputs.rs``),
which checks each file's bytes against its checksum.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json
from audiobench.documents.models import validate

SCHEMA = "audiobench.inputs/2"
"""/2 added each case's kernel ``params`` and the catalogue's hash (``catalogue_sha256``)."""


class InputsFileError(ValueError):
    """A manifest does not fit its model; the message names the file and the field."""


class InputEntry(msgspec.Struct):
    """One case: its key, checksum, file and layout (``kind``: audio, samples or stream), its
    sample kernel's parameters and, for a memory-bound operation, the bytes one call writes
    (``output_bytes``, for the ``limit:read-write`` probe)."""

    op: str
    variant: str
    size: str
    checksum: str
    params: dict[str, float | int | str | bool]
    kind: str
    file: str
    dtype: str | None = None
    channels: int | None = None
    frames: int | None = None
    sample_rate: int | None = None
    len: int | None = None
    output_bytes: int | None = None


class InputsManifest(msgspec.Struct):
    """The whole manifest."""

    schema: str
    suite: str
    seed: int
    catalogue: str
    catalogue_sha256: str
    cases: list[InputEntry]


def write(doc: dict[str, Any], path: Path) -> Path:
    """Check ``doc`` against :class:`InputsManifest` and write it (atomically); returns ``path``."""
    validate(doc, InputsManifest, path, InputsFileError)
    return write_json(path, doc)
