"""``audiobench compare BASE [HEAD]``: two builds measured side by side, in the same rounds.

:func:`run` builds BASE (and HEAD when it is a ref; by default HEAD is the working tree as
built), starts a pair of worker processes per build pair (:mod:`.workers`), measures every
selected (case, row) of both in strict alternation (:mod:`.measure`) and writes a compare file
(:mod:`audiobench.documents.compare`). :mod:`.judge` turns compare files into verdicts,
:mod:`.summary` into a PR-sized Markdown summary.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.compare import measure, trees
from audiobench.compare.trees import Build, BuildError
from audiobench.compare.workers import Worker, WorkerError
from audiobench.documents import compare as comparefile

__all__ = ["BuildError", "CompareError", "run"]


class CompareError(RuntimeError):
    """The comparison could not be made; the message says why (a ref, a build, a worker)."""


def cores() -> tuple[int | None, int | None]:
    """(the core both workers share, the driver's core): the last and first of this process's
    cores; on one core, no pinning."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return cpus[-1], cpus[0]


def _item_doc(it: measure.Item) -> dict[str, Any]:
    return {
        "op": it.case["op"],
        "variant": it.case["variant"],
        "size": it.case["size"],
        "row": it.row,
        "unit": it.case.get("unit", ""),
        "input_checksum": it.case["input_checksum"],
        "calls": it.calls,
        "lead_call": it.lead,
        "same_output": it.base["output_digest"] == it.head["output_digest"],
        "output_digest": {"base": it.base["output_digest"], "head": it.head["output_digest"]},
        "parity": {"base": it.base.get("parity_ok"), "head": it.head.get("parity_ok")},
        "rounds": it.rounds,
    }


def _interference(m: measure.Measured, cpus: int) -> dict[str, Any]:
    steal_fraction = m.steal_s / (m.seconds * cpus) if m.steal_s is not None and m.seconds > 0 else None
    # The idle CPU a worker reports arrives with its next batch: charge it to the row whose batch
    # that worker ran before (the row that left something running).
    after: dict[str, float] = {}
    for it in m.items:
        for r in it.rounds:
            for side, cpu in r["idle_cpu_s"].items():
                after[f"{side} {it.row}"] = after.get(f"{side} {it.row}", 0.0) + float(cpu)
    return {
        "method": "per worker: CPU time of the whole process while it waited for its next command "
        "(process_time between answering and the next command); per batch: CPU time of the "
        "worker's other threads during the batch",
        "idle": m.idle,
        "idle_cpu_by_next_row_s": after,
        "steal_s": m.steal_s,
        "steal_fraction": steal_fraction,
    }


def run(
    repo: Path,
    base_ref: str,
    head_ref: str | None,
    settings: measure.Settings,
    *,
    out_dir: Path = comparefile.COMPARE_DIR,
    work: Path | None = None,
    log: Callable[[str], None] = lambda line: None,
    on_round: Callable[[int, int], None] = lambda d, t: None,
    remeasure_of: str | None = None,
) -> tuple[dict[str, Any], Path]:
    """Build, measure and write one comparison; returns the document and its path.
    ``remeasure_of`` names the comparison this one re-measures (kept in its settings, so the
    files of one comparison are found together).

    Raises :class:`CompareError` (a ref that does not resolve, a failed build, a worker that
    failed or two builds with nothing in common).
    """
    work = work or repo / "target" / "compare"
    started = datetime.now(UTC)
    try:
        log(f"building BASE {base_ref}")
        base = trees.build_ref(repo, base_ref, "base", work / "logs" / "build-base.log", work=work)
        if head_ref is None:
            head = trees.working_tree(repo)
        else:
            log(f"building HEAD {head_ref}")
            head = trees.build_ref(repo, head_ref, "head", work / "logs" / "build-head.log", work=work)
    except BuildError as e:
        raise CompareError(str(e)) from None
    for b in (base, head):
        log(f"{b.ref}: {b.commit[:12]} at {b.path}" + (f", built in {b.build_s:.0f} s" if not b.reused else ""))
    worker_cpu, driver_cpu = cores()
    before = os.sched_getaffinity(0)

    def start(pair: int) -> tuple[Worker, Worker]:
        logs = work / "logs"
        return (
            Worker("BASE", base.path, worker_cpu, logs / f"worker-base-{pair}.log"),
            Worker("HEAD", head.path, worker_cpu, logs / f"worker-head-{pair}.log"),
        )

    try:
        if driver_cpu is not None:
            os.sched_setaffinity(0, {driver_cpu})
        m = measure.measure(start, settings, on_round=on_round)
    except (WorkerError, measure.MeasureError) as e:
        raise CompareError(str(e)) from None
    finally:
        os.sched_setaffinity(0, before)
    doc = _document(started, base, head, settings, m, worker_cpu, driver_cpu)
    doc["settings"]["remeasure_of"] = remeasure_of
    return doc, comparefile.write(doc, out_dir)


def _document(
    started: datetime,
    base: Build,
    head: Build,
    s: measure.Settings,
    m: measure.Measured,
    worker_cpu: int | None,
    driver_cpu: int | None,
) -> dict[str, Any]:
    sides = {}
    for name, b in (("base", base), ("head", head)):
        sides[name] = {**b.as_dict(), "worker": m.hello.get(name, {})}
    return {
        "schema": comparefile.SCHEMA,
        "compare_id": comparefile.new_id(started, base.commit, head.commit),
        "created": started.isoformat(timespec="seconds"),
        "suite": s.suite,
        "base": sides["base"],
        "head": sides["head"],
        "settings": {
            "ops": s.ops,
            "tiers": s.tiers,
            "only": sorted("/".join(k) for k in s.only) if s.only is not None else None,
            "round_seconds": s.round_seconds,
            "min_rounds": s.min_rounds,
            "max_rounds": s.max_rounds,
            "processes": s.processes,
            "time_budget_s": s.time_budget_s,
            "rounds_per_pair": m.rounds_per_pair,
            "seed": measure.SEED,
            "confidence": s.confidence,
            "worker_cpu": worker_cpu,
            "driver_cpu": driver_cpu,
            "method": "randomized multiple interleaved trials: per round every (case, row) runs one batch in "
            "each build's worker, back to back, in a random order; workers share one core, the driver "
            "another; rounds spread over fresh process pairs",
            "ratio": "per-round HEAD/BASE seconds per call; each process pair's median is one observation: "
            "their geometric mean, Student's t CI over the pairs",
        },
        "interference": _interference(m, len(os.sched_getaffinity(0))),
        "items": [_item_doc(it) for it in m.items],
        "skipped": m.skipped,
        "duration_s": m.seconds,
    }
