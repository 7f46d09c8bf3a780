"""Other tools' result directories as they really are: an asv history whose older results were
run when a benchmark had fewer parameters, and criterion or pytest-benchmark output that also
holds another project's benchmarks. Every file is read by its own layout; nothing that is not
audiobench's becomes a row."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from audiobench.collect import asv, criterion, pytest_benchmark

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVOLUTION = FIXTURES / "asv_param_evolution"
OLD = EVOLUTION / "vm" / "a0e86a6e-virtualenv-py3.11.json"


def test_older_asv_results_with_fewer_parameters_are_named_from_their_values() -> None:
    # The older file's time_vad has params [tier, size]; benchmarks.json today names three.
    old = json.loads(OLD.read_text())
    assert len(old["results"]["bench_vad.Vad.time_vad"][1]) == 2
    bench = json.loads((EVOLUTION / "benchmarks.json").read_text())
    assert bench["bench_vad.Vad.time_vad"]["param_names"] == ["variant", "tier", "size"]
    df = asv.read(EVOLUTION)
    vad = df[(df["operation"] == "vad") & (df["commit"].str.startswith("a0e86a6e")) & (df["metric"] == "time")]
    assert set(vad["variant"]) == {"default"} and {"rust-direct", "python-pure"} <= set(vad["tier"])
    assert {"frame", "1s", "33s"} <= set(vad["size"])
    newer = df[df["commit"].str.startswith("529a3589")]
    assert not newer.empty, "the newer file, with today's parameters, is read as before"


def test_the_report_renders_the_asv_history(tmp_path: Path) -> None:
    none = str(tmp_path / "none")
    args = ["--data-dir", none, "--criterion-dir", none, "--asv-results", str(EVOLUTION), "--out-dir", str(tmp_path)]
    r = subprocess.run(
        [sys.executable, "-m", "audiobench", "report", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    history = (tmp_path / "report.md").read_text().split("## History over commits (asv)")[1]
    assert "a0e86a6e" in history and "529a3589" in history and "| vad/default 33s | rust-direct |" in history


def test_another_crates_criterion_benchmarks_are_not_ours(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "criterion", tmp_path / "c")
    theirs = tmp_path / "c" / "parse_json" / "serde" / "1M" / "new"
    ours = next((tmp_path / "c").rglob("new"))
    shutil.copytree(ours, theirs)
    meta = json.loads((theirs / "benchmark.json").read_text())
    meta.update(group_id="parse/json", function_id="serde", value_str="1M")
    (theirs / "benchmark.json").write_text(json.dumps(meta))
    result = criterion.collect(tmp_path / "c")
    assert {r["operation"] for r in result.rows} == {"convert"}
    assert "not in audiobench-inputs.json skipped" in result.summary()["note"]
    (tmp_path / "c" / criterion.SIDECAR).unlink()  # without the record, the catalogue decides
    assert {r["operation"] for r in criterion.collect(tmp_path / "c").rows} == {"convert"}


def test_another_projects_pytest_benchmarks_are_not_ours(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "data" / "pytest-benchmark.json").read_text())
    stranger = json.loads(json.dumps(doc["benchmarks"][0]))
    stranger.update(name="test_parse[fast/json/x/y]", fullname="tests/test_parse.py::test_parse[fast/json/x/y]")
    stranger["extra_info"] = {}
    look_alike = json.loads(json.dumps(doc["benchmarks"][0]))
    look_alike["extra_info"] = {**look_alike["extra_info"], "op": "tokenize", "tier": "fast"}
    doc["benchmarks"] += [stranger, look_alike]
    path = tmp_path / "pytest-benchmark.json"
    path.write_text(json.dumps(doc))
    rows, notes = pytest_benchmark.rows(path)
    assert {r["operation"] for r in rows} <= {"convert", "vad", "resample", "b64_buffer", "pipeline"}
    assert "test_parse[fast/json/x/y]" in notes[0]
