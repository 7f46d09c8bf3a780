"""Property tests: random shapes, dtypes and values through every binding and every tier.

Two kinds of property:

* **Bindings never fail badly.** Whatever array reaches a Rust binding — any dtype, any number
  of dimensions, any layout — it returns or raises ``TypeError``/``ValueError`` (``AudioError``
  is a ``ValueError``); conftest fails the test if the extension panicked on the way.
* **Tiers agree.** Every tier of an operation, fed the same random input through the registry,
  gives the same output as the direct Rust tier: bit for bit for conversions (NaN → 0, ±inf
  clipped, in every tier), within float rounding for VAD energies, the same shape for every
  resampler and the same samples for the three Rust resampling tiers. The JSON tier cannot
  carry NaN or ±inf and refuses them, naming the first such sample.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from audiobench import _rust
from audiobench.cases import AudioCase, SamplesCase, VadOutput
from audiobench.operations import normalize
from audiobench.registry import registry

REG = registry()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- bindings under arbitrary arrays --------------------------------------------------------------

ANY_DTYPE = st.sampled_from(
    [np.float32, np.float64, np.float16, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.bool_, np.complex64]
)
ANY_ARRAY = hnp.arrays(
    dtype=ANY_DTYPE,
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
    elements=None,
    fill=st.nothing(),
).flatmap(
    # Also as a strided view, a Fortran-ordered copy and a read-only array.
    lambda a: st.sampled_from([a, a[..., ::2] if a.ndim else a, np.asfortranarray(a), _readonly(a.copy())])
)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


BINDINGS: dict[str, Any] = {
    "convert": lambda a: _rust.convert(a, "f32_i16"),
    "convert i16": lambda a: _rust.convert(a, "i16_i32"),
    "json_convert": lambda a: _rust.json_convert(a, "f32_i32"),
    "FastConvertNode": lambda a: _rust.FastConvertNode("i16_f32").process(a),
    "vad": lambda a: _rust.vad(a),
    "json_vad": lambda a: _rust.json_vad(a),
    "FastVadNode": lambda a: _rust.FastVadNode().process(a),
    "resample": lambda a: _rust.resample(a, "low"),
    "json_resample": lambda a: _rust.json_resample(a, "low"),
    "Resampler": lambda a: _rust.Resampler("low", 2).process(a),
    "FastResampleNode": lambda a: _rust.FastResampleNode("low", 1).process(a),
    "Pipeline": lambda a: _rust.Pipeline(1).process(a),
    "FastPipeline": lambda a: _rust.FastPipeline(2).process(a),
    "json_pipeline": lambda a: _rust.json_pipeline(a),
    "limit_read": lambda a: _rust.limit_read(a),
    "limit_read_write": lambda a: _rust.limit_read_write(a, np.zeros(7, np.uint8)),
    "limit_read_write dst": lambda a: _rust.limit_read_write(np.zeros(7, np.uint8), a),
}


@pytest.mark.parametrize("binding", BINDINGS, ids=str)
@SETTINGS
@given(array=ANY_ARRAY)
def test_any_array_is_accepted_or_refused_with_a_type_or_value_error(binding: str, array: np.ndarray) -> None:
    try:
        BINDINGS[binding](array)
    except (TypeError, ValueError) as e:
        # Every refusal says which argument it is about.
        assert re.search(r"`\w+`", str(e)), f"{binding}: message names no argument: {e}"


# --- tiers agree on random inputs -----------------------------------------------------------------

F32_VALUES = st.one_of(
    st.floats(width=32, allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.5, max_value=1.5, width=32),
    st.sampled_from([1.0, -1.0, 32767 / 32768, -32768 / 32768, 0.5 / 32768, -0.0, 2.0**-149]),
)
I16_ARRAYS = hnp.arrays(np.int16, st.integers(0, 3000))
F32_ARRAYS = hnp.arrays(np.float32, st.integers(0, 3000), elements=F32_VALUES)
TIERS_NO_JSON = ("python", "python-best", "python-pure", "rust-fast", "rust-direct")


def _run(op: str, variant: str, tier: str, case: Any) -> Any:
    return normalize(op, variant, REG.get(op, variant, tier)(case))


# numpy warns when x·32768 overflows float32 to ±inf; clipping then gives the defined result.
@pytest.mark.filterwarnings("ignore:overflow encountered in multiply:RuntimeWarning")
@pytest.mark.parametrize("variant", ["f32_i16", "f32_i32"])
@SETTINGS
@given(x=F32_ARRAYS)
def test_float_conversions_agree_bit_for_bit_in_every_tier(variant: str, x: np.ndarray) -> None:
    case = SamplesCase(_readonly(x))
    want = _run("convert", variant, "rust-direct", case)
    for tier in TIERS_NO_JSON:
        np.testing.assert_array_equal(_run("convert", variant, tier, case), want, err_msg=tier)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        with pytest.raises(_rust.JsonNodeError, match=rf"`/samples/{bad[0]}`"):
            _run("convert", variant, "rust-json", case)
    else:
        np.testing.assert_array_equal(_run("convert", variant, "rust-json", case), want, err_msg="rust-json")


@pytest.mark.parametrize("variant", ["i16_f32", "i16_i32"])
@SETTINGS
@given(x=I16_ARRAYS)
def test_integer_conversions_agree_bit_for_bit_in_every_tier(variant: str, x: np.ndarray) -> None:
    case = SamplesCase(_readonly(x))
    want = _run("convert", variant, "rust-direct", case)
    for tier in (*TIERS_NO_JSON, "rust-json"):
        np.testing.assert_array_equal(_run("convert", variant, tier, case), want, err_msg=tier)


def _audio(channels: int, frames: int, amplitude: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    audio = (rng.standard_normal((channels, frames)) * amplitude).astype(np.float32)
    return _readonly(audio)


AUDIO_SHAPES = {
    "channels": st.integers(1, 3),
    "frames": st.integers(0, 3 * 1323 + 50),
    "amplitude": st.sampled_from([0.0, 1e-3, 0.02, 0.3, 4.0]),
    "seed": st.integers(0, 2**31),
}


@SETTINGS
@given(**AUDIO_SHAPES)
def test_vad_agrees_in_every_tier(channels: int, frames: int, amplitude: float, seed: int) -> None:
    case = AudioCase(_audio(channels, frames, amplitude, seed), 44_100)
    want: VadOutput = _run("vad", "default", "rust-direct", case)
    assert want.energies.shape == want.flags.shape == (frames // 1323,)
    for tier in (*TIERS_NO_JSON, "rust-json"):
        got: VadOutput = _run("vad", "default", tier, case)
        np.testing.assert_allclose(got.energies, want.energies, rtol=1e-5, atol=1e-7, err_msg=tier)
        # A flag may only differ where the energy is within rounding of the threshold.
        near = np.isclose(want.energies, 0.02, rtol=1e-5)
        assert np.array_equal(got.flags[~near], want.flags[~near]), tier


@pytest.mark.parametrize("preset", ["low", "high"])
@SETTINGS
@given(**AUDIO_SHAPES)
def test_every_resampler_gives_the_same_shape_and_the_rust_tiers_the_same_samples(
    preset: str, channels: int, frames: int, amplitude: float, seed: int
) -> None:
    case = AudioCase(_audio(channels, frames, amplitude, seed), 44_100)
    want = _run("resample", preset, "rust-direct", case)
    assert want.shape == (channels, _rust.resample_output_frames(frames))
    assert np.isfinite(want).all()
    for tier in ("rust-fast", "rust-json"):
        np.testing.assert_array_equal(_run("resample", preset, tier, case), want, err_msg=tier)
    for tier in ("python", "python-best"):
        assert _run("resample", preset, tier, case).shape == want.shape, tier


@SETTINGS
@given(**AUDIO_SHAPES)
def test_the_rust_pipelines_agree(channels: int, frames: int, amplitude: float, seed: int) -> None:
    case = AudioCase(_audio(channels, frames, amplitude, seed), 44_100)
    want = _run("pipeline", "default", "rust-direct", case)
    assert want.audio.shape == (channels, _rust.resample_output_frames(frames))
    for tier in ("rust-fast", "rust-json"):
        got = _run("pipeline", "default", tier, case)
        np.testing.assert_array_equal(got.audio, want.audio, err_msg=tier)
        np.testing.assert_array_equal(got.flags, want.flags, err_msg=tier)


# --- the resampling domain: every binding and tier refuses the same sample ------------------------

EDGE = float(np.float32(2.0**64))
ABOVE_EDGE = float(np.nextafter(np.float32(EDGE), np.float32(np.inf)))
IN_DOMAIN = st.one_of(
    st.floats(min_value=-1.5, max_value=1.5, width=32),
    st.floats(min_value=-EDGE, max_value=EDGE, width=32),
    st.sampled_from([EDGE, -EDGE, 2.0**-149, -0.0]),
)
OUT_OF_DOMAIN = st.one_of(
    st.sampled_from([np.nan, np.inf, -np.inf, ABOVE_EDGE, -ABOVE_EDGE, 1e36, 3.4e38]),
    st.floats(min_value=ABOVE_EDGE, width=32, allow_infinity=True),
)


@st.composite
def domain_audio(draw: st.DrawFn) -> np.ndarray:
    """Planar float32 audio in the resampling domain, with 0–2 samples outside it planted at
    random places (a third of the examples are clean, so the accepting path runs too)."""
    channels, frames = draw(st.integers(1, 3)), draw(st.integers(0, 700))
    audio = draw(hnp.arrays(np.float32, (channels, frames), elements=IN_DOMAIN))
    if audio.size:
        for _ in range(draw(st.integers(0, 2))):
            index = draw(st.integers(0, audio.size - 1))
            sign = draw(st.sampled_from([1.0, -1.0]))
            audio.reshape(-1)[index] = np.float32(sign * draw(OUT_OF_DOMAIN))
    return audio


DOMAIN_AUDIO = domain_audio()
RESAMPLING_BINDINGS: dict[str, Any] = {
    **{f"resample {p}": (lambda a, p=p: _rust.resample(a, p)) for p in ("low", "medium", "high")},
    **{f"json_resample {p}": (lambda a, p=p: _rust.json_resample(a, p)) for p in ("low", "high")},
    "Resampler.process_into": lambda a: _rust.Resampler("high", a.shape[0]).process_into(
        a, np.empty((a.shape[0], _rust.resample_output_frames(a.shape[1])), np.float32)
    ),
    "FastResampleNode": lambda a: _rust.FastResampleNode("medium", a.shape[0]).process(a),
    "Pipeline.process_into": lambda a: _rust.Pipeline(a.shape[0]).process_into(
        a,
        np.empty((a.shape[0], _rust.resample_output_frames(a.shape[1])), np.int16),
        np.empty(_rust.vad_frame_count(a.shape[1]), np.bool_),
    ),
    "FastPipeline": lambda a: _rust.FastPipeline(a.shape[0]).process(a),
    "json_pipeline": lambda a: _rust.json_pipeline(a),
}


def _first_outside(a: np.ndarray) -> tuple[int, int] | None:
    bad = ~(np.abs(a) <= 2.0**64)
    if not bad.any():
        return None
    return divmod(int(np.flatnonzero(bad)[0]), a.shape[1])  # type: ignore[return-value]


def _assert_names_the_sample(tier: str, audio: np.ndarray, first: tuple[int, int], message: str) -> None:
    """Every tier names the first sample outside the domain by channel and frame, except that
    the JSON tier cannot carry NaN or ±inf: where there are any, it names the first of them
    where the JSON holds it (``/samples/<flat index>``)."""
    non_finite = np.flatnonzero(~np.isfinite(audio))
    if tier.startswith(("json", "rust-json")) and non_finite.size:
        assert f"`/samples/{non_finite[0]}`" in message, (tier, message)
    else:
        assert f"sample {first[1]} of channel {first[0]} is" in message, (tier, message)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@SETTINGS
@given(audio=DOMAIN_AUDIO)
def test_every_resampling_binding_refuses_the_same_sample_or_returns_finite_output(audio: np.ndarray) -> None:
    audio = _readonly(audio)
    first = _first_outside(audio)
    for name, call in RESAMPLING_BINDINGS.items():
        if first is None:
            out = call(audio)
            pcm = out[0] if isinstance(out, tuple) else (audio if out is None else out)
            assert np.isfinite(np.asarray(pcm, dtype=np.float64)).all(), name
            continue
        with pytest.raises(ValueError) as refused:
            call(audio)
        _assert_names_the_sample(name, audio, first, str(refused.value))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("op", ["resample", "pipeline"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audio=DOMAIN_AUDIO)
def test_every_tier_refuses_what_resampling_refuses(op: str, audio: np.ndarray) -> None:
    variant = "high" if op == "resample" else "default"
    case = AudioCase(_readonly(audio), 44_100)
    first = _first_outside(audio)
    for tier in (*TIERS_NO_JSON, "rust-json"):
        if first is None:
            REG.get(op, variant, tier)(case)
            continue
        with pytest.raises(ValueError) as refused:
            REG.get(op, variant, tier)(case)
        _assert_names_the_sample(tier, audio, first, str(refused.value))
