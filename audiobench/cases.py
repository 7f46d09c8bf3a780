"""Inputs and outputs of the five operations, in one shape per operation.

A *case* is what every tier of one (operation, variant, size) receives; an *output* is what
:func:`normalize` turns any tier's raw return value into, so parity checks compare like with
like. Cases are built from the catalogue's seed, so every tool sees the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench import signals
from audiobench.catalogue import Size

OPERATIONS = ("resample", "vad", "convert", "b64_buffer", "pipeline")
VARIANTS = {
    "resample": ("low", "medium", "high"),
    "vad": ("default",),
    "convert": ("f32_i16", "i16_f32", "f32_i32", "i16_i32"),
    "b64_buffer": ("default",),
    "pipeline": ("default",),
}
VAD_FRAME = 1323  # samples of one 30 ms frame at 44.1 kHz


@dataclass(frozen=True)
class AudioCase:
    """Planar float32 audio for resample, vad and pipeline."""

    audio: npt.NDArray[np.float32]
    sample_rate: int
    truth: npt.NDArray[np.float64] | None = None
    """For multi-sine inputs: the same tones at 16 kHz, for SNR."""

    @property
    def channels(self) -> int:
        return int(self.audio.shape[0])

    @property
    def frames(self) -> int:
        return int(self.audio.shape[1])

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def checksum(self) -> str:
        return signals.checksum(self.audio)


@dataclass(frozen=True)
class SamplesCase:
    """A 1-D array for a conversion (float32 or int16 by variant)."""

    x: npt.NDArray[Any]

    def checksum(self) -> str:
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
    energies: npt.NDArray[np.float32]
    flags: npt.NDArray[np.bool_]
    speech_ratio: float


@dataclass
class B64Output:
    buffers: dict[str, bytes]
    reallocations: int | None
    """None when the tier was asked not to count."""


@dataclass
class PipelineOutput:
    audio: npt.NDArray[np.int16]
    flags: npt.NDArray[np.bool_]
    speech_ratio: float


def build_case(op: str, variant: str, size: Size, seed: int, signal: str = "") -> Case:
    """The input of ``op``/``variant`` at ``size`` (deterministic in ``seed``)."""
    if op == "convert":
        return SamplesCase(signals.convert_input(variant, size.samples, seed))
    if op == "b64_buffer":
        return StreamCase(signals.chunk_stream(size.chunks, size.calls, seed), size.threads)
    if op not in ("resample", "vad", "pipeline"):
        raise ValueError(f"unknown operation {op!r}")
    if size.kind == "frame":
        audio = np.ascontiguousarray(signals.speech_like(1.0, 2, seed)[:, 4 * VAD_FRAME : 5 * VAD_FRAME])
        audio.setflags(write=False)
        return AudioCase(audio, signals.INPUT_RATE)
    if signal == "multisine" or (not signal and op == "resample"):
        ms = signals.multisine(size.seconds, 2, seed)
        return AudioCase(ms.audio, signals.INPUT_RATE, ms.truth)
    return AudioCase(signals.speech_like(size.seconds, 2, seed), signals.INPUT_RATE)


def multisine_case(seconds: float, seed: int) -> AudioCase:
    """The quality signal as a case (pipeline audio parity uses it beside the speech input)."""
    ms = signals.multisine(seconds, 2, seed)
    return AudioCase(ms.audio, signals.INPUT_RATE, ms.truth)


def _array(x: Any, dtype: Any) -> npt.NDArray[Any]:
    return np.asarray(x, dtype=dtype)


CONVERT_OUTPUT = {"f32_i16": np.int16, "i16_f32": np.float32, "f32_i32": np.int32, "i16_i32": np.int32}


def normalize(op: str, variant: str, raw: Any) -> Any:
    """Turn a tier's raw return value into the operation's output type."""
    if op == "resample":
        return _array(raw, np.float32)
    if op == "convert":
        return _array(raw, CONVERT_OUTPUT[variant])
    if op == "vad":
        energies, flags, ratio = raw
        return VadOutput(_array(energies, np.float32), _array(flags, np.bool_), float(ratio))
    if op == "pipeline":
        audio, flags, ratio = raw
        return PipelineOutput(_array(audio, np.int16), _array(flags, np.bool_), float(ratio))
    if op == "b64_buffer":
        buffers, reallocations = raw
        return B64Output(
            {k: bytes(memoryview(v)) for k, v in buffers.items()},
            None if reallocations is None else int(reallocations),
        )
    raise ValueError(f"unknown operation {op!r}")
