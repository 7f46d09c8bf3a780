"""Tier ``python``: the study's baseline — librosa, vectorized numpy, stdlib base64 + bytearray."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import librosa
import numpy as np
import numpy.typing as npt

from python_baselines.domain import PIPELINE_OP, check_range
from python_baselines.semantics import (
    DEFAULT_THRESHOLD,
    INPUT_RATE,
    OUTPUT_RATE,
    check_preset,
    check_variant,
    frame_len,
    output_frames,
)

# librosa's default res_type is soxr_hq, so `high` is what a plain `librosa.resample` call does.
RES_TYPES = {"low": "soxr_lq", "medium": "soxr_mq", "high": "soxr_hq"}


def resample(audio: npt.NDArray[np.float32], preset: str = "high") -> npt.NDArray[np.float32]:
    """librosa.resample 44.1 → 16 kHz; soxr compensates its own delay.

    Raises ``ValueError`` for samples outside the resampling domain (:func:`check_range`).
    """
    res_type = RES_TYPES[check_preset(preset)]
    check_range(audio)
    y = librosa.resample(audio, orig_sr=INPUT_RATE, target_sr=OUTPUT_RATE, res_type=res_type)
    m = output_frames(audio.shape[-1])
    # librosa sizes the output with a float ratio; the contract is the exact integer ceiling.
    return y if y.shape[-1] == m else librosa.util.fix_length(y, size=m)


def vad(
    audio: npt.NDArray[np.float32], sample_rate: int = INPUT_RATE, threshold: float = DEFAULT_THRESHOLD
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_], float]:
    """Energy VAD: mono mean, 30 ms frames, RMS, strict threshold."""
    flen = frame_len(sample_rate)
    mono = audio.mean(axis=0)
    count = mono.shape[0] // flen
    frames = mono[: count * flen].reshape(count, flen)
    energies = np.sqrt(np.mean(frames**2, axis=1))
    flags = energies > np.float32(threshold)
    return energies, flags, float(flags.mean()) if count else 0.0


def convert(x: npt.NDArray[np.generic], variant: str) -> npt.NDArray[np.generic]:
    """Sample-format conversion with numpy expressions (temporaries allocated per call)."""
    check_variant(variant)
    if variant == "f32_i16":
        s = np.clip(x * np.float32(32768.0), -32768.0, 32767.0)
        s[np.isnan(s)] = 0  # NaN → 0 as in every tier; numpy's cast of NaN is undefined
        return s.astype(np.int16)
    if variant == "i16_f32":
        return x.astype(np.float32) / np.float32(32768.0)
    if variant == "f32_i32":
        # float64, because float32 cannot hold 2**31 - 1.
        d = np.clip(x.astype(np.float64) * 2147483648.0, -2147483648.0, 2147483647.0)
        d[np.isnan(d)] = 0
        return d.astype(np.int32)
    return x.astype(np.int32) * np.int32(65536)


class ChunkBuffers:
    """Per-call ``bytearray`` buffers fed with stdlib-decoded base64 chunks.

    ``reallocations`` counts changes of ``bytearray.__alloc__()``, the buffer's capacity.
    Counting costs two method calls per chunk (measured ~5-10 % of this loop), so it can be
    switched off for timed runs; growth is deterministic, so a counted run of the same stream
    gives the count.
    """

    def __init__(self, count_reallocations: bool = True) -> None:
        self.buffers: dict[str, bytearray] = {}
        self.count_reallocations = count_reallocations
        self.reallocations = 0

    def feed(self, chunks: Sequence[bytes], owners: Sequence[int], call_ids: Sequence[str]) -> None:
        """Decode each base64 chunk (stdlib ``base64``, validated) and append it to its call's buffer."""
        buffers, decode = self.buffers, self._decode
        if not self.count_reallocations:
            for chunk, owner in zip(chunks, owners, strict=True):
                data = decode(chunk)  # first: a chunk that fails creates no call
                cid = call_ids[owner]
                buf = buffers.get(cid)
                if buf is None:
                    buf = buffers[cid] = bytearray()
                buf += data
            return
        grown = 0
        for chunk, owner in zip(chunks, owners, strict=True):
            data = decode(chunk)  # first: a chunk that fails creates no call
            cid = call_ids[owner]
            buf = buffers.get(cid)
            if buf is None:
                buf = buffers[cid] = bytearray()
            before = buf.__alloc__()
            buf += data
            grown += buf.__alloc__() != before
        self.reallocations += grown

    def take(self, call_id: str) -> bytes:
        """The call's bytes; the call is forgotten. ``KeyError`` for an unknown call."""
        return bytes(self.buffers.pop(call_id))

    @staticmethod
    def _decode(chunk: bytes) -> bytes:
        # validate=True: a bad character is an error, not silently skipped (measured: no cost).
        # It still takes padding after a whole quantum (b"aGVs=", b"aGVs====" -> b"hel"), which
        # pybase64 and the Rust tiers refuse: padding belongs to the last quantum only (RFC 4648 §4).
        if len(chunk) % 4 or chunk.find(b"=", 0, len(chunk) - 2) != -1:
            raise binascii.Error("padding outside the last 4-character quantum, or a length not a multiple of 4")
        return base64.b64decode(chunk, validate=True)


def pipeline(
    audio: npt.NDArray[np.float32], sample_rate: int = INPUT_RATE, threshold: float = DEFAULT_THRESHOLD
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], float]:
    """VAD (annotates, passes audio through) → resample(high) → f32→i16; refuses what
    resampling refuses before either stage runs."""
    check_range(audio, PIPELINE_OP)
    _, flags, ratio = vad(audio, sample_rate, threshold)
    pcm = convert(resample(audio, "high"), "f32_i16")
    return pcm, flags, ratio
