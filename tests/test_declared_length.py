"""Files whose header and contents disagree on their length: refused when cut short, in every
container that declares a length; read to the end, with a note, when a streaming writer left the
length open. Two of the files are the ones found by hand (`tests/fixtures/audio/`)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from audiobench import cli, user_audio
from audiobench.declared_length import declared

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
RATE = 44_100
FORMATS = [
    ("WAV", "PCM_16", "WAVE"),
    ("WAVEX", "PCM_24", "WAVE"),
    ("RF64", "FLOAT", "RF64"),
    ("W64", "PCM_16", "Wave64"),
    ("AIFF", "PCM_16", "AIFF"),
    ("AU", "PCM_16", "AU"),
    ("CAF", "PCM_16", "CAF"),
    ("FLAC", "PCM_16", "FLAC"),
]


def _write(path: Path, fmt: str, subtype: str, frames: int = 4410) -> Path:
    audio = (np.random.default_rng(1).uniform(-0.5, 0.5, (frames, 2))).astype(np.float32)
    soundfile.write(path, audio, RATE, format=fmt, subtype=subtype)
    return path


def _run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = ["--ops", "vad", "--tiers", "python", "--no-cold", "--time-budget", "0.2", "--format", "json"]
    code = cli.main(["run", "--audio", str(path), *args, "--out-dir", str(path.parent / "runs")])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("fmt", "subtype", "container"), FORMATS, ids=[f[0] for f in FORMATS])
def test_a_whole_file_declares_what_it_holds(fmt: str, subtype: str, container: str, tmp_path: Path) -> None:
    d = declared(_write(tmp_path / f"whole.{fmt.lower()}", fmt, subtype))
    assert d is not None and d.container == container
    assert d.declared == d.present and not d.truncated


@pytest.mark.parametrize(("fmt", "subtype", "container"), FORMATS, ids=[f[0] for f in FORMATS])
def test_a_file_cut_short_is_refused_in_every_container(
    fmt: str, subtype: str, container: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = _write(tmp_path / f"whole.{fmt.lower()}", fmt, subtype).read_bytes()
    cut = tmp_path / f"cut.{fmt.lower()}"
    cut.write_bytes(whole[: len(whole) * 3 // 4])
    d = declared(cut)
    assert d is not None and d.truncated, d
    code, err = _run(cut, capsys)
    assert code == 2 and f"{cut}: is truncated: its {container} header declares" in err, err


def test_the_rf64_file_cut_after_230_frames_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(FIXTURES / "rf64_cut_short.wav", capsys)
    assert code == 2 and "its RF64 header declares 176400 bytes of samples, the file holds 920" in err, err


def test_a_complete_file_with_a_placeholder_length_is_read_whole(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "complete_unknown_length.wav"
    user = user_audio.read(path)
    assert user.frames == 44_100 and user.channels == 2
    assert "leaves the length open (0x7ffff000" in user.notes[0] and "176400 bytes" in user.notes[0]


def _patch(path: Path, offset: int, fmt: str, value: int) -> Path:
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path.write_bytes(bytes(data))
    return path


def _find(path: Path, tag: bytes) -> int:
    return path.read_bytes().index(tag)


Placeholder = Callable[[Path], Path]
PLACEHOLDERS: dict[str, tuple[str, str, Placeholder]] = {
    # name: (format, subtype, how the streaming writer left the size)
    "WAVE all ones": ("WAV", "PCM_16", lambda p: _patch(p, _find(p, b"data") + 4, "<I", 0xFFFF_FFFF)),
    "WAVE all ones − 36": ("WAV", "PCM_16", lambda p: _patch(p, _find(p, b"data") + 4, "<I", 0xFFFF_FFFF - 36)),
    "WAVE sox 0x7ffff000": ("WAV", "PCM_16", lambda p: _patch(p, _find(p, b"data") + 4, "<I", 0x7FFF_F000)),
    "AU unknown": ("AU", "PCM_16", lambda p: _patch(p, 8, ">I", 0xFFFF_FFFF)),
}
# Placeholders libsndfile itself does not read: refused with its own reason, never measured.
UNREADABLE_PLACEHOLDERS: dict[str, tuple[str, str, Placeholder, str]] = {
    "RF64 ds64 all ones": (
        "RF64",
        "FLOAT",
        lambda p: _patch(p, _find(p, b"ds64") + 16, "<Q", 2**64 - 1),
        "libsndfile can read",
    ),
    "CAF to the end": ("CAF", "PCM_16", lambda p: _patch(p, _find(p, b"data") + 4, ">q", -1), "libsndfile can read"),
    # A data chunk of size 0 followed by bytes: libsndfile reads no frames from it.
    "WAVE 0": ("WAV", "PCM_16", lambda p: _patch(p, _find(p, b"data") + 4, "<I", 0), "holds no samples"),
}


@pytest.mark.parametrize("name", list(PLACEHOLDERS))
def test_a_streaming_placeholder_is_read_to_the_end_with_a_note(name: str, tmp_path: Path) -> None:
    fmt, subtype, patch = PLACEHOLDERS[name]
    path = patch(_write(tmp_path / f"stream.{fmt.lower()}", fmt, subtype))
    d = declared(path)
    assert d is not None and d.declared is None and not d.truncated, d
    user = user_audio.read(path)
    assert user.frames == 4410, name
    assert "a streaming writer's placeholder" in user.notes[0]


@pytest.mark.parametrize("name", list(UNREADABLE_PLACEHOLDERS))
def test_a_placeholder_libsndfile_cannot_read_is_refused_with_its_reason(name: str, tmp_path: Path) -> None:
    fmt, subtype, patch, reason = UNREADABLE_PLACEHOLDERS[name]
    path = patch(_write(tmp_path / f"stream.{fmt.lower()}", fmt, subtype))
    with pytest.raises(user_audio.UserAudioError, match=reason):
        user_audio.read(path)


def test_containers_without_a_declared_length_are_read_as_they_are(tmp_path: Path) -> None:
    assert declared(_write(tmp_path / "a.ogg", "OGG", "VORBIS")) is None
