"""User-facing units (ARCHITECTURE.md) and the real-time factor, read from the catalogue.

Suites keep seconds per call; the catalogue gives each operation the unit a reader compares
against the spec, in a small grammar:

* ``"<scale> per <denominator>"``: time per amount of work, ``scale`` one of ``s``, ``ms``,
  ``µs``, ``ns``; ``denominator`` one of ``s of audio`` (the size's audio duration), ``frame``
  (one 30 ms VAD frame: 1323 samples at 44.1 kHz, the last partial frame dropped), ``1M samples``
  (a 1-D size's length) or ``call``;
* ``"<things>/s"``: throughput, ``things`` one of ``chunks`` (a stream size's chunk count) or
  ``samples``.

A new operation picks its unit in its catalogue entry; nothing here names an operation.
"""

from __future__ import annotations

from audiobench.catalogue import Size

VAD_FRAME = 1323
"""Samples of one 30 ms frame at 44.1 kHz: round(44100 · 0.030) (ARCHITECTURE.md, vad)."""
RATE = 44_100
CHUNK_SECONDS = 0.040
"""Audio in one base64 chunk: 1280 raw bytes of 16 kHz int16 (ARCHITECTURE.md, b64_buffer)."""

_SCALES = {"s": 1.0, "ms": 1e3, "µs": 1e6, "ns": 1e9}


class UnitError(ValueError):
    """A unit outside the grammar, or one that does not apply to the size (message names both)."""


def audio_seconds(size: Size) -> float | None:
    """Seconds of audio one call processes (None where the notion does not apply)."""
    if size.kind == "frame":
        return VAD_FRAME / RATE
    if size.kind == "seconds":
        return size.seconds
    if size.kind == "stream":
        return size.chunks * CHUNK_SECONDS
    return None


def _amount(denominator: str, size: Size, unit: str) -> float:
    if denominator == "s of audio":
        seconds = audio_seconds(size)
        if seconds is None or size.kind == "stream":
            raise UnitError(f"unit {unit!r} needs a duration, the size is {size.label}")
        return seconds
    if denominator == "frame":
        if size.kind not in ("frame", "seconds"):
            raise UnitError(f"unit {unit!r} needs audio frames, the size is {size.label}")
        return 1.0 if size.kind == "frame" else max(int(size.seconds * RATE) // VAD_FRAME, 1)
    if denominator == "1M samples":
        if size.kind != "samples":
            raise UnitError(f"unit {unit!r} needs a sample count, the size is {size.label}")
        return size.samples / 1e6
    if denominator == "call":
        return 1.0
    raise UnitError(f"unit {unit!r}: unknown denominator {denominator!r} (s of audio, frame, 1M samples, call)")


def to_unit(unit: str, size: Size, seconds_per_call: float) -> tuple[float, str]:
    """Convert seconds per call into ``unit`` (the catalogue's spelling, returned as given).

    Raises:
        UnitError: ``unit`` is outside the grammar or needs what ``size`` lacks.
    """
    if unit.endswith("/s"):
        things = unit.removesuffix("/s")
        count = {"chunks": size.chunks, "samples": size.samples}.get(things)
        if not count:
            raise UnitError(f"unit {unit!r}: {things} per second needs a size with {things}, got {size.label}")
        return count / seconds_per_call, unit
    scale, sep, denominator = unit.partition(" per ")
    if not sep or scale not in _SCALES:
        raise UnitError(f"unit {unit!r}: expected '<s|ms|µs|ns> per <denominator>' or '<things>/s'")
    return seconds_per_call * _SCALES[scale] / _amount(denominator, size, unit), unit


def realtime_factor(size: Size, seconds_per_call: float) -> float | None:
    """Audio seconds processed per second of compute (higher is faster)."""
    audio = audio_seconds(size)
    return None if audio is None or seconds_per_call <= 0 else audio / seconds_per_call
