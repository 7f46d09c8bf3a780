"""Deterministic inputs: seeded speech-like audio, the analytic multi-sine, base64 chunk streams.

Every generator is a pure function of its arguments (seeded ``numpy.random.Generator``), so
every tool that asks for the same case measures the same bytes; :func:`checksum` fingerprints
them for the result files. Arrays are float32, planar ``(channels, frames)``, C-contiguous,
and returned read-only: a benchmark must not be able to change another's input.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

INPUT_RATE = 44_100
OUTPUT_RATE = 16_000
MULTISINE_MAX_HZ = 6_600.0
"""Bound on the quality signal's tones: below 7 kHz, inside every resampler's passband."""


def output_frames(frames: int) -> int:
    """``ceil(frames · 160/441)``: output length of every resampling tier (exact integer math)."""
    return -(-frames * 160 // 441)


def frames_for(seconds: float, sample_rate: int = INPUT_RATE) -> int:
    """Whole frames in ``seconds`` of audio."""
    return round(seconds * sample_rate)


ArrayT = TypeVar("ArrayT", bound=np.ndarray)


def _readonly(a: ArrayT) -> ArrayT:
    a.setflags(write=False)
    return a


def _envelope(n: int, sample_rate: int, ramp_s: float = 0.015) -> F64:
    """Raised-cosine attack and release so segments start and stop like syllables."""
    env = np.ones(n)
    ramp = min(int(ramp_s * sample_rate), n // 2)
    if ramp > 0:
        r = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))
        env[:ramp] = r
        env[n - ramp :] = r[::-1]
    return env


def _voiced(n: int, sample_rate: int, rng: np.random.Generator) -> F64:
    """A harmonic tone with formant-shaped partials and a little vibrato."""
    t = np.arange(n) / sample_rate
    f0 = rng.uniform(95.0, 240.0)
    vibrato = 1.0 + 0.01 * np.sin(2 * np.pi * rng.uniform(4.0, 6.0) * t)
    phase = 2 * np.pi * np.cumsum(f0 * vibrato) / sample_rate
    formants = ((rng.uniform(300, 850), 90.0), (rng.uniform(900, 2300), 120.0), (rng.uniform(2400, 3400), 180.0))
    out = np.zeros(n)
    for k in range(1, int(4000.0 // f0) + 1):
        fk = k * f0
        gain = sum(np.exp(-0.5 * ((fk - fc) / bw) ** 2) for fc, bw in formants) + 0.02 / k
        out += gain * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    peak = np.max(np.abs(out)) or 1.0
    return out / peak * rng.uniform(0.15, 0.6)


def _unvoiced(n: int, rng: np.random.Generator) -> F64:
    """A fricative-like noise burst (first-differenced white noise tilts it to high frequencies)."""
    noise = np.diff(rng.standard_normal(n + 1))
    return noise / (np.max(np.abs(noise)) or 1.0) * rng.uniform(0.05, 0.2)


@cache
def speech_like(seconds: float, channels: int = 2, seed: int = 0, sample_rate: int = INPUT_RATE) -> F32:
    """Seeded speech-like audio: voiced segments, noise bursts and real silences.

    Silences are noise at about -80 dBFS (so the VAD sees low, non-zero energy), and the
    second channel is a delayed, attenuated copy plus its own noise floor, as from a second
    microphone. Peak magnitude stays below 1.0.
    """
    n = frames_for(seconds, sample_rate)
    rng = np.random.default_rng([seed, n, channels, 1])
    mono = np.zeros(n)
    pos = int(rng.uniform(0.05, 0.15) * sample_rate)  # start in silence
    while pos < n:
        kind = rng.choice(3, p=[0.5, 0.2, 0.3])
        seg = min(int(rng.uniform(0.08, 0.45) * sample_rate), n - pos)
        if kind == 0:
            mono[pos : pos + seg] = _voiced(seg, sample_rate, rng) * _envelope(seg, sample_rate)
        elif kind == 1:
            mono[pos : pos + seg] = _unvoiced(seg, rng) * _envelope(seg, sample_rate)
        pos += seg
    out = np.empty((channels, n), dtype=np.float32)
    for c in range(channels):
        delay = 7 * c
        shifted = np.concatenate([np.zeros(delay), mono[: n - delay]]) if delay else mono
        floor = rng.standard_normal(n) * 1e-4
        out[c] = (shifted * (0.85**c) + floor).astype(np.float32)
    return _readonly(out)


@dataclass(frozen=True)
class MultiSine:
    """The resampler quality signal: the same tones at 44.1 kHz (input) and 16 kHz (truth)."""

    audio: F32
    """Input, planar float32 at 44.1 kHz."""
    truth: F64
    """The same tones synthesised directly at 16 kHz, length ``output_frames(n)``."""
    freqs: F64
    amps: F64


@cache
def multisine(seconds: float, channels: int = 2, seed: int = 0, tones: int = 12) -> MultiSine:
    """A seeded sum of sines from 60 Hz to 6.4 kHz, synthesised at both rates in float64.

    The truth needs no resampler, so the SNR of any tier against it is an absolute quality
    figure. Tones sit on a geometric grid with seeded ±3 % jitter, so every seed covers the
    band up to its top end the same way (a uniform draw would sometimes leave the top octave
    empty and flatter the low-quality presets). Amplitudes sum to at most 0.9 so nothing clips.
    """
    n = frames_for(seconds)
    rng = np.random.default_rng([seed, n, channels, 2])
    grid = np.geomspace(60.0, MULTISINE_MAX_HZ / 1.03, tones)
    freqs = grid * rng.uniform(0.97, 1.03, tones)
    amps = rng.uniform(0.2, 1.0, tones)
    amps *= 0.9 / amps.sum()
    phases = rng.uniform(0, 2 * np.pi, (channels, tones))

    def synth(rate: int, frames: int) -> F64:
        t = np.arange(frames) / rate
        return np.stack(
            [
                (amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t + phases[c][:, None])).sum(0)
                for c in range(channels)
            ]
        )

    audio = _readonly(synth(INPUT_RATE, n).astype(np.float32))
    truth = _readonly(synth(OUTPUT_RATE, output_frames(n)))
    return MultiSine(audio=audio, truth=truth, freqs=_readonly(freqs), amps=_readonly(amps))


@dataclass(frozen=True)
class ChunkStream:
    """Base64 chunks tagged with call ids, interleaved as they would arrive from several calls."""

    call_ids: tuple[str, ...]
    chunks: tuple[bytes, ...]
    """ASCII base64 of ``chunk_bytes`` raw bytes each."""
    owners: npt.NDArray[np.uint32]
    """``owners[i]`` is the index in ``call_ids`` of ``chunks[i]``."""
    expected: dict[str, bytes]
    """What each call's buffer must hold at the end."""
    chunk_bytes: int

    @property
    def capacity_per_call(self) -> int:
        """Pre-allocation that fits the largest call, rounded up to 64 KiB."""
        most = max((len(v) for v in self.expected.values()), default=0)
        return -(-most // 65536) * 65536

    def split(self, parts: int) -> list[ChunkStream]:
        """Split by call (call ``i`` goes to part ``i % parts``), keeping each call's order."""
        out = []
        for p in range(parts):
            mine = [i for i in range(len(self.call_ids)) if i % parts == p]
            remap = {old: new for new, old in enumerate(mine)}
            sel = [k for k, o in enumerate(self.owners) if int(o) in remap]
            out.append(
                ChunkStream(
                    call_ids=tuple(self.call_ids[i] for i in mine),
                    chunks=tuple(self.chunks[k] for k in sel),
                    owners=_readonly(np.array([remap[int(self.owners[k])] for k in sel], dtype=np.uint32)),
                    expected={self.call_ids[i]: self.expected[self.call_ids[i]] for i in mine},
                    chunk_bytes=self.chunk_bytes,
                )
            )
        return out


@cache
def chunk_stream(chunks: int, calls: int = 1, seed: int = 0, chunk_bytes: int = 1280) -> ChunkStream:
    """``chunks`` seeded random chunks spread over ``calls`` calls in a random interleaving."""
    rng = np.random.default_rng([seed, chunks, calls, chunk_bytes, 3])
    owners = np.arange(chunks, dtype=np.uint32) % calls
    rng.shuffle(owners)
    call_ids = tuple(f"call-{i:03d}" for i in range(calls))
    raw = rng.integers(0, 256, size=(chunks, chunk_bytes), dtype=np.uint8)
    encoded = tuple(base64.b64encode(row.tobytes()) for row in raw)
    expected = {cid: raw[owners == i].tobytes() for i, cid in enumerate(call_ids)}
    return ChunkStream(call_ids, encoded, _readonly(owners), expected, chunk_bytes)


def convert_input(variant: str, samples: int, seed: int = 0) -> npt.NDArray[np.float32] | npt.NDArray[np.int16]:
    """1-D input for a conversion: speech-like samples scaled by 1.25 so some of them clip."""
    seconds = samples / INPUT_RATE
    mono = np.ascontiguousarray(speech_like(seconds + 1.0, channels=1, seed=seed)[0, :samples])
    x = (mono * np.float32(1.25)).astype(np.float32)
    x[: min(8, samples)] = np.array([1.0, -1.0, 1.5, -1.5, 0.5, -0.5, 0.0, 32767 / 32768], dtype=np.float32)[
        : min(8, samples)
    ]
    if variant.startswith("i16"):
        pcm: npt.NDArray[np.int16] = np.clip(x * np.float32(32768.0), -32768.0, 32767.0).astype(np.int16)
        return _readonly(pcm)
    return _readonly(x)


def load_wav(path: str | Path) -> tuple[F32, int]:
    """Read an audio file (any format libsndfile reads) as planar float32 and its rate.

    libsndfile does the scaling: integer PCM is divided by 2^(bits−1) after unsigned 8-bit is
    centred on 0x80, so 8-, 16- and 24-bit samples land exactly in [−1, 1) (24-bit 0x400000 →
    0.5, 8-bit 0x80 → 0.0); 32-bit PCM is rounded to float32's 24-bit mantissa, so its top codes
    read as 1.0; float files are taken as stored, beyond ±1.0 included. Checks on what the file
    holds are :func:`audiobench.user_audio.read`'s.
    """
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return _readonly(np.ascontiguousarray(data.T)), int(rate)


def checksum(*arrays: np.ndarray | bytes) -> str:
    """SHA-256 (first 16 hex digits) over the raw bytes of the given inputs, in order."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(a if isinstance(a, bytes) else np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]
