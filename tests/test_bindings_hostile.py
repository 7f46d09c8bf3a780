"""Every binding of ``audiobench._rust`` under hostile arguments.

Each bad array or argument gets a Python exception that names the argument and says what was
expected, or a defined result documented in ``_rust.pyi``; none may panic (conftest fails any
test during which the extension panicked) and none may abort the interpreter (a huge size is a
``MemoryError``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiobench import _rust
from audiobench.signals import speech_like

F32 = np.float32
FRAME = 1323  # one 30 ms VAD frame at 44.1 kHz
AUDIO = speech_like(0.25, 2, 7).copy()  # writable: some tests alias it
FRAMES = AUDIO.shape[1]


def _vad_into(a: Any) -> Any:
    # Outputs sized for well-formed audio; the input is checked before them.
    count = _rust.vad_frame_count(FRAMES)
    return _rust.vad_into(a, np.empty(count, F32), np.empty(count, np.bool_))


def _resampler_into(a: Any) -> Any:
    out = np.empty((2, _rust.resample_output_frames(FRAMES)), F32)
    return _rust.Resampler("low", 2).process_into(a, out)


def _pipeline_into(a: Any) -> Any:
    out = np.empty((2, _rust.resample_output_frames(FRAMES)), np.int16)
    return _rust.Pipeline(2).process_into(a, out, np.empty(_rust.vad_frame_count(FRAMES), np.bool_))


# Every binding that takes planar float32 audio, by the name a traceback would show.
AUDIO_ENTRY_POINTS: dict[str, Callable[[Any], Any]] = {
    "vad": lambda a: _rust.vad(a),
    "vad_into": _vad_into,
    "resample": lambda a: _rust.resample(a, "low"),
    "Resampler.process": lambda a: _rust.Resampler("low", 2).process(a),
    "Resampler.process_into": _resampler_into,
    "Pipeline.process": lambda a: _rust.Pipeline(2).process(a),
    "Pipeline.process_into": _pipeline_into,
    "FastVadNode.process": lambda a: _rust.FastVadNode().process(a),
    "FastResampleNode.process": lambda a: _rust.FastResampleNode("low", 2).process(a),
    "FastPipeline.process": lambda a: _rust.FastPipeline(2).process(a),
    "json_vad": lambda a: _rust.json_vad(a),
    "json_resample": lambda a: _rust.json_resample(a, "low"),
    "json_pipeline": lambda a: _rust.json_pipeline(a),
}

BAD_AUDIO: dict[str, tuple[Any, type[Exception], str]] = {
    "float64": (AUDIO.astype(np.float64), TypeError, r"`audio` must have dtype float32, got float64"),
    "int64": (AUDIO.astype(np.int64), TypeError, r"`audio` must have dtype float32, got int64"),
    "int16": (AUDIO.astype(np.int16), TypeError, r"`audio` must have dtype float32, got int16"),
    "object": (AUDIO.astype(object), TypeError, r"`audio` must have dtype float32, got object"),
    "list": (AUDIO.tolist(), TypeError, r"`audio` must be a numpy.ndarray of float32, got list"),
    "None": (None, TypeError, r"`audio` must be a numpy.ndarray of float32, got NoneType"),
    "strided": (AUDIO[:, ::2], ValueError, r"`audio` must be C-contiguous, got a strided"),
    "fortran": (np.asfortranarray(AUDIO), ValueError, r"`audio` must be C-contiguous.*Fortran"),
    "0-d": (np.array(0.5, F32), ValueError, r"`audio` must be 2-D \(channels, frames\), got shape \(\)"),
    "1-d": (AUDIO[0].copy(), ValueError, r"`audio` must be 2-D \(channels, frames\), got shape \(11025,\)"),
    "3-d": (AUDIO.reshape(1, 2, -1), ValueError, r"`audio` must be 2-D .*got shape \(1, 2, 11025\)"),
    "no channels": (np.zeros((0, 4410), F32), ValueError, r"`audio` must have at least one channel.*\(0, 4410\)"),
}


@pytest.mark.parametrize("bad", BAD_AUDIO, ids=str)
@pytest.mark.parametrize("entry", AUDIO_ENTRY_POINTS, ids=str)
def test_bad_audio_arrays_are_refused_naming_the_argument(entry: str, bad: str) -> None:
    array, exc, message = BAD_AUDIO[bad]
    with pytest.raises(exc, match=message):
        AUDIO_ENTRY_POINTS[entry](array)


FIXED_CHANNELS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "Resampler.process": ("Resampler", lambda a: _rust.Resampler("low", 2).process(a)),
    "Resampler.process_into": ("Resampler", _resampler_into),
    "Pipeline.process": ("Pipeline", lambda a: _rust.Pipeline(2).process(a)),
    "Pipeline.process_into": ("Pipeline", _pipeline_into),
    "FastResampleNode.process": ("FastResampleNode", lambda a: _rust.FastResampleNode("low", 2).process(a)),
    "FastPipeline.process": ("FastPipeline", lambda a: _rust.FastPipeline(2).process(a)),
}


@pytest.mark.parametrize("channels", [1, 6])
@pytest.mark.parametrize("entry", FIXED_CHANNELS, ids=str)
def test_objects_built_for_two_channels_refuse_other_counts(entry: str, channels: int) -> None:
    obj, call = FIXED_CHANNELS[entry]
    audio = np.zeros((channels, FRAMES), F32)
    with pytest.raises(_rust.AudioError, match=rf"`audio` has {channels} channel\(s\).*this {obj} was built for 2"):
        call(audio)


@pytest.mark.parametrize("entry", ["resample", "json_resample", "json_pipeline"])
def test_more_channels_than_a_resampler_takes_is_refused(entry: str) -> None:
    with pytest.raises(_rust.AudioError, match="at most 64 channels can be resampled, got 65"):
        AUDIO_ENTRY_POINTS[entry](np.zeros((65, 441), F32))


def test_six_channels_are_accepted_where_the_count_is_not_fixed() -> None:
    six = np.ascontiguousarray(speech_like(0.1, 6, 3))
    out = _rust.resample(six, "low")
    assert out.shape == (6, _rust.resample_output_frames(six.shape[1]))
    assert np.array_equal(_rust.json_resample(six, "low"), out)
    energies, flags, _ = _rust.vad(six)
    assert energies.shape == flags.shape == (six.shape[1] // FRAME,)


# --- defined results at the edges ---------------------------------------------------------------


@pytest.mark.parametrize("frames", [0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME + 7])
def test_lengths_not_a_multiple_of_the_frame_drop_the_partial_tail_in_every_tier(frames: int) -> None:
    audio = np.ascontiguousarray(speech_like(0.1, 2, 5)[:, :frames]) if frames else np.zeros((2, 0), F32)
    count = frames // FRAME
    results = [_rust.vad(audio), _rust.FastVadNode().process(audio), _rust.json_vad(audio)]
    for energies, flags, ratio in results:
        assert energies.shape == flags.shape == (count,)
        assert ratio == (float(flags.mean()) if count else 0.0)
    assert _rust.vad_frame_count(frames) == count
    out_frames = _rust.resample_output_frames(frames)
    for resampled in (_rust.resample(audio, "high"), _rust.json_resample(audio, "high")):
        assert resampled.shape == (2, out_frames)
    for pcm, flags, _ in (_rust.Pipeline(2).process(audio), _rust.json_pipeline(audio)):
        assert pcm.shape == (2, out_frames) and pcm.dtype == np.int16 and flags.shape == (count,)


CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    "convert": _rust.convert,
    "FastConvertNode": lambda x, v: _rust.FastConvertNode(v).process(x),
    "json_convert": _rust.json_convert,
}


@pytest.mark.parametrize("entry", CONVERTERS, ids=str)
def test_non_finite_samples_convert_as_documented(entry: str) -> None:
    x = np.array([np.nan, np.inf, -np.inf, 0.5, -2.0], F32)
    if entry == "json_convert":
        # JSON numbers cannot carry NaN or ±inf: the JSON tier refuses them, naming the sample.
        with pytest.raises(_rust.JsonNodeError, match=r"`/samples/0`: expected a f32 sample, got null"):
            CONVERTERS[entry](x, "f32_i16")
        return
    assert CONVERTERS[entry](x, "f32_i16").tolist() == [0, 32767, -32768, 16384, -32768]
    assert CONVERTERS[entry](x, "f32_i32").tolist() == [0, 2**31 - 1, -(2**31), 2**30, -(2**31)]


def test_non_finite_audio_gives_flags_false_and_is_refused_by_the_json_tier() -> None:
    audio = speech_like(0.1, 2, 5).copy()
    audio[0, 10] = np.nan
    audio[1, FRAME + 5] = np.inf
    for energies, flags, _ in (_rust.vad(audio), _rust.FastVadNode().process(audio)):
        assert np.isnan(energies[0]) and not flags[0]
        assert np.isposinf(energies[1]) and flags[1]
    with pytest.raises(_rust.JsonNodeError, match=r"`/samples/10`"):
        _rust.json_vad(audio)


@pytest.mark.parametrize("entry", CONVERTERS, ids=str)
@pytest.mark.parametrize("variant", ["f32_i16", "i16_f32", "f32_i32", "i16_i32"])
def test_empty_arrays_convert_to_empty_arrays(entry: str, variant: str) -> None:
    dtype_in = F32 if variant.startswith("f32") else np.int16
    dtype_out = {"i16": np.int16, "f32": F32, "i32": np.int32}[variant.split("_")[1]]
    out = CONVERTERS[entry](np.zeros(0, dtype_in), variant)
    assert out.shape == (0,) and out.dtype == dtype_out


BAD_SAMPLES: dict[str, tuple[Any, type[Exception], str]] = {
    "float64": (np.zeros(8, np.float64), TypeError, r"`x` must have dtype float32, got float64"),
    "int64": (np.zeros(8, np.int64), TypeError, r"`x` must have dtype float32, got int64"),
    "int16 for f32": (np.zeros(8, np.int16), TypeError, r"`x` must have dtype float32, got int16"),
    "object": (np.array([None] * 4), TypeError, r"`x` must have dtype float32, got object"),
    "bytes": (b"\x00" * 8, TypeError, r"`x` must be a numpy.ndarray of float32, got bytes"),
    "strided": (np.zeros(16, F32)[::2], ValueError, r"`x` must be C-contiguous"),
    "0-d": (np.array(0.5, F32), ValueError, r"`x` must be 1-D, got shape \(\)"),
    "2-d": (np.zeros((2, 4), F32), ValueError, r"`x` must be 1-D, got shape \(2, 4\)"),
    "3-d": (np.zeros((2, 2, 2), F32), ValueError, r"`x` must be 1-D, got shape \(2, 2, 2\)"),
}


def _convert_into(x: Any, variant: str) -> Any:
    return _rust.convert_into(x, np.empty(8, np.int16), variant)


@pytest.mark.parametrize("bad", BAD_SAMPLES, ids=str)
@pytest.mark.parametrize("entry", [*CONVERTERS, "convert_into"], ids=str)
def test_bad_sample_arrays_are_refused_naming_the_argument(entry: str, bad: str) -> None:
    array, exc, message = BAD_SAMPLES[bad]
    call = _convert_into if entry == "convert_into" else CONVERTERS[entry]
    with pytest.raises(exc, match=message):
        call(array, "f32_i16")


def test_an_int16_variant_names_the_dtype_it_needs() -> None:
    with pytest.raises(TypeError, match=r"`x` must have dtype int16, got float32"):
        _rust.convert(np.zeros(4, F32), "i16_f32")


# --- outputs -------------------------------------------------------------------------------------


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


X = AUDIO[0].copy()
N_OUT = _rust.resample_output_frames(FRAMES)
COUNT = _rust.vad_frame_count(FRAMES)
BAD_OUTPUTS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "convert_into shape": (
        lambda: _rust.convert_into(X, np.empty(10, np.int16), "f32_i16"),
        ValueError,
        r"`out` must have shape \(11025,\), got \(10,\)",
    ),
    "convert_into 2-d": (
        lambda: _rust.convert_into(X, np.empty((1, X.size), np.int16), "f32_i16"),
        ValueError,
        r"`out` must be 1-D",
    ),
    "convert_into dtype": (
        lambda: _rust.convert_into(X, np.empty(X.size, np.int32), "f32_i16"),
        TypeError,
        r"`out` must have dtype int16, got int32",
    ),
    "convert_into read-only": (
        lambda: _rust.convert_into(X, _readonly(np.empty(X.size, np.int16)), "f32_i16"),
        ValueError,
        r"`out` cannot be written",
    ),
    "convert_into strided": (
        lambda: _rust.convert_into(X, np.empty(2 * X.size, np.int16)[::2], "f32_i16"),
        ValueError,
        r"`out` must be C-contiguous",
    ),
    "vad_into energies shape": (
        lambda: _rust.vad_into(AUDIO, np.empty(COUNT + 1, F32), np.empty(COUNT, np.bool_)),
        ValueError,
        rf"`energies` must have shape \({COUNT},\), got \({COUNT + 1},\)",
    ),
    "vad_into energies dtype": (
        lambda: _rust.vad_into(AUDIO, np.empty(COUNT, np.float64), np.empty(COUNT, np.bool_)),
        TypeError,
        r"`energies` must have dtype float32, got float64",
    ),
    "vad_into flags dtype": (
        lambda: _rust.vad_into(AUDIO, np.empty(COUNT, F32), np.empty(COUNT, np.uint8)),
        TypeError,
        r"`flags` must have dtype bool, got uint8",
    ),
    "vad_into flags read-only": (
        lambda: _rust.vad_into(AUDIO, np.empty(COUNT, F32), _readonly(np.empty(COUNT, np.bool_))),
        ValueError,
        r"`flags` cannot be written",
    ),
    "Resampler.process_into shape": (
        lambda: _rust.Resampler("low", 2).process_into(AUDIO, np.empty((2, N_OUT - 1), F32)),
        ValueError,
        rf"`out` must have shape \(2, {N_OUT}\), got \(2, {N_OUT - 1}\)",
    ),
    "Resampler.process_into dtype": (
        lambda: _rust.Resampler("low", 2).process_into(AUDIO, np.empty((2, N_OUT), np.float64)),
        TypeError,
        r"`out` must have dtype float32",
    ),
    "Resampler.process_into fortran": (
        lambda: _rust.Resampler("low", 2).process_into(AUDIO, np.asfortranarray(np.empty((2, N_OUT), F32))),
        ValueError,
        r"`out` must be C-contiguous",
    ),
    "Pipeline.process_into out dtype": (
        lambda: _rust.Pipeline(2).process_into(AUDIO, np.empty((2, N_OUT), F32), np.empty(COUNT, np.bool_)),
        TypeError,
        r"`out` must have dtype int16, got float32",
    ),
    "Pipeline.process_into flags shape": (
        lambda: _rust.Pipeline(2).process_into(AUDIO, np.empty((2, N_OUT), np.int16), np.empty(0, np.bool_)),
        ValueError,
        rf"`flags` must have shape \({COUNT},\)",
    ),
    "limit_memcpy lengths": (
        lambda: _rust.limit_memcpy(np.zeros(8, np.uint8), np.zeros(9, np.uint8)),
        ValueError,
        r"`dst` must have shape \(8,\)",
    ),
    "limit_memcpy read-only": (
        lambda: _rust.limit_memcpy(np.zeros(8, np.uint8), _readonly(np.zeros(8, np.uint8))),
        ValueError,
        r"`dst` cannot be written",
    ),
    "ParallelResampler.process_into shape": (
        lambda: _rust.ParallelResampler("low", 2).process_into(AUDIO, np.empty((2, N_OUT + 1), F32)),
        ValueError,
        rf"`out` must have shape \(2, {N_OUT}\)",
    ),
    "ParallelResampler.process_into channels": (
        lambda: _rust.ParallelResampler("low", 1).process_into(AUDIO, np.empty((2, N_OUT), F32)),
        _rust.AudioError,
        r"this ParallelResampler was built for 1",
    ),
    "ParallelPipeline.process_into dtype": (
        lambda: _rust.ParallelPipeline(2).process_into(AUDIO, np.empty((2, N_OUT), F32), np.empty(COUNT, np.bool_)),
        TypeError,
        r"`out` must have dtype int16, got float32",
    ),
    "ParallelPipeline.process_into flags shape": (
        lambda: _rust.ParallelPipeline(2).process_into(AUDIO, np.empty((2, N_OUT), np.int16), np.empty(0, np.bool_)),
        ValueError,
        rf"`flags` must have shape \({COUNT},\)",
    ),
    "limit_read_write read-only": (
        lambda: _rust.limit_read_write(np.zeros(8, np.uint8), _readonly(np.zeros(4, np.uint8))),
        ValueError,
        r"`dst` cannot be written",
    ),
    "limit_read_write dtype": (
        lambda: _rust.limit_read_write(np.zeros(8, np.uint8), np.zeros(4, np.float32)),
        TypeError,
        r"`dst` must have dtype uint8",
    ),
    "limit_read_write 2-D": (
        lambda: _rust.limit_read_write(np.zeros(8, np.uint8), np.zeros((2, 2), np.uint8)),
        ValueError,
        r"`dst` must be 1-D",
    ),
}


@pytest.mark.parametrize("case", BAD_OUTPUTS, ids=str)
def test_bad_output_arrays_are_refused_naming_the_argument(case: str) -> None:
    call, exc, message = BAD_OUTPUTS[case]
    with pytest.raises(exc, match=message):
        call()


def _aliases() -> dict[str, tuple[Callable[[], Any], np.ndarray]]:
    """Each call with an output that shares memory with an input, and that shared memory."""
    audio = AUDIO.copy()
    x = X.copy()
    bytes_ = np.arange(64, dtype=np.uint8)
    return {
        # f32 → i32 writes as many bytes as it reads: the input's own memory fits as output.
        "convert_into same memory": (lambda: _rust.convert_into(x, x.view(np.int32), "f32_i32"), x),
        "vad_into energies in the input": (
            lambda: _rust.vad_into(audio, audio[0, :COUNT], np.empty(COUNT, np.bool_)),
            audio,
        ),
        "Resampler.process_into out in the input": (
            lambda: _rust.Resampler("low", 2).process_into(audio, audio.reshape(-1)[: 2 * N_OUT].reshape(2, N_OUT)),
            audio,
        ),
        "limit_memcpy src is dst": (lambda: _rust.limit_memcpy(bytes_, bytes_), bytes_),
        "limit_read_write dst in src": (lambda: _rust.limit_read_write(bytes_, bytes_[:16]), bytes_),
        "ParallelResampler.process_into out in the input": (
            lambda: _rust.ParallelResampler("low", 2).process_into(
                audio, audio.reshape(-1)[: 2 * N_OUT].reshape(2, N_OUT)
            ),
            audio,
        ),
    }


@pytest.mark.parametrize("case", list(_aliases()), ids=str)
def test_an_output_sharing_memory_with_an_input_is_refused_and_nothing_is_written(case: str) -> None:
    call, shared = _aliases()[case]
    before = shared.copy()
    with pytest.raises(ValueError, match=r"cannot be (written|read)"):
        call()
    assert np.array_equal(shared, before)


# --- scalar arguments ----------------------------------------------------------------------------

BAD_ARGUMENTS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "vad sample_rate negative": (
        lambda: _rust.vad(AUDIO, -1),
        ValueError,
        r"`sample_rate` must be an integer from 0 to 4294967295, got -1",
    ),
    "vad sample_rate 2**40": (lambda: _rust.vad(AUDIO, 2**40), ValueError, r"`sample_rate` must be an integer"),
    "vad sample_rate float": (lambda: _rust.vad(AUDIO, 44100.5), TypeError, r"`sample_rate` must be an int, got float"),
    "vad sample_rate 0": (lambda: _rust.vad(AUDIO, 0), _rust.AudioError, r"unsupported sample rate 0 Hz"),
    "vad threshold NaN": (lambda: _rust.vad(AUDIO, threshold=float("nan")), _rust.AudioError, r"`threshold`"),
    "vad threshold negative": (lambda: _rust.vad(AUDIO, threshold=-0.1), _rust.AudioError, r"`threshold`"),
    "vad threshold inf": (lambda: _rust.vad(AUDIO, threshold=float("inf")), _rust.AudioError, r"`threshold`"),
    "json_vad sample_rate negative": (lambda: _rust.json_vad(AUDIO, -5), ValueError, r"`sample_rate`"),
    "FastVadNode sample_rate": (lambda: _rust.FastVadNode(-5), ValueError, r"`sample_rate`"),
    "vad_frame_count frames negative": (lambda: _rust.vad_frame_count(-1), ValueError, r"`frames` must be an integer"),
    "resample_output_frames negative": (
        lambda: _rust.resample_output_frames(-1),
        ValueError,
        r"`frames` must be an integer",
    ),
    "Resampler channels 0": (lambda: _rust.Resampler("high", 0), ValueError, r"`channels` must be at least 1, got 0"),
    "Resampler channels negative": (lambda: _rust.Resampler("high", -2), ValueError, r"`channels` must be an integer"),
    "Resampler channels 2**40": (lambda: _rust.Resampler("high", 2**40), _rust.AudioError, r"at most 64 channels"),
    "Resampler preset": (lambda: _rust.Resampler("ultra", 2), _rust.AudioError, r"unknown preset `ultra`"),
    "resample preset": (lambda: _rust.resample(AUDIO, "HIGH"), _rust.AudioError, r"unknown preset `HIGH`"),
    "json_resample preset": (lambda: _rust.json_resample(AUDIO, ""), _rust.AudioError, r"unknown preset"),
    "Pipeline channels 0": (lambda: _rust.Pipeline(0), ValueError, r"`channels` must be at least 1"),
    "ParallelResampler threads 0": (
        lambda: _rust.ParallelResampler("high", 2, 0),
        ValueError,
        r"`threads` must be at least 1, got 0",
    ),
    "ParallelResampler threads negative": (
        lambda: _rust.ParallelResampler("low", 2, -1),
        ValueError,
        r"`threads` must be an integer",
    ),
    "ParallelResampler threads float": (
        lambda: _rust.ParallelResampler("low", 2, 2.0),
        TypeError,
        r"`threads` must be an int, got float",
    ),
    "ParallelResampler threads too many": (
        lambda: _rust.ParallelResampler("low", 2, _rust.PARALLEL_MAX_THREADS + 1),
        _rust.AudioError,
        r"`threads`: must be 1 to 64",
    ),
    "ParallelResampler channels 0": (lambda: _rust.ParallelResampler("low", 0), ValueError, r"`channels`"),
    "ParallelResampler preset": (lambda: _rust.ParallelResampler("ultra"), _rust.AudioError, r"unknown preset"),
    "ParallelPipeline threads 0": (lambda: _rust.ParallelPipeline(2, 0), ValueError, r"`threads` must be at least 1"),
    "ParallelPipeline sample_rate": (lambda: _rust.ParallelPipeline(2, 2, 0), _rust.AudioError, r"sample rate 0"),
    "FastPipeline channels 0": (lambda: _rust.FastPipeline(0), ValueError, r"`channels` must be at least 1"),
    "FastResampleNode channels 0": (lambda: _rust.FastResampleNode("low", 0), ValueError, r"`channels`"),
    "convert variant": (lambda: _rust.convert(X, "f64_i8"), _rust.AudioError, r"unknown conversion"),
    "FastConvertNode variant": (lambda: _rust.FastConvertNode("i16"), _rust.AudioError, r"unknown conversion"),
    "json_convert variant": (lambda: _rust.json_convert(X, "F32_I16"), _rust.AudioError, r"unknown conversion"),
    "AudioProcessor capacity negative": (
        lambda: _rust.AudioProcessor(-1),
        ValueError,
        r"`capacity_per_call` must be an integer",
    ),
    "AudioProcessor.add_chunk_vad sample_rate 0": (
        lambda: _rust.AudioProcessor(64).add_chunk_vad("c", b"AAAA", 0),
        _rust.AudioError,
        r"sample rate 0",
    ),
    "AudioProcessor.add_chunk_vad sample_rate negative": (
        lambda: _rust.AudioProcessor(64).add_chunk_vad("c", b"AAAA", -16000),
        ValueError,
        r"`sample_rate`",
    ),
    "AudioProcessor.add_chunk_vad threshold NaN": (
        lambda: _rust.AudioProcessor(64).add_chunk_vad("c", b"AAAA", 16000, float("nan")),
        _rust.AudioError,
        r"`threshold`",
    ),
    "JsonChunkBuffer capacity negative": (lambda: _rust.JsonChunkBuffer(-1), ValueError, r"`capacity_per_call`"),
    "AudioProcessor capacity str": (
        lambda: _rust.AudioProcessor("10"),
        TypeError,
        r"`capacity_per_call` must be an int",
    ),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS, ids=str)
def test_bad_scalar_arguments_are_refused_naming_the_argument(case: str) -> None:
    call, exc, message = BAD_ARGUMENTS[case]
    with pytest.raises(exc, match=message):
        call()


# --- sizes no machine can allocate ---------------------------------------------------------------

HUGE = 2**37  # float32 samples: a 512 GiB input, every output larger than RAM


@pytest.fixture(scope="module")
def huge_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sparse file mapped as the input: no memory or disk is used until pages are read, and
    every allocating binding asks for its output (or its copy) before reading any."""
    path = tmp_path_factory.mktemp("huge") / "zeros.f32"
    with path.open("wb") as f:
        f.truncate(HUGE * 4)
    return path


HUGE_CALLS: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "convert": lambda x, a: _rust.convert(x, "f32_i32"),
    "FastConvertNode": lambda x, a: _rust.FastConvertNode("f32_i32").process(x),
    "json_convert": lambda x, a: _rust.json_convert(x, "f32_i16"),
    "resample": lambda x, a: _rust.resample(a, "high"),
    "Resampler.process": lambda x, a: _rust.Resampler("high", 2).process(a),
    "FastResampleNode": lambda x, a: _rust.FastResampleNode("high", 2).process(a),
    "json_resample": lambda x, a: _rust.json_resample(a, "high"),
    "Pipeline.process": lambda x, a: _rust.Pipeline(2).process(a),
    "FastPipeline": lambda x, a: _rust.FastPipeline(2).process(a),
    "json_pipeline": lambda x, a: _rust.json_pipeline(a),
    "json_vad": lambda x, a: _rust.json_vad(a),
    "FastVadNode": lambda x, a: _rust.FastVadNode().process(a),
    "AudioProcessor": lambda x, a: _rust.AudioProcessor(2**62).add_chunk("c", b"AAAA"),
    "AudioProcessor.add_chunk_vad": lambda x, a: _rust.AudioProcessor(2**62).add_chunk_vad("c", b"AAAA"),
    "JsonChunkBuffer": lambda x, a: _rust.JsonChunkBuffer(2**62).add_chunk("c", b"AAAA"),
}


@pytest.mark.parametrize("entry", HUGE_CALLS, ids=str)
def test_impossible_allocations_are_memory_errors_not_aborts(entry: str, huge_input: Path) -> None:
    x = np.memmap(huge_input, dtype=F32, mode="r", shape=(HUGE,))
    audio = np.memmap(huge_input, dtype=F32, mode="r", shape=(2, HUGE // 2))
    with pytest.raises(MemoryError, match=r"cannot allocate \d+ bytes for `[^`]+`"):
        HUGE_CALLS[entry](x, audio)


# --- the resampling domain (a NaN once panicked inside the FFT resampler the Rust tiers used) -------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e36, 3.4e38])
@pytest.mark.parametrize(
    "call",
    [
        lambda x: _rust.resample(x, "high"),
        lambda x: _rust.resample(x, "low"),
        lambda x: _rust.Resampler("high", 2).process_into(
            x, np.empty((2, _rust.resample_output_frames(4410)), np.float32)
        ),
        lambda x: _rust.FastResampleNode("high", 2).process(x),
        lambda x: _rust.Pipeline(2).process(x),
        lambda x: _rust.FastPipeline(2).process(x),
    ],
    ids=["resample high", "resample low", "Resampler.process_into", "FastResampleNode", "Pipeline", "FastPipeline"],
)
def test_samples_outside_the_resampling_domain_are_a_value_error_naming_the_first(bad: float, call: Any) -> None:
    x = np.zeros((2, 4410), np.float32)
    x[0, 100] = bad
    x[1, 5] = bad  # planar: every sample of channel 0 comes first, so channel 0's is named
    with pytest.raises(
        ValueError, match=r"`audio`: sample 100 of channel 0 is .*finite samples of magnitude at most 2\^64"
    ):
        call(x)
