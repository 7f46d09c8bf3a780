"""Peers: implementations that compute something different, reported but never output-matched.

webrtcvad is a GMM-based VAD on 16-bit mono at 8/16/32/48 kHz; it does not compute RMS energy,
so its flags are not expected to equal the energy VAD's. It is here so a reader can see what a
widely used alternative costs on the same audio.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr
import webrtcvad

PEER_RATE = 16_000
PEER_FRAME = 480  # 30 ms at 16 kHz


def prepare_webrtc_input(audio: npt.NDArray[np.float32], sample_rate: int = 44_100) -> list[bytes]:
    """Mono mix, soxr to 16 kHz, int16 PCM split into 30 ms frames (done once, outside timing)."""
    mono = audio.mean(axis=0)
    pcm16 = soxr.resample(mono, sample_rate, PEER_RATE, quality="HQ")
    pcm = np.clip(pcm16 * 32768.0, -32768, 32767).astype("<i2").tobytes()
    frame_bytes = PEER_FRAME * 2
    return [pcm[i : i + frame_bytes] for i in range(0, len(pcm) - frame_bytes + 1, frame_bytes)]


class WebRtcVad:
    """webrtcvad over prepared 30 ms frames; ``mode`` 0 (least aggressive) to 3."""

    def __init__(self, mode: int = 2) -> None:
        self.vad = webrtcvad.Vad(mode)

    def __call__(self, frames: list[bytes]) -> tuple[npt.NDArray[np.bool_], float]:
        is_speech = self.vad.is_speech
        flags = np.fromiter((is_speech(f, PEER_RATE) for f in frames), dtype=np.bool_, count=len(frames))
        return flags, float(flags.mean()) if len(frames) else 0.0
