"""The shapes in which an operation describes its calls to the stage profiler.

:class:`Staged` is a Python tier's call and the same steps, each timed in place by a
:class:`Clock`; :class:`Boundary` lists what a Rust tier's call does at the PyO3 boundary (the
profiler times each step with the extension's probes). Operations build them
(:meth:`audiobench.operations.Operation.staged` and ``.boundary``); ``audiobench.profile``
measures them. Nothing here imports an audio library.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy.typing as npt


class Clock:
    """Accumulates nanoseconds per stage name over one staged run (steps of a stream add up).

    ``overhead_ns`` (the cost of one empty step, measured by the profiler) is subtracted from
    every step, floored at zero.
    """

    def __init__(self, overhead_ns: float = 0.0) -> None:
        self.overhead_ns = overhead_ns
        self.steps: dict[str, float] = {}

    def step(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn(*args, **kwargs)``, add its time to stage ``name`` and return its result."""
        t = time.perf_counter_ns()
        out = fn(*args, **kwargs)
        elapsed = time.perf_counter_ns() - t
        self.steps[name] = self.steps.get(name, 0.0) + max(elapsed - self.overhead_ns, 0.0)
        return out


@dataclass
class Staged:
    """A Python tier's call to profile: the real call, its staged sequence, and parts measured
    alone (``(parent stage, name, call)``: work the call cannot expose separately)."""

    call: Callable[[], Any]
    sequence: Callable[[Clock], None]
    parts: list[tuple[str, str, Callable[[], Any]]] = field(default_factory=list)
    note: str = ""


@dataclass
class Boundary:
    """What one run of a Rust tier's registry call does at the PyO3 boundary.

    ``calls``: extension calls per run; ``views``: numpy arguments borrowed as slices (array,
    writable); ``detaches``: GIL releases; ``outputs``: Rust vectors handed to numpy (length,
    dtype name); ``chunk_lists``: lists of ``bytes`` read as slices; ``python_loop``: the Python
    loop that drives a per-chunk tier, replayed without its calls.
    """

    calls: int
    views: list[tuple[npt.NDArray[Any], bool]] = field(default_factory=list)
    detaches: int = 1
    outputs: list[tuple[int, str]] = field(default_factory=list)
    chunk_lists: list[Sequence[bytes]] = field(default_factory=list)
    python_loop: Callable[[], Any] | None = None
