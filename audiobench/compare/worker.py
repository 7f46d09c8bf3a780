"""One side of a paired comparison: a process that imports one build's audiobench and times its
rows on command.

Started by :mod:`audiobench.compare.workers` as ``python -P worker.py`` with
``AUDIOBENCH_COMPARE_TREE`` naming the tree to import (BASE's worktree, HEAD's, or the working
tree) and ``AUDIOBENCH_COMPARE_CPU`` the core to pin itself to. It reads one JSON command per
line on stdin and answers one JSON line on the file descriptor stdout was at start; anything
else printed (by a library, say) goes to stderr, so it can never corrupt the protocol.

The timing loop is not the tree's: :mod:`audiobench.batches` of the *driving* checkout is loaded
by path, so both builds are timed by the very same code. From the tree the worker uses only its
catalogue, registry, plan and parity check (``audiobench.catalogue.load``,
``audiobench.registry.registry``, ``audiobench.runner.build_plan``, and, where present, the
runner's ``_reference``/``_parity``); a tree without them is refused with a message.

Commands (``{"cmd": ...}``):

* ``hello`` → where the package and extension were imported from, the commit, the SIMD path;
* ``prepare`` ``{suite, ops, tiers, round_seconds, calibrate, warm_up_s}`` → every case of the
  plan with its input checksum and, per row, calls per batch (calibrated, or 0 when
  ``calibrate`` is false), lead call, the first output's digest and parity;
* ``batch`` ``{case, row, calls, lead}`` → seconds per call, the CPU time other threads of this
  process used during the batch, and the CPU time the process used while it waited for this
  command (``idle_cpu_s``: anything a row left running between its batches);
* ``quit``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

BATCHES_FILE = Path(__file__).resolve().parents[1] / "batches.py"


def _load_batches() -> Any:
    spec = importlib.util.spec_from_file_location("_audiobench_compare_batches", BATCHES_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digest(value: Any) -> str:
    """SHA-256 (first 16 hex digits) of an output: arrays by dtype, shape and bytes; containers
    element by element; anything else by ``repr``."""
    h = hashlib.sha256()

    def feed(v: Any) -> None:
        if hasattr(v, "tobytes") and hasattr(v, "dtype"):
            h.update(f"{v.dtype}{getattr(v, 'shape', '')}".encode())
            h.update(v.tobytes())
        elif isinstance(v, bytes | bytearray | memoryview):
            h.update(bytes(v))
        elif isinstance(v, list | tuple):
            h.update(f"[{len(v)}".encode())
            for x in v:
                feed(x)
        elif isinstance(v, dict):
            for k in sorted(v, key=str):
                h.update(str(k).encode())
                feed(v[k])
        else:
            h.update(repr(v).encode())

    feed(value)
    return h.hexdigest()[:16]


class Worker:
    """The tree's rows, prepared, and the commands on them."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.batches = _load_batches()
        self.runs: list[dict[str, Any]] = []
        self._idle_from: tuple[float, float] | None = None

    def hello(self, _: dict[str, Any]) -> dict[str, Any]:
        """Where audiobench and its extension were imported from; refuses a package from elsewhere."""
        import audiobench

        where = Path(audiobench.__file__).resolve().parent
        if where.parent != self.tree.resolve():
            raise RuntimeError(f"imported audiobench from {where}, not from {self.tree} (is PYTHONPATH set?)")
        from audiobench import _rust

        info: dict[str, Any] = {
            "package": str(where),
            "extension": str(Path(_rust.__file__).resolve()),
            "build_info": dict(_rust.build_info()),
            "simd_path": _rust.simd_path() if hasattr(_rust, "simd_path") else None,
            "pid": os.getpid(),
            "cpus": sorted(os.sched_getaffinity(0)),
        }
        return info

    def prepare(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Plan, prepare, parity-check, warm up and (optionally) calibrate every row (module docstring)."""
        try:
            from audiobench.catalogue import load
            from audiobench.registry import registry
            from audiobench.runner import build_plan
        except ImportError as e:
            raise RuntimeError(f"this tree has no catalogue/registry/runner API a worker can use ({e})") from None
        parity_of: Any = None
        reference_of: Any = None
        try:
            from audiobench.runner.execute import _parity as parity_of
            from audiobench.runner.execute import _reference as reference_of
        except ImportError:
            pass
        try:
            from audiobench.threads import single_threaded_pools

            self._pools = single_threaded_pools()
            self._pools.__enter__()
        except ImportError:
            pass
        cat = load(None)
        reg = registry()
        known = set(cat.tiers) | set(getattr(cat, "peers", ()))
        tiers = [t for t in cmd["tiers"] if t in known]
        ops = [o for o in cmd["ops"] if o in cat.operations]
        plans = build_plan(cat, reg, cmd["suite"], ops, tiers) if ops and tiers else []
        b = self.batches
        cases = []
        for plan in plans:
            rows = []
            reference = reference_of(reg, plan) if reference_of is not None else None
            timed_case: Any = plan.case
            if hasattr(plan.case, "count_reallocations"):  # as the runner times streams
                timed_case = dataclasses.replace(timed_case, count_reallocations=False)
            prepared: dict[str, Any] = {}
            for row in plan.rows:
                if row.kind != "tier" or row.impl is None:
                    continue
                checked = row.impl.prepare(plan.case)
                out = checked()
                parity = parity_of(plan, row, out, reference) if parity_of is not None else {"ok": None}
                run = checked if timed_case is plan.case else row.impl.prepare(timed_case)
                t0 = time.perf_counter()
                warm = b.warm_up(run, min_seconds=float(cmd.get("warm_up_s", 0.05)))
                if cmd.get("calibrate", True):
                    calls, per_call = b.calibrate(run, float(cmd["round_seconds"]))
                else:  # later process pairs take the calls of the first: only the estimate is needed
                    calls, per_call = 0, (time.perf_counter() - t0) / warm
                prepared[row.name] = run
                rows.append(
                    {
                        "row": row.name,
                        "calls": calls,
                        "per_call_s": per_call,
                        "lead": per_call <= b.LEAD_CALL_MAX,
                        "output_digest": digest(out),
                        "parity_ok": parity.get("ok"),
                        "parity_detail": parity.get("detail", ""),
                    }
                )
            self.runs.append(prepared)
            cases.append(
                {
                    "op": plan.op,
                    "variant": plan.variant,
                    "size": plan.size.label,
                    "unit": plan.unit,
                    "input_checksum": plan.case.checksum(),
                    "rows": rows,
                }
            )
        return {"cases": cases}

    def batch(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """One timed batch of one prepared row; seconds per call and other threads' CPU time."""
        run = self.runs[int(cmd["case"])][cmd["row"]]
        p0, t0 = time.process_time(), time.thread_time()
        seconds = self.batches.timed_batch(run, int(cmd["calls"]), bool(cmd["lead"]))
        p1, t1 = time.process_time(), time.thread_time()
        return {"s": seconds, "other_threads_cpu_s": max(0.0, (p1 - p0) - (t1 - t0))}

    def serve(self, commands: Any, answer: Any) -> None:
        """Answer every command line until ``quit`` or end of input."""
        for line in commands:
            received = (time.process_time(), time.perf_counter())
            cmd = json.loads(line)
            if cmd["cmd"] == "quit":
                return
            try:
                reply: dict[str, Any] = {"ok": True, **getattr(self, cmd["cmd"])(cmd)}
            except Exception as e:
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
            if self._idle_from is not None:
                reply["idle_cpu_s"] = received[0] - self._idle_from[0]
                reply["idle_wall_s"] = received[1] - self._idle_from[1]
            answer.write(json.dumps(reply) + "\n")
            answer.flush()
            self._idle_from = (time.process_time(), time.perf_counter())


def main() -> None:
    """Pin, keep the protocol's file descriptor apart from stdout, import the tree, serve."""
    cpu = os.environ.get("AUDIOBENCH_COMPARE_CPU")
    if cpu:
        os.sched_setaffinity(0, {int(cpu)})
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    tree = Path(os.environ["AUDIOBENCH_COMPARE_TREE"])
    sys.path.insert(0, str(tree))
    Worker(tree).serve(sys.stdin, answer)


if __name__ == "__main__":
    main()
