"""``audiobench run --audio FILE``: every kind of bad file is refused naming it and the reason;
every readable format, layout and rate is read exactly and runs with parity checked.

Every file is written here, in a temporary directory, with ``wave`` (exact integer PCM bytes),
soundfile (float subtypes, many channels, odd rates) or by hand (broken files).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from audiobench import _rust, cli, operations, user_audio
from audiobench.catalogue import Catalogue
from audiobench.documents import run as runfile
from audiobench.operations import normalize
from audiobench.runner import build_plan
from audiobench.signals import speech_like
from audiobench.tiers import Registry

from .conftest import reference

RATE = 44_100
TINY_RUN = ("--tiers", "python,rust-direct", "--no-cold", "--time-budget", "0.2", "--format", "json")


def _audio(seconds: float, channels: int, rate: int = RATE) -> npt.NDArray[np.float32]:
    """Interleaved ``(frames, channels)`` audio, as soundfile writes it: speech-like at audio
    rates, seeded noise at rates too low for syllables."""
    frames = round(seconds * rate)
    if rate < 8_000 or frames == 0:
        noise = np.random.default_rng(3).uniform(-0.5, 0.5, (frames, channels))
        return noise.astype(np.float32)
    return np.ascontiguousarray(speech_like(seconds, channels, 3, rate).T)


def _write(path: Path, seconds: float = 0.1, channels: int = 2, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    soundfile.write(path, _audio(seconds, channels, rate), rate, subtype=subtype)
    return path


def _write_pcm(path: Path, width: int, codes: list[int], channels: int = 1, rate: int = RATE) -> Path:
    """A WAV of exact integer codes (8-bit codes are unsigned, as WAV stores them)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"".join(c.to_bytes(width, "little", signed=width > 1) for c in codes))
    return path


def _with_sample(path: Path, value: float, frame: int, channel: int) -> Path:
    audio = _audio(0.1, 2).copy()
    audio[frame, channel] = value
    soundfile.write(path, audio, RATE, subtype="FLOAT")
    return path


def _cut(path: Path, keep: int) -> Path:
    whole = _write(path.with_suffix(".whole.wav"), 0.1).read_bytes()
    path.write_bytes(whole[:keep])
    return path


def run(capsys: pytest.CaptureFixture[str], audio: Path, *args: str) -> tuple[int, str, str]:
    """``audiobench run --audio`` in this process (each run in its own output directory)."""
    code = cli.main(["run", "--audio", str(audio), "--out-dir", str(audio.parent / f"runs-{audio.name}"), *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- refused: exit 2, the file and the reason on stderr ------------------------------------

Maker = Callable[[Path], Path]


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _unreadable(path: Path) -> Path:
    _write(path).chmod(0)
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


BAD_FILES: dict[str, tuple[str, Maker, tuple[str, ...], str]] = {
    # name: (file name, how to make it, --ops, what stderr must say)
    "missing": ("missing.wav", lambda p: p, (), "no such file"),
    "directory": ("folder.wav", _directory, (), "is a directory"),
    "fifo": ("pipe.wav", _fifo, (), "not a regular file"),
    "unreadable": ("locked.wav", _unreadable, (), "Permission denied"),
    "empty": ("empty.wav", lambda p: (p.write_bytes(b""), p)[1], (), "is empty (0 bytes)"),
    "text": ("notes.wav", lambda p: (p.write_text("not audio\n"), p)[1], (), "Format not recognised"),
    "truncated in fmt": ("cut20.wav", lambda p: _cut(p, 20), (), "Malformed 'fmt ' chunk"),
    "truncated before data": ("cut30.wav", lambda p: _cut(p, 30), (), "No 'data' chunk"),
    "truncated in data": (
        "cut1000.wav",
        lambda p: _cut(p, 1000),
        (),
        "is truncated: its WAVE header declares 17640 bytes",
    ),
    "header only": ("cut44.wav", lambda p: _cut(p, 44), (), "the file holds 0"),
    "zero frames pcm16": ("zero16.wav", lambda p: _write(p, 0.0), (), "holds no samples"),
    "zero frames float mono": ("zerof.wav", lambda p: _write(p, 0.0, 1, subtype="FLOAT"), (), "holds no samples"),
    "nan": ("nan.wav", lambda p: _with_sample(p, np.nan, 100, 1), (), "sample 100 of channel 1 is nan"),
    "inf": ("inf.wav", lambda p: _with_sample(p, -np.inf, 7, 0), (), "sample 7 of channel 0 is -inf"),
    "48 kHz resample": ("r48k.wav", lambda p: _write(p, rate=48_000), ("resample",), "needs 44100 Hz input"),
    "8 kHz pipeline": ("r8k.wav", lambda p: _write(p, rate=8_000), ("pipeline",), "the file is 8000 Hz"),
    "beyond 2^64 resample": (
        "big.wav",
        lambda p: _with_sample(p, -3e19, 5, 1),
        ("resample",),
        "resample takes samples of magnitude at most 2^64 (every tier refuses more), the file's largest is 3e+19",
    ),
    "beyond 2^64 pipeline": ("bigp.wav", lambda p: _with_sample(p, 1e30, 5, 0), ("pipeline",), "largest is 1e+30"),
    "65 channels resample": ("c65.wav", lambda p: _write(p, 0.05, 65), ("resample",), "the file has 65"),
    "shorter than a VAD frame": ("short.wav", lambda p: _write(p, 0.02), ("vad",), "the file holds 882"),
    "rate too low for a VAD frame": ("r10.wav", lambda p: _write(p, 2.0, rate=10), ("vad",), "holds no sample"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_exits_2_naming_the_file_and_the_reason(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file_name, make, ops, reason = BAD_FILES[name]
    if name == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    path = make(tmp_path / file_name)
    code, out, err = run(capsys, path, *(("--ops", ",".join(ops)) if ops else ()), *TINY_RUN)
    assert code == 2, err
    assert f"audiobench run: {path}: " in err and reason in err, err
    assert out == "" and not (tmp_path / f"runs-{file_name}").exists(), "a refused run must write nothing"


def test_refusal_names_every_reason_and_what_would_take_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "r8k-short.wav", 0.01, rate=8_000)
    code, _, err = run(capsys, path, "--ops", "vad,resample,convert", *TINY_RUN)
    assert code == 2
    assert "vad needs at least one 30 ms frame (240 samples at 8000 Hz), the file holds 80" in err
    assert "resample needs 44100 Hz input" in err and "operations that take it: convert" in err


def test_the_real_process_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio\n")
    r = subprocess.run(
        [sys.executable, "-m", "audiobench", "run", "--audio", str(path), *TINY_RUN],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and str(path) in r.stderr and "Traceback" not in r.stderr


# --- read exactly -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "codes", "expected"),
    [
        (1, [0x80, 0xFF, 0x00, 0xC0], [0.0, 127 / 128, -1.0, 0.5]),
        (2, [0x4000, 0x7FFF, -0x8000, 1], [0.5, 32767 / 32768, -1.0, 2**-15]),
        (3, [0x40_0000, 0x7F_FFFF, -0x80_0000, 1], [0.5, 1 - 2**-23, -1.0, 2**-23]),
        # float32 holds 24 bits: the top 32-bit codes round to 1.0
        (4, [0x4000_0000, 0x7FFF_FFFF, -0x8000_0000, 1], [0.5, 1.0, -1.0, 2**-31]),
    ],
    ids=["PCM_U8", "PCM_16", "PCM_24", "PCM_32"],
)
def test_integer_pcm_is_scaled_exactly(width: int, codes: list[int], expected: list[float], tmp_path: Path) -> None:
    user = user_audio.read(_write_pcm(tmp_path / f"{width}.wav", width, codes))
    assert user.audio.dtype == np.float32 and user.audio.shape == (1, len(codes))
    assert user.audio[0].tolist() == expected


def test_float_samples_are_taken_as_stored(tmp_path: Path) -> None:
    stored = np.array([[1.5, -2.0], [0.25, 1e-9]], dtype=np.float32)
    path = tmp_path / "float.wav"
    soundfile.write(path, stored, RATE, subtype="FLOAT")
    user = user_audio.read(path)
    assert user.subtype == "FLOAT" and np.array_equal(user.audio, stored.T)


def test_planar_layout_and_rate(tmp_path: Path) -> None:
    user = user_audio.read(_write(tmp_path / "six.wav", 0.05, 6, 48_000, "PCM_24"))
    assert user.audio.shape == (6, 2400) and user.sample_rate == 48_000 and user.audio.flags.c_contiguous
    assert not user.audio.flags.writeable


def test_resample_channel_limit_is_the_extensions() -> None:
    _rust.Resampler("high", user_audio.RESAMPLE_MAX_CHANNELS)
    with pytest.raises(_rust.AudioError, match="at most 64 channels"):
        _rust.Resampler("high", user_audio.RESAMPLE_MAX_CHANNELS + 1)


# --- handled: the run completes, records the file, parity is checked ----------------------

Handled = tuple[str, Maker, tuple[str, ...], set[str]]
HANDLED: dict[str, Handled] = {
    # name: (file name, how to make it, --ops, operations the run file must hold)
    "PCM_U8 mono": ("u8.wav", lambda p: _write(p, 0.2, 1, subtype="PCM_U8"), ("vad",), {"vad"}),
    "PCM_16 stereo": ("s16.wav", lambda p: _write(p, 0.2), ("vad",), {"vad"}),
    "PCM_24": ("s24.wav", lambda p: _write(p, 0.2, subtype="PCM_24"), ("vad",), {"vad"}),
    "PCM_32": ("s32.wav", lambda p: _write(p, 0.2, subtype="PCM_32"), ("vad",), {"vad"}),
    "FLOAT": ("f32.wav", lambda p: _write(p, 0.2, subtype="FLOAT"), ("vad",), {"vad"}),
    "DOUBLE": ("f64.wav", lambda p: _write(p, 0.2, subtype="DOUBLE"), ("vad",), {"vad"}),
    "6 channels, every operation": (
        "six.wav",
        lambda p: _write(p, 0.1, 6),
        ("vad", "resample", "pipeline", "convert"),
        {"vad", "resample", "pipeline", "convert"},
    ),
    "48 kHz vad and convert": (
        "r48k.wav",
        lambda p: _write(p, 0.2, rate=48_000),
        ("vad", "convert"),
        {"vad", "convert"},
    ),
    # No --ops: the operations that cannot take the file are left out with a note.
    "8 kHz, default operations": ("r8k.wav", lambda p: _write(p, 0.2, rate=8_000), (), {"vad", "convert"}),
    # Every tier's VAD finds no whole frame: no flags, and the pipeline still resamples.
    "shorter than a VAD frame, pipeline": ("short.wav", lambda p: _write(p, 0.02), ("pipeline",), {"pipeline"}),
}


def _tier_parity(doc: dict[str, Any]) -> set[Any]:
    return {r["parity"]["ok"] for c in doc["cases"] for r in c["rows"] if r["kind"] == "tier"}


@pytest.mark.parametrize("name", list(HANDLED))
def test_a_readable_file_runs_with_parity_and_records_its_source(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file_name, make, ops, expected_ops = HANDLED[name]
    path = make(tmp_path / file_name)
    code, out, err = run(capsys, path, *(("--ops", ",".join(ops)) if ops else ()), *TINY_RUN)
    assert code == 0, err
    doc = runfile.read(Path(json.loads(out)["run_file"]))
    assert {c["op"] for c in doc["cases"]} == expected_ops
    assert {c["source"] for c in doc["cases"]} == {str(path)}
    assert _tier_parity(doc) == {True}, "every tier must match on the user's file"
    if not ops:  # the default selection: what the file cannot take is left out, and said so
        for op in {"resample", "pipeline", "vad", "convert"} - expected_ops:
            assert f"{path}: left out of this run: {op} " in err, err


@pytest.mark.parametrize(
    ("file_name", "channels", "rate", "ops"),
    [("six.wav", 6, RATE, ("vad", "resample", "pipeline", "convert")), ("mono48k.wav", 1, 48_000, ("vad",))],
    ids=["6 channels", "mono 48 kHz"],
)
def test_every_tier_takes_the_file_and_matches(
    file_name: str, channels: int, rate: int, ops: tuple[str, ...], tmp_path: Path, catalogue: Catalogue, reg: Registry
) -> None:
    """The runner above times two tiers; here every tier and the peer run once on the file's
    cases (at the file's own rate) and every matched tier's output is checked."""
    path = _write(tmp_path / file_name, 0.1, channels, rate)
    plans = build_plan(catalogue, reg, "quick", list(ops), None, path)
    assert {p.op for p in plans} == set(ops)
    for plan in plans:
        ref_op, ref_variant = ("vad", "default") if plan.op == "pipeline" else (plan.op, plan.variant)
        ref = None if plan.op == "resample" else reference(ref_op, ref_variant, plan.case)
        for row in plan.rows:
            if row.impl is None:
                continue
            out = row.impl.prepare(plan.case)()
            if row.impl.matched:
                verdict = operations.check(
                    plan.op, plan.variant, row.name, plan.case, normalize(plan.op, plan.variant, out), ref
                )
                assert verdict.ok, f"{plan.op}/{plan.variant} {row.name}: {verdict.detail}"


def test_what_a_file_run_leaves_out_is_said(tmp_path: Path, catalogue: Catalogue, reg: Registry) -> None:
    """Operations that take no audio file (base64 chunks) and python-pure beyond its length cap
    are not silently missing: the run's notes say so, with the reason."""
    path = _write(tmp_path / "long.wav", 2.5, 2)
    notes: list[str] = []
    plans = build_plan(catalogue, reg, "quick", None, None, path, notes)
    assert "b64_buffer" not in {p.op for p in plans}
    assert not any(r.name == "python-pure" for p in plans for r in p.rows)
    assert any("b64_buffer left out" in n for n in notes), notes
    assert sum("python-pure left out" in n for n in notes) == 1, notes
    short_notes: list[str] = []
    plans = build_plan(catalogue, reg, "quick", None, None, _write(tmp_path / "short.wav", 0.5, 2), short_notes)
    with_pure = {p.op for p in plans if any(r.name == "python-pure" for r in p.rows)}
    assert "vad" in with_pure and "convert" not in with_pure  # a short file's audio runs it; samples do not
    [pure] = [n for n in short_notes if "python-pure" in n]
    assert "left out of convert (" in pure, pure


def test_a_report_on_a_file_run_names_the_file_and_its_speech_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On speech, the share of frames flagged as speech is the number a reader checks first: the
    run's console says it, and the report on that run names the file and shows it per tier."""
    path = _write(tmp_path / "speech.wav", 1.0, 2)
    code, out, err = run(capsys, path, "--ops", "vad", "--tiers", "python,rust-direct", "--no-cold",
                         "--time-budget", "0.2")  # fmt: skip
    assert code == 0, err
    shown = re.search(r"frames flagged as speech: (\d+\.\d) %", out)
    assert shown is not None, out
    runs = tmp_path / f"runs-{path.name}"
    doc = runfile.read(next(runs.glob("*.json")))
    (case,) = doc["cases"]
    ratio = {r["row"]: r["parity"]["metrics"]["speech_ratio"] for r in case["rows"] if r["kind"] == "tier"}
    assert set(ratio) == {"python", "rust-direct"} and len(set(ratio.values())) == 1
    assert shown[1] == f"{100 * ratio['python']:.1f}"
    assert cli.main(["report", "--data-dir", str(runs), "--out-dir", str(tmp_path / "report")]) == 0
    md = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert f"your audio file `{path}`" in md
    vad = md[md.index("## Energy VAD") :]
    assert f"| {100 * ratio['python']:.1f} % |" in vad
