"""The command line: the smoke pass, usage errors and the environment fingerprint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def audiobench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audiobench", *args], capture_output=True, text=True, timeout=600)


def test_smoke_writes_parity_for_the_chosen_operations(tmp_path: Path) -> None:
    data = tmp_path / "data"
    smoke = audiobench("smoke", "--ops", "convert,vad", "--data-dir", str(data))
    assert smoke.returncode == 0, smoke.stderr
    doc = json.loads((data / "smoke.json").read_text())
    assert doc["schema"] == "audiobench.smoke/1"
    assert {r["op"] for r in doc["rows"]} == {"convert", "vad"}
    assert all(r["parity_ok"] for r in doc["rows"] if r["matched"])


def test_usage_errors_exit_2() -> None:
    assert audiobench("smoke", "--ops", "nope").returncode == 2
    assert audiobench("frobnicate").returncode == 2


def test_env_prints_the_fingerprint() -> None:
    r = audiobench("env", "--format", "json")
    fp = json.loads(r.stdout)
    assert {"machine_id", "cpu", "python", "packages", "rust", "git"} <= fp.keys()
    assert fp["rust"]["profile"] == "release"


def test_a_closed_output_pipe_ends_the_command_quietly() -> None:
    import subprocess
    import sys

    # `audiobench list | head -0`: the reader is gone before the command has started writing.
    proc = subprocess.Popen(
        [sys.executable, "-m", "audiobench", "list", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
