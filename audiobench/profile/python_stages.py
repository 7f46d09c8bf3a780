"""Stage sequences of the Python tiers, in the same form as the native profiler's.

Each sequence performs exactly the steps of the tier's call (the same expressions as in
``python_baselines``), on the same data, each wrapped in :meth:`Clock.step`; the end-to-end
call is the registry's own prepared run, the one every suite times. Parts that the call cannot
expose separately (soxr inside librosa's ``apply_along_axis``) are measured alone.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import librosa
import numpy as np
import pybase64
import soxr

from audiobench.cases import AudioCase, Case, SamplesCase, StreamCase
from python_baselines import best, pure, standard
from python_baselines.semantics import DEFAULT_THRESHOLD, frame_len, output_frames


class Clock:
    """Accumulates time per stage name over one staged run (steps of a stream add up)."""

    def __init__(self, overhead_ns: float = 0.0) -> None:
        self.overhead_ns = overhead_ns
        self.steps: dict[str, float] = {}

    def step(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter_ns()
        out = fn(*args, **kwargs)
        elapsed = time.perf_counter_ns() - t
        self.steps[name] = self.steps.get(name, 0.0) + max(elapsed - self.overhead_ns, 0.0)
        return out


@dataclass
class Staged:
    """A call to profile: the real call, its staged sequence, and parts measured alone."""

    call: Callable[[], Any]
    sequence: Callable[[Clock], None]
    parts: list[tuple[str, str, Callable[[], Any]]] = field(default_factory=list)
    note: str = ""


def _convert(tier: str, variant: str, case: SamplesCase) -> Staged | None:
    x = case.x
    f32 = np.float32
    if tier == "python":
        call = lambda: standard.convert(x, variant)  # noqa: E731

        # `temporary * scalar` reuses the temporary's buffer (numpy's temporary elision), so
        # those steps run in place here too; a named intermediate would allocate instead.
        def seq(c: Clock) -> None:
            if variant == "f32_i16":
                y = c.step("scale (x · 32768, new array)", np.multiply, x, f32(32768.0))
                y = c.step("clip (new array)", np.clip, y, -32768.0, 32767.0)
                c.step("cast to int16 (new array)", y.astype, np.int16)
            elif variant == "i16_f32":
                y = c.step("cast to float32 (new array)", x.astype, np.float32)
                c.step("divide by 32768 (in place, elided temporary)", np.divide, y, f32(32768.0), y)
            elif variant == "f32_i32":
                y = c.step("cast to float64 (new array)", x.astype, np.float64)
                c.step("scale (x · 2^31, in place, elided temporary)", np.multiply, y, 2147483648.0, y)
                y = c.step("clip (new array)", np.clip, y, -2147483648.0, 2147483647.0)
                c.step("cast to int32 (new array)", y.astype, np.int32)
            else:
                y = c.step("cast to int32 (new array)", x.astype, np.int32)
                c.step("multiply by 65536 (in place, elided temporary)", np.multiply, y, np.int32(65536), y)

        return Staged(call, seq)
    if tier == "python-best":
        conv = best.Converter(variant, x.shape[0])
        out, s32, s64 = conv.out, conv.scratch32, conv.scratch64

        def seq_best(c: Clock) -> None:
            if variant == "f32_i16":
                c.step("scale into scratch (out=)", np.multiply, x, f32(32768.0), s32)
                c.step("clip in place (out=)", np.clip, s32, -32768.0, 32767.0, s32)
                c.step("cast into output (copyto)", np.copyto, out, s32, "unsafe")
            elif variant == "i16_f32":
                c.step("multiply into output (out=)", np.multiply, x, f32(1.0 / 32768.0), out)
            elif variant == "f32_i32":
                c.step(
                    "scale into float64 scratch (out=)", lambda: np.multiply(x, 2147483648.0, out=s64, dtype=np.float64)
                )
                c.step("clip in place (out=)", np.clip, s64, -2147483648.0, 2147483647.0, s64)
                c.step("cast into output (copyto)", np.copyto, out, s64, "unsafe")
            else:
                c.step("shift into output (out=, dtype=int32)", lambda: np.left_shift(x, 16, out=out, dtype=np.int32))

        return Staged(lambda: conv(x), seq_best)
    if tier == "python-pure":
        xs = x.tolist()
        return Staged(
            lambda: pure.convert(xs, variant),
            lambda c: c.step("list comprehension over Python numbers", pure.convert, xs, variant),
            [
                (
                    "list comprehension over Python numbers",
                    "input preparation: ndarray.tolist() (untimed by the suites)",
                    x.tolist,
                )
            ],
        )
    return None


def _vad(tier: str, case: AudioCase) -> Staged | None:
    audio, rate = case.audio, case.sample_rate
    flen = frame_len(rate)
    if tier == "python":

        def seq(c: Clock) -> None:
            mono = c.step("mono mix (mean over channels)", audio.mean, 0)
            count = mono.shape[0] // flen
            frames = c.step("frame view (reshape)", lambda: mono[: count * flen].reshape(count, flen))
            sq = c.step("square (new array)", np.square, frames)
            ms = c.step("mean over each frame", np.mean, sq, 1)
            energies = c.step("sqrt (new array)", np.sqrt, ms)
            flags = c.step("threshold", np.greater, energies, np.float32(DEFAULT_THRESHOLD))
            c.step("speech ratio", lambda: float(flags.mean()) if count else 0.0)

        return Staged(lambda: standard.vad(audio, rate), seq)
    if tier == "python-best":
        v = best.Vad(case.channels, case.frames, rate)
        mono, e, flags, count = v.mono, v.energies, v.flags, v.count

        def seq_best(c: Clock) -> None:
            c.step(
                "mono mix into scratch (add, divide)",
                lambda: (np.add(audio[0], audio[1], out=mono), np.divide(mono, np.float32(2), out=mono)),
            )
            frames = mono[: count * flen].reshape(count, flen)
            c.step("frame energies (einsum, out=)", lambda: np.einsum("ij,ij->i", frames, frames, out=e))
            c.step("mean and sqrt in place", lambda: (np.divide(e, np.float32(flen), out=e), np.sqrt(e, out=e)))
            c.step("threshold and ratio", lambda: (np.greater(e, v.threshold, out=flags), np.count_nonzero(flags)))

        if case.channels != 2:
            return None
        return Staged(lambda: v(audio), seq_best)
    if tier == "python-pure":
        lists = [[float(s) for s in ch] for ch in audio.tolist()]
        return Staged(
            lambda: pure.vad(lists, rate),
            lambda c: c.step("frame loop over Python numbers", pure.vad, lists, rate),
            [
                (
                    "frame loop over Python numbers",
                    "input preparation: ndarray.tolist() (untimed by the suites)",
                    audio.tolist,
                )
            ],
        )
    return None


def _resample(tier: str, preset: str, case: AudioCase) -> Staged | None:
    audio = case.audio
    n = output_frames(case.frames)
    if tier == "python":
        res_type = standard.RES_TYPES[preset]

        def seq(c: Clock) -> None:
            c.step("librosa: validate input", librosa.util.valid_audio, audio)
            y = c.step(
                "librosa: soxr per channel (np.apply_along_axis)",
                lambda: np.apply_along_axis(
                    soxr.resample, axis=-1, arr=audio, in_rate=44_100, out_rate=16_000, quality=res_type
                ),
            )
            y = c.step(
                "librosa: fix_length", librosa.util.fix_length, y, size=int(np.ceil(case.frames * 16_000 / 44_100))
            )
            y = c.step("librosa: match dtype (asarray)", np.asarray, y, audio.dtype)
            c.step("exact output length", lambda: y if y.shape[-1] == n else librosa.util.fix_length(y, size=n))

        parts = [
            (
                "librosa: soxr per channel (np.apply_along_axis)",
                "soxr.resample per channel, called directly",
                lambda: [soxr.resample(ch, 44_100, 16_000, quality=res_type) for ch in audio],
            )
        ]
        return Staged(lambda: standard.resample(audio, preset), seq, parts)
    if tier == "python-best":
        quality = best.SOXR_QUALITY[preset]

        def seq_best(c: Clock) -> None:
            y = c.step("soxr.resample on the (frames, channels) view", soxr.resample, audio.T, 44_100, 16_000, quality)
            out = c.step("allocate planar output (zeros)", np.zeros, (audio.shape[0], n), np.float32)
            c.step(
                "transpose copy into output",
                lambda: out.__setitem__((slice(None), slice(0, min(n, y.shape[0]))), y[: min(n, y.shape[0])].T),
            )

        return Staged(lambda: best.resample(audio, preset), seq_best)
    if tier == "python-pure":
        resampler = pure.Resampler(preset)
        lists = [[float(s) for s in ch] for ch in audio.tolist()]
        return Staged(
            lambda: resampler(lists),
            lambda c: c.step("polyphase loop over Python numbers", resampler, lists),
            [
                (
                    "polyphase loop over Python numbers",
                    "filter table build (done once in prepare)",
                    lambda: pure.Resampler(preset),
                )
            ],
        )
    return None


def _b64(tier: str, case: StreamCase) -> Staged | None:
    if case.threads > 1:
        return None
    stream = case.stream
    chunks, owners, ids = stream.chunks, [int(o) for o in stream.owners], stream.call_ids
    decode: Callable[[bytes], bytes]
    cls: Callable[..., Any]
    if tier == "python":
        decode, cls = (lambda ch: base64.b64decode(ch, validate=True)), standard.ChunkBuffers
    elif tier == "python-best":
        decode, cls = (lambda ch: pybase64.b64decode(ch, validate=True)), best.ChunkBuffers
    elif tier == "python-pure":
        decode, cls = pure.b64decode, pure.ChunkBuffers
    else:
        return None

    def call() -> Any:
        buffers = cls(count_reallocations=False)
        buffers.feed(chunks, owners, ids)
        return {cid: buffers.take(cid) for cid in ids}

    def seq(c: Clock) -> None:
        buffers: dict[str, bytearray] = {}
        for chunk, owner in zip(chunks, owners, strict=True):
            cid = ids[owner]
            buf = buffers.get(cid)
            if buf is None:
                buf = buffers[cid] = bytearray()
            raw = c.step("decode × chunks", decode, chunk)
            c.step("append to bytearray × chunks", buf.__iadd__, raw)
        c.step("take: bytes(bytearray) × calls", lambda: {cid: bytes(buffers.pop(cid)) for cid in ids})

    return Staged(call, seq, note="the Python loop itself (zip, dict lookups) is the glue")


def _pipeline(tier: str, case: AudioCase) -> Staged | None:
    audio, rate = case.audio, case.sample_rate
    if tier == "python":

        def seq(c: Clock) -> None:
            c.step("VAD (numpy)", standard.vad, audio, rate)
            y = c.step("resample (librosa soxr_hq)", standard.resample, audio, "high")
            c.step("f32 → i16 (numpy)", standard.convert, y, "f32_i16")

        return Staged(lambda: standard.pipeline(audio, rate), seq)
    if tier == "python-best":
        p = best.Pipeline(case.channels, case.frames, rate)

        def seq_best(c: Clock) -> None:
            c.step("VAD (numpy out=)", p.vad, audio)
            y = c.step("resample (soxr HQ)", best.resample, audio, "high")
            c.step("f32 → i16 (numpy out=)", lambda: p.converter(y.reshape(-1)).reshape(p.shape))

        return Staged(lambda: p(audio), seq_best)
    if tier == "python-pure":
        lists = [[float(s) for s in ch] for ch in audio.tolist()]
        r = pure.Resampler("high")

        def seq_pure(c: Clock) -> None:
            c.step("VAD (loops)", pure.vad, lists, rate)
            y = c.step("resample (loops)", r, lists)
            c.step("f32 → i16 (loops)", pure.to_i16_planar, y)

        return Staged(lambda: pure.pipeline(lists, rate, DEFAULT_THRESHOLD, r), seq_pure)
    return None


def staged(op: str, variant: str, tier: str, case: Case) -> Staged | None:
    """The staged form of ``tier``'s call on ``case``, or None where the tier has none."""
    if op == "convert" and isinstance(case, SamplesCase):
        return _convert(tier, variant, case)
    if op == "b64_buffer" and isinstance(case, StreamCase):
        return _b64(tier, case)
    if not isinstance(case, AudioCase):
        return None
    if op == "vad":
        return _vad(tier, case)
    if op == "resample":
        return _resample(tier, variant, case)
    if op == "pipeline":
        return _pipeline(tier, case)
    return None
