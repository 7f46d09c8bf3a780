"""One case's measurement: warm-up, calibration, interleaved rounds with an A/A twin and the
thread census, then every row alone — and the checks that compare them.

The rows arrive prepared (``name → run``); what they compute is not this module's business,
so tests drive it with synthetic rows and a virtual clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from audiobench.runner.census import Census
from audiobench.runner.interference import AA_SUFFIX, aa_row, solo_check
from audiobench.runner.timing import LEAD_CALL_MAX, Clock, RoundRobin, Run, calibrate, warm_up


@dataclass(frozen=True)
class Rounds:
    """How one case is measured (from the suite's settings and the case's share of the budget)."""

    round_seconds: float
    """Target duration of one batch (one row's share of a round)."""
    min_rounds: int
    max_rounds: int
    solo_batches: int
    """Batches of each row measured alone after the rounds."""
    budget_s: float
    """Seconds for this case's rounds and solo batches (rounds are clamped to min/max)."""


@dataclass
class Measured:
    """What :func:`measure` found for one case."""

    samples: dict[str, list[float]]
    """Seconds per call, one sample per round, for every row (the A/A twin excluded)."""
    orders: list[list[str]]
    warmup_calls: dict[str, int]
    batches: dict[str, tuple[int, bool]]
    """name → (calls per batch, untimed lead call)"""
    aa: dict[str, Any] | None
    """The A/A twin's row and samples, judged once the run's pairs are counted
    (:func:`audiobench.runner.interference.judge_aa`)."""
    solo: dict[str, dict[str, Any]] = field(default_factory=dict)
    census: dict[str, dict[str, Any]] = field(default_factory=dict)


def measure(
    runs: dict[str, Run],
    kinds: dict[str, str],
    rounds: Rounds,
    *,
    seed: int,
    census: Census | None = None,
    on_round: Callable[[int, int], None] = lambda done, total: None,
    clock: Clock = time.perf_counter_ns,
) -> Measured:
    """Measure ``runs`` (name → prepared call; ``kinds`` gives each name's row kind: ``tier``,
    ``peer`` or ``limit``) interleaved, then each alone; see :mod:`audiobench.runner.interference`.

    With a census (set up for the case by the caller: :meth:`Census.new_case`), the threads
    each row starts while warming up are adopted as its own and every batch of the rounds is
    charged with the background CPU time it saw.
    """
    warm: dict[str, int] = {}
    batches: dict[str, tuple[Run, int, bool]] = {}
    for name, run in runs.items():
        warm[name] = warm_up(run, clock=clock)
        calls, per_call = calibrate(run, rounds.round_seconds, clock=clock)
        batches[name] = (run, calls, per_call <= LEAD_CALL_MAX)
        if census is not None:
            census.adopt(name)
    twin_of = aa_row(list(kinds.items()))
    if twin_of is not None:
        batches[twin_of + AA_SUFFIX] = batches[twin_of]
    rr = RoundRobin(batches, seed=seed, census=census, clock=clock)
    t0 = clock()
    rr.round()  # every round is a sample; the first one also prices a round for the budget
    round_cost = (clock() - t0) / 1e9
    # The solo batches cost about one round's worth each; they come out of the same budget.
    affordable = rounds.budget_s / max(round_cost, 1e-9) - rounds.solo_batches
    total = int(min(rounds.max_rounds, max(rounds.min_rounds, affordable)))
    on_round(rr.rounds_done, total)
    while rr.rounds_done < total:
        rr.round()
        on_round(rr.rounds_done, total)
    names = list(runs)
    solo = rr.solo(names, rounds.solo_batches) if rounds.solo_batches else {}
    return Measured(
        samples={n: rr.samples[n] for n in names},
        orders=rr.orders,
        warmup_calls=warm,
        batches={n: (batches[n][1], batches[n][2]) for n in names},
        aa={"row": twin_of, "twin_samples_s": rr.samples[twin_of + AA_SUFFIX]} if twin_of else None,
        solo={n: solo_check(n, rr.samples[n], solo[n], rr.predecessors(n)) for n in solo},
        census={n: census.row_report(n, names, rr.calls_made(n, rr.rounds_done)) for n in names}
        if census is not None and census.enabled
        else {},
    )
