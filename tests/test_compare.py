"""The paired comparison's logic on synthetic numbers and fake workers: the verdict rule and its
error rates, the alternating schedule, compare files, judging files together, and the gate
reading stored comparisons (reproducibly). No build, no timing: see test_compare_command.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiobench.compare import judge, measure
from audiobench.compare.measure import MeasureError, Settings
from audiobench.documents import compare as comparefile
from audiobench.gate.cli import main as gate_main
from audiobench.stats import median_ci, paired_estimate
from audiobench.targets import load as load_targets
from audiobench.verdict import Outcome, paired_regression

PAIRED = load_targets().paired
ROOT = Path(__file__).resolve().parents[1]


def comparison(
    seed: int, effect: float, pairs: int = 6, rounds: int = 8, noise: float = 0.02, process: float = 0.01
) -> list[list[float]]:
    """Per-round ratios HEAD/BASE grouped by process pair: each process carries an offset of its
    own (``process``, log-normal), each batch timing noise (``noise``)."""
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(pairs):
        base_off, head_off = rng.lognormal(0, process, 2)
        base = base_off * rng.lognormal(0, noise, rounds)
        head = head_off * (1 + effect) * rng.lognormal(0, noise, rounds)
        groups.append(list(head / base))
    return groups


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "expected"),
    [(0.0, Outcome.PASS), (0.10, Outcome.FAIL), (-0.10, Outcome.PASS)],
)
def test_the_rule_on_clear_cases(effect: float, expected: Outcome) -> None:
    v = paired_regression(comparison(1, effect), PAIRED.decide_at, PAIRED.threshold, PAIRED.confidence)
    assert v.outcome is expected
    assert v.threshold == pytest.approx(1 + PAIRED.decide_at) and v.ci is not None


def test_a_ci_that_contains_the_decision_point_is_inconclusive() -> None:
    groups = [[1.0, 1.05, 0.99, 1.06], [1.03, 1.01, 1.04, 1.02], [1.04, 1.02, 1.05, 1.03]]
    v = paired_regression(groups, 0.025, 0.05, PAIRED.confidence)
    assert v.outcome is Outcome.INCONCLUSIVE and v.ci is not None and v.ci[0] < 1.025 < v.ci[1]


def rate(effect: float, n: int = 200, **shape: float) -> float:
    """Share of ``n`` simulated comparisons the rule fails."""
    verdicts = (
        paired_regression(comparison(s, effect, **shape), PAIRED.decide_at, PAIRED.threshold, PAIRED.confidence)
        for s in range(n)
    )
    return sum(v.outcome is Outcome.FAIL for v in verdicts) / n


def test_error_rates_on_a_stable_row() -> None:
    """The claim the threshold rests on, for a row shaped like f32→i16 rust-direct measured on this
    VM (per batch ~0.7 % noise, per process ~0.3 % offset; 6 pairs × 8 rounds): unchanged code
    fails ≤ 1 % of the time, a 5 % slowdown is caught ≥ 95 % of the time, 10 % always."""
    stable = {"noise": 0.007, "process": 0.003}
    assert rate(0.0, **stable) <= 0.01
    assert rate(0.05, **stable) >= 0.95
    assert rate(0.10, **stable) == 1.0


def test_a_placement_sensitive_row_stays_quiet_rather_than_failing_falsely() -> None:
    """A row whose time depends on where its buffers landed (i16→i32 at 100,000 samples moved by
    ~5-8 % between processes here): the CI spans the processes' spread, so unchanged code still
    fails ≤ 1 % of the time, whatever the spread (the 98 % CI's upper tail; ≤ 1.5 % allows for the
    Monte Carlo error of 1000 seeded simulations); the price is detection, which the per-row CI in
    the report shows."""
    for process in (0.03, 0.06, 0.12):
        assert rate(0.0, n=1000, noise=0.02, process=process) <= 0.015


def test_process_offsets_widen_the_ci_instead_of_faking_a_difference() -> None:
    """One pair of processes 8 % apart: the bootstrap over pooled rounds would call a tight CI
    around a shifted median; one observation per pair reports the spread between pairs."""
    groups = comparison(3, 0.0, pairs=6, process=0.0)
    groups[0] = [x * 1.08 for x in groups[0]]
    _, lo, hi = paired_estimate(groups)
    plo, phi = median_ci([x for g in groups for x in g])
    assert hi - lo > phi - plo


def test_the_same_ratios_always_give_the_same_verdict() -> None:
    groups = comparison(7, 0.03)
    a = paired_regression(groups, 0.025, 0.05)
    b = paired_regression([list(g) for g in groups], 0.025, 0.05)
    assert a == b


def test_no_ratios_or_non_finite_ones_are_refused() -> None:
    with pytest.raises(ValueError):
        paired_regression([], 0.025, 0.05)
    with pytest.raises(ValueError):
        paired_regression([[1.0, float("nan")]], 0.025, 0.05)


# --- the schedule, with fake workers ------------------------------------------------------------


class FakeWorker:
    """A worker answering from a table: ``times[(case, row)]`` seconds per call, × ``factor``."""

    def __init__(self, side: str, cases: list[dict[str, Any]], factor: float, log: list[tuple[str, str]]) -> None:
        self.side, self.cases, self.factor, self.log = side, cases, factor, log
        self.closed = False

    def call(self, cmd: str, timeout: float = 0.0, **args: Any) -> dict[str, Any]:
        if cmd == "hello":
            return {"ok": True, "pid": 1}
        if cmd == "prepare":
            return {"ok": True, "cases": self.cases}
        assert cmd == "batch" and args["calls"] >= 1
        self.log.append((self.side, f"{args['case']}:{args['row']}"))
        return {"ok": True, "s": 1e-4 * self.factor, "other_threads_cpu_s": 0.0, "idle_cpu_s": 0.0}

    def close(self) -> None:
        self.closed = True


def fake_case(op: str, size: str, rows: list[str], checksum: str = "c0") -> dict[str, Any]:
    row = {"calls": 10, "per_call_s": 1e-4, "lead": True, "output_digest": "d", "parity_ok": True}
    return {
        "op": op,
        "variant": "default",
        "size": size,
        "unit": "µs per call",
        "input_checksum": checksum,
        "rows": [{"row": r, **row} for r in rows],
    }


def settings(**over: Any) -> Settings:
    args: dict[str, Any] = {
        "suite": "quick",
        "ops": ["vad"],
        "tiers": ["rust-direct", "rust-fast"],
        "round_seconds": 0.001,
        "min_rounds": 12,
        "max_rounds": 12,
        "processes": 3,
        "time_budget_s": 5.0,
    }
    return Settings(**{**args, **over})


def test_every_round_alternates_both_builds_and_pairs_share_the_rounds() -> None:
    cases = [fake_case("vad", "1s", ["rust-direct", "rust-fast"]), fake_case("vad", "frame", ["rust-direct"])]
    log: list[tuple[str, str]] = []
    started: list[tuple[FakeWorker, FakeWorker]] = []

    def start(pair: int) -> tuple[FakeWorker, FakeWorker]:
        started.append((FakeWorker("base", cases, 1.0, log), FakeWorker("head", cases, 1.1, log)))
        return started[-1]

    m = measure.measure(start, settings())
    assert len(started) == 3 and all(b.closed and h.closed for b, h in started)
    assert m.rounds_per_pair == [4, 4, 4] and len(m.items) == 3
    for it in m.items:
        assert len(it.rounds) == 12 and {r["pair"] for r in it.rounds} == {0, 1, 2}
        assert {r["first"] for r in it.rounds} == {"base", "head"}  # the order is drawn
        assert all(r["head_s"] / r["base_s"] == pytest.approx(1.1) for r in it.rounds)
    # batches come in pairs: one build, then the other, on the same (case, row)
    for (s1, k1), (s2, k2) in zip(log[::2], log[1::2], strict=True):
        assert k1 == k2 and {s1, s2} == {"base", "head"}


def test_cases_with_other_inputs_or_one_sided_rows_are_left_out_and_said() -> None:
    base = [fake_case("vad", "1s", ["rust-direct", "rust-fast"]), fake_case("vad", "frame", ["rust-direct"])]
    head = [fake_case("vad", "1s", ["rust-direct"]), fake_case("vad", "frame", ["rust-direct"], checksum="other")]
    log: list[tuple[str, str]] = []
    m = measure.measure(
        lambda pair: (FakeWorker("base", base, 1, log), FakeWorker("head", head, 1, log)), settings(processes=1)
    )
    assert [it.key for it in m.items] == [("vad", "default", "1s", "rust-direct")]
    assert any("only BASE has this row" in s for s in m.skipped)
    assert any("input bytes differ" in s for s in m.skipped)


def test_nothing_in_common_is_an_error_and_workers_are_closed() -> None:
    base = [fake_case("vad", "1s", ["rust-direct"])]
    head = [fake_case("vad", "1s", ["rust-direct"], checksum="x")]
    workers: list[FakeWorker] = []

    def start(pair: int) -> tuple[FakeWorker, FakeWorker]:
        workers.extend([FakeWorker("base", base, 1, []), FakeWorker("head", head, 1, [])])
        return workers[0], workers[1]

    with pytest.raises(MeasureError, match="nothing to compare"):
        measure.measure(start, settings())
    assert all(w.closed for w in workers)


def test_only_restricts_the_items() -> None:
    cases = [fake_case("vad", "1s", ["rust-direct", "rust-fast"])]
    only = {("vad", "default", "1s", "rust-fast")}
    m = measure.measure(
        lambda p: (FakeWorker("base", cases, 1, []), FakeWorker("head", cases, 1, [])), settings(only=only)
    )
    assert [it.row for it in m.items] == ["rust-fast"]


# --- compare files and judging them --------------------------------------------------------------


def compare_doc(
    compare_id: str, factor: float, seed: int = 0, head_commit: str = "b" * 40, rows: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A compare file of two rows (convert f32_i16 1M, rust-direct and rust-python-best), HEAD
    ``factor`` × BASE with 2 % noise over 6 pairs of 6 rounds."""
    rng = np.random.default_rng(seed)
    items = []
    for row in rows or ("rust-direct", "python-best"):
        rounds = []
        for pair in range(6):
            for _ in range(6):
                base = 1e-4 * rng.lognormal(0, 0.02)
                head = 1e-4 * factor * rng.lognormal(0, 0.02)
                rounds.append({"pair": pair, "base_s": base, "head_s": head, "first": "base"})
        items.append(
            {
                "op": "convert",
                "variant": "f32_i16",
                "size": "1M",
                "row": row,
                "unit": "µs per call",
                "input_checksum": "abc",
                "calls": 10,
                "rounds": rounds,
                "same_output": True,
                "parity": {"base": True, "head": True},
            }
        )
    side = {"dirty": False, "build_s": 0.0, "reused": True}
    return {
        "schema": comparefile.SCHEMA,
        "compare_id": compare_id,
        "created": "2026-11-30T12:00:00+00:00",
        "suite": "quick",
        "base": {"ref": "main", "commit": "a" * 40, **side},
        "head": {"ref": "working tree", "commit": head_commit, **side},
        "settings": {"rounds_per_pair": [6] * 6},
        "interference": {"idle": {"base": {"cpu_s": 0.01, "wall_s": 10.0}, "head": {"cpu_s": 0.01, "wall_s": 10.0}}},
        "items": items,
        "duration_s": 1.0,
    }


def test_a_compare_file_round_trips_and_damage_is_named(tmp_path: Path) -> None:
    path = comparefile.write(compare_doc("20261130T120000Z-aaaa-bbbb", 1.0), tmp_path)
    assert comparefile.read(path).items[0].subject == "convert/f32_i16 1M rust-direct"
    assert comparefile.newest(tmp_path) == path
    for mutate, message in (
        (lambda d: d.update(schema="audiobench.run/2"), "schema 'audiobench.run/2'"),
        (lambda d: d["items"][0].update(rounds=[]), "items[0].rounds: no rounds"),
        (lambda d: d["items"][0]["rounds"][0].update(base_s=-1.0), "items[0].rounds[0].base_s"),
        (lambda d: d["items"][0].pop("calls"), "items[0].calls is missing"),
    ):
        doc = compare_doc("20261130T120000Z-aaaa-bbbb", 1.0)
        mutate(doc)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(comparefile.CompareFileError) as e:
            comparefile.read(bad)
        assert str(bad) in str(e.value) and message in str(e.value)


def test_judging_files_of_other_builds_together_is_refused(tmp_path: Path) -> None:
    a = comparefile.read(comparefile.write(compare_doc("20261130T120000Z-a", 1.0), tmp_path))
    b = comparefile.read(comparefile.write(compare_doc("20261130T130000Z-b", 1.0, head_commit="c" * 40), tmp_path))
    with pytest.raises(judge.JudgeError, match="not one comparison"):
        judge.judge([a, b], PAIRED)


def test_a_remeasurement_file_adds_its_pairs_as_observations(tmp_path: Path) -> None:
    a = comparefile.read(comparefile.write(compare_doc("20261130T120000Z-a", 1.0, seed=1), tmp_path))
    b = comparefile.read(comparefile.write(compare_doc("20261130T130000Z-b", 1.0, seed=2), tmp_path))
    one = {j.subject: j for j in judge.judge([a], PAIRED)}
    both = {j.subject: j for j in judge.judge([a, b], PAIRED)}
    direct = "convert/f32_i16 1M rust-direct"
    assert both[direct].rounds == 2 * one[direct].rounds and both[direct].files == 2
    assert both[direct].enforce and not both["convert/f32_i16 1M python-best"].enforce


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = gate_main(["--checks", "paired", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_gate_judges_stored_comparisons_the_same_way_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slow = comparefile.write(compare_doc("20261130T120000Z-slow", 1.08), tmp_path)
    same = comparefile.write(compare_doc("20261130T130000Z-same", 1.0, head_commit="c" * 40), tmp_path)
    code, out, _ = gate(capsys, "--compare", str(slow), "--format", "json")
    again = gate(capsys, "--compare", str(slow), "--format", "json")
    assert code == 1 and (code, out) == again[:2]
    failed = [c["subject"] for c in json.loads(out)["checks"] if c["outcome"] == "fail" and c["enforce"]]
    assert failed == ["convert/f32_i16 1M rust-direct"]
    code, md, _ = gate(capsys, "--compare", str(slow))
    assert code == 1 and "paired wall-time regression" in md and "BASE `main`" in md
    assert gate(capsys, "--compare", str(same))[0] == 0


def test_the_gate_refuses_missing_files_and_conflicting_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"
    code, out, err = gate(capsys, "--compare", str(missing))
    assert code == 2 and out == "" and str(missing) in err
    path = comparefile.write(compare_doc("20261130T120000Z-x", 1.0), tmp_path)
    code, _, err = gate(capsys, "--compare", str(path), "--baseline-ref", "HEAD")
    assert code == 2 and "--compare and --baseline-ref" in err


def test_without_a_baseline_build_the_paired_check_is_skipped_and_said(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys)
    assert code == 0 and "no baseline build" in out


# --- the worker, on a tree that cannot be compared --------------------------------------------------


def test_a_worker_on_a_tree_without_the_api_answers_with_an_error(tmp_path: Path) -> None:
    tree = tmp_path / "old"
    (tree / "audiobench").mkdir(parents=True)
    (tree / "audiobench" / "__init__.py").write_text("")
    (tree / "audiobench" / "_rust.py").write_text("def build_info():\n    return {}\n")
    from audiobench.compare.workers import Worker, WorkerError

    w = Worker("BASE", tree, None, tmp_path / "worker.log")
    try:
        assert w.call("hello")["package"] == str((tree / "audiobench").resolve())
        with pytest.raises(WorkerError, match=r"BASE worker: prepare failed.*no catalogue/registry/runner API"):
            w.call("prepare", suite="quick", ops=["vad"], tiers=["rust-direct"], round_seconds=0.01)
    finally:
        w.close()
    assert w.proc.returncode == 0


def test_the_worker_loads_only_the_standard_library_timing_loop() -> None:
    """The timing loop both builds share imports nothing of audiobench (another commit's package
    is on the worker's path)."""
    code = "import runpy, sys; runpy.run_path(sys.argv[1]); print(sorted(m for m in sys.modules if 'audiobench' in m))"
    out = subprocess.run(
        [sys.executable, "-P", "-c", code, str(ROOT / "audiobench" / "batches.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


def test_baseline_ref_recompares_enforced_rows_that_did_not_pass_in_a_file_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gate --baseline-ref``: the first comparison leaves rust-direct inconclusive (noisy pairs
    around +2.5 %) and fails rust-fast (+10 %); the second is asked for those rows alone, within
    the re-measure budget, names the first, and both files are returned for the verdict."""
    from audiobench.compare import confirm
    from audiobench.gate import paired

    calls: list[measure.Settings] = []
    of: list[str | None] = []

    def fake_run(repo: Path, base: str, head: str | None, s: measure.Settings, **kw: Any) -> tuple[dict, Path]:
        calls.append(s)
        of.append(kw.get("remeasure_of"))
        doc = compare_doc(
            f"20261130T12000{len(calls)}Z-x", 1.0, seed=len(calls), rows=("rust-direct", "rust-fast", "python")
        )
        if len(calls) == 1:  # the first: one pair 10 % slow, the others not: the CI spans 1.025
            for r in doc["items"][0]["rounds"]:
                r["head_s"] *= 1.10 if r["pair"] == 0 else 1.01
            for r in doc["items"][1]["rounds"]:
                r["head_s"] *= 1.10
        doc["settings"]["remeasure_of"] = kw.get("remeasure_of")
        return doc, comparefile.write(doc, kw["out_dir"])

    monkeypatch.setattr(confirm, "run", fake_run)
    targets = load_targets()
    files, notes = paired.measure(ROOT, "main", targets, tmp_path, 30.0, lambda line: None)
    assert len(files) == 2 and len(calls) == 2
    again = calls[1]
    assert again.only == {("convert", "f32_i16", "1M", "rust-direct"), ("convert", "f32_i16", "1M", "rust-fast")}
    assert again.ops == ["convert"] and again.tiers == ["rust-direct", "rust-fast"] and again.time_budget_s == 30.0
    assert again.min_rounds == targets.remeasure.min_rounds and "re-measured 2 enforced row(s)" in notes[0]
    assert of == [None, "20261130T120001Z-x"]
    verdicts = {j.key[3]: j.verdict.outcome for j in judge.judge([comparefile.read(f) for f in files], PAIRED)}
    # rust-fast's failure did not persist (the fake's second comparison is unchanged code)
    assert verdicts["rust-fast"] is not Outcome.FAIL
    files, _ = paired.measure(ROOT, "main", targets, tmp_path, 0.0, lambda line: None)
    assert len(files) == 1  # --no-remeasure: decided on the first comparison


# --- a failure must persist over a second comparison ---------------------------------------------


def test_a_failure_in_the_first_file_is_judged_again_over_both(tmp_path: Path) -> None:
    slow = comparefile.read(comparefile.write(compare_doc("20261130T120000Z-a", 1.08, seed=1), tmp_path))
    again_slow = comparefile.read(comparefile.write(compare_doc("20261130T130000Z-b", 1.08, seed=2), tmp_path))
    again_same = comparefile.read(comparefile.write(compare_doc("20261130T140000Z-c", 1.0, seed=3), tmp_path))
    direct = "convert/f32_i16 1M rust-direct"

    def verdict(*docs: comparefile.CompareDocument) -> Outcome:
        return {j.subject: j for j in judge.judge(list(docs), PAIRED)}[direct].verdict.outcome

    assert verdict(slow) is Outcome.FAIL
    assert verdict(slow, again_slow) is Outcome.FAIL
    assert verdict(slow, again_same) is not Outcome.FAIL


def gate_procedure(seed: int, effect: float, file_sd: float, remeasure: bool = True) -> Outcome:
    """The gate on one row, simulated: a comparison of 6 process pairs × 8 rounds (1 % noise
    per batch, 0.5 % per pair) whose pairs all share a shift of their own (log-normal,
    ``file_sd``: what the host did in those minutes); a row that does not pass is compared again
    in 6 fresh pairs — another shift — and judged over both."""
    rng = np.random.default_rng(seed)

    def comparison() -> list[list[float]]:
        shift = rng.normal(0, file_sd)
        return [list(np.exp(shift + rng.normal(0, 0.005)) * (1 + effect) * rng.lognormal(0, 0.01, 8)) for _ in range(6)]

    first = comparison()
    v = paired_regression(first, PAIRED.decide_at, PAIRED.threshold, PAIRED.confidence)
    if not remeasure or v.outcome is Outcome.PASS:
        return v.outcome
    return paired_regression(first + comparison(), PAIRED.decide_at, PAIRED.threshold, PAIRED.confidence).outcome


def test_a_shift_shared_by_one_comparisons_pairs_does_not_fail_a_gate_of_many_rows() -> None:
    """The case a CI run met: unchanged code, one enforced row of ~36 failed. Student's t over
    one file's pairs cannot see a shift all its pairs share; at 1.5 % such a shift fails a
    gate of 36 rows in most runs when a first failure stands, and in ≤ 5 % (≤ 0.15 % per row;
    1000 simulated runs) when it must persist over a second comparison — which still catches
    a 10 % slowdown every time and a 5 % one in ≥ 90 %."""
    runs = 1000

    def per_row(effect: float, remeasure: bool = True, n: int = runs) -> float:
        return sum(gate_procedure(s, effect, 0.015, remeasure) is Outcome.FAIL for s in range(n)) / n

    assert 1 - (1 - per_row(0.0, remeasure=False)) ** 36 >= 0.25
    assert 1 - (1 - per_row(0.0)) ** 36 <= 0.05
    assert per_row(0.10, n=200) == 1.0
    assert per_row(0.05, n=200) >= 0.90


def test_the_working_tree_is_stale_for_the_extensions_sources_only(tmp_path: Path) -> None:
    """A Rust source newer than the built extension refuses the comparison; the streaming load
    generator's sources (``rust_impls/loadgen``, no part of the extension) do not."""
    import os

    from audiobench.compare.trees import BuildError, working_tree

    repo = tmp_path / "repo"
    for rel in ("rust_impls/core/src/lib.rs", "rust_impls/loadgen/src/main.rs", "audiobench/_rust.abi3.so"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q",
                    "--allow-empty", "-m", "x"], check=True)  # fmt: skip
    so = repo / "audiobench" / "_rust.abi3.so"
    os.utime(so, (1_000, 1_000))
    os.utime(repo / "rust_impls/core/src/lib.rs", (500, 500))
    os.utime(repo / "rust_impls/loadgen/src/main.rs", (2_000, 2_000))
    assert working_tree(repo).ref  # the generator's newer source does not make the extension stale
    os.utime(repo / "rust_impls/core/src/lib.rs", (2_000, 2_000))
    with pytest.raises(BuildError, match=r"older than rust_impls/core/src/lib\.rs"):
        working_tree(repo)
