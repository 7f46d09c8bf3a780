"""Reference rows: the physical floor over the same bytes an operation reads.

``limit:memcpy`` copies the input bytes into a preallocated buffer; ``limit:read`` reads each
byte once; ``limit:read-write`` (memory-bound operations only) reads each input byte once and
writes each byte of the operation's outputs once in one pass of copies (two input bytes XORed
into one where the output is half the input) — the memcpy equivalent of a kernel whose output is
narrower or wider than its input (f32→i16 reads 4 bytes and writes 2 per sample). All run in
Rust with the GIL released, through the same binding layer as the tiers, so "% of limit"
compares like with like. For a base64 stream the bytes are its encoded chunks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench.cases import AudioCase, Case, SamplesCase, StreamCase

READ = "limit:read"
MEMCPY = "limit:memcpy"
READ_WRITE = "limit:read-write"
LIMITS = (MEMCPY, READ, READ_WRITE)
"""The probes, in the order a run's rows list them."""
DISPLAY_ORDER = (READ, MEMCPY, READ_WRITE)
"""The order tables show them in: the read floor first."""


def limits_for(memory_bound: bool) -> tuple[str, ...]:
    """The probes a case runs beside its tiers: read and memcpy everywhere, read-write where the
    operation is memory-bound (``Operation.memory_bound``), the only place its figure is a
    yardstick."""
    return LIMITS if memory_bound else (MEMCPY, READ)


def output_bytes(outputs: list[tuple[tuple[int, ...], Any]]) -> int:
    """Bytes one call writes: the sum of its output arrays, each ``(shape, numpy dtype)`` as
    ``Operation.outputs`` lists them."""
    return sum(math.prod(shape) * np.dtype(dtype).itemsize for shape, dtype in outputs)


def input_bytes(case: Case) -> npt.NDArray[np.uint8]:
    """The case's input as one contiguous uint8 array (a view where the input is one array)."""
    if isinstance(case, AudioCase):
        return np.ascontiguousarray(case.audio).reshape(-1).view(np.uint8)
    if isinstance(case, SamplesCase):
        return np.ascontiguousarray(case.x).view(np.uint8)
    if isinstance(case, StreamCase):
        return np.frombuffer(b"".join(case.stream.chunks), dtype=np.uint8)
    raise TypeError(f"no input bytes for {type(case).__name__}")


def prepare_limit(kind: str, case: Case, written: int = 0) -> Callable[[], Any]:
    """The zero-argument probe call of ``kind`` over ``case``'s input bytes (set up untimed);
    ``written`` is the output bytes ``limit:read-write`` stores (:func:`output_bytes`).

    Raises:
        ValueError: ``kind`` is not a probe.
    """
    from audiobench import _rust

    src = input_bytes(case)
    if kind in (MEMCPY, READ_WRITE):
        dst = np.empty(src.size if kind == MEMCPY else written, dtype=np.uint8)
        dst.fill(0)  # touch the pages now, so the probe measures copying, not page faults
        if kind == MEMCPY:
            return lambda: _rust.limit_memcpy(src, dst)
        return lambda: _rust.limit_read_write(src, dst)
    if kind == READ:
        return lambda: _rust.limit_read(src)
    raise ValueError(f"unknown limit probe {kind!r} (expected one of {', '.join(LIMITS)})")
