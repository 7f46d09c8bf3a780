"""Registry entries for the Python tiers (`python`, `python-pure`, `python-best`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audiobench.cases import AudioCase, Case, SamplesCase
from audiobench.tiers.registry import Impl, Run
from audiobench.tiers.streams import stream_runner
from python_baselines import best, pure, standard
from python_baselines.semantics import CONVERSIONS, DEFAULT_THRESHOLD, PRESETS


def _audio(case: Case) -> AudioCase:
    assert isinstance(case, AudioCase), f"expected audio input, got {type(case).__name__}"
    return case


def _samples(case: Case) -> SamplesCase:
    assert isinstance(case, SamplesCase), f"expected samples input, got {type(case).__name__}"
    return case


def _call(fn: Callable[..., Any], *args: Any) -> Run:
    return lambda: fn(*args)


def _lists(case: AudioCase) -> list[list[float]]:
    # Untimed: the pure tier's callers hold lists, not arrays.
    return [list(map(float, ch)) for ch in case.audio.tolist()]


def impls() -> list[Impl]:
    out: list[Impl] = []
    # resample
    for preset in PRESETS:
        out += [
            Impl("resample", preset, "python", lambda c, p=preset: _call(standard.resample, _audio(c).audio, p),
                 f"librosa.resample res_type={standard.RES_TYPES[preset]}", "allocating"),
            Impl("resample", preset, "python-pure",
                 lambda c, p=preset: _call(pure.Resampler(p), _lists(_audio(c))),
                 f"Kaiser-windowed sinc, ±{pure.PURE_FILTERS[preset][0]} taps, list loops", "allocating"),
            Impl("resample", preset, "python-best", lambda c, p=preset: _call(best.resample, _audio(c).audio, p),
                 f"soxr.resample quality={best.SOXR_QUALITY[preset]}", "allocating"),
        ]
    # vad
    out += [
        Impl("vad", "default", "python",
             lambda c: _call(standard.vad, _audio(c).audio, _audio(c).sample_rate), "numpy mean/reshape/sqrt",
             "allocating"),
        Impl("vad", "default", "python-pure",
             lambda c: _call(pure.vad, _lists(_audio(c)), _audio(c).sample_rate), "list loops", "allocating"),
        Impl("vad", "default", "python-best",
             lambda c: _call(best.Vad(_audio(c).channels, _audio(c).frames, _audio(c).sample_rate), _audio(c).audio),
             "numpy out= + einsum energies", "preallocated"),
    ]
    # convert
    for variant in CONVERSIONS:
        out += [
            Impl("convert", variant, "python", lambda c, v=variant: _call(standard.convert, _samples(c).x, v),
                 "numpy expression", "allocating"),
            Impl("convert", variant, "python-pure",
                 lambda c, v=variant: _call(pure.convert, _samples(c).x.tolist(), v), "list comprehension",
                 "allocating"),
            Impl("convert", variant, "python-best",
                 lambda c, v=variant: _call(best.Converter(v, _samples(c).x.shape[0]), _samples(c).x),
                 "numpy ufuncs with out=", "preallocated"),
        ]
    # b64_buffer
    out += [
        Impl("b64_buffer", "default", "python", stream_runner(lambda c: standard.ChunkBuffers(c.count_reallocations)),
             "base64.b64decode + bytearray +=", "allocating"),
        Impl("b64_buffer", "default", "python-pure", stream_runner(lambda c: pure.ChunkBuffers(c.count_reallocations)),
             "table-driven decoder + bytearray +=", "allocating"),
        Impl("b64_buffer", "default", "python-best", stream_runner(lambda c: best.ChunkBuffers(c.count_reallocations)),
             "pybase64.b64decode + bytearray +=", "allocating"),
    ]
    # pipeline
    out += [
        Impl("pipeline", "default", "python",
             lambda c: _call(standard.pipeline, _audio(c).audio, _audio(c).sample_rate),
             "numpy VAD → librosa soxr_hq → numpy i16", "allocating"),
        Impl("pipeline", "default", "python-pure",
             lambda c: _call(pure.pipeline, _lists(_audio(c)), _audio(c).sample_rate, DEFAULT_THRESHOLD,
                             pure.Resampler("high")),
             "list loops end to end", "allocating"),
        Impl("pipeline", "default", "python-best",
             lambda c: _call(best.Pipeline(_audio(c).channels, _audio(c).frames, _audio(c).sample_rate),
                             _audio(c).audio),
             "numpy out= VAD → soxr HQ → numpy out= i16", "preallocated"),
    ]
    return out

