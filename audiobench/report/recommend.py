"""Recommendation per operation: the fastest tier, named only where the difference is significant.

Significance is the runner's per-round paired ratio: tier B is significantly slower than the
fastest tier A when the CI of B / A lies above 1. The fastest tier is the one no other beats by
that test (not merely the lowest median). Tiers whose CI against it contains 1 are named
together — the data cannot tell them apart. Peers (another algorithm), multi-threaded tiers
(another machine budget: every CPU) and the limit probes are not candidates.
"""

from __future__ import annotations

import pandas as pd

from audiobench.catalogue import load
from audiobench.fmt import ratio
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import ordered, point, select, sizes, value
from audiobench.stats import Point


def _best(case: pd.DataFrame, timed: dict[str, float]) -> str:
    """The fastest tier by the paired ratios: start from the lowest median and move to any tier
    whose whole CI against it is below 1 (the paired statistic outranks two unpaired medians:
    a tier can have the higher median yet be faster in most rounds)."""
    best = min(timed, key=lambda t: timed[t])
    for _ in timed:
        faster = [
            (r.value, t)
            for t in timed
            if t != best
            and (r := point(case, metric="ratio", tier=t, reference=best)) is not None
            and r.high is not None
            and r.high < 1.0
        ]
        if not faster:
            break
        best = min(faster)[1]
    return best


def fastest(case: pd.DataFrame, tiers: list[str]) -> str | None:
    """Of ``tiers`` measured in ``case`` (one runner case), the fastest by the paired ratios;
    None when none has a median time."""
    times = {t: value(case, metric="time", statistic="median", tier=t) for t in tiers}
    timed = {t: v for t, v in times.items() if v is not None}
    return _best(case, timed) if timed else None


def _verdict(case: pd.DataFrame) -> tuple[str, str] | None:
    matched = load().single_thread_tiers
    tiers = [t for t in ordered(case["tier"], matched) if t in matched]
    times = {t: value(case, metric="time", statistic="median", tier=t) for t in tiers}
    timed = {t: v for t, v in times.items() if v is not None}
    if len(timed) < 2:
        return None
    best = _best(case, timed)
    ties: list[tuple[str, Point]] = []
    slower: list[tuple[str, Point]] = []
    faster: list[tuple[str, Point]] = []
    for t in sorted(timed, key=lambda t: timed[t]):
        if t == best:
            continue
        r = point(case, metric="ratio", tier=t, reference=best)
        if r is None or r.low is None or r.high is None:
            continue
        (slower if r.low > 1.0 else faster if r.high < 1.0 else ties).append((t, r))
    if faster:  # the ratios form a cycle: no tier is fastest against every other
        why = "; ".join(f"{t} / {best} = {ratio(r)}" for t, r in faster)
        return "inconclusive", f"the paired ratios disagree on the fastest tier: {why}"
    if ties:
        named = " or ".join([best, *(t for t, _ in ties)])
        why = "; ".join(f"{t} / {best} = {ratio(r)} (CI includes 1)" for t, r in ties)
        return named, f"no significant difference: {why}"
    if not slower:
        return best, "no paired ratios to judge significance"
    t, r = min(slower, key=lambda x: x[1].value)
    return best, f"faster than the next tier, {t}: {t} / {best} = {ratio(r)}"


def section(runner: pd.DataFrame) -> Section:
    """The recommendation section: the fastest tier per case, with the paired ratio that backs it."""
    sec = Section("recommendation", "Recommendation per operation")
    if runner.empty:
        return sec.add(not_measured("Recommendations", "They need a runner run (`audiobench run`)."))
    sec.add(
        Para(
            "On speed alone, at the largest size of each case in the newest runner run. Output quality is in the "
            "operation sections (SNR); the Rust tiers match the Python baselines within the parity floors."
        )
    )
    rows = []
    for op in load().operations:
        ops = select(runner, operation=op)
        for variant in sorted({str(v) for v in ops["variant"].dropna()}):
            measured = sizes(select(ops, variant=variant))
            if not measured:
                continue
            verdict = _verdict(select(ops, variant=variant, size=measured[-1]))
            if verdict:
                rows.append([f"{op}/{variant}", measured[-1], verdict[0], verdict[1]])
    sec.add(Table(["operation", "size", "use", "why"], rows))
    return sec
