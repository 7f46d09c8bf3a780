"""What the streaming server does with a chunk, per tier: decode it and append it to its call's
buffer, with the same code the ``b64_buffer`` operation times in batch.

=====================  ================================================================
tier                   sink
=====================  ================================================================
``python``             stdlib ``base64`` (validated) + one ``bytearray`` per call
``python-best``        ``pybase64`` (validated) + one ``bytearray`` per call
``rust-fast``          one shared ``AudioProcessor`` for every call (the CallBot design)
``rust-fast-per-call`` one ``AudioProcessor`` per call (no shared lock, one map per call)
=====================  ================================================================

The Rust sinks release the GIL inside ``add_chunk``; in a one-loop server that buys nothing by
itself, which is the point of measuring it. Rust buffers are pre-allocated to
:data:`CAPACITY_PER_CALL` bytes per call (32 s of 16 kHz 16-bit audio), not the study's blind
10 MiB, so a thousand calls do not reserve 10 GB.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Protocol

from audiobench import _rust
from audiobench.stream.names import TIERS

CAPACITY_PER_CALL = 1 << 20
"""Bytes pre-allocated per call by the Rust sinks: 32.8 s at 16 kHz 16-bit; a longer call grows
its buffer (counted as a reallocation, never refused)."""


class Sink(Protocol):
    """One tier's chunk buffers. ``append`` raises ``ValueError`` for a chunk the tier's decoder
    refuses and then leaves the call's bytes unchanged."""

    def start(self, call: str) -> None:
        """Open ``call``'s buffer (empty)."""

    def append(self, call: str, chunk: bytes) -> None:
        """Decode the base64 ``chunk`` and append it to ``call``'s buffer; ``ValueError`` if refused."""

    def take(self, call: str) -> bytes:
        """The call's bytes; the call is forgotten."""

    def drop(self, call: str) -> None:
        """Forget the call and its bytes (its client went away)."""


class _PythonSink:
    """A ``python_baselines`` ``ChunkBuffers`` fed one chunk at a time (reallocations not counted:
    counting costs the loop time and the batch benchmark already reports them)."""

    def __init__(self, module: str) -> None:
        from python_baselines import best, standard

        chunk_buffers = standard.ChunkBuffers if module == "standard" else best.ChunkBuffers
        self._buffers = chunk_buffers(count_reallocations=False)
        self._owner = [0]

    def start(self, call: str) -> None:
        self._buffers.buffers[call] = bytearray()

    def append(self, call: str, chunk: bytes) -> None:
        self._buffers.feed((chunk,), self._owner, (call,))

    def take(self, call: str) -> bytes:
        return self._buffers.take(call)

    def drop(self, call: str) -> None:
        self._buffers.buffers.pop(call, None)


class _SharedRustSink:
    def __init__(self) -> None:
        self._processor = _rust.AudioProcessor(CAPACITY_PER_CALL)

    def start(self, call: str) -> None:
        pass  # the processor makes the call's buffer on its first chunk

    def append(self, call: str, chunk: bytes) -> None:
        self._processor.add_chunk(call, chunk)

    def take(self, call: str) -> bytes:
        try:
            return self._processor.take(call).tobytes()
        except _rust.UnknownCallError:
            return b""  # started, no chunk yet: an empty call

    def drop(self, call: str) -> None:
        with contextlib.suppress(_rust.UnknownCallError):
            self._processor.take(call)


class _PerCallRustSink:
    def __init__(self) -> None:
        self._calls: dict[str, _rust.AudioProcessor] = {}

    def start(self, call: str) -> None:
        self._calls[call] = _rust.AudioProcessor(CAPACITY_PER_CALL)

    def append(self, call: str, chunk: bytes) -> None:
        self._calls[call].add_chunk(call, chunk)

    def take(self, call: str) -> bytes:
        processor = self._calls.pop(call)
        try:
            return processor.take(call).tobytes()
        except _rust.UnknownCallError:
            return b""

    def drop(self, call: str) -> None:
        self._calls.pop(call, None)


SINKS: dict[str, Callable[[], Sink]] = dict(
    zip(
        TIERS,
        (lambda: _PythonSink("standard"), lambda: _PythonSink("best"), _SharedRustSink, _PerCallRustSink),
        strict=True,
    )
)
"""Each streaming tier's sink factory (:data:`~audiobench.stream.names.TIERS`, same order)."""
