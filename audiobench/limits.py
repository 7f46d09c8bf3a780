"""Reference rows: the physical floor over the same bytes an operation reads.

``limit:memcpy`` copies the input bytes into a preallocated buffer; ``limit:read`` reads each
byte once. Both run in Rust with the GIL released, through the same binding layer as the tiers,
so "% of limit" compares like with like. For a base64 stream the bytes are its encoded chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench.cases import AudioCase, Case, SamplesCase, StreamCase

READ = "limit:read"
MEMCPY = "limit:memcpy"
LIMITS = (MEMCPY, READ)
"""The probes, in the order a run's rows list them."""
DISPLAY_ORDER = (READ, MEMCPY)
"""The order tables show them in: the read floor first."""


def input_bytes(case: Case) -> npt.NDArray[np.uint8]:
    """The case's input as one contiguous uint8 array (a view where the input is one array)."""
    if isinstance(case, AudioCase):
        return np.ascontiguousarray(case.audio).reshape(-1).view(np.uint8)
    if isinstance(case, SamplesCase):
        return np.ascontiguousarray(case.x).view(np.uint8)
    if isinstance(case, StreamCase):
        return np.frombuffer(b"".join(case.stream.chunks), dtype=np.uint8)
    raise TypeError(f"no input bytes for {type(case).__name__}")


def prepare_limit(kind: str, case: Case) -> Callable[[], Any]:
    """The zero-argument probe call of ``kind`` over ``case``'s input bytes (set up untimed)."""
    from audiobench import _rust

    src = input_bytes(case)
    if kind == "limit:memcpy":
        dst = np.empty_like(src)
        dst.fill(0)  # touch the pages now, so the probe measures copying, not page faults
        return lambda: _rust.limit_memcpy(src, dst)
    if kind == "limit:read":
        return lambda: _rust.limit_read(src)
    raise ValueError(f"unknown limit probe {kind!r} (expected one of {', '.join(LIMITS)})")
