"""Thread pools a run allows, chosen rather than inherited from the libraries' defaults.

* **BLAS/OpenMP** (numpy's and scipy's OpenBLAS, any OpenMP runtime): limited to one thread
  with ``threadpoolctl`` while anything is timed (the runner, the profiler's Python side,
  pytest-benchmark, asv). OpenBLAS's worker threads spin-wait for a while after each call; on
  a 2-vCPU machine that is the other vCPU, which a Rust tier's executor worker or the next row
  may need. Every tier is single-threaded by design, so the limit changes no kernel and keeps
  every row single-threaded unless it says otherwise.
* **rust-json's tokio runtime**: one worker, built on the first JSON call, parked between
  calls (``audiobench._rust.JSON_WORKER_THREADS``; why one, in ``rust_impls/core/src/json/executor.rs``).
* **b64_buffer's feeding threads**: a Python pool per thread count, built on first use and
  idle (blocked on its queue) between runs.
* **rust-direct-mt's workers**: each ``Parallel*`` object starts ``threads − 1`` of them
  (``audiobench-mt_N``, rayon workers parked between calls); the calling thread renders the
  first share itself. ``threads`` is :func:`parallel_thread_count`, every CPU of the process.
* **The progress display** redraws between batches on the timing thread: no refresh thread.
* **CPU placement** (:class:`Placement`): the timing thread on one CPU, the executor worker
  on another, feeding thread N on the N-th CPU, multi-threaded worker N on the CPU after the
  timing thread's N-th.

The run file records the pools found and the limits applied; the thread census
(:mod:`audiobench.runner.census`) shows what each of those threads ran during the batches.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from threadpoolctl import threadpool_info, threadpool_limits

FEED_THREADS = "audiobench-feed"
"""Name prefix of the threads that feed a base64 stream (Python names them ``audiobench-feed_0``
...): every b64_buffer tier declares them, and placement puts feeder N on CPU N."""
PARALLEL_THREADS = "audiobench-mt"
"""Name prefix of rust-direct-mt's workers (``audiobench-mt_0`` ...; the extension's
``PARALLEL_THREAD_PREFIX``, checked by the tests)."""
POOL_LIMIT = 1


def _process_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_PROCESS_CPUS = _process_cpus()
"""The CPUs this process may use, read when this module is imported: before the runner pins
its timing thread to one (after that the calling thread's mask says 1)."""


def parallel_thread_count() -> int:
    """Threads a ``rust-direct-mt`` call is split across: one per CPU the process may use (2 on
    the 2-vCPU machine the study's numbers come from)."""
    return _PROCESS_CPUS


@contextmanager
def single_threaded_pools() -> Iterator[None]:
    """Limit every BLAS/OpenMP pool loaded so far to :data:`POOL_LIMIT` thread for the block.

    The runner enters it per case after the case's rows are prepared, so pools a tier's
    libraries load on first use (librosa imports lazily) are limited before any timing.
    """
    with threadpool_limits(limits=POOL_LIMIT):
        yield


def pools_record() -> dict[str, Any]:
    """The BLAS/OpenMP pools this process has loaded and the limit the runner applies to them."""
    return {
        "limit_during_timing": POOL_LIMIT,
        "pools": [
            {k: p.get(k) for k in ("user_api", "internal_api", "prefix", "version", "num_threads")}
            for p in threadpool_info()
        ],
    }


def executor_threads() -> dict[str, Any]:
    """The rust-json executor's configuration and the threads a rust-direct-mt call is split across."""
    from audiobench import _rust

    return {
        "json_worker_threads": _rust.JSON_WORKER_THREADS,
        "json_thread_name": _rust.JSON_THREAD_NAME,
        "parallel_threads": parallel_thread_count(),
        "parallel_thread_prefix": _rust.PARALLEL_THREAD_PREFIX,
    }


@dataclass
class Placement:
    """Which CPUs the run's threads may use while timing.

    The timing thread is pinned to one CPU for the whole run, and the rust-json executor's
    worker to another: the study's situation (a server hands each task to a worker thread
    elsewhere), made the same in every run. Measured here, a hand-off costs 17 µs with both
    threads on one CPU and ~60 µs across two; unpinned, the scheduler switched between the two
    mid-run (a 30 ms VAD call through the JSON node went from 64 to 110 µs between two rounds).
    The base64 feeding pool's threads (``audiobench-feed_N``) take one CPU each, thread N on
    the N-th CPU, so two feeding threads always run in parallel; a multi-threaded tier's worker
    N (``audiobench-mt_N``) the (N + 1)-th CPU after the timing thread's, so its share never
    queues behind the calling thread's; any other thread a row starts gets all the process's
    CPUs back (threads inherit their creator's pinning).
    """

    cpus: frozenset[int]
    timing_cpu: int | None
    executor_cpu: int | None

    @classmethod
    def choose(cls) -> Placement:
        try:
            cpus = frozenset(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return cls(frozenset(), None, None)  # no affinity control here: recorded as unpinned
        ordered = sorted(cpus)
        timing = ordered[0]
        return cls(cpus, timing, ordered[1] if len(ordered) > 1 else timing)

    def _set(self, tid: int, cpus: set[int] | frozenset[int]) -> None:
        with contextlib.suppress(OSError):  # the thread may have ended
            os.sched_setaffinity(tid, cpus)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Pin the calling (timing) thread for the block; give it all its CPUs back after."""
        if self.timing_cpu is None:
            yield
            return
        self._set(0, {self.timing_cpu})
        try:
            yield
        finally:
            self._set(0, self.cpus)

    def place(self, tid: int, name: str) -> None:
        """Place a thread seen for the first time (see the class docstring)."""
        if self.executor_cpu is None:
            return
        from audiobench import _rust

        ordered = sorted(self.cpus)
        index = name.rsplit("_", 1)[1] if "_" in name else ""
        if name == _rust.JSON_THREAD_NAME:
            self._set(tid, {self.executor_cpu})
        elif name.startswith(FEED_THREADS + "_") and index.isdigit():
            self._set(tid, {ordered[int(index) % len(ordered)]})
        elif name.startswith(PARALLEL_THREADS + "_") and index.isdigit():
            start = ordered.index(self.timing_cpu) if self.timing_cpu in ordered else 0
            self._set(tid, {ordered[(start + 1 + int(index)) % len(ordered)]})
        else:
            self._set(tid, self.cpus)

    def record(self) -> dict[str, Any]:
        """Where the timing thread, the executor worker and the other threads ran (for the run file)."""
        if self.timing_cpu is None:
            return {"pinned": False, "why": "this system offers no per-thread CPU affinity"}
        return {
            "pinned": True,
            "cpus": sorted(self.cpus),
            "timing_cpu": self.timing_cpu,
            "executor_cpu": self.executor_cpu,
            "feed_threads": "feeding thread N on the N-th CPU",
            "parallel_threads": "rust-direct-mt worker N on the (N + 1)-th CPU after the timing CPU",
            "other_threads": "all CPUs of the process",
        }
