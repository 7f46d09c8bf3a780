"""Sentences the report writes from numbers say what those numbers say: a CI said to include 1
includes it, a tier said to be faster is faster by its paired CI."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from audiobench.collect.schema import frame
from audiobench.report import recommend

RATIO = r"(?P<value>\d+\.\d+)× \[(?P<low>\d+\.\d+), (?P<high>\d+\.\d+)\]"


def case(medians: dict[str, float], ratios: dict[tuple[str, str], tuple[float, float, float]]) -> pd.DataFrame:
    """One runner case: median seconds per tier and paired ratios (tier, reference) → (value, low, high)."""
    ids: dict[str, Any] = {"operation": "resample", "variant": "low", "size": "15.2329s", "source": "runner"}
    rows: list[dict[str, Any]] = [
        {**ids, "tier": t, "metric": "time", "statistic": "median", "value": v, "unit": "s"} for t, v in medians.items()
    ]
    for (t, ref), (v, lo, hi) in ratios.items():
        rows.append(
            {**ids, "tier": t, "reference": ref, "metric": "ratio", "statistic": "median", "value": v, "unit": "ratio",
             "ci_low": lo, "ci_high": hi, "confidence": 0.95}
        )  # fmt: skip
    return frame(rows)


def both_ways(
    r: dict[tuple[str, str], tuple[float, float, float]],
) -> dict[tuple[str, str], tuple[float, float, float]]:
    out = dict(r)
    for (t, ref), (v, lo, hi) in r.items():
        out[(ref, t)] = (1 / v, 1 / hi, 1 / lo)
    return out


def check(named: str, why: str) -> None:
    """Every claim in ``why`` against the numbers it quotes."""
    for m in re.finditer(rf"= {RATIO} \(CI includes 1\)", why):
        assert float(m["low"]) <= 1.0 <= float(m["high"]), why
    m = re.search(rf"faster than the next tier, [\w-]+: [\w-]+ / [\w-]+ = {RATIO}", why)
    if m:
        assert float(m["low"]) > 1.0, why


def test_a_lower_median_does_not_outrank_the_paired_ratio() -> None:
    """The case a user met: rust-fast had the lower median, yet rust-direct / rust-fast = 0.874×
    [0.870, 0.888] — rust-direct is faster in the paired rounds, and the report must say so."""
    c = case(
        {"rust-fast": 1.00e-3, "rust-direct": 1.02e-3, "python": 3.0e-3},
        both_ways({("rust-direct", "rust-fast"): (0.874, 0.870, 0.888), ("python", "rust-fast"): (3.0, 2.9, 3.1),
                   ("python", "rust-direct"): (3.4, 3.3, 3.5)}),
    )  # fmt: skip
    named, why = recommend._verdict(c) or ("", "")
    assert named == "rust-direct" and "CI includes 1" not in why
    check(named, why)


@pytest.mark.parametrize("seed", range(200))
def test_every_recommendation_states_only_what_its_ratios_show(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tiers = ["python", "python-best", "rust-fast", "rust-direct"]
    medians = {t: float(rng.uniform(0.5, 1.5)) * 1e-3 for t in tiers}
    ratios = {}
    for i, t in enumerate(tiers):
        for ref in tiers[i + 1 :]:
            v = medians[t] / medians[ref] * float(rng.normal(1, 0.05))
            half = float(rng.uniform(0.005, 0.1))
            ratios[(t, ref)] = (v, v - half, v + half)
    named, why = recommend._verdict(case(medians, both_ways(ratios))) or ("", "")
    check(named, why)
    if named not in ("", "inconclusive"):
        best = named.split(" or ")[0]
        for (t, ref), (_, lo, hi) in both_ways(ratios).items():
            if ref == best:  # nothing named best is beaten by its own paired CI
                assert not hi < 1.0, (t, best, lo, hi)


@pytest.mark.parametrize("seed", range(300))
def test_every_decision_states_only_what_its_speedup_shows(seed: int) -> None:
    from audiobench.report import decision
    from audiobench.stats import Point

    rng = np.random.default_rng(seed)
    v = float(np.exp(rng.normal(0, 0.2)))
    half = float(rng.uniform(0.0005, 0.2))
    p = Point(v, v * (1 - half), v * (1 + half))
    ok = [True, False, None][seed % 3]
    text = decision.verdict(p, "rust-direct", "python-best", ok)
    shown = re.search(RATIO, text)
    if ok is False:
        assert text.startswith("do not move") and shown is None
        return
    assert shown is not None
    low, high = float(shown["low"]), float(shown["high"])
    if text.startswith("move it"):
        assert low > 1.0 and ("matched output" in text) == (ok is True)
    elif "slower" in text:
        assert high < 1.0
    else:
        assert "no significant difference" in text and low <= 1.0 <= high


def test_the_first_screen_decides_every_measured_operation() -> None:
    """On the fixtures' run: one decision per measured (operation, variant), each verdict
    following from its own speed-up, and the headline counting them."""
    from pathlib import Path

    from audiobench.collect import collect
    from audiobench.report import decision
    from audiobench.report.query import newest_run

    fixtures = Path(__file__).parent / "fixtures" / "data"
    df, _ = collect(fixtures, None, None)
    runner = newest_run(df, "runner")
    decided = decision.decide(runner)
    timed = runner[runner["metric"] == "time"]
    measured = {f"{o}/{v}" for o, v in timed[["operation", "variant"]].drop_duplicates().itertuples(index=False)}
    assert {d.case for d in decided} == measured
    for d in decided:
        assert d.rust.startswith("rust-") and d.python.startswith("python")
        assert d.speedup is not None and d.speedup.low is not None and d.rust_ok is True
        assert d.verdict.startswith("move it") == (d.speedup.low > 1.0)
    moved = sum(d.verdict.startswith("move it") for d in decided)
    assert decision.headline(decided).startswith(f"Move to Rust: {moved} of {len(decided)} cases")


def test_opposite_orders_of_median_and_speedup_are_explained_only_when_both_are_clear() -> None:
    from audiobench.report.operations import order_notes

    def speedups(direct: tuple[float, float, float], fast: tuple[float, float, float]) -> pd.DataFrame:
        return case(
            {"python": 30e-6, "rust-direct": 2.9e-6, "rust-fast": 2.8e-6},
            {("python", "rust-direct"): direct, ("python", "rust-fast"): fast},
        )

    apart = speedups((11.0, 10.9, 11.1), (10.0, 9.9, 10.1))  # rust-fast's median lower, rust-direct's ratio higher
    [note] = order_notes(apart, [("default", "frame", apart)])
    assert note.startswith("default frame: rust-fast's median time is below rust-direct's")
    overlapping = speedups((10.5, 9.9, 11.1), (10.0, 9.5, 10.6))
    assert order_notes(overlapping, [("default", "frame", overlapping)]) == []
    agreeing = speedups((9.0, 8.9, 9.1), (10.0, 9.9, 10.1))
    assert order_notes(agreeing, [("default", "frame", agreeing)]) == []
