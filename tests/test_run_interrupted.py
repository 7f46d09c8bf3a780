"""Killing ``audiobench run`` part-way: Ctrl-C (SIGINT) and SIGKILL leave every earlier run file
and the last report exactly as they were, and no partial run file that any reader would take.

A run writes its file once, atomically, at the end; these tests check that promise from the
outside, on a real run killed while it is measuring.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from audiobench.atomic import is_temporary
from audiobench.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Ten small cases (~15 s in all); the run is killed as the second one starts, well before the end.
RUN = ("run", "--ops", "vad,convert", "--tiers", "rust-direct,python", "--no-cold", "--time-budget", "30")
MEASURING = "case 2/"


def report(ws: Path) -> int:
    dirs = ["--data-dir", ws / "data", "--criterion-dir", ws / "criterion", "--asv-results", ws / "asv"]
    return main(["report", *map(str, dirs), "--out-dir", str(ws / "reports")])


def files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An earlier run file (the fixture) and the report made from it and the other tools' results."""
    ws = tmp_path_factory.mktemp("interrupted") / "ws"
    shutil.copytree(FIXTURES, ws)
    assert report(ws) == 0
    assert (ws / "reports" / "report.md").is_file() and (ws / "reports" / "report.html").is_file()
    return ws


@pytest.fixture
def ws(earlier: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(earlier, copy)
    return copy


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_killed_while_measuring(ws: Path, sig: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start a run into ``ws``'s runs directory; once it reports measuring its second case, send
    ``sig``. The runner logs one line per case on stderr when stderr is not a terminal."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "audiobench", *RUN, "--out-dir", str(ws / "data" / "runs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a shell that started the tests in the background
        # (`make test &`) leaves SIGINT ignored, and the child would inherit that.
        preexec_fn=_default_sigint,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if MEASURING in line:
                proc.send_signal(sig)
                break
        out, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = "".join(seen) + rest
    assert any(MEASURING in line for line in seen), f"the run never started measuring: {err}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_earlier_results_intact(ws: Path, before: dict[Path, bytes]) -> None:
    after = files(ws)
    new = sorted(set(after) - set(before))
    # A writer killed between its temporary file and the rename leaves the temporary file;
    # nothing else may appear, and nothing earlier may change.
    assert all(is_temporary(p) for p in new), f"a partial run file was left: {new}"
    assert {p: after[p] for p in before} == before, "an earlier run file or the last report changed"
    runs = [p for p in (ws / "data" / "runs").iterdir() if p.suffix == ".json"]
    assert [p.name for p in runs] == ["20261121T174757Z-4867247c3406.json"]
    for p in runs:
        assert json.loads(p.read_text(encoding="utf-8"))["schema"] == "audiobench.run/2"
    # And the directory is still one the report reads: whatever was left behind is ignored.
    assert report(ws) == 0


def test_ctrl_c_stops_the_run_cleanly(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    r = run_killed_while_measuring(ws, signal.SIGINT)
    assert r.returncode == 130, r.stderr
    assert "audiobench run: interrupted; no run file was written" in r.stderr
    assert "Traceback" not in r.stderr and "KeyboardInterrupt" not in r.stderr
    assert "wrote" not in r.stdout
    assert_earlier_results_intact(ws, before)


def test_sigkill_leaves_earlier_results_intact(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    r = run_killed_while_measuring(ws, signal.SIGKILL)
    assert r.returncode == -signal.SIGKILL
    assert_earlier_results_intact(ws, before)
