"""The command line: smoke → report on a small operation set, and clear failures on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def audiobench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audiobench", *args], capture_output=True, text=True, timeout=600)


def test_smoke_then_report(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    smoke = audiobench("smoke", "--ops", "convert,vad", "--data-dir", str(data))
    assert smoke.returncode == 0, smoke.stderr
    doc = json.loads((data / "smoke.json").read_text())
    assert doc["schema"] == "audiobench.smoke/1"
    assert {r["op"] for r in doc["rows"]} == {"convert", "vad"}
    assert all(r["parity_ok"] for r in doc["rows"] if r["matched"])
    report = audiobench("report", "--data-dir", str(data), "--out-dir", str(out))
    assert report.returncode == 0, report.stderr
    md = (out / "report.md").read_text()
    assert "## Smoke pass" in md and "| convert | f32_i16 | ✅ |" in md
    html = (out / "report.html").read_text()
    assert html.startswith("<!doctype html>") and "http" not in html.split("<body>")[1]


def test_report_without_data_says_so(tmp_path: Path) -> None:
    r = audiobench("report", "--data-dir", str(tmp_path / "none"), "--out-dir", str(tmp_path))
    assert r.returncode == 0
    md = (tmp_path / "report.md").read_text()
    assert "No results found" in md and "| smoke pass (`audiobench smoke`) |" in md


def test_report_refuses_a_bad_file_and_names_it(tmp_path: Path) -> None:
    (tmp_path / "smoke.json").write_text('{"schema": "something/9"}')
    r = audiobench("report", "--data-dir", str(tmp_path), "--out-dir", str(tmp_path))
    assert r.returncode == 2
    assert "smoke.json" in r.stderr and "something/9" in r.stderr
    (tmp_path / "smoke.json").write_text('{"sche')
    r = audiobench("report", "--data-dir", str(tmp_path), "--out-dir", str(tmp_path))
    assert r.returncode == 2 and "not readable JSON" in r.stderr


def test_usage_errors_exit_2() -> None:
    assert audiobench("smoke", "--ops", "nope").returncode == 2
    assert audiobench("frobnicate").returncode == 2


def test_env_prints_the_fingerprint() -> None:
    r = audiobench("env", "--format", "json")
    fp = json.loads(r.stdout)
    assert {"machine_id", "cpu", "python", "packages", "rust", "git"} <= fp.keys()
    assert fp["rust"]["profile"] == "release"
