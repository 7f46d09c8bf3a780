"""Warm-up, calibration and interleaved rounds: the timing loop of ``audiobench run``.

Within one case every row runs in every round, in a freshly shuffled order, so slow drift
(thermal state, another process, the allocator) hits all rows alike and each round pairs them.
A row's sample for a round is the mean of ``calls`` back-to-back calls, ``calls`` chosen so the
batch lasts about the round target (timer resolution and call overhead then do not matter).
The garbage collector is paused during each batch, as ``timeit`` does, and runs between batches.

On the 2-core VMs this was built on, the first call after another row has run for tens of
milliseconds is often 0.1–3 ms slower than the next (measured even for a 1000-element list
comprehension), whatever the row. Two consequences, both handled here: calibration takes the
fastest of three tries, so one such stall cannot pin a 20 µs call at one call per batch; and a
batch of a fast row (≤ :data:`LEAD_CALL_MAX` per call) starts with one untimed call, so every
row is measured in the same warm state rather than charged for whoever ran before it.
"""

from __future__ import annotations

import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from audiobench.batches import LEAD_CALL_MAX, MAX_CALLS, Clock, Run, calibrate, timed_batch, warm_up
from audiobench.runner.census import Census

__all__ = [
    "LEAD_CALL_MAX",
    "MAX_CALLS",
    "SOLO_SUFFIX",
    "Clock",
    "RoundRobin",
    "Run",
    "calibrate",
    "timed_batch",
    "warm_up",
]

SOLO_SUFFIX = " (solo)"


@dataclass
class RoundRobin:
    """Interleaved rounds over several rows; samples accumulate per row.

    With a :class:`~audiobench.runner.census.Census`, every batch of the rounds is charged with
    the background threads' CPU time it saw. :meth:`solo` measures each row again on its own.
    """

    batches: dict[str, tuple[Run, int, bool]]
    """name → (run, calls per batch, untimed lead call)"""
    seed: int = 0
    census: Census | None = None
    clock: Clock = time.perf_counter_ns
    samples: dict[str, list[float]] = field(default_factory=dict)
    orders: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        for name in self.batches:
            self.samples.setdefault(name, [])

    def _batch(self, name: str, census: Census | None, key: str | None = None) -> float:
        run, calls, lead = self.batches[name]
        with census.batch(name, key) if census else nullcontext():
            return timed_batch(run, calls, lead, self.clock)

    def round(self) -> None:
        """One round: every row's batch once, in a fresh random order."""
        order = list(self.batches)
        self._rng.shuffle(order)
        self.orders.append(order)
        for name in order:
            self.samples[name].append(self._batch(name, self.census))

    def solo(self, names: list[str], batches: int) -> dict[str, dict[str, object]]:
        """Each of ``names`` alone: ``batches`` back-to-back batches with the same calls and lead
        call as in the rounds, started once the process is quiet (no background thread gained
        CPU time for a few ms, see :meth:`Census.settle`), so nothing another row left running
        is in them. Rows are taken in a shuffled order. The census keeps them apart from the
        rounds, in an account of their own (``<name> (solo)``), for their page faults."""
        order = list(names)
        self._rng.shuffle(order)
        out: dict[str, dict[str, object]] = {}
        for name in order:
            waited, quiet = self.census.settle() if self.census else (0.0, True)
            key = name + SOLO_SUFFIX
            samples = [self._batch(name, self.census, key) for _ in range(batches)]
            faults = self.census.faults_per_call(key, self.calls_made(name, batches)) if self.census else None
            out[name] = {"samples_s": samples, "settle_s": waited, "quiet": quiet, "minor_faults_per_call": faults}
        return out

    def calls_made(self, name: str, batches: int) -> int:
        """Calls ``batches`` batches of ``name`` make, lead calls included (the census, which
        counts page faults per call, cannot tell them apart)."""
        _, calls, lead = self.batches[name]
        return batches * (calls + int(lead))

    def predecessors(self, name: str) -> list[str | None]:
        """Per round, the row whose batch ran just before ``name``'s (``None`` for the first
        batch of the first round)."""
        flat = [n for order in self.orders for n in order]
        out: list[str | None] = []
        for i, n in enumerate(flat):
            if n == name:
                out.append(flat[i - 1] if i else None)
        return out

    @property
    def rounds_done(self) -> int:
        """Rounds completed so far."""
        return len(self.orders)
