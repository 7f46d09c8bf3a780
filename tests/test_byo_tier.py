"""Tiers a user brings: examples/byo_tier installed as a package (its entry point found), and
plugins named with --impl; their rows are parity-checked, run, profiled and reported like any
tier, and a plugin that cannot be used is refused by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "byo_tier"


def _audiobench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audiobench", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example built as a wheel (its Rust crate too) and installed into a directory of its
    own, put on the path of the commands below: the development environment stays as it was."""
    root = tmp_path_factory.mktemp("byo")
    wheels, site = root / "wheels", root / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(EXAMPLE)], check=True)
    wheel = next(wheels.glob("byo_tier-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    return {"PYTHONPATH": str(site)}


def test_the_installed_example_is_found_through_its_entry_point(installed: dict[str, str]) -> None:
    r = _audiobench("list", "--op", "convert", "--format", "json", env=installed)
    assert r.returncode == 0, r.stderr
    rows = {(row["variant"], row["tier"]) for row in json.loads(r.stdout)}
    assert {("f32_i16", "byo-rust"), *((v, "byo-python") for v in ("f32_i16", "i16_f32", "f32_i32", "i16_i32"))} <= rows


def test_its_rows_are_run_with_parity_then_reported(installed: dict[str, str], tmp_path: Path) -> None:
    runs = tmp_path / "data" / "runs"
    r = _audiobench(
        "run", "--ops", "convert", "--tiers", "python,byo-python,byo-rust", "--no-cold", "--time-budget", "2",
        "--out-dir", str(runs), "--format", "json", env=installed,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(next(runs.glob("*.json")).read_text())
    rows = {(c["variant"], c["size"], row["row"]): row for c in doc["cases"] for row in c["rows"]}
    assert rows[("f32_i16", "1M", "byo-rust")]["parity"]["ok"] is True
    assert all(rows[(v, "1M", "byo-python")]["parity"]["ok"] for v in ("f32_i16", "i16_f32", "f32_i32", "i16_i32"))
    assert ("i16_f32", "1M", "byo-rust") not in rows  # a tier runs what it declares, nothing more
    out = tmp_path / "report"
    r = _audiobench("report", "--data-dir", str(tmp_path / "data"), "--criterion-dir", str(tmp_path / "none"),
                    "--asv-results", str(tmp_path / "none"), "--out-dir", str(out), env=installed)  # fmt: skip
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    assert "byo-rust" in md and "byo-python" in md


def test_its_python_tier_is_profiled_end_to_end(installed: dict[str, str], tmp_path: Path) -> None:
    r = _audiobench(
        "profile", "--ops", "convert", "--tiers", "byo-python", "--budget-ms", "20", "--format", "json",
        "--out-dir", str(tmp_path), env=installed,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    entries = [e for e in doc["entries"] if e["tier"] == "byo-python"]
    assert len(entries) == 4
    assert all(e["stages"][0]["name"] == "the whole call (no staged form)" for e in entries)


def test_a_plugin_named_on_the_command_line_that_is_wrong_fails_parity(tmp_path: Path) -> None:
    r = _audiobench(
        "run", "--impl", "tests.plugins.wrong_convert:tiers", "--ops", "convert", "--tiers", "python,rounding",
        "--no-cold", "--time-budget", "1", "--out-dir", str(tmp_path), "--format", "json",
    )  # fmt: skip
    assert r.returncode == 1 and "PARITY FAILURE convert/f32_i16 1M rounding" in r.stderr, r.stderr
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())  # written all the same
    rounding = [row for c in doc["cases"] for row in c["rows"] if row["row"] == "rounding"]
    assert rounding and all(row["parity"]["ok"] is False for row in rounding)
    assert "differing bytes" in rounding[0]["parity"]["detail"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("tests.plugins.wrong_convert:unknown_operation", "unknown operation 'gain'"),
        ("tests.plugins.wrong_convert:taken_name", "tier name 'rust-direct' is taken"),
        ("tests.plugins.wrong_convert:not_entries", "returned a int"),
        ("tests.plugins.wrong_convert:missing", "has no 'missing'"),
        ("tests.plugins.no_such_module:tiers", "cannot import"),
        ("tests.plugins.wrong_convert", "expected module:callable"),
    ],
)
def test_an_unusable_plugin_is_refused_by_name(ref: str, message: str) -> None:
    r = _audiobench("list", "--impl", ref)
    assert r.returncode == 2
    assert ref.split(":")[0] in r.stderr and message in r.stderr, r.stderr
