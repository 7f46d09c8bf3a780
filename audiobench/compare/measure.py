"""The paired measurement: BASE and HEAD workers driven in strict alternation, in the same rounds.

Randomized multiple interleaved trials (Abedi & Brecht, "Conducting Repeatable Experiments in
Highly Variable Cloud Computing Environments", ICPE 2017): the rounds are spread over
``processes`` pairs of fresh worker processes; in every round each (case, row) runs one batch
in BASE's worker and one in HEAD's, back to back, the order drawn at random, the (case, row)
order shuffled. Both workers are pinned to the same core and only one runs at a time (the other
waits on its pipe), so each pair of batches saw the same machine: a neighbour's load that comes
and goes cancels in the per-round ratio HEAD/BASE.

What the comparison also records, to prove it can be trusted (see :func:`interference`):

* the CPU time a worker used *while waiting* (anything a row leaves running between its batches
  — executor threads, a spinning BLAS pool — would steal from the other build's batch);
* per round, which build ran first and in which process pair (so a carry-over between the two
  batches, or an offset one process carries, can be read off the rounds);
* the VM's steal time over the comparison.

The module knows nothing of git or builds: :func:`measure` is given a function that starts a
pair of workers, so tests drive it with fakes.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

SEED = 20261130


class Side(Protocol):
    """A worker as the schedule uses it (:class:`audiobench.compare.workers.Worker` or a fake)."""

    def call(self, cmd: str, timeout: float = ..., **args: Any) -> dict[str, Any]:
        """Send ``cmd`` with ``args``; its answer."""
        ...

    def close(self) -> None:
        """Stop the worker."""
        ...


StartPair = Callable[[int], tuple[Side, Side]]
"""Pair index → (BASE worker, HEAD worker), started."""


class MeasureError(RuntimeError):
    """The two builds cannot be compared (no common case, different inputs everywhere, ...)."""


@dataclass(frozen=True)
class Settings:
    suite: str
    ops: list[str]
    tiers: list[str]
    round_seconds: float
    min_rounds: int
    max_rounds: int
    processes: int
    time_budget_s: float
    only: set[tuple[str, str, str, str]] | None = None
    """(op, variant, size, row) to measure; None: every common one."""
    confidence: float = 0.98
    """The CI level the comparison is to be judged at, recorded in the compare file."""


@dataclass
class Item:
    """One (case, row) both builds have, and its rounds."""

    case: dict[str, Any]
    """BASE's description of the case (op, variant, size, unit, input_checksum)."""
    row: str
    index: tuple[int, int]
    """The case's index in BASE's and in HEAD's plan."""
    calls: int
    lead: bool
    base: dict[str, Any]
    head: dict[str, Any]
    rounds: list[dict[str, Any]] = field(default_factory=list)
    """Per round: pair, base_s, head_s, first ('base' | 'head'), the waiting worker's idle CPU."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(op, variant, size, row)."""
        return (self.case["op"], self.case["variant"], self.case["size"], self.row)


@dataclass
class Measured:
    items: list[Item]
    hello: dict[str, Any]
    skipped: list[str]
    rounds_per_pair: list[int]
    idle: dict[str, dict[str, float]]
    """side → {cpu_s, wall_s} the worker used / waited between its batches."""
    steal_s: float | None
    seconds: float


def _match(base: list[dict[str, Any]], head: list[dict[str, Any]], s: Settings) -> tuple[list[Item], list[str]]:
    """Items both builds can run on the same input bytes, and what was left out and why."""
    heads = {(c["op"], c["variant"], c["size"]): (i, c) for i, c in enumerate(head)}
    items, skipped = [], []
    for bi, bc in enumerate(base):
        key = (bc["op"], bc["variant"], bc["size"])
        label = "/".join(key[:2]) + f" {key[2]}"
        if key not in heads:
            skipped.append(f"{label}: only BASE has this case")
            continue
        hi, hc = heads.pop(key)
        if bc["input_checksum"] != hc["input_checksum"]:
            skipped.append(f"{label}: the input bytes differ between BASE and HEAD")
            continue
        hrows = {r["row"]: r for r in hc["rows"]}
        for br in bc["rows"]:
            hr = hrows.pop(br["row"], None)
            if hr is None:
                skipped.append(f"{label} {br['row']}: only BASE has this row")
                continue
            if s.only is not None and (*key, br["row"]) not in s.only:
                continue
            calls = max(1, min(int(br["calls"]), int(hr["calls"])))
            items.append(Item(bc, br["row"], (bi, hi), calls, bool(br["lead"] or hr["lead"]), br, hr))
        skipped += [f"{label} {r}: only HEAD has this row" for r in hrows]
    skipped += [f"{k[0]}/{k[1]} {k[2]}: only HEAD has this case" for k in heads]
    return items, skipped


def _steal_s() -> float | None:
    """Seconds of steal time (a hypervisor running someone else on our vCPUs), all CPUs summed."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _round_seconds(items: list[Item]) -> float:
    """What one round costs: two batches per item at the calibrated calls."""
    per = [i.calls * (float(i.base["per_call_s"]) + float(i.head["per_call_s"])) for i in items]
    return sum(per) + 2 * len(items) * 2e-4  # + the pipe round trips


def _pair_rounds(s: Settings, pair: int, done: int, left_s: float, round_s: float) -> int:
    """Rounds for this pair: the budget left shared by the pairs left, within the minimum and
    maximum spread over the pairs (the first pairs take the remainder)."""
    pairs_left = s.processes - pair
    lo = max(1, -(-(s.min_rounds - done) // pairs_left))
    hi = max(lo, -(-(s.max_rounds - done) // pairs_left))
    return int(min(hi, max(lo, left_s / pairs_left / max(round_s, 1e-9))))


def measure(start: StartPair, s: Settings, *, on_round: Callable[[int, int], None] = lambda d, t: None) -> Measured:
    """Run the comparison (see the module docstring); workers are always closed."""
    t0 = time.perf_counter()
    steal0 = _steal_s()
    items: list[Item] = []
    skipped: list[str] = []
    hello: dict[str, Any] = {}
    per_pair: list[int] = []
    idle = {"base": {"cpu_s": 0.0, "wall_s": 0.0}, "head": {"cpu_s": 0.0, "wall_s": 0.0}}
    for pair in range(s.processes):
        t_pair = time.perf_counter()
        base, head = start(pair)
        try:
            sides = {"base": base, "head": head}
            hello_now = {k: w.call("hello") for k, w in sides.items()}
            # The first pair calibrates the calls per batch every later pair uses.
            args: dict[str, Any] = {
                "suite": s.suite,
                "ops": s.ops,
                "tiers": s.tiers,
                "round_seconds": s.round_seconds,
                "calibrate": pair == 0,
                "warm_up_s": 0.05 if pair == 0 else 0.02,
            }
            plans = {k: w.call("prepare", **args)["cases"] for k, w in sides.items()}
            if pair == 0:
                hello = hello_now
                items, skipped = _match(plans["base"], plans["head"], s)
                if not items:
                    raise MeasureError("nothing to compare: " + ("; ".join(skipped) or "no common case and row"))
            else:
                again, _ = _match(plans["base"], plans["head"], s)
                if [i.key for i in again] != [i.key for i in items]:
                    raise MeasureError(f"process pair {pair} prepared other cases than pair 0")
                for it, new in zip(items, again, strict=True):
                    it.index = new.index
            # Later pairs cost another start-up and preparation like this one (a guess on the
            # safe side for pair 0, which also calibrated).
            prep_s = time.perf_counter() - t_pair
            left = s.time_budget_s - (time.perf_counter() - t0) - prep_s * (s.processes - pair - 1)
            n = _pair_rounds(s, pair, sum(per_pair), left, _round_seconds(items))
            per_pair.append(n)
            total = sum(per_pair) + sum(
                _pair_rounds(s, q, sum(per_pair), 0.0, 1.0) for q in range(pair + 1, s.processes)
            )
            rng = random.Random(SEED + pair)
            for r in range(n):
                order = list(range(len(items)))
                rng.shuffle(order)
                for k in order:
                    it = items[k]
                    first = rng.choice(("base", "head"))
                    got: dict[str, dict[str, Any]] = {}
                    for side in (first, "head" if first == "base" else "base"):
                        idx = it.index[0] if side == "base" else it.index[1]
                        got[side] = sides[side].call("batch", case=idx, row=it.row, calls=it.calls, lead=it.lead)
                        for key, field_ in (("cpu_s", "idle_cpu_s"), ("wall_s", "idle_wall_s")):
                            idle[side][key] += float(got[side].get(field_, 0.0))
                    it.rounds.append(
                        {
                            "pair": pair,
                            "base_s": got["base"]["s"],
                            "head_s": got["head"]["s"],
                            "first": first,
                            "other_threads_cpu_s": {k: v["other_threads_cpu_s"] for k, v in got.items()},
                            "idle_cpu_s": {k: float(v.get("idle_cpu_s", 0.0)) for k, v in got.items()},
                        }
                    )
                on_round(sum(per_pair[:-1]) + r + 1, total)
        finally:
            base.close()
            head.close()
    steal1 = _steal_s()
    steal = steal1 - steal0 if steal0 is not None and steal1 is not None else None
    return Measured(items, hello, skipped, per_pair, idle, steal, time.perf_counter() - t0)
