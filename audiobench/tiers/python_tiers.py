"""Registry entries for the Python tiers (`python`, `python-pure`, `python-best`)."""

from __future__ import annotations

from functools import partial

from audiobench.cases import AudioCase, Case, as_audio, as_samples
from audiobench.tiers.registry import Impl, Run
from audiobench.tiers.streams import FEED_THREADS, stream_runner
from python_baselines import best, pure, standard
from python_baselines.semantics import CONVERSIONS, DEFAULT_THRESHOLD, PRESETS


def _lists(case: AudioCase) -> list[list[float]]:
    # Untimed: the pure tier's callers hold lists, not arrays.
    return [[float(v) for v in ch] for ch in case.audio.tolist()]


# Each prepare function does the untimed set-up and returns the timed call.


def _resample_python(case: Case, preset: str) -> Run:
    audio = as_audio(case).audio
    return lambda: standard.resample(audio, preset)


def _resample_pure(case: Case, preset: str) -> Run:
    resampler, audio = pure.Resampler(preset), _lists(as_audio(case))
    return lambda: resampler(audio)


def _resample_best(case: Case, preset: str) -> Run:
    audio = as_audio(case).audio
    return lambda: best.resample(audio, preset)


def _vad_python(case: Case) -> Run:
    a = as_audio(case)
    return lambda: standard.vad(a.audio, a.sample_rate)


def _vad_pure(case: Case) -> Run:
    a = as_audio(case)
    audio = _lists(a)
    return lambda: pure.vad(audio, a.sample_rate)


def _vad_best(case: Case) -> Run:
    a = as_audio(case)
    vad = best.Vad(a.channels, a.frames, a.sample_rate)
    return lambda: vad(a.audio)


def _convert_python(case: Case, variant: str) -> Run:
    x = as_samples(case).x
    return lambda: standard.convert(x, variant)


def _convert_pure(case: Case, variant: str) -> Run:
    x = as_samples(case).x.tolist()
    return lambda: pure.convert(x, variant)


def _convert_best(case: Case, variant: str) -> Run:
    x = as_samples(case).x
    converter = best.Converter(variant, x.shape[0])
    return lambda: converter(x)


def _pipeline_python(case: Case) -> Run:
    a = as_audio(case)
    return lambda: standard.pipeline(a.audio, a.sample_rate)


def _pipeline_pure(case: Case) -> Run:
    a = as_audio(case)
    audio, resampler = _lists(a), pure.Resampler("high")
    return lambda: pure.pipeline(audio, a.sample_rate, DEFAULT_THRESHOLD, resampler)


def _pipeline_best(case: Case) -> Run:
    a = as_audio(case)
    pipe = best.Pipeline(a.channels, a.frames, a.sample_rate)
    return lambda: pipe(a.audio)


def impls() -> list[Impl]:
    out: list[Impl] = []
    for p in PRESETS:
        taps = pure.PURE_FILTERS[p][0]
        out += [
            Impl(
                "resample",
                p,
                "python",
                partial(_resample_python, preset=p),
                f"librosa.resample res_type={standard.RES_TYPES[p]}",
                "allocating",
            ),
            Impl(
                "resample",
                p,
                "python-pure",
                partial(_resample_pure, preset=p),
                f"Kaiser-windowed sinc, ±{taps} taps, list loops",
                "allocating",
            ),
            Impl(
                "resample",
                p,
                "python-best",
                partial(_resample_best, preset=p),
                f"soxr.resample quality={best.SOXR_QUALITY[p]}",
                "allocating",
            ),
        ]
    out += [
        Impl("vad", "default", "python", _vad_python, "numpy mean/reshape/sqrt", "allocating"),
        Impl("vad", "default", "python-pure", _vad_pure, "list loops", "allocating"),
        Impl("vad", "default", "python-best", _vad_best, "numpy out= + einsum energies", "preallocated"),
    ]
    for v in CONVERSIONS:
        out += [
            Impl("convert", v, "python", partial(_convert_python, variant=v), "numpy expression", "allocating"),
            Impl("convert", v, "python-pure", partial(_convert_pure, variant=v), "list comprehension", "allocating"),
            Impl(
                "convert", v, "python-best", partial(_convert_best, variant=v), "numpy ufuncs with out=", "preallocated"
            ),
        ]
    out += [
        Impl(
            "b64_buffer",
            "default",
            "python",
            stream_runner(lambda c: standard.ChunkBuffers(c.count_reallocations)),
            "base64.b64decode + bytearray +=",
            "allocating",
            threads=(FEED_THREADS,),
        ),
        Impl(
            "b64_buffer",
            "default",
            "python-pure",
            stream_runner(lambda c: pure.ChunkBuffers(c.count_reallocations)),
            "table-driven decoder + bytearray +=",
            "allocating",
            threads=(FEED_THREADS,),
        ),
        Impl(
            "b64_buffer",
            "default",
            "python-best",
            stream_runner(lambda c: best.ChunkBuffers(c.count_reallocations)),
            "pybase64.b64decode + bytearray +=",
            "allocating",
            threads=(FEED_THREADS,),
        ),
        Impl(
            "pipeline", "default", "python", _pipeline_python, "numpy VAD → librosa soxr_hq → numpy i16", "allocating"
        ),
        Impl("pipeline", "default", "python-pure", _pipeline_pure, "list loops end to end", "allocating"),
        Impl(
            "pipeline",
            "default",
            "python-best",
            _pipeline_best,
            "numpy out= VAD → soxr HQ → numpy out= i16",
            "preallocated",
        ),
    ]
    return out
