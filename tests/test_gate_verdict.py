"""The gate's verdict rules on synthetic numbers and seeded samples: pass, fail and inconclusive,
including the boundaries (a CI that touches the threshold)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from audiobench import verdict
from audiobench.stats import median_difference
from audiobench.verdict import Outcome

PASS, FAIL, INCONCLUSIVE = Outcome.PASS, Outcome.FAIL, Outcome.INCONCLUSIVE


def times(seed: int, n: int, cv: float, scale: float = 1e-3) -> npt.NDArray[np.float64]:
    """Seconds per call: log-normal around ``scale`` (timing noise is skewed, never negative)."""
    return scale * np.random.default_rng(seed).lognormal(0.0, cv, n)


# --- absolute ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ((0.30, 0.40), PASS),
        ((2.10, 2.30), FAIL),
        ((1.90, 2.10), INCONCLUSIVE),
        ((1.50, 2.00), INCONCLUSIVE),  # upper bound touches the limit: not entirely below it
        ((2.00, 2.50), INCONCLUSIVE),  # lower bound touches the limit: not entirely above it
        ((1.50, math.nextafter(2.0, 0.0)), PASS),
        ((math.nextafter(2.0, 3.0), 2.5), FAIL),
    ],
)
def test_absolute_max_target(ci: tuple[float, float], expected: Outcome) -> None:
    v = verdict.absolute(sum(ci) / 2, ci, 2.0, "max", "ms per s of audio")
    assert v.outcome is expected
    assert v.threshold == 2.0 and v.ci == ci
    assert "ms per s of audio" in v.reason


def test_absolute_min_target_is_the_mirror_image() -> None:
    assert verdict.absolute(5.0, (4.0, 6.0), 3.0, "min").outcome is PASS
    assert verdict.absolute(2.0, (1.0, 2.5), 3.0, "min").outcome is FAIL
    assert verdict.absolute(3.0, (2.0, 4.0), 3.0, "min").outcome is INCONCLUSIVE
    assert verdict.absolute(3.5, (3.0, 4.0), 3.0, "min").outcome is INCONCLUSIVE


def test_absolute_accepts_a_ci_in_either_order_and_refuses_nonsense() -> None:
    assert verdict.absolute(0.3, (0.4, 0.2), 2.0, "max").ci == (0.2, 0.4)
    with pytest.raises(ValueError, match="direction"):
        verdict.absolute(1.0, (0.9, 1.1), 2.0, "below")
    with pytest.raises(ValueError, match="non-finite"):
        verdict.absolute(float("nan"), (0.9, 1.1), 2.0, "max")


# --- speedup -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ((12.0, 28.0), PASS),
        ((1.1, 1.5), FAIL),
        ((1.5, 2.5), INCONCLUSIVE),
        ((2.0, 3.0), INCONCLUSIVE),  # touches the minimum from above
        ((1.0, 2.0), INCONCLUSIVE),  # touches it from below
    ],
)
def test_speedup_against_a_minimum(ci: tuple[float, float], expected: Outcome) -> None:
    v = verdict.speedup(sum(ci) / 2, ci, 2.0)
    assert v.outcome is expected
    assert "2×" in v.reason


# --- wall-time regression --------------------------------------------------------------------


def test_aa_pair_passes() -> None:
    for seed in range(5):
        v = verdict.wall_time(times(seed, 15, 0.05), times(seed + 100, 15, 0.05), min_effect=0.3, alpha=0.01)
        assert v.outcome is PASS, v.reason
        assert v.ci is not None and v.ci[1] < 1.3


def test_a_2x_regression_fails() -> None:
    for seed in range(5):
        v = verdict.wall_time(times(seed, 15, 0.05), 2.0 * times(seed + 100, 15, 0.05), min_effect=0.3, alpha=0.01)
        assert v.outcome is FAIL, v.reason
        assert v.p_value is not None and v.p_value < 0.01
        assert 1.8 < v.value < 2.2 and v.ci is not None and v.ci[0] > 1.3


def test_a_large_variance_pair_is_inconclusive() -> None:
    for seed in range(3):
        v = verdict.wall_time(times(seed, 8, 0.5), 1.3 * times(seed + 100, 8, 0.5), min_effect=0.3, alpha=0.01)
        assert v.outcome is INCONCLUSIVE, v.reason


def test_a_shift_below_the_minimum_effect_passes_even_when_significant() -> None:
    """The between-process spread on a noisy VM: significant with many rounds, but not a regression."""
    base, cur = times(1, 60, 0.03), 1.15 * times(2, 60, 0.03)
    v = verdict.wall_time(base, cur, min_effect=0.3, alpha=0.01)
    assert v.p_value is not None and v.p_value < 0.01
    assert v.outcome is PASS


def test_an_improvement_passes() -> None:
    v = verdict.wall_time(times(3, 15, 0.05), 0.5 * times(4, 15, 0.05), min_effect=0.3, alpha=0.01)
    assert v.outcome is PASS and v.value < 0.6 and "-" in v.reason


def test_beyond_the_effect_but_not_significant_is_inconclusive() -> None:
    # Two rounds each: the smallest one-sided Mann–Whitney p is 1/6, never below alpha.
    v = verdict.wall_time([1.0e-3, 1.01e-3], [2.0e-3, 2.02e-3], min_effect=0.3, alpha=0.01)
    assert v.outcome is INCONCLUSIVE and "not significant" in v.reason


def test_wall_time_ci_touching_the_effect_limit_is_inconclusive() -> None:
    base, cur = times(5, 15, 0.05), times(6, 15, 0.05)
    d = median_difference("current", cur, "baseline", base)
    assert 0.5 < d.ratio_ci_high < 2.0  # so 1 + (hi - 1) == hi exactly
    at = verdict.wall_time(base, cur, min_effect=d.ratio_ci_high - 1.0, alpha=0.01)
    assert at.threshold == d.ratio_ci_high and at.outcome is INCONCLUSIVE
    above = verdict.wall_time(base, cur, min_effect=math.nextafter(d.ratio_ci_high, 3.0) - 1.0, alpha=0.01)
    assert above.outcome is PASS

    slow = 2.0 * cur
    d = median_difference("current", slow, "baseline", base)
    assert 0.5 < d.ratio_ci_low < 4.0 and (d.ratio_ci_low - 1.0) + 1.0 == d.ratio_ci_low
    at = verdict.wall_time(base, slow, min_effect=d.ratio_ci_low - 1.0, alpha=0.01)
    assert at.outcome is INCONCLUSIVE
    below = verdict.wall_time(base, slow, min_effect=math.nextafter(d.ratio_ci_low, 0.0) - 1.0, alpha=0.01)
    assert below.outcome is FAIL


def test_normalising_by_a_same_round_reference_cancels_a_machine_wide_slowdown() -> None:
    """Rounds are paired within a run: dividing by the reference row of the same round removes a
    slowdown that hit both rows (here the whole machine 25 % slower in the second run)."""
    rng = np.random.default_rng(11)
    drift_a, drift_b = rng.lognormal(0, 0.05, 15), 1.25 * rng.lognormal(0, 0.05, 15)
    kernel_a, ref_a = 1e-3 * drift_a * rng.lognormal(0, 0.01, 15), 4e-4 * drift_a
    kernel_b, ref_b = 1e-3 * drift_b * rng.lognormal(0, 0.01, 15), 4e-4 * drift_b
    raw = verdict.wall_time(kernel_a, kernel_b, min_effect=0.1, alpha=0.01)
    assert raw.outcome is FAIL
    norm = verdict.wall_time(
        verdict.normalized(kernel_a, ref_a), verdict.normalized(kernel_b, ref_b), min_effect=0.1, alpha=0.01
    )
    assert norm.outcome is PASS
    with pytest.raises(ValueError, match="unpaired"):
        verdict.normalized(kernel_a, ref_a[:-1])


def test_wall_time_refuses_empty_or_non_finite_samples() -> None:
    with pytest.raises(ValueError):
        verdict.wall_time([], [1.0], 0.3, 0.01)
    with pytest.raises(ValueError):
        verdict.wall_time([1.0, float("inf"), 1.0], [1.0, 1.0, 1.0], 0.3, 0.01)


# --- counters ------------------------------------------------------------------------------------


def test_instruction_counts_within_tolerance_pass_beyond_fail() -> None:
    base = 1_218_828.0
    allowed = 0.001 * base + 32
    assert verdict.counter(base, base, 0.001, 32).outcome is PASS
    assert verdict.counter(base, base + allowed, 0.001, 32).outcome is PASS  # exactly the allowance
    over = verdict.counter(base, base + allowed + 1, 0.001, 32, "instructions")
    assert over.outcome is FAIL and "instructions" in over.reason and over.threshold == base + allowed
    assert verdict.counter(base, 2 * base, 0.001, 32).outcome is FAIL


def test_small_stages_get_the_absolute_slack() -> None:
    assert verdict.counter(88, 88 + 32, 0.001, 32).outcome is PASS
    assert verdict.counter(88, 88 + 33, 0.001, 32).outcome is FAIL


def test_allocations_are_exact() -> None:
    assert verdict.counter(4, 4, 0.0, 0).outcome is PASS
    assert verdict.counter(4, 5, 0.0, 0).outcome is FAIL
    assert verdict.counter(0, 1, 0.0, 0).outcome is FAIL


def test_fewer_counts_pass_and_say_so() -> None:
    v = verdict.counter(2_000_000, 1_000_000, 0.001, 32)
    assert v.outcome is PASS and "refresh the baseline" in v.reason
