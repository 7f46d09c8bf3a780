"""Statistics of timing samples: robust summaries, bootstrap CIs, paired ratios.

The unit of observation is one *round* (one batch of calls of one tier inside one interleaved
round), so samples are independent-ish and rounds pair the tiers: tier A's round *r* ran
between tier B's rounds *r*−1 and *r*+1 under the same machine state. Confidence intervals are
scipy's bootstrap of the median (percentile method: the median is not smooth enough for BCa on
a dozen samples), seeded so the same samples always give the same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

CONFIDENCE = 0.95
RESAMPLES = 4000
SEED = 20251027


@dataclass(frozen=True)
class Summary:
    """Seconds per call over the rounds of one row."""

    n: int
    median: float
    mean: float
    min: float
    max: float
    p99: float
    std: float
    cv: float
    """Coefficient of variation (std / mean) of the round samples."""
    ci_low: float
    ci_high: float
    """Bootstrap CI of the median at :data:`CONFIDENCE`."""

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Ratio:
    """``a / b`` per round, summarised: > 1 means ``a`` is slower (takes longer) than ``b``."""

    a: str
    b: str
    n: int
    median: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, Any]:
        """The paired ratio as JSON-ready data."""
        return asdict(self)


def median_ci(samples: npt.ArrayLike, confidence: float = CONFIDENCE, seed: int = SEED) -> tuple[float, float]:
    """Bootstrap confidence interval of the median; degenerate samples give a zero-width one."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return (float("nan"), float("nan"))
    if x.size < 3 or np.all(x == x[0]):
        m = float(np.median(x))
        return (float(np.min(x)), float(np.max(x))) if x.size < 3 else (m, m)
    res = sps.bootstrap(
        (x,),
        np.median,
        confidence_level=confidence,
        n_resamples=RESAMPLES,
        method="percentile",
        vectorized=True,
        axis=-1,
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def summarize(samples: npt.ArrayLike, confidence: float = CONFIDENCE) -> Summary:
    """Median, its percentile-bootstrap CI at ``confidence`` (scipy.stats.bootstrap, seeded),
    spread and count of ``samples`` (seconds in, seconds out)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        raise ValueError("no samples to summarize")
    lo, hi = median_ci(x, confidence)
    mean = float(np.mean(x))
    std = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    return Summary(
        n=int(x.size),
        median=float(np.median(x)),
        mean=mean,
        min=float(np.min(x)),
        max=float(np.max(x)),
        p99=float(np.percentile(x, 99)),
        std=std,
        cv=std / mean if mean > 0 else float("nan"),
        ci_low=lo,
        ci_high=hi,
    )


def paired_ratio(a_name: str, a: npt.ArrayLike, b_name: str, b: npt.ArrayLike, confidence: float = CONFIDENCE) -> Ratio:
    """Median over rounds of ``a[r] / b[r]`` with its bootstrap CI."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"unpaired samples: {x.shape} vs {y.shape}")
    r = x / y
    lo, hi = median_ci(r, confidence)
    return Ratio(a=a_name, b=b_name, n=int(r.size), median=float(np.median(r)), ci_low=lo, ci_high=hi)


def paired_estimate(groups: Sequence[npt.ArrayLike], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """A ratio measured in rounds by several pairs of processes (each group: one pair's per-round
    ratios), as (estimate, CI low, CI high).

    Each pair is one observation — its median ratio, on a log scale — because a process carries
    an offset of its own (where its buffers and pages landed) that no number of rounds inside it
    averages away. The estimate is the geometric mean of the pairs' medians, the CI Student's t
    over them (the two-stage analysis of randomized multiple interleaved trials: Abedi & Brecht,
    ICPE 2017). With one pair the CI is the seeded bootstrap of the median over its rounds, and
    holds no process-to-process spread. Raises ``ValueError`` on no samples or a non-positive one.
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in groups if np.size(g)]
    if not arrays:
        raise ValueError("no samples")
    if any(np.any(a <= 0) for a in arrays):
        raise ValueError("ratios must be positive")
    if len(arrays) == 1:
        lo, hi = median_ci(arrays[0], confidence)
        return float(np.median(arrays[0])), lo, hi
    logs = np.log([float(np.median(a)) for a in arrays])
    mean = float(np.mean(logs))
    half = float(sps.t.ppf(0.5 + confidence / 2, logs.size - 1) * np.std(logs, ddof=1) / np.sqrt(logs.size))
    return float(np.exp(mean)), float(np.exp(mean - half)), float(np.exp(mean + half))


@dataclass(frozen=True)
class Difference:
    """Median of ``a`` minus median of ``b`` (independent samples), and their ratio, with CIs."""

    a: str
    b: str
    difference: float
    diff_ci_low: float
    diff_ci_high: float
    ratio: float
    ratio_ci_low: float
    ratio_ci_high: float

    def as_dict(self) -> dict[str, Any]:
        """The difference as JSON-ready data."""
        return asdict(self)


def _two_sample_ci(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], statistic: Any, confidence: float
) -> tuple[float, float]:
    if x.size < 3 or y.size < 3:
        lo, hi = statistic(x, y, axis=-1), statistic(x, y, axis=-1)
        return float(lo), float(hi)
    res = sps.bootstrap(
        (x, y),
        statistic,
        confidence_level=confidence,
        n_resamples=RESAMPLES,
        method="percentile",
        vectorized=True,
        paired=False,
        axis=-1,
        rng=np.random.default_rng(SEED),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def median_difference(
    a_name: str, a: npt.ArrayLike, b_name: str, b: npt.ArrayLike, confidence: float = CONFIDENCE
) -> Difference:
    """Compare two independently measured rows (e.g. measured in different processes, where no
    round pairs them): difference and ratio of medians, each with a two-sample bootstrap CI."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.size == 0 or y.size == 0:
        raise ValueError("no samples to compare")

    def diff(p: Any, q: Any, axis: int = -1) -> Any:
        return np.median(p, axis=axis) - np.median(q, axis=axis)

    def ratio(p: Any, q: Any, axis: int = -1) -> Any:
        return np.median(p, axis=axis) / np.median(q, axis=axis)

    d_lo, d_hi = _two_sample_ci(x, y, diff, confidence)
    r_lo, r_hi = _two_sample_ci(x, y, ratio, confidence)
    return Difference(
        a=a_name,
        b=b_name,
        difference=float(np.median(x) - np.median(y)),
        diff_ci_low=d_lo,
        diff_ci_high=d_hi,
        ratio=float(np.median(x) / np.median(y)),
        ratio_ci_low=r_lo,
        ratio_ci_high=r_hi,
    )


def band_verdict(ratio: float, ci_low: float | None, ci_high: float | None, band: float) -> str:
    """Where a ratio that should be 1 lies against ``1 ± band``: ``within`` (the point estimate
    inside), ``beyond`` (the whole CI outside, on one side) or ``uncertain`` (the point outside,
    the CI reaching in or unknown)."""
    lo, hi = 1 - band, 1 + band
    if lo <= ratio <= hi:
        return "within"
    if ci_low is not None and ci_high is not None and (ci_low > hi or ci_high < lo):
        return "beyond"
    return "uncertain"


@dataclass(frozen=True)
class Point:
    """A value with its confidence interval (bounds are None when the tool gave none)."""

    value: float
    low: float | None = None
    high: float | None = None
