"""The shapes of inputs (cases) and outputs that operations share.

A *case* is what every tier of one (operation, variant, size) receives; an *output* is what an
operation's :meth:`~audiobench.operations.base.Operation.normalize` turns any tier's raw return
value into, so parity checks compare like with like. Operations build cases from the
catalogue's seed (:func:`audiobench.operations.build_case`), so every tool sees the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench import signals


@dataclass(frozen=True)
class AudioCase:
    """Planar float32 audio for resample, vad and pipeline."""

    audio: npt.NDArray[np.float32]
    sample_rate: int
    truth: npt.NDArray[np.float64] | None = None
    """For multi-sine inputs: the same tones at 16 kHz, for SNR."""

    @property
    def channels(self) -> int:
        """Channel count (rows of the planar array)."""
        return int(self.audio.shape[0])

    @property
    def frames(self) -> int:
        """Samples per channel."""
        return int(self.audio.shape[1])

    @property
    def seconds(self) -> float:
        """Duration in seconds: frames / sample_rate."""
        return self.frames / self.sample_rate

    def as_lists(self) -> list[list[float]]:
        """The audio as one list of Python floats per channel: what the pure-Python tier's callers
        hold (made untimed, in ``prepare``)."""
        return [[float(v) for v in ch] for ch in self.audio.tolist()]

    def checksum(self) -> str:
        """Hex SHA-256 prefix of the audio bytes (:func:`audiobench.signals.checksum`)."""
        return signals.checksum(self.audio)


@dataclass(frozen=True)
class SamplesCase:
    """A 1-D array for a conversion (float32 or int16 by variant)."""

    x: npt.NDArray[Any]

    def checksum(self) -> str:
        """Hex SHA-256 prefix of the samples' bytes."""
        return signals.checksum(self.x)


@dataclass(frozen=True)
class StreamCase:
    """A tagged base64 chunk stream, fed by ``threads`` threads (calls split between them)."""

    stream: signals.ChunkStream
    threads: int = 1
    count_reallocations: bool = True
    """Python tiers count ``bytearray`` capacity changes only when asked (it costs them time);
    Rust tiers always count (a capacity comparison)."""

    def checksum(self) -> str:
        """Hex SHA-256 prefix of the chunks and their owners."""
        return signals.checksum(*self.stream.chunks, self.stream.owners)


Case = AudioCase | SamplesCase | StreamCase


def as_audio(case: Case) -> AudioCase:
    """The case as audio, or an assertion naming what it was (a registry wiring error)."""
    assert isinstance(case, AudioCase), f"expected audio input, got {type(case).__name__}"
    return case


def as_samples(case: Case) -> SamplesCase:
    """The case as a 1-D sample array, or an assertion naming what it was."""
    assert isinstance(case, SamplesCase), f"expected samples input, got {type(case).__name__}"
    return case


@dataclass
class VadOutput:
    """A VAD's output: ``energies`` (float32, one per 30 ms frame, RMS), ``flags`` (bool,
    energy > threshold) and ``speech_ratio`` (flags' mean, 0 with no frame)."""

    energies: npt.NDArray[np.float32]
    flags: npt.NDArray[np.bool_]
    speech_ratio: float


@dataclass
class B64Output:
    """A chunk buffer's output: each call's bytes, and the reallocations it counted."""

    buffers: dict[str, bytes]
    reallocations: int | None
    """None when the tier was asked not to count."""


@dataclass
class PipelineOutput:
    """The pipeline's output: ``audio`` int16 planar ``(channels, ceil(n·160/441))`` at 16 kHz,
    the VAD ``flags`` of the 44.1 kHz input, and their ``speech_ratio``."""

    audio: npt.NDArray[np.int16]
    flags: npt.NDArray[np.bool_]
    speech_ratio: float
