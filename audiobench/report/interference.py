"""Interference checks of the newest runner run: the proof that its numbers are the calls'.

Every run measures one row of each case twice (A/A), every row again alone after the rounds,
and charges each batch with what the process's other threads ran (see
:mod:`audiobench.runner.interference`). This section shows the verdict and every finding;
the rows' numbers come from the table, the run's reasons and thread list from its metadata.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from audiobench.fmt import num, ratio, size_key
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import CaseKey, points, runner_context, select
from audiobench.stats import Point, band_verdict


def _order(key: CaseKey) -> tuple[str, str, tuple[int, float, float, float], str]:
    return (key[0], key[1], size_key(key[2]), key[3])


def headline(runner: pd.DataFrame, meta: dict[str, Any]) -> str | None:
    """One line for the report's top: the run's interference verdict and its counts."""
    found = runner_context(meta).get("interference")
    if not found:
        return None
    c = found["counts"]
    band = found["solo_band"]
    clean = found["verdict"] == "clean"
    return (
        f"Interference checks {'✅ clean' if clean else '⚠️ suspect'}: {c['aa_pairs'] - c['aa_inconsistent']} of "
        f"{c['aa_pairs']} A/A pairs consistent, {c['rows'] - c['solo_beyond'] - c['solo_uncertain']} of {c['rows']} "
        f"rows within {band:.0%} of their solo median, {c['left_running']} rows left work running"
        + ("." if clean else " (see Interference checks).")
    )


def section(runner: pd.DataFrame, meta: dict[str, Any]) -> Section:
    """The interference section: A/A pairs, solo vs interleaved medians, the thread census."""
    sec = Section("interference", "Interference checks")
    ctx = runner_context(meta)
    found = ctx.get("interference")
    if runner.empty or not found:
        return sec.add(not_measured("Interference checks", "Run `audiobench run` (`make runner-quick`)."))
    band = float(found["solo_band"])
    sec.add(
        Para(
            "Each case measured one row twice under two names in the same rounds (A/A: their paired ratio "
            "must contain 1, CIs family-wise over the run), then every row alone after the rounds, once the "
            f"process was quiet (interleaved/solo within {band:.0%}: *within*; the whole CI beyond: "
            "*beyond*; otherwise *uncertain*), and a census charged every batch with what the process's other "
            "threads ran (per-thread CPU time): a row's declared helper threads are its own work, anything "
            f"else is foreign and charged to whoever started it. Verdict: **{found['verdict']}**."
        )
    )
    if found["reasons"]:
        sec.add(Table(["finding"], [[r] for r in found["reasons"]], title="Why the run is suspect"))
    sec.add(_aa_table(runner))
    sec.add(*_solo_blocks(runner, band))
    sec.add(*_census_blocks(runner, ctx))
    return sec


def _aa_table(runner: pd.DataFrame) -> Table | Para:
    pairs = points(runner, metric="aa_ratio", side=None, statistic="median")
    if not pairs:
        return Para("A/A control: not recorded in this run.")
    rows = []
    for key in sorted(pairs, key=_order):
        p = pairs[key]
        ok = p.low is not None and p.high is not None and p.low <= 1.0 <= p.high
        rows.append([f"{key[0]}/{key[1]} {key[2]}", key[3], ratio(p), "✅" if ok else "❌"])
    conf = select(runner, metric="aa_ratio")["confidence"].dropna()
    level = f"{100 * float(conf.iloc[0]):.2f} %" if not conf.empty else "?"
    return Table(
        ["case", "row and its twin", "ratio [CI]", "contains 1"],
        rows,
        [False, False, True, False],
        title="A/A control",
        note=f"Per-round ratio of the row to its twin; CIs at {level} each so the run's claim holds at 95 %.",
    )


def _solo_blocks(runner: pd.DataFrame, band: float) -> list[Table | Para]:
    solo = points(runner, metric="solo_ratio", side=None, statistic="median")
    if not solo:
        return [Para("Solo vs interleaved: not recorded in this run.")]
    times = points(runner, metric="time", side=None, statistic="median")
    alone = points(runner, metric="solo_time", side=None, statistic="median")
    faults = points(runner, metric="page_faults", side=None, statistic="value")
    solo_faults = points(runner, metric="page_faults", side="solo", statistic="value")
    verdicts = {k: band_verdict(p.value, p.low, p.high, band) for k, p in solo.items()}
    flagged = [k for k in sorted(solo, key=_order) if verdicts[k] != "within"]
    worst = max(solo.values(), key=lambda p: abs(p.value - 1))
    out: list[Table | Para] = [
        Para(
            f"Solo vs interleaved: {len(solo) - len(flagged)} of {len(solo)} rows within {band:.0%}; the "
            f"largest deviation is {ratio(worst)}."
        )
    ]
    if flagged:
        rows = [
            [
                f"{k[0]}/{k[1]} {k[2]}",
                k[3],
                _cell(times, k, 1e6),
                _cell(alone, k, 1e6),
                ratio(solo[k]),
                verdicts[k],
                f"{_cell(faults, k)} → {_cell(solo_faults, k)}",
            ]
            for k in flagged
        ]
        out.append(
            Table(
                ["case", "row", "interleaved µs", "solo µs", "ratio [CI]", "verdict", "page faults per call (→ solo)"],
                rows,
                [False, False, True, True, True, False, True],
                title="Rows not within the band",
                note="Page faults per call in the rounds and alone: a change says the allocator's state differed.",
            )
        )
    return out


def _cell(points: dict[CaseKey, Point], key: CaseKey, scale: float = 1.0) -> str:
    return num(points[key].value * scale) if key in points else "—"


def _census_blocks(runner: pd.DataFrame, ctx: dict[str, Any]) -> list[Table | Para]:
    out: list[Table | Para] = []
    found = ctx["interference"]
    threads = [t for t in found.get("threads", []) if not t.get("timing")]
    pools = ctx.get("thread_pools") or {}
    placement = pools.get("placement") or {}
    rows = [[str(t["name"]), str(t["owner"])] for t in threads]
    placed = (
        f"timing thread on CPU {placement['timing_cpu']}, the JSON executor's worker on CPU "
        f"{placement['executor_cpu']}, base64 feeding threads one per CPU, rust-direct-mt's workers on the "
        f"CPUs after the timing thread's, other threads on CPUs {placement['cpus']}"
        if placement.get("pinned")
        else "threads not pinned (" + str(placement.get("why", "not recorded")) + ")"
    )
    blas = ", ".join(f"{p['internal_api']} {p['version']} ({p['prefix']})" for p in pools.get("pools", [])) or "none"
    out.append(
        Para(
            f"Thread census: {found.get('census', '?')}. Placement: {placed}. BLAS/OpenMP pools ({blas}) limited "
            f"to {pools.get('limit_during_timing', '?')} thread while timing; the JSON executor runs "
            f"{pools.get('json_worker_threads', '?')} worker thread(s); rust-direct-mt splits each call across "
            f"{pools.get('parallel_threads', '?')} thread(s). Threads of the process other than the "
            f"timing thread, and who started them ('process': before the first row): "
            + (", ".join(f"{n} ({o})" for n, o in rows) or "none")
            + "."
        )
    )
    share = points(runner, metric="foreign_cpu_share", side=None, statistic="value")
    left = points(runner, metric="left_running_share", side=None, statistic="value")
    busy = {k for k, p in share.items() if p.value > 0.001} | {k for k, p in left.items() if p.value > 0.001}
    if busy:
        out.append(
            Table(
                ["case", "row", "foreign CPU during its batches %", "its threads during others' batches %"],
                [
                    [
                        f"{k[0]}/{k[1]} {k[2]}",
                        k[3],
                        _cell(share, k, 100),
                        _cell(left, k, 100),
                    ]
                    for k in sorted(busy, key=_order)
                ],
                [False, False, True, True],
                title="Background CPU seen by the census (rows above 0.1 %)",
            )
        )
    else:
        out.append(
            Para("No row saw foreign background CPU above 0.1 % of its batches; no row's threads ran in others'.")
        )
    return out
