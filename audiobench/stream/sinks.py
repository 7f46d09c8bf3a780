"""What the streaming server does with a call, per tier: decode each chunk and append it to its
call's buffer with the same code the ``b64_buffer`` operation times in batch; with a VAD, the
energy VAD of the 30 ms frames each chunk completed; with the pipeline, the ``pipeline``
operation's code on the call's audio when it ends.

=====================  ================================================================
tier                   sink
=====================  ================================================================
``python``             stdlib ``base64`` (validated) + one ``bytearray`` per call; numpy
                       VAD, librosa pipeline (``python_baselines.standard``)
``python-best``        ``pybase64`` (validated) + one ``bytearray`` per call; numpy VAD
                       with ``out=``, soxr pipeline (``python_baselines.best``)
``rust-fast``          one shared ``AudioProcessor`` for every call (the CallBot design);
                       its ``add_chunk_vad``, the Rust ``Pipeline``
``rust-fast-per-call`` one ``AudioProcessor`` per call (no shared lock, one map per call)
=====================  ================================================================

The Rust sinks release the GIL inside each call; in a one-loop server that buys nothing by
itself, which is the point of measuring it. Rust buffers are pre-allocated to
:data:`CAPACITY_PER_CALL` bytes per call (32 s of 16 kHz 16-bit audio), not the study's blind
10 MiB, so a thousand calls do not reserve 10 GB.

A call's audio is 16-bit little-endian mono PCM; the VAD and the pipeline read it as ``x / 32768``
(the ``i16_f32`` conversion). VAD frame ``k`` is samples ``[k·len, (k+1)·len)`` of the call, so the
flags acknowledged chunk by chunk are the flags of a batch VAD of the whole call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from audiobench import _rust
from audiobench.stream.names import TIERS
from python_baselines.semantics import DEFAULT_THRESHOLD

CAPACITY_PER_CALL = 1 << 20
"""Bytes pre-allocated per call by the Rust sinks: 32.8 s at 16 kHz 16-bit; a longer call grows
its buffer (counted as a reallocation, never refused)."""

PipelineResult = tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], float]
"""The pipeline's ``(int16 planar (1, frames out), flags, speech ratio)``."""


class Sink(Protocol):
    """One tier's chunk buffers. ``append`` and ``append_vad`` raise ``ValueError`` for a chunk
    the tier's decoder refuses and then leave the call's bytes unchanged."""

    def start(self, call: str) -> None:
        """Open ``call``'s buffer (empty)."""

    def append(self, call: str, chunk: bytes) -> None:
        """Decode the base64 ``chunk`` and append it to ``call``'s buffer; ``ValueError`` if refused."""

    def append_vad(self, call: str, chunk: bytes) -> list[bool]:
        """:meth:`append`, then the VAD flags of the frames this chunk completed (0 or more)."""

    def take(self, call: str) -> bytes:
        """The call's bytes; the call is forgotten."""

    def drop(self, call: str) -> None:
        """Forget the call and its bytes (its client went away)."""

    def pipeline(self, pcm: bytes) -> PipelineResult:
        """The pipeline on a call's bytes (44.1 kHz PCM): ``ValueError`` if it refuses them."""


def _samples(pcm: bytes | bytearray | npt.NDArray[np.uint8], start: int = 0, count: int = -1) -> npt.NDArray[np.int16]:
    """``count`` 16-bit little-endian samples of ``pcm`` from sample ``start`` (a view)."""
    return np.frombuffer(pcm, dtype="<i2", count=count, offset=2 * start)


class _PythonSink:
    """A ``python_baselines`` ``ChunkBuffers`` fed one chunk at a time (reallocations not counted:
    counting costs the loop time and the batch benchmark already reports them), and the module's
    VAD and pipeline."""

    def __init__(self, module: str, sample_rate: int) -> None:
        from python_baselines import best, standard
        from python_baselines.semantics import frame_len

        self._module: Any = standard if module == "standard" else best
        self._buffers = self._module.ChunkBuffers(count_reallocations=False)
        self._owner = [0]
        self._rate = sample_rate
        self._frame = frame_len(sample_rate)

    def start(self, call: str) -> None:
        self._buffers.buffers[call] = bytearray()

    def append(self, call: str, chunk: bytes) -> None:
        self._buffers.feed((chunk,), self._owner, (call,))

    def append_vad(self, call: str, chunk: bytes) -> list[bool]:
        buf: bytearray = self._buffers.buffers[call]
        before = len(buf)
        self.append(call, chunk)
        first, end = before // 2 // self._frame, len(buf) // 2 // self._frame
        if end <= first:
            return []
        # the view is gone when this returns: a bytearray with a live export refuses to grow
        audio = self._module.convert(_samples(buf, first * self._frame, (end - first) * self._frame), "i16_f32")
        _, flags, _ = self._module.vad(audio[np.newaxis, :], self._rate, DEFAULT_THRESHOLD)
        return [bool(f) for f in flags]

    def take(self, call: str) -> bytes:
        return self._buffers.take(call)  # type: ignore[no-any-return]

    def drop(self, call: str) -> None:
        self._buffers.buffers.pop(call, None)

    def pipeline(self, pcm: bytes) -> PipelineResult:
        audio = self._module.convert(_samples(pcm), "i16_f32")
        return self._module.pipeline(audio[np.newaxis, :], self._rate, DEFAULT_THRESHOLD)  # type: ignore[no-any-return]


class _RustSink:
    """The Rust sinks' VAD and pipeline; subclasses say which ``AudioProcessor`` holds a call."""

    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._pipeline: _rust.Pipeline | None = None  # made on first use: only 44.1 kHz resamples

    def _processor(self, call: str) -> _rust.AudioProcessor:
        raise NotImplementedError

    def append(self, call: str, chunk: bytes) -> None:
        self._processor(call).add_chunk(call, chunk)

    def append_vad(self, call: str, chunk: bytes) -> list[bool]:
        _, flags = self._processor(call).add_chunk_vad(call, chunk, self._rate, DEFAULT_THRESHOLD)
        return [bool(f) for f in flags]

    def pipeline(self, pcm: bytes) -> PipelineResult:
        if self._pipeline is None:
            self._pipeline = _rust.Pipeline(channels=1, sample_rate=self._rate, threshold=DEFAULT_THRESHOLD)
        audio: npt.NDArray[np.float32] = _rust.convert(_samples(pcm), "i16_f32")  # type: ignore[assignment]
        return self._pipeline.process(audio[np.newaxis, :])

    @staticmethod
    def _bytes(processor: _rust.AudioProcessor, call: str) -> bytes:
        try:
            return processor.take(call).tobytes()
        except _rust.UnknownCallError:
            return b""  # started, no chunk yet: an empty call


class _SharedRustSink(_RustSink):
    def __init__(self, sample_rate: int) -> None:
        super().__init__(sample_rate)
        self._shared = _rust.AudioProcessor(CAPACITY_PER_CALL)

    def _processor(self, call: str) -> _rust.AudioProcessor:
        return self._shared

    def start(self, call: str) -> None:
        pass  # the processor makes the call's buffer on its first chunk

    def take(self, call: str) -> bytes:
        return self._bytes(self._shared, call)

    def drop(self, call: str) -> None:
        with contextlib.suppress(_rust.UnknownCallError):
            self._shared.take(call)


class _PerCallRustSink(_RustSink):
    def __init__(self, sample_rate: int) -> None:
        super().__init__(sample_rate)
        self._calls: dict[str, _rust.AudioProcessor] = {}

    def _processor(self, call: str) -> _rust.AudioProcessor:
        return self._calls[call]

    def start(self, call: str) -> None:
        self._calls[call] = _rust.AudioProcessor(CAPACITY_PER_CALL)

    def take(self, call: str) -> bytes:
        return self._bytes(self._calls.pop(call), call)

    def drop(self, call: str) -> None:
        self._calls.pop(call, None)


SINKS: dict[str, Callable[[int], Sink]] = dict(
    zip(
        TIERS,
        (
            lambda rate: _PythonSink("standard", rate),
            lambda rate: _PythonSink("best", rate),
            _SharedRustSink,
            _PerCallRustSink,
        ),
        strict=True,
    )
)
"""Each streaming tier's sink factory, called with the stream's sample rate in Hz
(:data:`~audiobench.stream.names.TIERS`, same order)."""
