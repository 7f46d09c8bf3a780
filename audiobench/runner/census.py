"""Thread census: which threads the process has, who started them, and what they ran during
every timed batch.

A row can slow the rows measured after it through whatever it leaves running: executor
workers still searching for work, BLAS threads spin-waiting, a display thread redrawing. The
runner times on one thread; every other thread of the process is *background*. The census
reads each thread's CPU time (``/proc/self/task/<tid>/schedstat``, nanoseconds on a CPU)
before and after every batch and charges what background threads ran to the row being timed,
split by the threads' *owners*: a thread is owned by the row during whose preparation,
warm-up or batch it first appeared, or by ``process`` if it existed before any row ran.

A row declares the helper threads its calls run work on (an executor worker, a feeding
pool); their CPU during its own batches is its work. Any other background thread that runs
during a row's batch is *foreign*, charged to the thread's owner: a row whose threads keep
running after its batches shows up as CPU charged to it during *other* rows' batches
(``cpu_in_other_batches_s``), and each row sees how much foreign work shared the machine.

Only Linux exposes per-thread CPU time this way; elsewhere the census is recorded as
unavailable and checks that depend on it are skipped. Each row also gets the process's minor
page faults per call during its batches: a row whose calls keep mapping fresh pages is
measuring the allocator's state as much as its work.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TASKS = Path("/proc/self/task")
PROCESS = "process"
"""Owner of the threads that existed before the first row was prepared."""

LEFT_RUNNING_SHARE = 0.02
"""A row whose threads ran for more than this share of the other rows' batch time left work
running. 2 % is ~0.3 ms of a 15 ms batch: far above the scheduler's bookkeeping (a parked
thread accrues no CPU time) and far below the effect that matters (a busy sibling vCPU)."""

SETTLE_WINDOW_S = 0.005
SETTLE_MAX_S = 1.0


@dataclass(frozen=True)
class Thread:
    tid: int
    name: str
    cpu_ns: int


def snapshot() -> dict[int, Thread]:
    """Every thread of this process with its CPU time so far (empty where /proc is absent)."""
    out: dict[int, Thread] = {}
    try:
        tids = os.listdir(TASKS)
    except OSError:
        return out
    for entry in tids:
        try:
            cpu = int((TASKS / entry / "schedstat").read_text().split()[0])
            name = (TASKS / entry / "comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            continue  # the thread ended while being read
        out[int(entry)] = Thread(int(entry), name, cpu)
    return out


def available() -> bool:
    """Whether this system lets the census read per-thread CPU (``/proc/self/task``)."""
    return bool(snapshot())


@dataclass
class Census:
    """Owners of the process's threads and the background CPU charged to each timed row.

    A row may declare helper threads it runs its work on (``declared``: names, or ``name_``
    prefixes of pool threads): their CPU during the row's own batches is its own work. Any
    other background thread running during a row's batch is *foreign* and is charged to the
    thread's owner as work it left running.
    """

    timing_tid: int = field(default_factory=threading.get_native_id)
    owners: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    declared: dict[str, tuple[str, ...]] = field(default_factory=dict)
    started: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    batch_wall_ns: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    own_ns: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """row → CPU ns its own and declared helper threads ran during its batches."""
    background_ns: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    """row → owner → CPU ns that owner's threads ran, undeclared, during the row's batches."""
    faults: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """row → minor page faults of the whole process during its batches (getrusage): fresh
    pages mapped while it ran, the allocation state a timing depends on."""
    enabled: bool = field(default_factory=available)
    on_new_thread: Callable[[int, str], None] = lambda tid, name: None
    """Called with ``(tid, name)`` for each thread seen for the first time (the runner places it)."""
    """Called with (tid, name) of every thread adopted after the first census (placement); the
    name is Python's for Python threads, the OS's otherwise."""

    def __post_init__(self) -> None:
        self.adopt(PROCESS)

    def new_case(self, declared: dict[str, tuple[str, ...]]) -> None:
        """Start charging a new case whose rows declare ``declared`` helper threads (thread
        owners are kept: a runtime started in an earlier case still belongs to its row)."""
        self.declared = dict(declared)
        self.started.clear()
        self.faults.clear()
        self.batch_wall_ns.clear()
        self.own_ns.clear()
        self.background_ns.clear()

    def adopt(self, owner: str, snap: dict[int, Thread] | None = None) -> list[str]:
        """Give every thread not seen before to ``owner``; returns their names."""
        if not self.enabled:
            return []
        snap = snapshot() if snap is None else snap
        new = [t for tid, t in snap.items() if tid not in self.owners]
        if not new:
            return []
        # Python names its threads (pool threads ``prefix_N``); the OS name is the process's.
        python_names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        for t in new:
            name = python_names.get(t.tid, t.name) if t.tid != self.timing_tid else t.name
            self.owners[t.tid] = owner
            self.names[t.tid] = name
            if owner != PROCESS:
                self.started[owner].append(name)
                self.on_new_thread(t.tid, name)
        return [self.names[t.tid] for t in new]

    def _declares(self, row: str, tid: int) -> bool:
        name = self.names.get(tid, "")
        return self.owners.get(tid) == row or any(
            name == d or name.startswith(d + "_") for d in self.declared.get(row, ())
        )

    @contextmanager
    def batch(self, row: str, key: str | None = None) -> Iterator[None]:
        """Charge what background threads run while the block runs to ``row`` (or to ``key``,
        an account of its own such as the row's solo batches, judged by ``row``'s threads)."""
        if not self.enabled:
            yield
            return
        account = row if key is None else key
        before = snapshot()
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter_ns()
        yield
        wall = time.perf_counter_ns() - t0
        self.faults[account] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
        after = snapshot()
        self.adopt(row, after)
        self.batch_wall_ns[account] += wall
        for tid, t in after.items():
            if tid == self.timing_tid:
                continue
            ran = t.cpu_ns - (before[tid].cpu_ns if tid in before else 0)
            if ran <= 0:
                continue
            if self._declares(row, tid):
                self.own_ns[account] += ran
            else:
                self.background_ns[account][self.owners[tid]] += ran

    def settle(self, window_s: float = SETTLE_WINDOW_S, max_s: float = SETTLE_MAX_S) -> tuple[float, bool]:
        """Wait until no background thread gains CPU time for ``window_s`` (at most ``max_s``).

        Returns the seconds waited and whether the process went quiet.
        """
        if not self.enabled:
            return 0.0, True
        start = time.perf_counter()
        last = self._background_cpu()
        while True:
            time.sleep(window_s)
            now = self._background_cpu()
            waited = time.perf_counter() - start
            if now == last:
                return waited, True
            if waited >= max_s:
                return waited, False
            last = now

    def _background_cpu(self) -> int:
        return sum(t.cpu_ns for tid, t in snapshot().items() if tid != self.timing_tid)

    def row_report(self, row: str, rows: list[str], calls: int) -> dict[str, Any]:
        """What the census saw of ``row``: threads it started, its helper threads' CPU, foreign
        background CPU during its batches by owner, its own threads' CPU during the other rows'
        batches, and page faults per call (``calls``: the calls its batches made, lead calls
        included)."""
        wall = self.batch_wall_ns.get(row, 0)
        during = self.background_ns.get(row, {})
        foreign = sum(during.values())
        others_wall = sum(self.batch_wall_ns.get(r, 0) for r in rows if r != row)
        left = sum(self.background_ns.get(r, {}).get(row, 0) for r in rows if r != row)
        left_share = left / others_wall if others_wall else 0.0
        return {
            "threads_started": sorted(self.started.get(row, [])),
            "declared_threads": list(self.declared.get(row, ())),
            "batch_wall_s": wall / 1e9,
            "own_threads_cpu_s": self.own_ns.get(row, 0) / 1e9,
            "background_cpu_s": {owner: ns / 1e9 for owner, ns in sorted(during.items())},
            "foreign_share": foreign / wall if wall else 0.0,
            "cpu_in_other_batches_s": left / 1e9,
            "cpu_in_other_batches_share": left_share,
            "left_running": left_share > LEFT_RUNNING_SHARE,
            "minor_faults_per_call": self.faults_per_call(row, calls),
        }

    def faults_per_call(self, account: str, calls: int) -> float | None:
        """Minor page faults per call charged to ``account`` over ``calls`` calls."""
        return self.faults.get(account, 0) / calls if self.enabled and calls else None

    def threads(self) -> list[dict[str, Any]]:
        """Every thread seen, with its owner (alive or not at the end)."""
        return [
            {"tid": tid, "name": self.names[tid], "owner": owner, "timing": tid == self.timing_tid}
            for tid, owner in sorted(self.owners.items())
        ]
