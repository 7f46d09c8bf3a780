"""Tier ``python-pure``: plain Python loops over lists, no numpy in any kernel.

It answers the study's hypothesis that "50-100x faster" was measured against pure Python.
Inputs are lists (planar audio: a list of per-channel lists of floats); outputs are lists.
Arithmetic is in Python floats (float64) where the tiers' float32 would differ only by
rounding; results that must be bit-exact (conversions) are exact in both.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from operator import mul

from python_baselines.semantics import (
    DEFAULT_THRESHOLD,
    INPUT_RATE,
    MAX_MAGNITUDE,
    OUTPUT_RATE,
    PIPELINE_OP,
    RESAMPLE_OP,
    check_preset,
    check_variant,
    frame_len,
    out_of_range,
    output_frames,
)

Planar = list[list[float]]

_F32 = struct.Struct("f")


def _to_f32(x: float) -> float:
    """Round a Python float to the nearest float32, as the other tiers store energies."""
    return float(_F32.unpack(_F32.pack(x))[0])


# --- conversion -------------------------------------------------------------------------


def _f32_i16(v: float) -> int:
    if v != v:  # NaN
        return 0
    return int(min(32767.0, max(-32768.0, v * 32768.0)))


def _f32_i32(v: float) -> int:
    if v != v:
        return 0
    return int(min(2147483647.0, max(-2147483648.0, v * 2147483648.0)))


def convert(x: Sequence[float] | Sequence[int], variant: str) -> list[float] | list[int]:
    """Convert a list of samples (floats for f32 inputs, ints for i16 inputs)."""
    check_variant(variant)
    if variant == "f32_i16":
        return [_f32_i16(v) for v in x]
    if variant == "i16_f32":
        return [v / 32768.0 for v in x]
    if variant == "f32_i32":
        return [_f32_i32(v) for v in x]
    return [v * 65536 for v in x]


# --- VAD ----------------------------------------------------------------------------------


def vad(
    audio: Planar, sample_rate: int = INPUT_RATE, threshold: float = DEFAULT_THRESHOLD
) -> tuple[list[float], list[bool], float]:
    """Energy VAD over lists: mono mean, 30 ms frames, RMS (float32-rounded), strict threshold."""
    flen = frame_len(sample_rate)
    channels = len(audio)
    frames = len(audio[0]) if channels else 0
    count = frames // flen
    threshold32 = _to_f32(threshold)
    energies: list[float] = []
    flags: list[bool] = []
    for f in range(count):
        start, stop = f * flen, (f + 1) * flen
        if channels == 1:
            mono = audio[0][start:stop]
        else:
            mono = [sum(col) / channels for col in zip(*(ch[start:stop] for ch in audio), strict=True)]
        energy = _to_f32(math.sqrt(sum(v * v for v in mono) / flen))
        energies.append(energy)
        flags.append(energy > threshold32)
    ratio = sum(flags) / count if count else 0.0
    return energies, flags, ratio


# --- resampling ---------------------------------------------------------------------------

# Kaiser-windowed sinc, evaluated at the exact output instants (k·441/160 input samples):
# (half-width in input samples, cutoff Hz, Kaiser beta) per preset.
PURE_FILTERS = {"low": (16, 7700.0, 4.0), "medium": (32, 7700.0, 5.0), "high": (48, 7700.0, 8.0)}


def _bessel_i0(x: float) -> float:
    total, term, k = 1.0, 1.0, 1
    while term > 1e-17 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


class Resampler:
    """A polyphase table for 160/441 (160 phases × 2·half-width taps), built once."""

    def __init__(self, preset: str = "high") -> None:
        half, cutoff, beta = PURE_FILTERS[check_preset(preset)]
        self.preset = preset
        self.half = half
        scale = 2.0 * cutoff / INPUT_RATE
        norm = _bessel_i0(beta)
        self.table: list[list[float]] = []
        for phase in range(160):
            frac = phase * 441 % 160 / 160.0  # fractional input position of outputs with k % 160 == phase
            taps = []
            for off in range(-half + 1, half + 1):
                tau = frac - off
                arg = scale * tau
                sinc = 1.0 if arg == 0 else math.sin(math.pi * arg) / (math.pi * arg)
                w = 1.0 - (tau / half) ** 2
                taps.append(scale * sinc * _bessel_i0(beta * math.sqrt(w)) / norm if w > 0 else 0.0)
            self.table.append(taps)

    def __call__(self, audio: Planar) -> Planar:
        """Resample every channel; raises ``ValueError`` for samples outside the resampling
        domain (:func:`check_range`)."""
        check_range(audio)
        half, table = self.half, self.table
        out: Planar = []
        for channel in audio:
            n = len(channel)
            padded = [0.0] * half + list(channel) + [0.0] * (half + 1)
            ys = []
            for k in range(output_frames(n)):
                pos = k * 441
                base = pos // 160  # floor of the output instant in input samples
                start = base + 1  # padded index of input sample base - half + 1
                ys.append(sum(map(mul, padded[start : start + 2 * half], table[k % 160])))
            out.append(ys)
        return out


def check_range(audio: Planar, op: str = RESAMPLE_OP) -> None:
    """Refuse a sample outside :data:`MAX_MAGNITUDE` (NaN, ±inf, too large), naming the first.

    Raises:
        ValueError: with the sample, its channel and frame, and how many are outside.
    """
    within = MAX_MAGNITUDE.__ge__  # False for NaN, as every comparison with NaN is
    if all(all(map(within, map(abs, channel))) for channel in audio):
        return
    bad = [(c, i) for c, channel in enumerate(audio) for i, v in enumerate(channel) if not within(abs(v))]
    channel, frame = bad[0]
    raise out_of_range(op, channel, frame, float(audio[channel][frame]), len(bad))


def resample(audio: Planar, preset: str = "high") -> Planar:
    """One-shot resample (builds the table, then runs it)."""
    return Resampler(preset)(audio)


# --- base64 chunk buffers -----------------------------------------------------------------

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUES = [-1] * 256
for _i, _c in enumerate(_ALPHABET):
    _VALUES[_c] = _i


def b64decode(chunk: bytes) -> bytes:
    """Decode padded standard base64, refusing anything else."""
    n = len(chunk)
    if n % 4:
        raise ValueError(f"base64 length {n} is not a multiple of 4")
    out = bytearray()
    values = _VALUES
    for i in range(0, n, 4):
        a, b, c, d = chunk[i], chunk[i + 1], chunk[i + 2], chunk[i + 3]
        pad = (c == 61) + (d == 61)  # '='
        if (pad and i + 4 != n) or (c == 61 and d != 61) or a == 61 or b == 61:
            raise ValueError(f"misplaced padding at offset {i}")
        va, vb = values[a], values[b]
        vc = values[c] if c != 61 else 0
        vd = values[d] if d != 61 else 0
        if min(va, vb, vc, vd) < 0:
            bad = next(j for j in range(i, i + 4) if values[chunk[j]] < 0 and chunk[j] != 61)
            raise ValueError(f"invalid base64 byte {chunk[bad]!r} at offset {bad}")
        word = (va << 18) | (vb << 12) | (vc << 6) | vd
        out.append(word >> 16)
        if pad < 2:
            out.append((word >> 8) & 0xFF)
        if pad < 1:
            out.append(word & 0xFF)
    return bytes(out)


class ChunkBuffers:
    """Per-call ``bytearray`` buffers fed by the pure-Python decoder."""

    def __init__(self, count_reallocations: bool = True) -> None:
        self.buffers: dict[str, bytearray] = {}
        self.count_reallocations = count_reallocations
        self.reallocations = 0

    def feed(self, chunks: Sequence[bytes], owners: Sequence[int], call_ids: Sequence[str]) -> None:
        # The decoder dominates here; counting capacity changes is noise, so it is always on
        # unless switched off for symmetry with the other tiers.
        """Decode each base64 chunk (a table-driven decoder in Python) and append it to its call's buffer."""
        for chunk, owner in zip(chunks, owners, strict=True):
            data = b64decode(chunk)  # first: a chunk that fails creates no call
            cid = call_ids[owner]
            buf = self.buffers.get(cid)
            if buf is None:
                buf = self.buffers[cid] = bytearray()
            before = buf.__alloc__()
            buf += data
            if self.count_reallocations:
                self.reallocations += buf.__alloc__() != before

    def take(self, call_id: str) -> bytes:
        """The call's bytes; the call is forgotten. ``KeyError`` for an unknown call."""
        return bytes(self.buffers.pop(call_id))


# --- pipeline -----------------------------------------------------------------------------


def pipeline(
    audio: Planar,
    sample_rate: int = INPUT_RATE,
    threshold: float = DEFAULT_THRESHOLD,
    resampler: Resampler | None = None,
) -> tuple[list[list[int]], list[bool], float]:
    """VAD → resample(high) → f32→i16 on lists; refuses what resampling refuses first."""
    check_range(audio, PIPELINE_OP)
    _, flags, ratio = vad(audio, sample_rate, threshold)
    resampled = (resampler or Resampler("high"))(audio)
    return to_i16_planar(resampled), flags, ratio


def to_i16_planar(audio: Planar) -> list[list[int]]:
    """The pipeline's last step: round each float64 sample to float32 (as the array tiers hold
    it), then f32 → i16."""
    return [[_f32_i16(_to_f32(v)) for v in ch] for ch in audio]


__all__ = [
    "DEFAULT_THRESHOLD",
    "OUTPUT_RATE",
    "ChunkBuffers",
    "Resampler",
    "b64decode",
    "convert",
    "pipeline",
    "resample",
    "to_i16_planar",
    "vad",
]
