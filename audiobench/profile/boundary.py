"""The PyO3 boundary, stage by stage, measured from Python.

A Rust tier called from Python pays, around the native work: the call into the extension,
borrowing each numpy argument (checks and borrow tracking), releasing and re-taking the GIL,
and handing each output Vec to numpy; per-chunk tiers also pay the Python loop that drives
them. Each of these is timed on its own with the extension's ``_probe_*`` functions (which time
the step inside Rust) or, for the call itself, from Python; the native work is the tier's
end-to-end time from the native profiler on the same input. The registry's prepared call, timed
from Python, is the end to end these stages are compared with.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from audiobench import _rust
from audiobench.cases import CONVERT_OUTPUT, AudioCase, Case, SamplesCase, StreamCase
from python_baselines.semantics import frame_len, output_frames

NATIVE = "native work (this tier's call, measured natively)"


@dataclass
class Plan:
    """What one run of a Rust tier's registry call does at the boundary."""

    calls: int
    views: list[tuple[npt.NDArray[Any], bool]] = field(default_factory=list)
    detaches: int = 1
    outputs: list[tuple[int, str]] = field(default_factory=list)
    chunk_lists: list[Sequence[bytes]] = field(default_factory=list)
    python_loop: Callable[[], Any] | None = None


def _empty(shape: tuple[int, ...], dtype: Any) -> npt.NDArray[Any]:
    return np.zeros(shape, dtype=dtype)


def plan(op: str, variant: str, tier: str, case: Case) -> Plan | None:
    """The boundary steps of ``tier``'s registry call on ``case`` (mirrors rust_impls/py)."""
    if tier not in ("rust-json", "rust-fast", "rust-direct"):
        return None
    # The fast tier's bindings release the GIL twice: to copy the view into an Arc, then to run.
    detaches = 2 if tier == "rust-fast" else 1
    if isinstance(case, SamplesCase):
        n, out = case.x.shape[0], np.dtype(CONVERT_OUTPUT[variant]).name
        if tier == "rust-direct":
            return Plan(1, [(case.x, False), (_empty((n,), out), True)])
        return Plan(1, [(case.x, False)], detaches, [(n, out)])
    if isinstance(case, AudioCase):
        ch, frames = case.channels, case.frames
        m, count = output_frames(frames), frames // frame_len(case.sample_rate)
        if op == "vad":
            if tier == "rust-direct":
                return Plan(
                    1, [(case.audio, False), (_empty((count,), np.float32), True), (_empty((count,), np.bool_), True)]
                )
            return Plan(1, [(case.audio, False)], detaches, [(count, "float32"), (count, "bool")])
        if op == "resample":
            if tier == "rust-direct":
                return Plan(1, [(case.audio, False), (_empty((ch, m), np.float32), True)])
            return Plan(1, [(case.audio, False)], detaches, [(ch * m, "float32")])
        if op == "pipeline":
            if tier == "rust-direct":
                views = [(case.audio, False), (_empty((ch, m), np.int16), True), (_empty((count,), np.bool_), True)]
                return Plan(1, views)
            return Plan(1, [(case.audio, False)], detaches, [(ch * m, "int16"), (count, "bool")])
        return None
    if isinstance(case, StreamCase) and case.threads == 1:
        s = case.stream
        per_call = [len(v) for v in s.expected.values()]
        if tier == "rust-direct":
            outs = [(_empty((s.capacity_per_call,), np.uint8), True) for _ in s.call_ids]
            return Plan(
                1, [(np.asarray(s.owners, dtype=np.uint32), False), *outs], 1, [(len(s.call_ids), "uint64")], [s.chunks]
            )
        owners = [int(o) for o in s.owners]

        def loop() -> None:
            for _chunk, owner in zip(s.chunks, owners, strict=True):
                s.call_ids[owner]

        calls = len(s.chunks) + len(s.call_ids)
        # Each add_chunk and take releases the GIL; the JSON tier's reallocation count is one
        # more call (a `stats` message), the fast tier's a plain getter.
        extra = 1 if tier == "rust-json" else 0
        return Plan(calls + 1, [], calls + extra, [(n, "uint8") for n in per_call], [], loop)
    return None


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


def measure(p: Plan, samples: int = 25) -> dict[str, list[float]]:
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


LIMIT_CALLS = ("limit:read", "limit:memcpy")


def limit_call_ns(samples: int = 25, n: int = 200) -> dict[str, list[float]]:
    """Per-call nanoseconds of each limit probe through PyO3 on empty arrays: the probe's whole
    boundary (call, argument parsing, views, GIL release) with no bytes to move, so the gap
    between a probe timed from Python and the same probe timed natively."""
    src = np.zeros(0, dtype=np.uint8)
    dst = np.zeros(0, dtype=np.uint8)
    calls: dict[str, Callable[[], Any]] = {
        "limit:read": partial(_rust.limit_read, src),
        "limit:memcpy": partial(_rust.limit_memcpy, src, dst),
    }
    return {name: _repeat(partial(_per_call_ns, f, n), samples) for name, f in calls.items()}
