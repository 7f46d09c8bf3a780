"""User-facing units per operation (ARCHITECTURE.md) and the real-time factor.

Suites keep seconds per call; these turn them into what a reader compares against the spec:
resample ms per second of audio, VAD µs per 30 ms frame, convert µs per 1M samples, b64_buffer
chunks/s, pipeline ms per call.
"""

from __future__ import annotations

from audiobench.catalogue import Size

VAD_FRAME = 1323
RATE = 44_100


def audio_seconds(op: str, size: Size) -> float | None:
    """Seconds of audio one call processes (None where the notion does not apply)."""
    if size.kind == "frame":
        return VAD_FRAME / RATE
    if size.kind == "seconds":
        return size.seconds
    if op == "b64_buffer":
        # 1280-byte chunks are 40 ms of 16 kHz int16
        return size.chunks * 0.040
    return None


def to_unit(op: str, size: Size, seconds_per_call: float) -> tuple[float, str]:
    """Convert seconds per call into the operation's user-facing unit."""
    if op == "resample":
        return seconds_per_call * 1e3 / size.seconds, "ms per s of audio"
    if op == "vad":
        frames = 1 if size.kind == "frame" else int(size.seconds * RATE) // VAD_FRAME
        return seconds_per_call * 1e6 / max(frames, 1), "µs per frame"
    if op == "convert":
        return seconds_per_call * 1e6 * 1e6 / size.samples, "µs per 1M samples"
    if op == "b64_buffer":
        return size.chunks / seconds_per_call, "chunks/s"
    if op == "pipeline":
        return seconds_per_call * 1e3, "ms per call"
    raise ValueError(f"unknown operation {op!r}")


def realtime_factor(op: str, size: Size, seconds_per_call: float) -> float | None:
    """Audio seconds processed per second of compute (higher is faster)."""
    audio = audio_seconds(op, size)
    return None if audio is None or seconds_per_call <= 0 else audio / seconds_per_call
