"""``audiobench run``: interleaved, paired measurement of every row of every planned case.

Per case: prepare every row (untimed), check each tier's first output against the baseline,
warm every row up, calibrate calls per batch, then run interleaved rounds until the case's share
of the time budget is spent (bounded by the suite's minimum and maximum round counts). Cold
first calls are measured afterwards, one fresh interpreter each.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from audiobench import operations
from audiobench.cases import AudioCase, StreamCase
from audiobench.catalogue import Catalogue
from audiobench.documents import run as runfile
from audiobench.environment import fingerprint
from audiobench.limits import DISPLAY_ORDER, output_bytes, prepare_limit
from audiobench.runner import cold
from audiobench.runner.census import Census
from audiobench.runner.interference import judge_aa, run_verdict
from audiobench.runner.measure import Rounds, measure
from audiobench.runner.plan import CasePlan, Row
from audiobench.runner.timing import LEAD_CALL_MAX, Run
from audiobench.stats import CONFIDENCE, RESAMPLES, paired_ratio, summarize
from audiobench.threads import Placement, executor_threads, pools_record, single_threaded_pools
from audiobench.tiers import Registry
from audiobench.units import realtime_factor, to_unit


@dataclass(frozen=True)
class Settings:
    suite: str
    round_seconds: float
    """Target duration of one batch (one row's share of a round)."""
    min_rounds: int
    max_rounds: int
    time_budget: float
    """Seconds for the whole run; split evenly over the cases not yet run."""
    solo_batches: int
    """Batches of every row measured alone after the rounds (the solo/interleaved check)."""
    cold: bool = True

    def with_budget(self, seconds: float | None, cold_runs: bool) -> Settings:
        """These settings with another time budget (None keeps it) and cold runs on or off."""
        return dataclasses.replace(self, time_budget=self.time_budget if seconds is None else seconds, cold=cold_runs)


SUITES = {
    "quick": Settings("quick", round_seconds=0.015, min_rounds=8, max_rounds=20, time_budget=130.0, solo_batches=6),
    "full": Settings("full", round_seconds=0.025, min_rounds=15, max_rounds=60, time_budget=1800.0, solo_batches=12),
}

ALLOCATION_POLICY = (
    "Rows marked 'preallocated' (rust-direct, python-best) write into outputs allocated when the case "
    "was prepared; 'allocating' rows allocate per call and were warmed up (>= 2 calls and >= 50 ms) "
    "before calibration, so first-touch page faults are not in the rounds. The limit:memcpy "
    "destination is touched before timing. Cold first calls are measured separately, each in a fresh "
    "interpreter (see 'cold'). base64 buffer managers pre-allocate each call's buffer to the stream's "
    "largest per-call size (rounded up to 64 KiB); timed Python passes do not count bytearray growth, "
    "the parity pass does."
)


def _parity(plan: CasePlan, row: Row, output: Any, reference: Any) -> dict[str, Any]:
    assert row.impl is not None
    if row.kind == "peer":
        return {"ok": None, "detail": "peer: different algorithm, not output-matched", "metrics": {}}
    spec = operations.spec(plan.op)
    out = spec.normalize(plan.variant, output)
    if reference is None and spec.reference(plan.variant, plan.case) is not None:
        return {"ok": None, "detail": "no python-tier reference in this run", "metrics": {}}
    v = spec.check(plan.variant, row.name, plan.case, out, reference)
    return {"ok": v.ok, "detail": v.detail, "metrics": v.metrics}


def _reference(reg: Registry, plan: CasePlan) -> Any:
    """The python tier's output on this case (computed even if that tier is not timed); None
    where the case carries its own truth (expected bytes, the analytic multi-sine)."""
    return operations.reference(plan.op, plan.variant, plan.case, lambda o, v: reg.get(o, v, "python"))


def _case_budget(deadline: float, cases_left: int) -> float:
    return max(0.0, deadline - time.perf_counter()) / max(cases_left, 1)


def _measure_case(
    plan: CasePlan,
    reg: Registry,
    settings: Settings,
    budget: float,
    seed: int,
    census: Census,
    on_round: Callable[[int, int], None],
) -> dict[str, Any]:
    runs: dict[str, Run] = {}
    checks: dict[str, dict[str, Any]] = {}
    census.new_case({r.name: r.impl.threads for r in plan.rows if r.impl})
    reference = _reference(reg, plan)
    census.adopt("python")  # the reference call is the python tier's
    # Python tiers pay to count bytearray growth, so the timed runs do not count; the parity
    # run (same stream, deterministic growth) does, and its count is what the run file reports.
    timed_case = (
        dataclasses.replace(plan.case, count_reallocations=False) if isinstance(plan.case, StreamCase) else plan.case
    )
    for row in plan.rows:
        if row.kind == "limit":
            written = output_bytes(operations.spec(plan.op).outputs(plan.variant, plan.case))
            runs[row.name] = prepare_limit(row.name, plan.case, written)
        else:
            assert row.impl is not None
            checked = row.impl.prepare(plan.case)
            checks[row.name] = _parity(plan, row, checked(), reference)
            runs[row.name] = checked if timed_case is plan.case else row.impl.prepare(timed_case)
        census.adopt(row.name)  # threads a row starts while being prepared are its own
    rounds = Rounds(settings.round_seconds, settings.min_rounds, settings.max_rounds, settings.solo_batches, budget)
    with single_threaded_pools():
        m = measure(runs, {r.name: r.kind for r in plan.rows}, rounds, seed=seed, census=census, on_round=on_round)

    stats = {name: summarize(s) for name, s in m.samples.items()}
    limits = {n: stats[n].median for n in DISPLAY_ORDER if n in stats}
    rows_out = []
    unit_name = plan.unit
    for row in plan.rows:
        s = stats[row.name]
        value, unit = to_unit(unit_name, plan.size, s.median)
        lo, _ = to_unit(unit_name, plan.size, s.ci_low)
        hi, _ = to_unit(unit_name, plan.size, s.ci_high)
        rtf = realtime_factor(plan.size, s.median)
        rows_out.append(
            {
                "row": row.name,
                "kind": row.kind,
                "allocation": row.allocation,
                "summary": row.impl.summary if row.impl else "reference probe over the input bytes",
                "warmup_calls": m.warmup_calls[row.name],
                "calls_per_round": m.batches[row.name][0],
                "lead_call": m.batches[row.name][1],
                "samples_s": s_list(m.samples[row.name]),
                "stats_s": s.as_dict(),
                "unit": unit,
                "unit_median": value,
                "unit_ci": sorted([lo, hi]),
                "realtime_factor": rtf,
                "pct_of_limit": {k: 100.0 * v / s.median for k, v in limits.items()} if row.kind != "limit" else {},
                "parity": checks.get(row.name),
                "solo": m.solo.get(row.name),
                "census": m.census.get(row.name),
            }
        )
    names = [r.name for r in plan.rows]
    ratios = [paired_ratio(a, m.samples[a], b, m.samples[b]).as_dict() for a in names for b in names if a != b]
    return {
        "op": plan.op,
        "variant": plan.variant,
        "size": plan.size.label,
        "size_spec": {k: v for k, v in vars(plan.size).items() if v not in (0, 0.0) or k == "kind"},
        "source": plan.source,
        "input_checksum": plan.case.checksum(),
        "audio_seconds": plan.case.seconds if isinstance(plan.case, AudioCase) else None,
        "threads": plan.case.threads if isinstance(plan.case, StreamCase) else None,
        "rounds": len(m.orders),
        "round_orders": m.orders,
        "rows": rows_out,
        "ratios": ratios,
        "aa": m.aa,
    }


def s_list(samples: list[float]) -> list[float]:
    """Samples as plain floats (JSON-ready)."""
    return [float(x) for x in samples]


def _cold_targets(plans: list[CasePlan]) -> list[tuple[CasePlan, Row]]:
    """One cold measurement per (operation, tier): the default variant at the first size."""
    seen: set[tuple[str, str]] = set()
    out = []
    for plan in plans:
        if plan.source != "generated" or plan.variant != plan.cold_variant:
            continue
        for row in plan.rows:
            if row.kind != "limit" and (plan.op, row.name) not in seen:
                seen.add((plan.op, row.name))
                out.append((plan, row))
    return out


def execute(
    plans: list[CasePlan],
    cat: Catalogue,
    reg: Registry,
    settings: Settings,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure every case; return the run document (not yet written).

    ``progress`` draws a bar (on a terminal); ``log`` gets one line per case instead, for logs.
    """
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    env = fingerprint()
    cold_targets = _cold_targets(plans) if settings.cold else []
    # Reserve an estimate for the cold subprocesses so the rounds leave them room.
    deadline = t_start + max(settings.time_budget - 1.2 * len(cold_targets), 0.0)
    cases: list[dict[str, Any]] = []
    placement = Placement.choose()
    census = Census(on_new_thread=placement.place)  # threads alive now belong to the process
    for t in census.threads():
        if not t["timing"]:  # e.g. an executor started by an earlier run in this process
            placement.place(t["tid"], t["name"])
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    # No refresh thread: the bar is redrawn between batches, on the timing thread, so the display
    # never runs (or holds the GIL) while a row is timed.
    with Progress(*columns, disable=not progress, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("cases", total=len(plans) + len(cold_targets))
        with placement.pinned():
            for i, plan in enumerate(plans):
                label = f"{plan.op}/{plan.variant} {plan.size.label}"

                def on_round(done: int, total: int, label: str = label) -> None:
                    bar.update(task, description=f"{label}: round {done}/{total}", refresh=True)

                if log is not None:
                    log(f"case {i + 1}/{len(plans)}: {label}")
                budget = _case_budget(deadline, len(plans) - i)
                cases.append(_measure_case(plan, reg, settings, budget, cat.seed + i, census, on_round))
                bar.advance(task)
                bar.refresh()
        colds = []
        for plan, row in cold_targets:
            bar.update(task, description=f"cold: {plan.op} {row.name}")
            if log is not None:
                log(f"cold first call: {plan.op} {row.name}")
            spec = cat.operation(plan.op)
            bar.refresh()
            colds.append(cold.measure(plan.op, plan.variant, row.name, plan.size, cat.seed, spec.signal).as_dict())
            bar.advance(task)
    judge_aa(cases)
    commit = env["git"]["commit"]
    return {
        "schema": runfile.SCHEMA,
        "run_id": runfile.new_run_id(commit, started),
        "created": started.isoformat(timespec="seconds"),
        "suite": settings.suite,
        "catalogue": str(cat.path),
        "seed": cat.seed,
        "settings": {
            "round_seconds": settings.round_seconds,
            "min_rounds": settings.min_rounds,
            "max_rounds": settings.max_rounds,
            "time_budget_s": settings.time_budget,
            "solo_batches": settings.solo_batches,
            "bootstrap": {
                "statistic": "median",
                "method": "percentile",
                "confidence": CONFIDENCE,
                "resamples": RESAMPLES,
            },
            "ratio": "per-round a/b, summarised by its median",
            "gc": "disabled during each timed batch",
            "lead_call": f"rows at most {LEAD_CALL_MAX * 1e3:g} ms per call start each batch with one untimed call",
            "calibration": "calls per batch from the fastest of three tries per step",
        },
        "allocation_policy": ALLOCATION_POLICY,
        "environment": env,
        "thread_pools": {**pools_record(), **executor_threads(), "placement": placement.record()},
        "interference": run_verdict(cases, census.threads(), census.enabled),
        "cases": cases,
        "cold": colds,
        "duration_s": time.perf_counter() - t_start,
    }


def run_and_save(
    plans: list[CasePlan],
    cat: Catalogue,
    reg: Registry,
    settings: Settings,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    runs_dir: Any = runfile.RUNS_DIR,
) -> tuple[dict[str, Any], Any]:
    """Execute ``plans`` and write the run file to ``runs_dir``; returns the document and its path."""
    doc = execute(plans, cat, reg, settings, progress=progress, log=log)
    return doc, runfile.write(doc, runs_dir)
