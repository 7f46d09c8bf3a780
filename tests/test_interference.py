"""The runner's interference checks on synthetic rows: a row that leaves a spinning thread behind
is named by the thread census and its victim by the solo/interleaved check; an A/A pair of one
call is judged consistent; the judgements themselves can fail. Assertions are on what the run
records, never on a wall time."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from audiobench.runner.census import Census, available, snapshot
from audiobench.runner.interference import aa_check, judge_aa, run_verdict, solo_check
from audiobench.runner.measure import Rounds, measure

needs_census = pytest.mark.skipif(not available(), reason="per-thread CPU times need Linux /proc")


def _python_work() -> int:
    return sum(range(3000))


class Spinner:
    """A row that leaves work behind: every call (re)arms a thread that spins in pure Python —
    holding the GIL in switch-interval slices — until 0.6 s after the last call (longer than
    any gap between its batches, shorter than the settle wait before the solo batches)."""

    LINGER_S = 0.6

    def __init__(self) -> None:
        self.deadline = 0.0
        self.thread: threading.Thread | None = None

    def _spin(self) -> None:
        while time.perf_counter() < self.deadline:
            sum(range(2000))

    def __call__(self) -> int:
        self.deadline = time.perf_counter() + self.LINGER_S
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._spin, name="spinner", daemon=True)
            self.thread.start()
        return _python_work()

    def stop(self) -> None:
        self.deadline = 0.0
        if self.thread is not None:
            self.thread.join(timeout=5)


@pytest.fixture
def spinner() -> Iterator[Spinner]:
    s = Spinner()
    yield s
    s.stop()


# Batches several GIL switch intervals (5 ms) long. The victim's interleaved batches are not all
# slowed alike, so its interleaved/solo CI needs many rounds to clear 1 on a noisy 2-vCPU
# machine: with 10 or 16 rounds it failed 1 run in 24, with 32 none in 30 (6 s per test).
ROUNDS = Rounds(round_seconds=0.03, min_rounds=32, max_rounds=32, solo_batches=8, budget_s=0.0)


@needs_census
def test_a_row_that_leaves_a_spinning_thread_is_named_and_its_victim_flagged(spinner: Spinner) -> None:
    census = Census()
    runs = {"victim": _python_work, "spinner": spinner}
    m = measure(runs, {"victim": "tier", "spinner": "tier"}, ROUNDS, seed=1, census=census)

    left = m.census["spinner"]
    assert left["left_running"], left
    assert set(left["threads_started"]) == {"spinner"}, "named as Python named it"
    assert left["cpu_in_other_batches_share"] > 0.1
    assert m.census["victim"]["background_cpu_s"]["spinner"] > 0
    assert not m.census["victim"]["left_running"]

    victim = m.solo["victim"]
    assert victim["quiet"], "the solo batches start once the spinner has stopped"
    assert victim["verdict"] == "beyond" and victim["ratio"] > 1.3, victim
    assert victim["slowest_after"] is not None

    rows = [{"row": n, "solo": m.solo[n], "census": m.census[n]} for n in runs]
    case = {"op": "synthetic", "variant": "spin", "size": "1", "rows": rows, "aa": None}
    verdict = run_verdict([case], census.threads(), census.enabled)
    assert verdict["verdict"] == "suspect"
    assert any("spinner left work running" in r and "spinner" in r for r in verdict["reasons"])
    assert any("victim interleaved/solo" in r for r in verdict["reasons"])
    assert verdict["counts"]["left_running"] == 1 and verdict["counts"]["solo_beyond"] >= 1


@needs_census
def test_rows_that_leave_nothing_running_are_clean() -> None:
    census = Census()
    runs = {"a": _python_work, "b": lambda: sorted(range(2000, 0, -1))}
    m = measure(runs, {"a": "tier", "b": "tier"}, ROUNDS, seed=2, census=census)
    assert not any(c["left_running"] for c in m.census.values())
    assert all(c["threads_started"] == [] for c in m.census.values())


@needs_census
def test_the_multi_threaded_tier_runs_on_its_declared_workers_and_leaves_nothing_running() -> None:
    # The real rust-direct-mt object beside a single-thread row: its pool's workers are started
    # while it is prepared (so they are its own), run only during its batches, and are parked
    # (no CPU) through the other row's batches.
    from audiobench import _rust
    from audiobench.tiers.registry import parallel_threads

    census = Census()
    census.new_case({"mt": parallel_threads(), "single": ()})
    audio = np.random.default_rng(3).uniform(-0.5, 0.5, (2, 44_100)).astype(np.float32)
    out = np.empty((2, _rust.resample_output_frames(44_100)), np.float32)
    single_out = out.copy()
    mt = _rust.ParallelResampler("high", 2, 2)
    single = _rust.Resampler("high", 2)
    census.adopt("mt")
    runs = {"mt": lambda: mt.process_into(audio, out), "single": lambda: single.process_into(audio, single_out)}
    m = measure(runs, {"mt": "tier", "single": "tier"}, ROUNDS, seed=4, census=census)

    own = m.census["mt"]
    assert own["threads_started"] == [f"{_rust.PARALLEL_THREAD_PREFIX}_0"], own
    assert own["own_threads_cpu_s"] > 0, "the worker rendered its share during the row's batches"
    assert not own["left_running"], own
    assert not m.census["single"]["left_running"]
    assert np.array_equal(out, single_out)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="placement needs two CPUs")
def test_placement_puts_the_multi_threaded_workers_off_the_timing_cpu() -> None:
    from audiobench import _rust
    from audiobench.threads import PARALLEL_THREADS, Placement

    assert _rust.PARALLEL_THREAD_PREFIX == PARALLEL_THREADS
    placement = Placement.choose()
    resampler = _rust.ParallelResampler("low", 2, 2)  # returns once its worker runs, named
    workers = {t.tid: t.name for t in snapshot().values() if t.name.startswith(PARALLEL_THREADS + "_")}
    assert workers, "the worker is named when the constructor returns"
    for tid, name in workers.items():
        placement.place(tid, name)
        assert placement.timing_cpu not in os.sched_getaffinity(tid)
    del resampler


class VirtualMachine:
    """A virtual clock and calls that advance it: each call costs ``cost_ns`` times a seeded
    lognormal factor, so two names for one call are exchangeable by construction."""

    def __init__(self, seed: int) -> None:
        self.now = 0
        self.rng = random.Random(seed)

    def clock(self) -> int:
        return self.now

    def call(self, cost_ns: int) -> object:
        def run() -> None:
            self.now += int(cost_ns * self.rng.lognormvariate(0, 0.05))

        return run


def test_a_synthetic_aa_pair_is_judged_consistent() -> None:
    vm = VirtualMachine(seed=3)
    runs = {"rust-direct": vm.call(20_000), "python": vm.call(90_000)}
    rounds = Rounds(round_seconds=0.001, min_rounds=30, max_rounds=30, solo_batches=0, budget_s=0.0)
    m = measure(runs, {"rust-direct": "tier", "python": "tier"}, rounds, seed=4, clock=vm.clock)  # type: ignore[arg-type]
    assert m.aa is not None and m.aa["row"] == "rust-direct", "the cheapest preferred row gets the twin"
    case = {"rows": [{"row": n, "samples_s": s} for n, s in m.samples.items()], "aa": m.aa}
    judge_aa([case])
    aa = case["aa"]
    assert aa["consistent"], aa
    assert aa["ratio"]["ci_low"] <= 1.0 <= aa["ratio"]["ci_high"]
    assert len(aa["twin_samples_s"]) == 30


def test_aa_judgement_fails_a_twin_that_is_systematically_slower() -> None:
    rng = random.Random(5)
    a = [1.0 + rng.gauss(0, 0.01) for _ in range(20)]
    b = [x * 1.05 for x in a]
    assert not aa_check("rust-direct", a, b)["consistent"]
    assert aa_check("rust-direct", a, list(a))["consistent"]


def test_aa_confidence_is_family_wise_over_the_run() -> None:
    a = [1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.01]
    one = aa_check("x", a, a, pairs=1)
    twenty = aa_check("x", a, a, pairs=20)
    assert one["confidence"] == pytest.approx(0.95) and twenty["confidence"] == pytest.approx(0.9975)


@pytest.mark.parametrize(
    ("interleaved", "verdict"),
    [
        ([1.0, 1.01, 0.99, 1.0, 1.02, 0.98], "within"),
        ([1.5, 1.52, 1.49, 1.5, 1.51, 1.48], "beyond"),
        ([0.7, 0.71, 0.69, 0.7, 0.72, 0.7], "beyond"),
    ],
)
def test_solo_verdicts(interleaved: list[float], verdict: str) -> None:
    solo = {"samples_s": [1.0, 1.0, 1.01, 0.99, 1.0, 1.0], "settle_s": 0.0, "quiet": True}
    got = solo_check("row", interleaved, solo, ["other"] * len(interleaved))
    assert got["verdict"] == verdict
    assert got["slowest_after"]["row"] == "other"


def test_solo_verdict_is_uncertain_when_the_ci_reaches_into_the_band() -> None:
    solo = {"samples_s": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "settle_s": 0.0, "quiet": True}
    noisy = [1.0, 1.3, 1.05, 1.4, 1.12, 1.5, 1.02, 1.35]
    assert solo_check("row", noisy, solo, [None] * len(noisy))["verdict"] == "uncertain"
