"""Resampling parity on audio without an analytic truth (a user's file): every tier against the
``python`` tier below 6.4 kHz, with floors derived from the documented ones — so a wrong
resampler is caught on real audio too — and the cases that cannot be judged said as such."""

from __future__ import annotations

import numpy as np
import pytest

from audiobench import operations
from audiobench.cases import AudioCase
from audiobench.operations import normalize
from audiobench.quality import mutual_floor_db
from audiobench.registry import registry
from audiobench.signals import speech_like

REG = registry()


def _user_case(seconds: float = 1.5, lowpassed: bool = True) -> AudioCase:
    audio = speech_like(seconds, 2, 11)
    if lowpassed:  # no content above 7.5 kHz
        spectrum = np.fft.rfft(audio, axis=-1)
        spectrum[..., np.fft.rfftfreq(audio.shape[-1], 1 / 44_100) > 7_500] = 0
        audio = np.fft.irfft(spectrum, n=audio.shape[-1], axis=-1).astype(np.float32)
    return AudioCase(np.ascontiguousarray(audio), 44_100)  # no truth, as for a user's file


def _out(tier: str, preset: str, case: AudioCase) -> np.ndarray:
    return np.asarray(normalize("resample", preset, REG.get("resample", preset, tier)(case)))


@pytest.mark.parametrize("preset", ["low", "medium", "high"])
@pytest.mark.parametrize("tier", ["python-best", "python-pure", "rust-json", "rust-fast", "rust-direct"])
def test_every_tier_meets_the_derived_floor_against_python_on_band_limited_audio(tier: str, preset: str) -> None:
    case = _user_case(1.0 if tier == "python-pure" else 1.5)
    ref = _out("python", preset, case)
    v = operations.check("resample", preset, tier, case, _out(tier, preset, case), ref)
    assert v.ok, v.detail
    assert "against python" in v.detail


@pytest.mark.parametrize(
    "break_it",
    [
        lambda y: np.roll(y, 3, axis=-1),  # misaligned by 3 output samples
        lambda y: y[::-1].copy(),  # channels swapped
        lambda y: y * np.float32(0.9),  # 0.9 dB of gain
        lambda y: np.zeros_like(y),  # nothing
    ],
    ids=["shifted", "channels swapped", "gain", "silent"],
)
def test_a_wrong_resampler_is_caught_on_real_audio(break_it: object) -> None:
    case = _user_case()
    ref = _out("python", "high", case)
    wrong = break_it(_out("rust-direct", "high", case))  # type: ignore[operator]
    v = operations.check("resample", "high", "rust-direct", case, wrong, ref)
    assert not v.ok and "< floor 72.0 dB" in v.detail, v.detail


@pytest.mark.parametrize("preset", ["low", "medium", "high"])
def test_every_rust_preset_is_judged_on_audio_with_content_above_8khz(preset: str) -> None:
    # Every Rust preset filters before decimating: what the file holds above 9 kHz is
    # attenuated by the preset's stopband, so nothing folds into the band the check reads.
    case = _user_case(lowpassed=False)
    ref = _out("python", preset, case)
    v = operations.check("resample", preset, "rust-direct", case, _out("rust-direct", preset, case), ref)
    assert v.ok and "against python ≥ floor" in v.detail, v.detail


@pytest.mark.parametrize("frames", [1, 2, 50, 2205])
def test_clips_of_50_ms_or_less_are_held_to_their_length_only(frames: int) -> None:
    case = AudioCase(np.full((2, frames), 0.25, np.float32), 44_100)
    ref = _out("python", "low", case)
    v = operations.check("resample", "low", "rust-direct", case, _out("rust-direct", "low", case), ref)
    assert v.ok and "50 ms or less" in v.detail, v.detail


def test_the_derived_floor_is_the_documented_floors_added_in_amplitude() -> None:
    assert mutual_floor_db("rust-direct", "python", "high") == pytest.approx(72.0, abs=0.05)
    assert mutual_floor_db("python-best", "python", "low") == pytest.approx(15.0 - 6.02, abs=0.01)
