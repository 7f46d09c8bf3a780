"""The interleaved runner: run files, statistics, user audio, and refusing bad requests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from audiobench import stats
from audiobench.catalogue import load as load_catalogue
from audiobench.documents import run as runfile
from audiobench.signals import speech_like


def audiobench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audiobench", *args], capture_output=True, text=True, timeout=600)


FAST = ("--no-cold", "--time-budget", "1")


def test_run_writes_a_complete_run_file_and_never_overwrites(tmp_path: Path) -> None:
    args = ("run", "--ops", "convert", "--tiers", "python,rust-direct,limit:read,limit:memcpy", *FAST)
    first = audiobench(*args, "--out-dir", str(tmp_path), "--format", "json")
    assert first.returncode == 0, first.stderr
    second = audiobench(*args, "--out-dir", str(tmp_path), "--format", "json")
    assert second.returncode == 0, second.stderr
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 2, "a second run must not overwrite the first"
    doc = runfile.read(files[0])
    assert json.loads(first.stdout)["run_file"] in {str(f) for f in files}
    cases = {(c["op"], c["variant"], c["size"]) for c in doc["cases"]}
    assert ("convert", "f32_i16", "1M") in cases and ("convert", "i16_i32", "100000") in cases
    case = doc["cases"][0]
    rows = {r["row"]: r for r in case["rows"]}
    assert set(rows) == {"python", "rust-direct", "limit:read", "limit:memcpy"}
    direct = rows["rust-direct"]
    assert direct["parity"]["ok"] is True and len(direct["samples_s"]) == case["rounds"] >= 8
    s = direct["stats_s"]
    assert s["ci_low"] <= s["median"] <= s["ci_high"] and s["min"] <= s["median"] <= s["max"]
    assert {(r["a"], r["b"]) for r in case["ratios"]} >= {("python", "rust-direct"), ("rust-direct", "python")}
    assert "limit:read" in direct["pct_of_limit"]
    assert doc["environment"]["rust"]["profile"] == "release" and doc["allocation_policy"]


def test_user_audio_replaces_the_generated_input(tmp_path: Path) -> None:
    wav = tmp_path / "mine.wav"
    soundfile.write(wav, speech_like(1.2, 2, 5).T, 44_100, subtype="PCM_16")
    r = audiobench(
        "run",
        "--audio",
        str(wav),
        "--ops",
        "vad,resample",
        "--tiers",
        "python,rust-direct",
        *FAST,
        "--out-dir",
        str(tmp_path / "runs"),
    )
    assert r.returncode == 0, r.stderr
    doc = runfile.read(next((tmp_path / "runs").glob("*.json")))
    assert {c["source"] for c in doc["cases"]} == {str(wav)}
    assert {c["size"] for c in doc["cases"]} == {"1.2s"}


def test_bad_requests_exit_2_and_say_why(tmp_path: Path) -> None:
    r = audiobench("run", "--audio", str(tmp_path / "missing.wav"), *FAST)
    assert r.returncode == 2 and "missing.wav" in r.stderr
    other_rate = tmp_path / "48k.wav"
    soundfile.write(other_rate, np.zeros((4800, 1), np.float32), 48_000)
    r = audiobench("run", "--audio", str(other_rate), "--ops", "resample", *FAST)
    assert r.returncode == 2 and "48k.wav" in r.stderr and "44100" in r.stderr
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("hello")
    r = audiobench("run", "--audio", str(not_audio), *FAST)
    assert r.returncode == 2 and "notes.wav" in r.stderr
    assert audiobench("run", "--tiers", "rust-fastest", *FAST).returncode == 2
    assert audiobench("run", "--ops", "fft", *FAST).returncode == 2


def test_median_ci_contains_the_median_and_narrows_with_agreement() -> None:
    rng = np.random.default_rng(0)
    wide = stats.summarize(rng.normal(1.0, 0.2, 30))
    narrow = stats.summarize(rng.normal(1.0, 0.01, 30))
    assert wide.ci_low <= wide.median <= wide.ci_high
    assert (narrow.ci_high - narrow.ci_low) < (wide.ci_high - wide.ci_low)
    same = stats.summarize([2.0] * 10)
    assert (same.ci_low, same.median, same.ci_high, same.cv) == (2.0, 2.0, 2.0, 0.0)


def test_paired_ratio_cancels_shared_drift() -> None:
    drift = np.linspace(1.0, 3.0, 20)  # both rows slow down together
    r = stats.paired_ratio("a", 2.0 * drift, "b", drift)
    assert r.median == pytest.approx(2.0) and r.ci_low == pytest.approx(2.0) and r.ci_high == pytest.approx(2.0)
    with pytest.raises(ValueError, match="unpaired"):
        stats.paired_ratio("a", [1.0, 2.0], "b", [1.0])


def test_exported_inputs_match_the_runner_checksums(tmp_path: Path) -> None:
    import hashlib

    r = audiobench("inputs", "--suite", "quick", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "quick" / "manifest.json").read_text())
    cat = load_catalogue()
    assert len(manifest["cases"]) == sum(
        len(op.variants) * len(op.sizes_for("quick")) for op in cat.operations.values()
    )
    for case in manifest["cases"]:
        data = (tmp_path / "quick" / case["file"]).read_bytes()
        if case["kind"] == "stream":
            data += (tmp_path / "quick" / case["owners_file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:16] == case["checksum"], case
