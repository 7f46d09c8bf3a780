"""Sentences the report writes from numbers say what those numbers say: a CI said to include 1
includes it, a tier said to be faster is faster by its paired CI."""

from __future__ import annotations

import re
from typing import Any

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
    rng = __import__("numpy").random.default_rng(seed)
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
