"""The PyO3 boundary, stage by stage, measured from Python.

A Rust tier called from Python pays, around the native work: the call into the extension,
borrowing each numpy argument (checks and borrow tracking), releasing and re-taking the GIL,
and handing each output Vec to numpy; per-chunk tiers also pay the Python loop that drives
them. Each of these is timed on its own with the extension's ``_probe_*`` functions (which time
the step inside Rust) or, for the call itself, from Python; the native work is the tier's
end-to-end time from the native profiler on the same input. The registry's prepared call, timed
from Python, is the end to end these stages are compared with. Which steps a call takes is the
operation's to say (:meth:`audiobench.operations.base.Operation.boundary`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench import _rust
from audiobench.limits import DISPLAY_ORDER
from audiobench.staging import Boundary

NATIVE = "native work (this tier's call, measured natively)"


def _repeat(fn: Callable[[], float], samples: int) -> list[float]:
    return [fn() for _ in range(samples)]


def _per_call_ns(f: Callable[[], Any], n: int) -> float:
    """One call of ``f``: a loop of ``n`` calls minus the same empty loop, per call (timing
    single calls would mostly time the clock)."""
    r = range(n)
    t0 = time.perf_counter_ns()
    for _ in r:
        f()
    t1 = time.perf_counter_ns()
    for _ in r:
        pass
    t2 = time.perf_counter_ns()
    return max(0.0, ((t1 - t0) - (t2 - t1)) / n)


def _dispatch_ns(n: int) -> float:
    """One call of an empty extension function."""
    return _per_call_ns(_rust._probe_noop, n)


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter_ns()
    fn()
    return float(time.perf_counter_ns() - t)


def _view_ns(a: npt.NDArray[Any], writable: bool, n: int) -> float:
    return _rust._probe_view(a, writable, n) / n


def _chunks_ns(chunks: Sequence[bytes]) -> float:
    return float(_rust._probe_chunk_list(chunks))


def _detach_ns(n: int) -> float:
    return _rust._probe_detach(n) / n


def _to_numpy_ns(size: int, dtype: str, n: int) -> float:
    return _rust._probe_to_numpy(size, dtype, n) / n


def measure(p: Boundary, samples: int = 25) -> dict[str, list[float]]:
    """Per-run nanoseconds of each boundary stage (``samples`` samples each)."""
    out: dict[str, list[float]] = {}
    out["Python → extension call (dispatch)"] = _repeat(lambda: _dispatch_ns(200) * p.calls, samples)
    if p.views:
        per_view = [_repeat(partial(_view_ns, a, w, 50), samples) for a, w in p.views]
        out["numpy → Rust views (checks + borrow)"] = [float(sum(col)) for col in zip(*per_view, strict=True)]
    if p.chunk_lists:
        lists = [[sum(_chunks_ns(c) for _ in range(5)) / 5 for _ in range(samples)] for c in p.chunk_lists]
        out["list of bytes → slices"] = [float(sum(col)) for col in zip(*lists, strict=True)]
    out["GIL release + re-acquire"] = _repeat(lambda: _detach_ns(200) * p.detaches, samples)
    if p.outputs:
        per_out = [_repeat(partial(_to_numpy_ns, n, d, 20), samples) for n, d in p.outputs]
        out["Rust Vec → numpy (no copy)"] = [float(sum(col)) for col in zip(*per_out, strict=True)]
    if p.python_loop is not None:
        loop = p.python_loop
        out["Python loop over chunks (zip, call-id lookup)"] = _repeat(lambda: _timed(loop), samples)
    return out


LIMIT_CALLS = DISPLAY_ORDER


def limit_call_ns(samples: int = 25, n: int = 200) -> dict[str, list[float]]:
    """Per-call nanoseconds of each limit probe through PyO3 on empty arrays: the probe's whole
    boundary (call, argument parsing, views, GIL release) with no bytes to move, so the gap
    between a probe timed from Python and the same probe timed natively."""
    src = np.zeros(0, dtype=np.uint8)
    dst = np.zeros(0, dtype=np.uint8)
    calls: dict[str, Callable[[], Any]] = {
        "limit:read": partial(_rust.limit_read, src),
        "limit:memcpy": partial(_rust.limit_memcpy, src, dst),
        "limit:read-write": partial(_rust.limit_read_write, src, dst),
    }
    return {name: _repeat(partial(_per_call_ns, f, n), samples) for name, f in calls.items()}
