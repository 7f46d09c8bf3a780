"""Inputs are deterministic, read-only and shaped as the contract says."""

from __future__ import annotations

import numpy as np

from audiobench import signals


def test_generators_are_deterministic_and_seeded() -> None:
    a = signals.speech_like(0.5, 2, 1)
    signals.speech_like.cache_clear()
    b = signals.speech_like(0.5, 2, 1)
    assert signals.checksum(a) == signals.checksum(b)
    assert signals.checksum(a) != signals.checksum(signals.speech_like(0.5, 2, 2))


def test_layout_and_protection() -> None:
    a = signals.speech_like(1.0, 2, 0)
    assert a.dtype == np.float32 and a.shape == (2, 44_100) and a.flags.c_contiguous
    assert not a.flags.writeable
    assert float(np.max(np.abs(a))) < 1.0


def test_multisine_truth_is_the_same_tones_at_16k() -> None:
    ms = signals.multisine(0.5, 2, 0)
    assert ms.truth.shape == (2, signals.output_frames(ms.audio.shape[1]))
    assert ms.freqs.max() < 7_000 and ms.amps.sum() <= 0.9 + 1e-12
    # The first input and truth samples are both at t = 0.
    assert abs(float(ms.audio[0, 0]) - ms.truth[0, 0]) < 1e-6


def test_chunk_stream_interleaves_calls_and_splits_by_call() -> None:
    s = signals.chunk_stream(100, 4, 0)
    assert len(s.chunks) == 100 and set(s.owners.tolist()) == {0, 1, 2, 3}
    assert sum(len(v) for v in s.expected.values()) == 100 * 1280
    parts = s.split(2)
    assert sorted(c for p in parts for c in p.call_ids) == sorted(s.call_ids)
    assert sum(len(p.chunks) for p in parts) == 100


def test_convert_input_has_clipping_values() -> None:
    x = signals.convert_input("f32_i16", 10_000, 0)
    assert x.dtype == np.float32 and np.max(np.abs(x)) > 1.0
    assert signals.convert_input("i16_f32", 10_000, 0).dtype == np.int16


def test_wav_loader_round_trip(tmp_path: object) -> None:
    import soundfile

    path = f"{tmp_path}/x.wav"
    audio = signals.speech_like(0.25, 2, 0)
    soundfile.write(path, audio.T, 44_100, subtype="FLOAT")
    back, rate = signals.load_wav(path)
    assert rate == 44_100 and back.shape == audio.shape and np.array_equal(back, audio)
