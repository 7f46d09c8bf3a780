"""The timed batch, warm-up and calibration: the innermost timing loop, standard library only.

It imports nothing from audiobench on purpose: ``audiobench compare`` loads this very file (by
path) into worker processes that import another commit's audiobench, so BASE and HEAD are timed
by the same loop whatever that commit's runner looked like. See :mod:`audiobench.runner.timing`
for why batches, lead calls and the fastest-of-three calibration.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

Run = Callable[[], object]
Clock = Callable[[], int]
"""Nanoseconds, monotonic: ``time.perf_counter_ns`` (tests pass a virtual one)."""

MAX_CALLS = 1 << 20
LEAD_CALL_MAX = 0.002
"""Rows at most this slow per call get one untimed call at the start of every batch."""


def timed_batch(run: Run, calls: int, lead: bool = False, clock: Clock = time.perf_counter_ns) -> float:
    """Seconds per call over ``calls`` back-to-back calls (after one untimed call if ``lead``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if lead:
            run()
        t0 = clock()
        for _ in range(calls):
            run()
        elapsed = clock() - t0
    finally:
        if enabled:
            gc.enable()
    return elapsed / 1e9 / calls


def warm_up(
    run: Run,
    min_calls: int = 2,
    min_seconds: float = 0.05,
    max_seconds: float = 2.0,
    clock: Clock = time.perf_counter_ns,
) -> int:
    """Call ``run`` until it has run ``min_calls`` times and ``min_seconds`` have passed.

    Allocating tiers reach a steady allocator state this way (pages mapped, pools filled), so
    the rounds measure computation, not first-touch page faults. Returns the calls made.
    """
    calls = 0
    start = clock()
    while calls < min_calls or (clock() - start) / 1e9 < min_seconds:
        run()
        calls += 1
        if (clock() - start) / 1e9 > max_seconds and calls >= 1:
            break
    return calls


def calibrate(run: Run, target_seconds: float, clock: Clock = time.perf_counter_ns) -> tuple[int, float]:
    """Calls per batch so one batch lasts about ``target_seconds``; also the per-call estimate.

    Each step keeps the fastest of three tries (one try when a call is far beyond the target:
    repeating a 0.3 s call teaches nothing).
    """
    calls = 1
    while True:
        per_call = timed_batch(run, calls, clock=clock)
        if per_call * calls < 5 * target_seconds:
            per_call = min(per_call, timed_batch(run, calls, clock=clock), timed_batch(run, calls, clock=clock))
        if per_call * calls >= target_seconds or calls >= MAX_CALLS:
            return calls, per_call
        # Aim straight for the target, at least doubling, with a 20 % margin.
        calls = min(MAX_CALLS, max(calls * 2, int(target_seconds / max(per_call, 1e-9) * 1.2)))
