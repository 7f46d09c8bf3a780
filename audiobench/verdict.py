"""Verdicts: pure functions from numbers (or timing samples) to pass / fail / inconclusive.

Rules (the thresholds themselves come from ``benchmarks/targets.toml``):

* **absolute** and **speedup** judge a confidence interval against a limit. The CI is treated as a
  closed interval: pass only if it lies strictly on the good side, fail only if it lies strictly
  on the bad side. A CI that contains or touches the limit is inconclusive — the data cannot
  tell which side the true value is on.
* **wall-time regression** compares two *independent* sample sets: rounds of two runs are not
  paired (different processes, different times), so the test is one-sided Mann–Whitney U
  ("current tends to be slower than baseline") together with a two-sample bootstrap CI of the
  ratio of medians current/baseline. A change must be both significant and large to fail:
  p < alpha *and* the whole ratio CI above 1 + min_effect. It passes when the whole CI is below
  1 + min_effect (any change is smaller than the minimum effect); anything else is inconclusive.
  Significance alone is not enough because on a shared 2-core VM the same kernel differs by
  ~20 % between processes: with enough rounds that difference is always "significant".
* **paired wall-time regression** (``audiobench compare``) judges per-round ratios HEAD/BASE:
  both builds ran the same row back to back in every round, so machine-wide drift cancels in
  each ratio. Each process pair is one observation (its median ratio): the value is their
  geometric mean, the CI Student's t over the pairs. The rule decides at
  ``1 + decide_at`` (half the threshold the gate must catch): fail when the whole CI is above it,
  pass when the whole CI is below it, inconclusive when the CI contains it. A true change of the
  threshold then fails unless its median lands more than a CI half-width below the truth, and
  an unchanged row passes unless it lands that far above.
* **counters** (instructions, allocations, bytes) are deterministic: no statistics, the current
  count may exceed the baseline by at most relative × baseline + absolute (a change equal to the
  allowance passes). Fewer is a pass, with a note to refresh the baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from audiobench.stats import CONFIDENCE, median_difference, paired_estimate


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Verdict:
    """One judgement: the measured value, its CI (if any), the threshold and why."""

    outcome: Outcome
    value: float
    ci: tuple[float, float] | None
    threshold: float
    reason: str
    baseline: float | None = None
    """The baseline value of a regression or counter comparison."""
    p_value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data."""
        d = asdict(self)
        d["outcome"] = str(self.outcome)
        d["ci"] = list(self.ci) if self.ci else None
        return d


def _finite(*xs: float) -> None:
    if not all(math.isfinite(x) for x in xs):
        raise ValueError(f"non-finite input to a verdict: {xs}")


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _judge_ci(lo: float, hi: float, limit: float, good_below: bool) -> Outcome:
    """Three-way judgement of the closed interval [lo, hi] against ``limit``."""
    if good_below:
        return Outcome.PASS if hi < limit else Outcome.FAIL if lo > limit else Outcome.INCONCLUSIVE
    return Outcome.PASS if lo > limit else Outcome.FAIL if hi < limit else Outcome.INCONCLUSIVE


def absolute(value: float, ci: tuple[float, float], limit: float, direction: str, unit: str = "") -> Verdict:
    """A spec target: ``direction`` ``max`` means the value must stay below ``limit``, ``min`` above."""
    lo, hi = sorted(ci)
    _finite(value, lo, hi, limit)
    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min', got {direction!r}")
    below = direction == "max"
    outcome = _judge_ci(lo, hi, limit, good_below=below)
    sign = "<" if below else ">"
    u = f" {unit}" if unit else ""
    span = f"{_fmt(value)}{u} (CI {_fmt(lo)}–{_fmt(hi)})"
    reason = {
        Outcome.PASS: f"{span}, entirely {sign} {_fmt(limit)}",
        Outcome.FAIL: f"{span}, entirely {'>' if below else '<'} {_fmt(limit)}",
        Outcome.INCONCLUSIVE: f"{span} contains the limit {_fmt(limit)}",
    }[outcome]
    return Verdict(outcome, value, (lo, hi), limit, reason)


def speedup(ratio: float, ci: tuple[float, float], minimum: float) -> Verdict:
    """``ratio`` is slow/fast time (the runner's paired a/b with a = the slower-expected row)."""
    lo, hi = sorted(ci)
    _finite(ratio, lo, hi, minimum)
    outcome = _judge_ci(lo, hi, minimum, good_below=False)
    span = f"{ratio:.3g}× (CI {lo:.3g}–{hi:.3g})"
    reason = {
        Outcome.PASS: f"{span} faster, entirely above the minimum {minimum:g}×",
        Outcome.FAIL: f"{span} faster, entirely below the minimum {minimum:g}×",
        Outcome.INCONCLUSIVE: f"{span} faster; the CI contains the minimum {minimum:g}×",
    }[outcome]
    return Verdict(outcome, ratio, (lo, hi), minimum, reason)


def normalized(samples: npt.ArrayLike, reference: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Each round's time divided by the reference row's time in the *same* round (a paired
    quantity: both ran back to back under the same machine state)."""
    x, r = np.asarray(samples, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if x.shape != r.shape:
        raise ValueError(f"unpaired samples: {x.shape} vs reference {r.shape}")
    return x / r


def wall_time(
    baseline: npt.ArrayLike,
    current: npt.ArrayLike,
    min_effect: float,
    alpha: float,
    confidence: float = CONFIDENCE,
) -> Verdict:
    """Regression test of ``current`` against ``baseline`` (independent samples, e.g. seconds per call).

    The value is the ratio of medians current/baseline; the threshold is 1 + ``min_effect``.
    """
    b, c = np.asarray(baseline, dtype=np.float64), np.asarray(current, dtype=np.float64)
    if b.size == 0 or c.size == 0:
        raise ValueError("no samples to compare")
    _finite(*b.tolist(), *c.tolist(), min_effect, alpha)
    limit = 1.0 + min_effect
    d = median_difference("current", c, "baseline", b, confidence)
    lo, hi = d.ratio_ci_low, d.ratio_ci_high
    p = float(sps.mannwhitneyu(c, b, alternative="greater").pvalue)
    change = f"{(d.ratio - 1) * 100:+.1f} % (ratio {d.ratio:.3f}, CI {lo:.3f}–{hi:.3f}, MWU p={p:.2g})"
    if p < alpha and lo > limit:
        outcome, why = Outcome.FAIL, f"slower by {change}: significant and beyond the minimum effect {min_effect:.0%}"
    elif hi < limit:
        outcome, why = Outcome.PASS, f"{change}: any change is below the minimum effect {min_effect:.0%}"
    elif lo > limit:
        outcome, why = Outcome.INCONCLUSIVE, f"{change}: beyond {min_effect:.0%} but not significant at {alpha:g}"
    else:
        outcome, why = Outcome.INCONCLUSIVE, f"{change}: the CI contains the minimum effect {min_effect:.0%}"
    return Verdict(outcome, d.ratio, (lo, hi), limit, why, baseline=float(np.median(b)), p_value=p)


def paired_outcome(ci_low: float, ci_high: float, decide_at: float) -> Outcome:
    """The paired rule on a ratio CI HEAD/BASE: fail when the whole closed CI is above
    ``1 + decide_at``, pass when it is below, inconclusive when it contains it."""
    return _judge_ci(ci_low, ci_high, 1.0 + decide_at, good_below=True)


def paired_regression(
    groups: Sequence[npt.ArrayLike], decide_at: float, threshold: float, confidence: float = CONFIDENCE
) -> Verdict:
    """Regression test on per-round ratios HEAD/BASE (> 1: HEAD slower), grouped by the pair of
    processes that measured them.

    The value and its CI come from :func:`audiobench.stats.paired_estimate` (one observation
    per process pair); the verdict judges the closed CI against ``1 + decide_at`` (see the module
    docstring); ``threshold`` is the regression the rule is built to catch, quoted in the
    reason. Raises ``ValueError`` on no ratios or a non-finite or non-positive one.
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in groups]
    every = np.concatenate(arrays) if arrays else np.empty(0)
    if every.size == 0:
        raise ValueError("no ratios to judge")
    _finite(*every.tolist(), decide_at, threshold)
    ratio, lo, hi = paired_estimate(arrays, confidence)
    limit = 1.0 + decide_at
    rounds = f"{every.size} paired rounds in {sum(1 for a in arrays if a.size)} process pairs"
    change = f"{(ratio - 1) * 100:+.1f} % (ratio {ratio:.3f}, CI {lo:.3f}–{hi:.3f}, {rounds})"
    outcome = paired_outcome(lo, hi, decide_at)
    why = {
        Outcome.FAIL: f"slower by {change}: the whole CI above {limit:.3f}",
        Outcome.PASS: f"{change}: the whole CI below {limit:.3f}",
        Outcome.INCONCLUSIVE: f"{change}: the CI contains {limit:.3f}",
    }[outcome]
    return Verdict(outcome, ratio, (lo, hi), limit, f"{why} (threshold {threshold:.0%})", baseline=1.0)


def counter(baseline: float, current: float, relative: float, absolute: float, what: str = "") -> Verdict:
    """A deterministic count against its baseline: may grow by ``relative`` × baseline + ``absolute``."""
    _finite(baseline, current, relative, absolute)
    allowed = relative * abs(baseline) + absolute
    delta = current - baseline
    pct = f" ({delta / baseline:+.2%})" if baseline else ""
    name = f"{what} " if what else ""
    if delta > allowed:
        outcome = Outcome.FAIL
        reason = f"{name}{_count(baseline)} → {_count(current)}: +{_count(delta)}{pct} > allowed +{_count(allowed)}"
    elif delta < -allowed:
        outcome = Outcome.PASS
        reason = f"{name}{_count(baseline)} → {_count(current)}{pct}: fewer; refresh the baseline to keep the gain"
    else:
        outcome = Outcome.PASS
        reason = f"{name}{_count(current)} within ±{_count(allowed)} of {_count(baseline)}"
    return Verdict(outcome, current, None, baseline + allowed, reason, baseline=baseline)


def _count(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
