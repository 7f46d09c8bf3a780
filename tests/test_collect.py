"""The collectors: each tool's real output (trimmed copies in tests/fixtures) → the tidy table."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from audiobench.collect import CollectError, asv, collect, criterion, profiler, pytest_benchmark, runner, write_results
from audiobench.collect.names import size_label
from audiobench.collect.schema import COLUMNS, SOURCES, read

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = FIXTURES / "data"
RUN = DATA / "runs" / "20261121T174757Z-4867247c3406.json"
PROFILE = DATA / "profiles" / "20261121T185423Z-be188b9e4806.json"
PYTEST_BENCHMARK = DATA / "pytest-benchmark.json"
CRITERION = FIXTURES / "criterion"
ASV = FIXTURES / "asv"
ASV_RESULT = ASV / "vm" / "529a3589-existing-py_work_main_.venv_bin_python.json"
CASE = {"operation": "convert", "variant": "f32_i16", "size": "1M"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def one(df: pd.DataFrame, **where: Any) -> pd.Series:
    """The single row matching ``where`` (None matches a missing value)."""
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column].isna() if value is None else (df[column] == value).fillna(False)
    rows = df[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("1000000", "1M"),
        ("'1M'", "1M"),
        ("100000", "100000"),
        ("1.0s", "1s"),
        ("2.5s", "2.5s"),
        ("'frame'", "frame"),
        ("2564ch-8calls-2thr", "2564ch-8calls-2thr"),
    ],
)
def test_sizes_are_spelled_as_the_catalogue_labels_them(raw: str, label: str) -> None:
    assert size_label(raw) == label


# -- one reader each -------------------------------------------------------------------------


def test_criterion_reads_seconds_and_ids_from_benchmark_json() -> None:
    df = criterion.read(CRITERION)
    new = CRITERION / "convert_f32_i16" / "rust-direct" / "1M" / "new"
    estimates = load(new / "estimates.json")
    median = one(df, **CASE, tier="rust-direct", statistic="median")
    assert median["value"] == pytest.approx(estimates["median"]["point_estimate"] / 1e9, rel=1e-12)
    assert median["ci_low"] == pytest.approx(estimates["median"]["confidence_interval"]["lower_bound"] / 1e9)
    assert median["ci_high"] == pytest.approx(estimates["median"]["confidence_interval"]["upper_bound"] / 1e9)
    assert median["confidence"] == estimates["median"]["confidence_interval"]["confidence_level"]
    assert median["n"] == len(load(new / "sample.json")["times"])
    assert median["unit"] == "s" and median["metric"] == "time" and median["run_id"] == "criterion"
    # criterion records neither commit nor machine: they stay missing rather than invented.
    assert pd.isna(median["commit"]) and pd.isna(median["machine_id"])
    sidecar = load(CRITERION / "audiobench-inputs.json")["benchmarks"]
    ids = {(b["group"], b["function"]): b["checksum"] for b in sidecar}
    assert median["input_checksum"] == ids[("convert/f32_i16", "rust-direct")]
    # The directory is limit_read; the id in benchmark.json is limit:read.
    assert set(df["tier"]) == {"rust-json", "rust-fast", "rust-direct", "limit:memcpy", "limit:read"}
    assert set(df["statistic"]) == {"median", "mean", "slope", "std", "median_abs_dev"}
    # Only new/ counts: base/ holds the previous measurement.
    assert not df.duplicated(["tier", "statistic"]).any()


def test_asv_maps_types_params_and_ci() -> None:
    df = asv.read(ASV)
    doc = load(ASV_RESULT)
    columns = doc["result_columns"]
    raw = dict(zip(columns, doc["results"]["bench_convert.Convert.time_convert"], strict=False))
    i = 10  # f32_i16 × rust-direct × 1M in the cartesian product (variant, tier, size)
    run_id = "529a3589-existing-py_work_main_.venv_bin_python"
    median = one(df, **CASE, tier="rust-direct", metric="time", statistic="median", run_id=run_id)
    assert median["value"] == raw["result"][i]
    assert (median["ci_low"], median["ci_high"]) == (raw["stats_ci_99_a"][i], raw["stats_ci_99_b"][i])
    assert median["confidence"] == 0.99 and median["n"] == raw["stats_repeat"][i]
    assert one(df, **CASE, tier="rust-direct", statistic="p25", run_id=run_id)["value"] == raw["stats_q_25"][i]
    assert median["commit"] == doc["commit_hash"] and median["machine_id"] == "vm"
    # asv's `date` is the commit's; the row carries when the benchmark ran.
    assert median["timestamp"] == pd.Timestamp(raw["started_at"], unit="ms", tz="UTC").isoformat(timespec="seconds")
    peak = one(df, **CASE, tier="python", metric="peak_memory", run_id=run_id)
    assert peak["unit"] == "bytes" and peak["value"] > 0
    assert one(df, operation="b64_buffer", tier="python", metric="reallocations")["value"] == 53
    # Skipped combinations (NaN) give no rows; the older vad-only result is read too.
    assert df[(df["tier"] == "python-pure") & (df["operation"] == "convert")].empty
    assert set(df["run_id"]) == {run_id, "a0e86a6e-virtualenv-py3.11"}
    assert set(df["size"]) >= {"1M", "frame", "33s", "2564ch-1calls-1thr"}


def test_pytest_benchmark_recovers_ids_and_gives_the_median_a_ci_from_raw_rounds() -> None:
    df = pytest_benchmark.read(PYTEST_BENCHMARK)
    doc = load(PYTEST_BENCHMARK)
    stats = next(b for b in doc["benchmarks"] if b["extra_info"]["tier"] == "rust-direct")["stats"]
    median = one(df, **CASE, tier="rust-direct", statistic="median")
    assert median["value"] == stats["median"] and median["n"] == stats["rounds"]
    assert median["ci_low"] <= median["value"] <= median["ci_high"] and median["confidence"] == 0.95
    assert one(df, **CASE, tier="rust-direct", statistic="std")["value"] == stats["stddev"]
    assert one(df, **CASE, tier="rust-direct", statistic="iqr")["value"] == stats["iqr"]
    assert median["commit"] == doc["commit_info"]["id"] and median["machine_id"] == doc["machine_info"]["node"]
    assert median["run_id"] == "pytest-benchmark" and median["input_checksum"] == "4106c020b00e603e"
    # Without raw rounds there is no interval to give.
    peer = one(df, operation="vad", tier="webrtcvad", statistic="median")
    assert pd.isna(peer["ci_low"]) and pd.isna(peer["confidence"])


def test_runner_rows_ratios_limits_parity_and_cold() -> None:
    df = runner.read(RUN)
    doc = load(RUN)
    case = next(c for c in doc["cases"] if (c["op"], c["size"]) == ("convert", "1M"))
    row = next(r for r in case["rows"] if r["row"] == "rust-direct")
    median = one(df, **CASE, tier="rust-direct", metric="time", statistic="median")
    assert median["value"] == row["stats_s"]["median"] and median["n"] == case["rounds"]
    assert (median["ci_low"], median["ci_high"]) == (row["stats_s"]["ci_low"], row["stats_s"]["ci_high"])
    assert median["confidence"] == doc["settings"]["bootstrap"]["confidence"]
    assert pd.isna(one(df, **CASE, tier="rust-direct", metric="time", statistic="p99")["ci_low"])
    unit = one(df, **CASE, tier="rust-direct", metric="unit_time")
    assert unit["unit"] == "µs per 1M samples" and [unit["ci_low"], unit["ci_high"]] == row["unit_ci"]
    limit = one(df, **CASE, tier="rust-direct", metric="pct_of_limit", reference="limit:read")
    assert limit["value"] == row["pct_of_limit"]["limit:read"] and limit["unit"] == "%"
    ratio = one(df, **CASE, metric="ratio", tier="rust-direct", reference="python")
    expected = next(r for r in case["ratios"] if (r["a"], r["b"]) == ("rust-direct", "python"))
    assert ratio["value"] == expected["median"] and ratio["unit"] == "ratio"
    assert (ratio["ci_low"], ratio["ci_high"]) == (expected["ci_low"], expected["ci_high"])
    assert one(df, operation="resample", tier="rust-direct", metric="snr_db")["unit"] == "dB"
    assert one(df, operation="b64_buffer", tier="python", metric="reallocations")["value"] == 53
    assert not df[(df["tier"] == "webrtcvad") & (df["metric"] == "time")].empty
    cold = one(df, operation="convert", tier="python", metric="cold_first_call")
    assert cold["size"] == "1M" and cold["n"] == 1
    assert set(df["run_id"]) == {doc["run_id"]} and set(df["machine_id"]) == {doc["environment"]["machine_id"]}
    assert set(df["timestamp"]) == {doc["created"]}


def test_interference_checks_become_rows() -> None:
    df = runner.read(RUN)
    doc = load(RUN)
    case = next(c for c in doc["cases"] if (c["op"], c["size"]) == ("convert", "1M"))
    row = next(r for r in case["rows"] if r["row"] == "python")
    solo = one(df, **CASE, tier="python", metric="solo_ratio")
    assert solo["value"] == row["solo"]["ratio"] and [solo["ci_low"], solo["ci_high"]] == row["solo"]["ratio_ci"]
    assert one(df, **CASE, tier="python", metric="solo_time")["value"] == row["solo"]["median_s"]
    share = one(df, **CASE, tier="python", metric="left_running_share")
    assert share["value"] == row["census"]["cpu_in_other_batches_share"]
    aa = one(df, **CASE, metric="aa_ratio")
    assert aa["tier"] == case["aa"]["row"] and aa["value"] == case["aa"]["ratio"]["median"]
    assert aa["confidence"] == case["aa"]["confidence"] < 1


def test_a_run_file_of_schema_1_is_read_without_checks(tmp_path: Path) -> None:
    doc = load(RUN)
    doc["schema"] = "audiobench.run/1"
    for key in ("interference", "thread_pools"):
        del doc[key]
    for case in doc["cases"]:
        del case["aa"]
        for r in case["rows"]:
            del r["solo"], r["census"]
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / RUN.name).write_text(json.dumps(doc))
    result = runner.collect(runs)
    metrics = {r["metric"] for r in result.rows}
    assert "time" in metrics and not metrics & {"solo_time", "solo_ratio", "aa_ratio", "left_running_share"}
    assert "interference" not in result.context


def test_a_failed_cold_run_is_skipped_and_noted(tmp_path: Path) -> None:
    doc = load(RUN)
    failed = doc["cold"][0]
    failed.update(import_s=None, prepare_s=None, first_call_s=None, second_call_s=None, error="exit 1: ImportError")
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / RUN.name).write_text(json.dumps(doc))
    result = runner.collect(runs)
    cold = [r for r in result.rows if r["metric"] == "cold_first_call"]
    assert len(cold) == sum(1 for c in doc["cold"] if not c["error"])
    assert "exit 1: ImportError" in result.summary()["note"]


def test_profiler_stages_parts_counters_and_attribution() -> None:
    df = profiler.read(PROFILE)
    fast = {**CASE, "tier": "rust-fast", "side": "native"}
    assert one(df, **fast, stage="copy input view → Vec", metric="instructions")["value"] == 440529
    assert one(df, **fast, stage="copy input view → Vec", metric="alloc_bytes")["unit"] == "bytes"
    part_name = "process_audio (drops the input buffer) › work (allocating kernel)"
    part = one(df, **fast, stage=part_name, metric="stage_time", statistic="median")
    assert part["unit"] == "s" and part["n"] > 0
    assert not df[df["metric"] == "stage_time"].duplicated(["tier", "side", "stage"]).any()
    doc = load(PROFILE)
    entry = next(e for e in doc["entries"] if (e["tier"], e["side"]) == ("rust-fast", "native"))
    e2e = one(df, **fast, stage=None, metric="time", statistic="median")
    assert e2e["value"] == pytest.approx(entry["e2e"]["median_ns"] * 1e-9) and e2e["n"] == entry["e2e"]["n"]
    assert one(df, **fast, stage=None, metric="peak_rss")["value"] == entry["peak_rss_kib"] * 1024
    assert one(df, **fast, stage=None, metric="glue")["value"] == entry["glue_pct"]
    # The JSON tier's executor hand-offs are not counted under callgrind: no instructions row.
    json_tier = {**CASE, "tier": "rust-json", "side": "native", "stage": "executor: hand-off in (spawn → task starts)"}
    assert df[(df["metric"] == "instructions") & (df["stage"] == json_tier["stage"])].empty
    record = next(a for a in doc["attribution"] if a["what"].startswith("JSON + async"))
    overhead = one(df, **CASE, metric="overhead", tier="rust-json", side="native")
    assert overhead["reference"] == "rust-fast"
    assert overhead["value"] == pytest.approx(record["difference"] * 1e-9)
    assert overhead["ci_low"] == pytest.approx(record["diff_ci_low"] * 1e-9)
    assert one(df, **CASE, metric="ratio", tier="rust-json", side="native")["value"] == record["ratio"]
    ffi = one(df, **CASE, metric="overhead", tier="rust-direct", side="pyo3")
    assert ffi["reference"] == "rust-direct (native-alternating)"


# -- everything together ---------------------------------------------------------------------


def test_collect_merges_every_source_into_the_schema() -> None:
    df, sources = collect(DATA, CRITERION, ASV)
    assert list(df.columns) == list(COLUMNS)
    assert {c: str(t) for c, t in df.dtypes.items()} == {c: t for c, (t, _) in COLUMNS.items()}
    assert [s["source"] for s in sources] == list(SOURCES)
    assert all(s["found"] and s["rows"] > 0 for s in sources)
    assert {s["source"]: s["rows"] for s in sources} == df["source"].value_counts().to_dict()
    # The same case, labelled identically by every tool.
    same = df[
        (df["operation"] == "convert")
        & (df["variant"] == "f32_i16")
        & (df["size"] == "1M")
        & (df["tier"] == "rust-direct")
        & (df["metric"] == "time")
        & (df["statistic"] == "median")
        & df["stage"].isna()
    ]
    # every source that times calls (the gate trials count verdicts; the stream times a server)
    assert set(same["source"]) == set(SOURCES) - {"gate-trials", "stream"}
    assert set(same["input_checksum"].dropna()) == {"4106c020b00e603e"}
    # Optional strings are NA, never empty.
    strings = [c for c, (t, _) in COLUMNS.items() if t == "string"]
    assert not (df[strings] == "").any().any()


def test_missing_sources_are_reported_not_raised(tmp_path: Path) -> None:
    df, sources = collect(tmp_path / "data", tmp_path / "criterion", tmp_path / "asv")
    assert df.empty and list(df.columns) == list(COLUMNS)
    assert [s["found"] for s in sources] == [False] * len(SOURCES)
    notes = {s["source"]: s["note"] for s in sources}
    assert "make asv" in notes["asv"] and "make pytest-bench" in notes["pytest-benchmark"]
    assert "audiobench stream --quick" in notes["stream"]
    assert "audiobench run" in notes["runner"] and "audiobench profile" in notes["profiler"]
    assert "audiobench compare" in notes["compare"] and "make gate-trials" in notes["gate-trials"]
    assert "criterion" in notes["criterion"]


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    csv = write_results(data, CRITERION, ASV, data)
    assert csv == data / "results.csv"
    back, meta = read(data)
    expected, sources = collect(data, CRITERION, ASV)
    pd.testing.assert_frame_equal(back, expected)
    assert meta["sources"] == sources and meta["rows"] == len(expected)


# -- bad input -------------------------------------------------------------------------------


def _copy(tmp_path: Path, source: Path, name: str) -> Path:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


def test_truncated_json_names_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path, RUN, "data/runs/broken.json")
    path.write_text(path.read_text()[:500])
    with pytest.raises(CollectError, match=re.escape("broken.json: not readable JSON")):
        collect(tmp_path / "data", tmp_path / "criterion", tmp_path / "asv")


def test_wrong_schema_names_the_file(tmp_path: Path) -> None:
    _copy(tmp_path, RUN, "data/profiles/run-not-profile.json")
    with pytest.raises(CollectError, match=re.escape("run-not-profile.json: schema 'audiobench.run/2'")):
        collect(tmp_path / "data", tmp_path / "criterion", tmp_path / "asv")


def test_missing_key_names_the_file_and_key(tmp_path: Path) -> None:
    doc = load(RUN)
    del doc["cases"][0]["rows"][0]["stats_s"]
    path = tmp_path / "runs" / "partial.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    with pytest.raises(CollectError, match=re.escape("partial.json: cases[0].rows[0].stats_s is missing")):
        runner.read(path)


def test_foreign_files_in_tool_directories_are_refused(tmp_path: Path) -> None:
    not_pytest = _copy(tmp_path, RUN, "pytest-benchmark-other.json")
    with pytest.raises(CollectError, match=re.escape("pytest-benchmark-other.json: not a pytest-benchmark")):
        pytest_benchmark.read(not_pytest)
    shutil.copytree(ASV, tmp_path / "asv")
    _copy(tmp_path, RUN, "asv/vm/deadbeef-env.json")
    with pytest.raises(CollectError, match=re.escape("deadbeef-env.json: not an asv results file")):
        asv.read(tmp_path / "asv")
    shutil.copytree(CRITERION, tmp_path / "criterion")
    estimates = tmp_path / "criterion" / "convert_f32_i16" / "rust-fast" / "1M" / "new" / "estimates.json"
    estimates.write_text(json.dumps([load(estimates)]))
    with pytest.raises(CollectError, match=re.escape("rust-fast/1M/new/estimates.json: a JSON list")):
        criterion.read(tmp_path / "criterion")


def test_a_half_written_criterion_estimate_is_skipped_and_listed(tmp_path: Path) -> None:
    """criterion writes in place: a bench stopped part-way costs that benchmark, not the report."""
    shutil.copytree(CRITERION, tmp_path / "criterion")
    estimates = tmp_path / "criterion" / "convert_f32_i16" / "rust-fast" / "1M" / "new" / "estimates.json"
    estimates.write_bytes(estimates.read_bytes()[:100])
    result = criterion.collect(tmp_path / "criterion")
    assert {r["tier"] for r in result.rows} == {"rust-json", "rust-direct", "limit:memcpy", "limit:read"}
    [skipped] = result.summary()["skipped"]
    assert skipped["path"] == str(estimates) and "truncated" in skipped["problem"]


def test_a_compare_file_gives_the_gates_ratio_and_both_medians() -> None:
    from audiobench.compare import judge
    from audiobench.documents import compare as comparefile
    from audiobench.targets import load as load_targets

    df, _ = collect(DATA, CRITERION, ASV)
    ratio = one(df, source="compare", metric="paired_ratio", tier="rust-direct", **CASE)
    path = next((DATA / "compare").glob("*.json"))
    gate = {j.subject: j for j in judge.judge([comparefile.read(path)], load_targets().paired)}
    verdict = gate["convert/f32_i16 1M rust-direct"].verdict
    assert ratio["value"] == pytest.approx(verdict.value) and verdict.ci is not None
    assert (ratio["ci_low"], ratio["ci_high"]) == pytest.approx(verdict.ci) and ratio["confidence"] == 0.98
    sides = df[(df["source"] == "compare") & (df["metric"] == "time") & (df["tier"] == "rust-direct")]
    assert set(sides["side"]) == {"base", "head"} and ratio["reference"].startswith("BASE ")
    trials = df[df["source"] == "gate-trials"]
    assert set(trials["tier"]) == {"audiobench compare", "asv continuous"} and set(trials["variant"]) == {"memory"}


def test_a_remeasurement_is_collected_with_its_comparison_and_judged_over_both(tmp_path: Path) -> None:
    """The gate's second comparison (``settings.remeasure_of``) belongs to the first: one
    comparison in the table, its re-measured rows' ratio over the pairs of both files — the
    number the gate judged — and a re-measurement without its first file stands alone."""
    from audiobench.collect import compare as collect_compare
    from audiobench.compare import judge
    from audiobench.documents import compare as comparefile
    from audiobench.targets import load as load_targets

    first = next((DATA / "compare").glob("*.json"))
    doc = json.loads(first.read_text(encoding="utf-8"))
    whole = tmp_path / "compare"
    whole.mkdir()
    shutil.copy(first, whole / first.name)
    again = {**doc, "compare_id": doc["compare_id"].replace("T2151", "T2155")}
    again["settings"] = {**doc["settings"], "remeasure_of": doc["compare_id"]}
    again["items"] = [it for it in doc["items"] if it["row"] == "rust-direct"]
    second = comparefile.write(again, whole)
    result = collect_compare.collect(whole)
    assert {r["run_id"] for r in result.rows} == {doc["compare_id"]} and result.files == 2
    ratios = {(r["variant"], r["size"], r["tier"]): r for r in result.rows if r["metric"] == "paired_ratio"}
    judged = judge.judge([comparefile.read(first), comparefile.read(second)], load_targets().paired)
    for j in judged:
        r = ratios[(j.key[1], j.key[2], j.key[3])]
        assert r["value"] == pytest.approx(j.verdict.value) and r["n"] == j.rounds
    assert result.context["files"] == [first.name, second.name]
    (whole / first.name).unlink()
    assert {r["run_id"] for r in collect_compare.collect(whole).rows} == {again["compare_id"]}


def test_a_directory_of_run_files_is_read_as_runs_and_never_written_to(tmp_path: Path) -> None:
    """``audiobench run --out-dir D`` writes run files into D itself: ``--data-dir D`` reads them
    as the runs, the table goes to the output directory, and D is left as it was."""
    d = tmp_path / "runs"
    shutil.copytree(DATA / "runs", d)
    before = sorted(p.name for p in d.iterdir())
    df, sources = collect(d, None, None)
    assert set(df[df["source"] == "runner"]["run_id"]) and not df[df["source"] == "criterion"].shape[0]
    notes = {s["source"]: s.get("note", "") for s in sources}
    assert "--criterion-dir" in notes["criterion"] and "--asv-results" in notes["asv"]
    with pytest.raises(CollectError, match="holds the run files being read"):
        write_results(d, None, None, d)
    out = tmp_path / "out"
    write_results(d, None, None, out)
    assert sorted(p.name for p in d.iterdir()) == before
    assert (out / "results.csv").is_file()


def test_a_stream_file_gives_latency_capacity_and_the_cdf_at_capacity() -> None:
    df, _ = collect(DATA, None, None)
    stream = df[df["source"] == "stream"]
    assert set(stream["operation"]) == {"stream"} and set(stream["variant"]) == {"40ms", "40ms-pipeline-44100Hz"}
    assert set(stream["tier"]) == {"python", "rust-fast"}
    for variant, tier in itertools.product(("40ms", "40ms-pipeline-44100Hz"), ("python", "rust-fast")):
        mine = stream[(stream["tier"] == tier) & (stream["variant"] == variant)]
        timed = mine[mine["metric"] == "pipeline_time"]
        assert set(timed["statistic"]) == (set() if variant == "40ms" else {"p50", "max"})
        assert (timed["value"] > 0).all() and (timed["unit"] == "s").all()
        per_chunk = mine[mine["metric"] == "cpu_per_chunk"]
        handler = mine[(mine["metric"] == "handler_time") & (mine["statistic"] == "p50")]
        assert len(per_chunk) == len(handler) == len(set(mine.loc[mine["metric"] == "latency", "size"]))
        # the handler is part of the process's CPU per chunk
        both = per_chunk.set_index("size")["value"].align(handler.set_index("size")["value"])
        assert ((both[1] > 0) & (both[1] < both[0])).all()
        cap = mine[mine["metric"] == "capacity"]
        assert set(cap["size"]) == {"capacity"} and cap["side"].notna().all()
        best = cap.loc[cap["statistic"] == "max_passing", "value"]
        if not best.empty:  # the CDF is of the step at capacity
            cdf = mine[mine["metric"] == "latency_cdf"]
            assert set(cdf["size"]) == {f"{int(best.iloc[0])}calls"} and len(cdf) == 201
            assert cdf["value"].is_monotonic_increasing
        lat = mine[(mine["metric"] == "latency") & (mine["statistic"] == "p99")]
        assert (lat["unit"] == "s").all() and (lat["value"] > 0).all()
        assert set(mine.loc[mine["metric"] == "parity", "value"]) == {1.0}


def test_the_stream_context_holds_the_newest_file_of_each_variant() -> None:
    _, sources = collect(DATA, None, None)
    ctx = next(s["context"] for s in sources if s["source"] == "stream")
    assert set(ctx["variants"]) == {"40ms", "40ms-pipeline-44100Hz"}
    piped = ctx["variants"]["40ms-pipeline-44100Hz"]["settings"]
    assert (piped["work"], piped["sample_rate"], piped["end_spread"]) == ("pipeline", 44_100, 0.5)
    assert ctx["variants"]["40ms"]["settings"].get("work", "buffer") == "buffer"  # written before works existed
