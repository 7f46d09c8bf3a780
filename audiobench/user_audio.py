"""Your own audio file for ``audiobench run --audio FILE``: what is read, what is refused, and why.

Read: anything libsndfile decodes (WAV in every PCM and float subtype, FLAC, Ogg, AIFF, MP3, ...),
at any rate and channel count, as planar float32 (:func:`audiobench.signals.load_wav`).

Refused for every operation, because no tier could measure it or the tiers would disagree for
reasons that are not their own: a path that is missing, a directory or another non-regular file
(a FIFO would block the reader), unreadable, empty, not audio, a file whose samples stop before
its header says (WAVE, RF64/BW64, Wave64, AIFF, AU, CAF, FLAC), a file with no frames, and float
samples that are NaN or ±inf (the JSON tier cannot carry them, and every resampler and frame
loop spreads them over a span of its own, so no two tiers' outputs could be compared). A length
a streaming writer left open is read to the end of the file, with a note.

Refused per operation by the operation's spec (``Operation.user_refusal``): resample and
pipeline are defined for 44.1 kHz input and the Rust resampler takes at most 64 channels; vad
needs one whole 30 ms frame to time per frame.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from audiobench import declared_length, signals

RESAMPLE_MAX_CHANNELS = 64
"""``MAX_CHANNELS`` in rust_impls/core/src/direct/resample.rs: every Rust resampling tier refuses more."""


class UserAudioError(ValueError):
    """The file cannot be used at all; the message starts with its path and says why."""


@dataclass(frozen=True)
class UserAudio:
    """A user's file, read and checked: planar float32 and what it was stored as."""

    path: Path
    audio: signals.F32
    sample_rate: int
    subtype: str
    """libsndfile's name of the stored sample format, e.g. ``PCM_24`` or ``FLOAT``."""
    notes: tuple[str, ...] = ()
    """What the reader noticed and accepted (a streaming writer's open length)."""

    @property
    def channels(self) -> int:
        """Channel count."""
        return int(self.audio.shape[0])

    @cached_property
    def peak(self) -> float:
        """The largest sample magnitude (0.0 for no samples); computed once per file."""
        return float(np.max(np.abs(self.audio))) if self.audio.size else 0.0

    @property
    def frames(self) -> int:
        """Samples per channel."""
        return int(self.audio.shape[1])


def read(path: Path) -> UserAudio:
    """Read ``path`` for the runner, or raise :class:`UserAudioError` naming it and the reason."""
    _check_regular_file(path)
    # Length first: libsndfile refuses some cut files as "malformed", which says less.
    note = _check_complete(path)
    subtype = _probe(path)
    try:
        audio, rate = signals.load_wav(path)
    except Exception as e:  # soundfile raises its own error types, also mid-file
        raise UserAudioError(f"{path}: cannot be decoded ({_reason(e)})") from None
    if audio.shape[1] == 0:
        raise UserAudioError(f"{path}: holds no samples (a valid {subtype} header with zero frames)")
    _check_finite(path, audio)
    return UserAudio(path, audio, rate, subtype, (note,) if note else ())


def _check_regular_file(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UserAudioError(f"{path}: no such file") from None
    except OSError as e:
        raise UserAudioError(f"{path}: cannot be read ({e.strerror})") from None
    if stat.S_ISDIR(mode):
        raise UserAudioError(f"{path}: is a directory, not an audio file")
    if not stat.S_ISREG(mode):
        raise UserAudioError(f"{path}: is not a regular file (a FIFO, socket or device), not an audio file")
    try:
        with path.open("rb") as f:
            empty = f.read(1) == b""
    except OSError as e:
        raise UserAudioError(f"{path}: cannot be read ({e.strerror})") from None
    if empty:
        raise UserAudioError(f"{path}: is empty (0 bytes), not an audio file")


def _probe(path: Path) -> str:
    """The stored sample format, from the header alone; refuses what libsndfile cannot open."""
    import soundfile

    try:
        return str(soundfile.info(str(path)).subtype)
    except Exception as e:
        raise UserAudioError(f"{path}: is not an audio file libsndfile can read ({_reason(e)})") from None


def _reason(e: Exception) -> str:
    # LibsndfileError's str() repeats the path; its error_string is libsndfile's own reason.
    return str(getattr(e, "error_string", "") or e).rstrip(".")


def _check_complete(path: Path) -> str | None:
    """Refuse a file whose samples stop before its header says (any container that declares a
    length: :mod:`audiobench.declared_length`); libsndfile reads such a file up to where it
    stops, so a cut-off copy would be measured as if it were the recording. Returns a note when
    the header's size is a streaming writer's placeholder and the file is read to its end."""
    d = declared_length.declared(path)
    if d is None:
        return None
    if d.truncated:
        raise UserAudioError(
            f"{path}: is truncated: its {d.container} header declares {d.declared} {d.unit} of samples, "
            f"the file holds {d.present}"
        )
    if d.declared is None:
        return (
            f"{path}: its {d.container} header leaves the length open ({d.placeholder:#x}, a streaming "
            f"writer's placeholder): read to the end of the file, {d.present} {d.unit} of samples"
        )
    return None


def _check_finite(path: Path, audio: signals.F32) -> None:
    bad = ~np.isfinite(audio)
    if not bad.any():
        return
    frame = int(np.flatnonzero(bad.any(axis=0))[0])
    channel = int(np.flatnonzero(bad[:, frame])[0])
    count = int(bad.sum())
    raise UserAudioError(
        f"{path}: sample {frame} of channel {channel} is {audio[channel, frame]} "
        f"({count} non-finite sample{'s' if count > 1 else ''} in all): the JSON tier cannot carry "
        "NaN or ±inf and the other tiers spread them differently, so only finite samples are measured"
    )
