"""Parity: every tier of every operation computes the same output as the baseline.

Cases are deliberately awkward: odd lengths that leave tails in every SIMD loop and a partial
VAD frame, multi-call interleaved streams on two threads, mono and three-channel audio.
"""

from __future__ import annotations

import numpy as np
import pytest

from audiobench import _rust, operations, parity
from audiobench.cases import AudioCase, PipelineOutput, SamplesCase, StreamCase
from audiobench.catalogue import Size
from audiobench.operations import build_case, normalize
from audiobench.registry import registry
from audiobench.signals import chunk_stream, multisine, speech_like

from .conftest import SEED, reference, tiers_of

CONVERSIONS = ("f32_i16", "i16_f32", "f32_i32", "i16_i32")


@pytest.mark.parametrize("tier", tiers_of("convert"))
@pytest.mark.parametrize("variant", CONVERSIONS)
def test_convert_bit_exact(variant: str, tier: str) -> None:
    case = build_case("convert", variant, Size("samples", samples=100_003), SEED)
    assert isinstance(case, SamplesCase)
    ref = reference("convert", variant, case)
    out = normalize("convert", variant, registry().get("convert", variant, tier)(case))
    verdict = operations.check("convert", variant, tier, case, out, ref)
    assert verdict.ok, verdict.detail


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("tier", tiers_of("convert"))
def test_convert_edges(tier: str) -> None:
    edges = np.array(
        [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1.0000001,
            -1.0000001,
            2.0,
            -2.0,
            0.5,
            -0.5,
            1e-9,
            -1e-9,
            3.4e38,
            -3.4e38,
            32767.5 / 32768,
            -32768.5 / 32768,
            1.5 / 32768,
            -1.5 / 32768,
            np.inf,
            -np.inf,
        ],
        dtype=np.float32,
    )
    if tier == "rust-json":
        # JSON has no infinities: serde_json turns them into null, which the node refuses.
        with pytest.raises(_rust.JsonNodeError, match=r"/samples/18"):
            _rust.json_convert(edges, "f32_i16")
        edges = edges[np.isfinite(edges)]
    for variant in ("f32_i16", "f32_i32"):
        case = SamplesCase(edges)
        ref = normalize("convert", variant, registry().get("convert", variant, "python")(case))
        out = normalize("convert", variant, registry().get("convert", variant, tier)(case))
        assert np.array_equal(out, ref), f"{variant}: {out} vs {ref}"
    i32 = normalize("convert", "f32_i32", registry().get("convert", "f32_i32", tier)(SamplesCase(edges[2:4])))
    assert i32.tolist() == [2147483647, -2147483648]


def _vad_cases() -> list[tuple[str, AudioCase]]:
    stereo = speech_like(2.345, 2, SEED)
    mono = np.ascontiguousarray(speech_like(1.5, 1, SEED + 1))
    three = np.ascontiguousarray(speech_like(1.2, 3, SEED + 2))
    frame = build_case("vad", "default", Size("frame"), SEED)
    assert isinstance(frame, AudioCase)
    return [
        ("stereo", AudioCase(stereo, 44_100)),
        ("mono", AudioCase(mono, 44_100)),
        ("three-channel", AudioCase(three, 44_100)),
        ("frame", frame),
    ]


VAD_CASES = _vad_cases()


@pytest.mark.parametrize("tier", tiers_of("vad"))
@pytest.mark.parametrize(("label", "case"), VAD_CASES, ids=[c[0] for c in VAD_CASES])
def test_vad_flags_identical_energies_close(label: str, case: AudioCase, tier: str) -> None:
    ref = reference("vad", "default", case)
    out = normalize("vad", "default", registry().get("vad", "default", tier)(case))
    verdict = operations.check("vad", "default", tier, case, out, ref)
    assert verdict.ok, f"{label}: {verdict.detail}"


def test_vad_signal_has_speech_and_silence() -> None:
    case = VAD_CASES[0][1]
    out = reference("vad", "default", case)
    assert 0.2 < out.speech_ratio < 0.9  # type: ignore[attr-defined]


@pytest.mark.parametrize("tier", tiers_of("resample"))
@pytest.mark.parametrize("preset", ("low", "medium", "high"))
def test_resample_meets_snr_floor(preset: str, tier: str) -> None:
    seconds = 1.0 if tier == "python-pure" else 2.5
    ms = multisine(seconds, 2, SEED)
    case = AudioCase(ms.audio, 44_100, ms.truth)
    out = normalize("resample", preset, registry().get("resample", preset, tier)(case))
    verdict = operations.check("resample", preset, tier, case, out, None)
    assert verdict.ok, verdict.detail


@pytest.mark.parametrize("tier", tiers_of("resample"))
def test_resample_odd_lengths_and_mono(tier: str) -> None:
    frames = (441, 1_001) if tier == "python-pure" else (1, 441, 442, 10_007)
    for n in frames:
        audio = np.ascontiguousarray(speech_like(1.0, 1, SEED)[:, :n])
        out = normalize("resample", "high", registry().get("resample", "high", tier)(AudioCase(audio, 44_100)))
        assert out.shape == (1, -(-n * 160 // 441)), (n, out.shape)


STREAMS = [
    ("1 call", StreamCase(chunk_stream(64, 1, SEED))),
    ("8 calls, 2 threads", StreamCase(chunk_stream(300, 8, SEED), threads=2)),
    ("64 calls", StreamCase(chunk_stream(200, 64, SEED))),
]


@pytest.mark.parametrize("tier", tiers_of("b64_buffer"))
@pytest.mark.parametrize(("label", "case"), STREAMS, ids=[s[0] for s in STREAMS])
def test_b64_bytes_identical(label: str, case: StreamCase, tier: str) -> None:
    out = normalize("b64_buffer", "default", registry().get("b64_buffer", "default", tier)(case))
    verdict = operations.check("b64_buffer", "default", tier, case, out, None)
    assert verdict.ok, f"{label}: {verdict.detail}"
    if tier.startswith("rust"):
        assert out.reallocations == 0, "Rust tiers pre-allocate each call's buffer"
    else:
        assert out.reallocations is not None and out.reallocations > 0, "bytearray grows as chunks arrive"


def test_python_tiers_can_skip_counting() -> None:
    case = StreamCase(chunk_stream(32, 2, SEED), count_reallocations=False)
    for tier in ("python", "python-pure", "python-best"):
        out = normalize("b64_buffer", "default", registry().get("b64_buffer", "default", tier)(case))
        assert out.reallocations is None
        assert parity.check_b64(out, case).ok


@pytest.mark.parametrize("tier", tiers_of("pipeline"))
def test_pipeline_flags_and_audio(tier: str) -> None:
    seconds = 1.0 if tier == "python-pure" else 2.0
    speech = AudioCase(speech_like(seconds, 2, SEED), 44_100)
    impl = registry().get("pipeline", "default", tier)
    out = normalize("pipeline", "default", impl(speech))
    ref_flags = reference("vad", "default", speech).flags  # type: ignore[attr-defined]
    verdict = operations.check("pipeline", "default", tier, speech, out, ref_flags)
    assert verdict.ok, verdict.detail
    ms = operations.spec("pipeline").quality_case(speech, SEED)
    assert ms is not None
    audio_out = normalize("pipeline", "default", impl(ms))
    assert isinstance(audio_out, PipelineOutput)
    verdict = parity.check_pipeline_audio(audio_out, ms, tier)
    assert verdict.ok, verdict.detail
