"""Registry entries for peers: different algorithms, shown beside the tiers, never matched."""

from __future__ import annotations

from audiobench.cases import AudioCase, Case
from audiobench.tiers.registry import Impl, Run


def _webrtc(case: Case) -> Run:
    from python_baselines import peers

    assert isinstance(case, AudioCase)
    frames = peers.prepare_webrtc_input(case.audio, case.sample_rate)
    vad = peers.WebRtcVad()
    return lambda: vad(frames)


def impls() -> list[Impl]:
    return [
        Impl(
            "vad",
            "default",
            "webrtcvad",
            _webrtc,
            "webrtcvad mode 2 on 16 kHz int16 (mono mix + soxr done in prepare); not output-matched",
            "allocating",
            matched=False,
        ),
    ]
