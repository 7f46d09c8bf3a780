"""One load step (a server and a load generator, each its own process on its own CPU) and the
bounded search for a tier's capacity.

A step starts a fresh server for the tier (empty buffers, a fresh heap), runs the load generator
against it for ``calls`` calls, then closes the server's stdin and reads its statistics. The
server is pinned to the first CPU of this process's affinity and the generator to the second
(both to the one CPU when there is only one, and the run file says so).

Capacity is the largest call count whose step passes (p99 under one chunk period, no deadline
miss, no lost call, no error reply); the tiers' searches take turns, a step each
(:func:`interleaved`). The search doubles from ``start_calls`` until a step does
not pass, then bisects between the last pass and the first step that did not until they are
within ``precision`` of each other; it never runs more than ``max_steps`` steps or more than
``max_calls`` calls. A step where the generator could not keep its schedule bounds the search
like a failure (nothing above it can be judged); when the search ends on such a step, the
capacity is limited by the generator, and the report says "at least".
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

from audiobench.stream import generator, protocol
from audiobench.stream.names import GENERATORS, check_work

GENERATOR_LAG = 0.25
"""A step is ``generator-bound`` when the generator's p99 loop lag (its own millisecond ticker
woken late, not a wait on a socket) exceeds this share of a chunk period while the generator is
busy (:data:`GENERATOR_BUSY`): its chunks left late enough to thin the load the server saw."""
GENERATOR_BUSY = 0.8
"""Share of its CPU above which the generator counts as busy. Below it, a late ticker is a burst
of acks from a server that stalled (the server's failure, which the step then shows), not a
generator short of CPU: measured, a stalled Python server's acks arriving at once delayed the
ticker by 13-15 ms with the generator at 74-76 % of its CPU."""
PIPELINE_END_SPREAD = 0.5
"""With the pipeline, the calls' ends spread over the step's second half: call ``i`` of N stops
``i/2N`` of the step early. Ending together would put N pipelines in one period, a burst no server
of N calls sees; spread over half a step they arrive at 2N per step duration, twice the rate of N
calls of that length in a steady state (a conservative load), while the calls still running keep
streaming."""
START_TIMEOUT_S = 60.0
"""How long a server may take to import and bind before the step is abandoned."""


class StreamError(RuntimeError):
    """A server or load generator did not start, crashed or overran its time; the message says
    which, with its stderr."""


@dataclass(frozen=True)
class Settings:
    """One ``audiobench stream`` run's knobs (recorded in the stream file)."""

    chunk_ms: int = 40
    work: str = "buffer"
    sample_rate: int = protocol.SAMPLE_RATE
    end_spread: float | None = None
    """Share of each step over which the calls' ends are spread (the generators' ``--end-spread``);
    None: :data:`PIPELINE_END_SPREAD` with the pipeline, else 0 (every call ends in the last period)."""
    duration_s: float = 5.0
    start_calls: int = 64
    max_calls: int = 4096
    max_steps: int = 10
    precision: float = 0.1
    seed: int = 0
    generator: str = "rust"

    def __post_init__(self) -> None:
        if self.generator not in GENERATORS:
            raise ValueError(f"unknown load generator {self.generator!r} (known: {', '.join(GENERATORS)})")
        check_work(self.work, self.sample_rate)
        protocol.chunk_bytes(self.chunk_ms, self.sample_rate)  # raises for a period outside the accepted range
        if self.end_spread is not None and not 0.0 <= self.end_spread <= 1.0:
            raise ValueError(f"end spread {self.end_spread} is outside 0–1")
        if not 0.1 <= self.duration_s <= 600:
            raise ValueError(f"duration {self.duration_s} s is outside 0.1–600 s")
        if not 1 <= self.start_calls <= self.max_calls:
            raise ValueError(f"calls: start {self.start_calls} must be within 1..max {self.max_calls}")

    @property
    def spread(self) -> float:
        """The end spread in force (``end_spread``, or its default for the work)."""
        if self.end_spread is not None:
            return self.end_spread
        return PIPELINE_END_SPREAD if self.work == "pipeline" else 0.0

    def record(self) -> dict[str, Any]:
        """The settings as the stream file records them (the end spread in force)."""
        return {**asdict(self), "end_spread": self.spread}


def placement() -> dict[str, Any]:
    """The server's and the generator's CPUs: the first two this process may use."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return {"server_cpu": None, "generator_cpu": None, "shared": True, "note": "no CPU affinity here"}
    server, generator = cpus[0], cpus[1] if len(cpus) > 1 else cpus[0]
    note = "one CPU each" if server != generator else "one CPU for both: the generator competes with the server"
    return {"server_cpu": server, "generator_cpu": generator, "shared": server == generator, "note": note}


def _tail(err: IO[bytes]) -> str:
    err.seek(0)
    return err.read().decode(errors="replace").strip()[-2000:]


def _read_line(proc: subprocess.Popen[str], err: IO[bytes], timeout: float, what: str) -> dict[str, Any]:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        proc.wait(timeout=10)
        raise StreamError(f"{what}: no answer within {timeout:g} s (exit {proc.returncode}): {_tail(err)}")
    result: dict[str, Any] = json.loads(line)
    return result


def _judge(load: dict[str, Any], period_ns: int) -> tuple[str, list[str]]:
    lag, share = load["loop_lag_ns"]["p99"] or 0.0, load["generator_cpu_share"] or 0.0
    if lag > GENERATOR_LAG * period_ns and share > GENERATOR_BUSY:
        return "generator-bound", [
            f"generator p99 loop lag {lag / 1e6:.2f} ms > {GENERATOR_LAG:g} period at {share:.0%} of its CPU"
        ]
    reasons = []
    p99 = load["latency_ns"]["p99"]
    if p99 is None or p99 >= period_ns:
        reasons.append(f"p99 {'none' if p99 is None else f'{p99 / 1e6:.2f} ms'} ≥ period {period_ns / 1e6:g} ms")
    if load["misses"]:
        reasons.append(f"{load['misses']} deadline misses")
    if load["calls_lost"]:
        reasons.append(f"{len(load['calls_lost'])} calls lost")
    if load["error_replies"]:
        reasons.append(f"{load['error_replies']} error replies")
    return ("fail" if reasons else "pass"), reasons


def run_step(tier: str, calls: int, settings: Settings, where: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve ``calls`` calls of ``settings.duration_s`` with ``tier``; returns the step record
    (``verdict``, ``reasons``, the generator's ``load``, the server's ``server``).

    Raises :class:`StreamError` when either process fails or overruns."""
    where = where or placement()
    py = sys.executable
    cpu = ["--cpu", str(where["server_cpu"])] if where["server_cpu"] is not None else []
    bound = settings.duration_s + 300.0
    # stderr to a file, not a pipe: a server logging a lot must never block on a full pipe
    with tempfile.TemporaryFile() as err:
        argv = [py, "-m", "audiobench.stream.server", "--tier", tier, "--work", settings.work]
        argv += ["--sample-rate", str(settings.sample_rate), "--max-seconds", str(bound), *cpu]
        server = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        try:
            port = _read_line(server, err, START_TIMEOUT_S, f"{tier} server")["port"]
            try:
                load = generator.run(
                    settings.generator,
                    port,
                    calls,
                    settings.chunk_ms,
                    settings.duration_s,
                    sample_rate=settings.sample_rate,
                    end_spread=settings.spread,
                    seed=settings.seed,
                    cpu=where["generator_cpu"],
                    timeout_s=bound,
                )
            except generator.GeneratorError as e:
                raise StreamError(f"{tier}: {e}") from None
            assert server.stdin is not None
            server.stdin.close()
            stats = _read_line(server, err, 60.0, f"{tier} server statistics")
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=10)
            if server.stdout is not None:
                server.stdout.close()
    period_ns = settings.chunk_ms * 1_000_000
    verdict, reasons = _judge(load, period_ns)
    call_seconds = calls * settings.duration_s
    return {
        "calls": calls,
        "verdict": verdict,
        "reasons": reasons,
        "load": load,
        "server": stats,
        "cpu_ms_per_call_s": 1000.0 * stats["cpu_s"] / call_seconds,
    }


def _next(lo: int | None, hi: int | None, settings: Settings, tried: set[int]) -> int | None:
    """The next call count to try, or None when the search is done."""
    if hi is None:
        n = settings.start_calls if lo is None else min(2 * lo, settings.max_calls)
    elif lo is None:
        n = hi // 2
    elif hi - lo <= max(1, int(lo * settings.precision)):
        return None
    else:
        n = (lo + hi) // 2
    return None if n < 1 or n in tried else n


class Search:
    """One tier's bounded capacity search, a step at a time, so that tiers can take turns
    (:func:`interleaved`): ``calls`` is the next count to try (None when done), :meth:`add`
    takes that step's record, :meth:`result` gives the per-tier record."""

    def __init__(self, tier: str, settings: Settings) -> None:
        self.tier, self.settings = tier, settings
        self.steps: list[dict[str, Any]] = []
        self.lo: int | None = None
        self.hi: int | None = None
        self.bound: set[int] = set()  # call counts where the generator, not the server, fell behind
        self.hit_ceiling = False
        self.calls: int | None = _next(None, None, settings, set())

    @property
    def done(self) -> bool:
        """No step left: converged, at the ceiling, or out of steps."""
        return self.calls is None or self.hit_ceiling or len(self.steps) >= self.settings.max_steps

    def add(self, step: dict[str, Any]) -> None:
        """Take the step at :attr:`calls` and choose the next count."""
        self.steps.append(step)
        n = step["calls"]
        if step["verdict"] == "pass":
            self.lo = n
            self.hit_ceiling = n >= self.settings.max_calls
        else:  # a failure, or the generator's limit: the search goes on below it either way
            self.hi = n
            if step["verdict"] == "generator-bound":
                self.bound.add(n)
        self.calls = _next(self.lo, self.hi, self.settings, {s["calls"] for s in self.steps})

    def result(self) -> dict[str, Any]:
        """The stream file's per-tier record, with what limited the search."""
        if self.hit_ceiling:
            limited_by = "max_calls"
        elif self.calls is None and self.hi is not None:
            # converged (not cut short by the budget) on the smallest count that did not pass
            limited_by = "generator" if self.hi in self.bound else "server"
        else:
            limited_by = "steps"
        return _record(self.tier, self.steps, self.lo, self.hi, limited_by)


def capacity(tier: str, settings: Settings, on_step: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Search ``tier``'s capacity alone; returns ``{"tier", "steps", "capacity"}`` (the stream
    file's per-tier record). ``on_step`` sees each step as it ends (progress)."""
    (result,) = interleaved([tier], settings, None if on_step is None else lambda _tier, step: on_step(step))
    return result


def interleaved(
    tiers: list[str], settings: Settings, on_step: Callable[[str, dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Search every tier's capacity, the tiers taking turns a step each (round ``r`` starts at
    tier ``r mod n``), so that a machine that drifts during a run — another tenant, a clock
    change — moves every tier's steps alike instead of the last tier's alone; returns the
    per-tier records in ``tiers`` order. ``on_step(tier, step)`` sees each step as it ends."""
    where = placement()
    searches = [Search(tier, settings) for tier in tiers]
    for r in itertools.count():
        running = [s for s in searches if not s.done]
        if not running:
            break
        k = r % len(running)
        for search in running[k:] + running[:k]:
            assert search.calls is not None
            step = run_step(search.tier, search.calls, settings, where)
            search.add(step)
            if on_step is not None:
                on_step(search.tier, step)
    return [s.result() for s in searches]


def one_step(
    tier: str, calls: int, settings: Settings, on_step: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """One step at ``calls`` instead of the search (``--calls N``), as the same per-tier record;
    the capacity is ``calls`` if the step passed, limited by ``fixed``."""
    step = run_step(tier, calls, settings)
    if on_step is not None:
        on_step(step)
    passed = step["verdict"] == "pass"
    return _record(tier, [step], calls if passed else None, None if passed else calls, "fixed")


def _record(tier: str, steps: list[dict[str, Any]], lo: int | None, hi: int | None, limited_by: str) -> dict[str, Any]:
    """The stream file's per-tier record; the CPU-based estimate is taken at the capacity's step."""
    at = next((s for s in steps if s["calls"] == lo), None)
    cpu = at["cpu_ms_per_call_s"] if at else None
    capacity = {
        "calls": lo,
        "first_failing": hi,
        "limited_by": limited_by,
        "cpu_estimate_calls": 1000.0 / cpu if cpu else None,
    }
    return {"tier": tier, "steps": steps, "capacity": capacity}
