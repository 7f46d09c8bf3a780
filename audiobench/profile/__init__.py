"""``audiobench profile``: where every microsecond of each tier's call goes.

Three sides, one document:

* **native** — the Rust tiers without Python (the ``audiobench-profile`` binary): each stage of
  the call timed in place, exact allocation counts per stage, instructions per stage under
  callgrind (``--instructions``);
* **python** — the Python tiers, staged the same way in this process;
* **pyo3** — each Rust tier as Python calls it: the boundary steps (call, views, GIL, hand-over
  to numpy) timed with the extension's probes, plus the native work, against the registry call.

Each entry compares the sum of its stages with the end-to-end time of the same call and names
the leftover ("glue"); the attribution section turns matched tiers into costs with CIs:
JSON + async (json − fast), node + Arc (fast − direct), and FFI (through PyO3 − native).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from audiobench import operations
from audiobench.cases import Case
from audiobench.catalogue import Catalogue, Size, SizeSet
from audiobench.catalogue import load as load_catalogue
from audiobench.documents import profile as profile_doc
from audiobench.environment import fingerprint
from audiobench.profile import boundary, native
from audiobench.staging import Clock, Staged
from audiobench.stats import median_difference, summarize
from audiobench.threads import single_threaded_pools
from audiobench.tiers import Registry

SCHEMA = profile_doc.SCHEMA
PROFILES_DIR = profile_doc.PROFILES_DIR
PYTHON_TIERS = load_catalogue().tiers_in("python")
# The multi-threaded tier is not profiled: its calls are the single-thread kernels over ranges.
PYO3_TIERS = tuple(t for t in load_catalogue().tiers_in("rust") if t in load_catalogue().single_thread_tiers)
NATIVE_TIERS = (*PYO3_TIERS, "rust-direct-alloc")
"""The Rust tiers natively, plus ``rust-direct-alloc``: the direct kernels' allocating wrappers,
a native-only row that separates allocation from the work."""
ALL_TIERS = (*PYTHON_TIERS, *NATIVE_TIERS)
GLUE_LIMIT_PCT = 10.0
WHOLE_CALL = "the whole call (no staged form)"


def _peak_rss_reset() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_kib() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _stats(samples: list[float]) -> dict[str, float]:
    s = summarize(samples)
    return {"median_ns": s.median, "ci_low_ns": s.ci_low, "ci_high_ns": s.ci_high, "cv": s.cv, "n": s.n}


def _explain(side: str, tier: str, op: str, e: dict[str, float], total: float, glue_pct: float) -> str | None:
    """Name the likely cause of a stage sum more than GLUE_LIMIT_PCT away from the call."""
    if abs(glue_pct) <= GLUE_LIMIT_PCT:
        return None
    if e["ci_low_ns"] <= total <= e["ci_high_ns"]:
        return "noise: the stage sum lies inside the call's own 95 % CI"
    if tier == "rust-json" and op == "b64_buffer" and side == "native":
        return (
            "one executor hand-off per chunk: its latency depends on whether the worker is still spinning when "
            "the next task arrives, and timing each step in place shifts that race"
        )
    if tier == "rust-json":
        return (
            "executor hand-offs: one costs tens of µs when the worker thread is parked and far less while it "
            "still spins, so the same call takes two distinct times depending on how recently the last one ran"
        )
    if side == "pyo3" and e["median_ns"] < 2_000:
        return (
            "a call of under 2 µs: parsing its arguments and building its result, which no probe times on "
            "its own, are a large share of it"
        )
    if side == "pyo3":
        return (
            "the native work is measured in another process (alternating with this one); on this machine the "
            "same kernel differs by up to ~20 % between processes"
        )
    if e["median_ns"] < 50_000:
        return "a call of tens of µs: per-step clock and call overheads are a large share of it"
    return None


def _entry(
    key: tuple[str, str, str], tier: str, side: str, e2e: list[float], stages: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """Summarise one (case, tier, side): stage medians and CIs, % of e2e, sum, glue."""
    e = _stats(e2e)
    for st in stages:
        st.update(_stats(st["samples_ns"]))
        st["pct_of_e2e"] = 100.0 * st["median_ns"] / e["median_ns"] if e["median_ns"] else None
    top = [st for st in stages if st["kind"] == "stage"]
    total = float(sum(st["median_ns"] for st in top))
    glue = e["median_ns"] - total
    glue_pct = 100.0 * glue / e["median_ns"] if e["median_ns"] else 0.0
    op, variant, size = key
    return {
        "op": op,
        "variant": variant,
        "size": size,
        "tier": tier,
        "side": side,
        "e2e": e,
        "e2e_samples_ns": e2e,
        "stages": stages,
        "sum_ns": total,
        "glue_ns": glue,
        "glue_pct": glue_pct,
        "glue_ok": abs(glue_pct) <= GLUE_LIMIT_PCT,
        "glue_explanation": _explain(side, tier, op, e, total, glue_pct),
        **extra,
    }


def _native_entries(doc: dict[str, Any], instr: dict[str, Any] | None) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str, str, str, str], float | None] = {}
    if instr:
        for c in instr["cases"]:
            for st in c["stages"]:
                counts[(c["op"], c["variant"], c["size"], c["tier"], st["name"])] = st.get("instructions")
    out = []
    for c in doc["cases"]:
        key = (c["op"], c["variant"], c["size"])
        e2e: list[float] = []
        stages = []
        for st in c["stages"]:
            instructions = counts.get((*key, c["tier"], st["name"])) if instr else None
            if st["kind"] == "e2e":
                e2e = st["samples_ns"]
                e2e_instr = instructions
                e2e_counts = {k: st[k] for k in ("allocs", "deallocs", "alloc_bytes", "counts_repeatable")}
                continue
            stages.append(
                {
                    "name": st["name"],
                    "parent": st["parent"],
                    "kind": "stage" if st["kind"] == "stage" else "part",
                    "samples_ns": st["samples_ns"],
                    "allocs": st["allocs"],
                    "deallocs": st["deallocs"],
                    "reallocs": st["reallocs"],
                    "alloc_bytes": st["alloc_bytes"],
                    "counts_repeatable": st["counts_repeatable"],
                    "instructions": instructions,
                }
            )
        out.append(
            _entry(
                key,
                c["tier"],
                "native",
                e2e,
                stages,
                input_checksum=c["input_checksum"],
                peak_rss_kib=c["peak_rss_kib"],
                e2e_instructions=e2e_instr,
                e2e_counts=e2e_counts,
                clock_overhead_ns=c["clock_overhead_ns"],
            )
        )
    return out


def _clock_overhead_ns() -> float:
    c = Clock()
    samples = []
    for _ in range(2001):
        c.steps.clear()
        c.step("empty", _noop)
        samples.append(c.steps["empty"])
    return float(np.median(samples))


def _noop() -> None:
    return None


def _python_entry(
    key: tuple[str, str, str],
    tier: str,
    staged: Staged,
    budget_s: float,
    overhead_ns: float,
    checksum: str,
) -> dict[str, Any]:
    _peak_rss_reset()
    staged.call()
    staged.sequence(Clock(overhead_ns))
    e2e: list[float] = []
    per_stage: dict[str, list[float]] = {}
    start = time.perf_counter()
    runs = 0
    while runs < 7 or (time.perf_counter() - start < budget_s and runs < 300):
        gc.disable()
        try:
            # The result is freed after the clock stops, as the native side does and as the
            # staged sequence does: freeing a 100k-element list is not the call's work.
            t = time.perf_counter_ns()
            result = staged.call()
            e2e.append(float(time.perf_counter_ns() - t))
            del result
            clock = Clock(overhead_ns)
            staged.sequence(clock)
        finally:
            gc.enable()
        for name, ns in clock.steps.items():
            per_stage.setdefault(name, []).append(ns)
        runs += 1
    stages = [{"name": n, "parent": None, "kind": "stage", "samples_ns": v} for n, v in per_stage.items()]
    for parent, name, fn in staged.parts:
        fn()
        samples: list[float] = []
        t_end = time.perf_counter() + budget_s / 2
        while len(samples) < 7 or (time.perf_counter() < t_end and len(samples) < 200):
            t = time.perf_counter_ns()
            result = fn()
            samples.append(float(time.perf_counter_ns() - t))
            del result
        stages.append({"name": name, "parent": parent, "kind": "part", "samples_ns": samples})
    return _entry(
        key,
        tier,
        "python",
        e2e,
        stages,
        input_checksum=checksum,
        peak_rss_kib=_peak_rss_kib(),
        note=staged.note,
        clock_overhead_ns=overhead_ns,
    )


def _e2e_samples(run: Callable[[], Any], budget_s: float) -> list[float]:
    run()
    samples: list[float] = []
    start = time.perf_counter()
    while len(samples) < 15 or (time.perf_counter() - start < budget_s and len(samples) < 300):
        gc.disable()
        t = time.perf_counter_ns()
        result = run()
        samples.append(float(time.perf_counter_ns() - t))
        del result
        gc.enable()
    return samples


def _pyo3_entry(
    key: tuple[str, str, str], tier: str, case: Case, reg: Registry, suite: str, budget_s: float
) -> dict[str, Any] | None:
    op, variant, _ = key
    p = operations.spec(op).boundary(variant, tier, case)
    if p is None:
        return None
    _peak_rss_reset()
    run = reg.get(op, variant, tier).prepare(case)
    # The native work comes from the native profiler (another process). On a noisy machine two
    # processes measured minutes apart differ by drift alone, so the Python and native
    # measurements alternate, A B A B, and each side pools its two halves.
    half_ms = max(int(budget_s * 500), 50)
    e2e: list[float] = []
    halves: list[list[float]] = []
    for _ in range(2):
        e2e += _e2e_samples(run, budget_s / 2)
        halves.append(native.run_case_e2e(suite, "/".join(key), tier, half_ms))
    native_e2e = [x for h in halves for x in h]
    stages = [{"name": n, "parent": None, "kind": "stage", "samples_ns": v} for n, v in boundary.measure(p).items()]
    stages.append({"name": boundary.NATIVE, "parent": None, "kind": "stage", "samples_ns": native_e2e})
    note = "native work measured by the native profiler in alternation with this side (same input bytes)"
    # The two native halves ran in two processes: how far apart they landed is this machine's
    # process-to-process spread for this very call, the yardstick for any cross-process difference.
    m1, m2 = (float(np.median(h)) for h in halves)
    spread = abs(m1 / m2 - 1) if m2 > 0 else None
    return _entry(
        key,
        tier,
        "pyo3",
        e2e,
        stages,
        input_checksum=case.checksum(),
        peak_rss_kib=_peak_rss_kib(),
        note=note,
        native_process_spread=spread,
    )


def _difference(
    by: dict[tuple[str, ...], list[float]],
    case: tuple[str, str, str],
    what: str,
    a: tuple[str, str],
    b: tuple[str, str],
) -> dict[str, Any] | None:
    xa, xb = by.get((*case, *a)), by.get((*case, *b))
    if not xa or not xb:
        return None
    d = median_difference(f"{a[0]} ({a[1]})", xa, f"{b[0]} ({b[1]})", xb)
    return {"case": "/".join(case), "what": what, **d.as_dict()}


def _attribution(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[tuple[str, ...], list[float]] = {
        (e["op"], e["variant"], e["size"], e["tier"], e["side"]): e["e2e_samples_ns"] for e in entries
    }
    # FFI compares each PyO3 call with the native samples taken alternately with it.
    for e in entries:
        if e["side"] == "pyo3":
            reference = next(st["samples_ns"] for st in e["stages"] if st["name"] == boundary.NATIVE)
            by[(e["op"], e["variant"], e["size"], e["tier"], "native-alternating")] = reference
    comparisons = [
        ("JSON + async (rust-json − rust-fast)", ("rust-json", "native"), ("rust-fast", "native")),
        ("node + Arc (rust-fast − rust-direct)", ("rust-fast", "native"), ("rust-direct", "native")),
        *((f"FFI ({t} through PyO3 − {t} natively)", (t, "pyo3"), (t, "native-alternating")) for t in PYO3_TIERS),
    ]
    out = []
    for case in sorted({(k[0], k[1], k[2]) for k in by}):
        for what, a, b in comparisons:
            d = _difference(by, case, what, a, b)
            if d:
                out.append(d)
    return out


def _cases(cat: Catalogue, suite: SizeSet, ops: list[str] | None, sizes: str) -> list[tuple[str, str, Size, Case]]:
    out = []
    for name, spec in cat.operations.items():
        if ops and name not in ops:
            continue
        for variant in spec.variants:
            for size in spec.sizes_for("pure" if sizes == "pure" else suite):
                case = operations.spec(name, cat).build_case(variant, size, cat.seed, spec.signal)
                out.append((name, variant, size, case))
    return out


def run_profile(
    cat: Catalogue,
    reg: Registry,
    suite: SizeSet = "quick",
    ops: list[str] | None = None,
    tiers: list[str] | None = None,
    instructions: bool = False,
    budget_ms: int = 250,
    on_step: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Profile ``tiers`` of ``ops`` on the suite's sizes: native stages (and callgrind counts with
    ``instructions``), Python tiers staged, Rust tiers through PyO3; returns the profile document.

    Raises:
        ProfilerError: the native profiler cannot be built or run."""
    # Plugin tiers are profiled as whole calls; the catalogue's multi-threaded tier is not
    # profiled at all (its stages are rust-direct's, run over ranges of the output).
    brought = [
        t for t in dict.fromkeys(i.tier for i in reg.entries()) if t not in ALL_TIERS and t not in cat.tier_specs
    ]
    tiers = list(tiers or [*ALL_TIERS, *brought])
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    native.ensure_inputs(cat, suite)
    native_tiers = [t for t in tiers if t in NATIVE_TIERS]
    on_step("native timing")
    timing = native.run_timing(suite, ops, native_tiers, budget_ms) if native_tiers else {"cases": []}
    instr = None
    if instructions and native_tiers:
        on_step("native instructions (callgrind)")
        instr = native.run_instructions(suite, ops, native_tiers, iterations=2)
    entries = _native_entries(timing, instr)
    with single_threaded_pools():
        entries += _python_side(cat, reg, suite, ops, tiers, budget_ms, on_step)
        limit_calls = {name: _stats(v) for name, v in boundary.limit_call_ns().items()}
    return {
        "schema": SCHEMA,
        "created": started.isoformat(timespec="seconds"),
        "suite": suite,
        "environment": fingerprint(),
        "simd_path": {"native": timing.get("simd_path"), "callgrind": instr.get("simd_path") if instr else None},
        # per kernel: natively an AVX-512 CPU runs some kernels' AVX-512 bodies, callgrind never does
        "simd_kernels": {
            "native": timing.get("simd_kernels"),
            "callgrind": instr.get("simd_kernels") if instr else None,
        },
        "instructions": "measured" if instr else ("not measured (pass --instructions)" if native_tiers else None),
        "glue_limit_pct": GLUE_LIMIT_PCT,
        "method": (
            "Each call is also run as a staged sequence (the same steps, each timed in place); stages and "
            "end-to-end runs alternate. Parts are measured alone and not summed. Native allocation counts come "
            "from a counting global allocator (per thread for stages, per process end to end); instructions "
            "from callgrind client requests, one dump per stage. BLAS/OpenMP pools of this process are "
            "single-threaded while it times, as in the runner."
        ),
        "entries": entries,
        "attribution": _attribution(entries),
        # The limit probes' own boundary, for telling the runner's probes from criterion's.
        "limit_calls": limit_calls,
        "duration_s": time.perf_counter() - t0,
    }


def _staged(reg: Registry, op: str, variant: str, tier: str, case: Case) -> Staged | None:
    """The operation's staged form of ``tier``'s call, or the registry's call as one stage (an
    operation that declares no stages is still profiled end to end)."""
    staged = operations.spec(op).staged(variant, tier, case)
    if staged is not None:
        return staged
    try:
        run = reg.get(op, variant, tier).prepare(case)
    except KeyError:
        return None
    return Staged(run, lambda c: c.step(WHOLE_CALL, run), note="no staged form: the call as one stage")


def _python_side(
    cat: Catalogue,
    reg: Registry,
    suite: SizeSet,
    ops: list[str] | None,
    tiers: list[str],
    budget_ms: int,
    on_step: Callable[[str], None],
) -> list[dict[str, Any]]:
    """The Python tiers staged, and the Rust tiers through PyO3, in this process."""
    entries: list[dict[str, Any]] = []
    overhead = _clock_overhead_ns()
    budget_s = budget_ms / 1000
    for sizes in ("suite", "pure"):
        for op, variant, size, case in _cases(cat, suite, ops, sizes):
            key = (op, variant, size.label)
            for tier in tiers:
                own = tier in cat.tier_specs and cat.tier_specs[tier].sizes is not None
                if own != (sizes == "pure"):
                    continue
                if tier not in NATIVE_TIERS:  # the Python tiers, and any tier a plugin brings
                    staged = _staged(reg, op, variant, tier, case)
                    if staged is not None:
                        on_step(f"{op}/{variant} {size.label} {tier}")
                        entries.append(_python_entry(key, tier, staged, budget_s, overhead, case.checksum()))
                if tier in PYO3_TIERS and sizes == "suite":
                    on_step(f"{op}/{variant} {size.label} {tier} via PyO3")
                    entry = _pyo3_entry(key, tier, case, reg, suite, budget_s)
                    if entry:
                        entries.append(entry)
    return entries


def save(doc: dict[str, Any], out_dir: Path = PROFILES_DIR) -> Path:
    """Write a profile document as a new file in ``out_dir``; returns its path."""
    return profile_doc.write(doc, out_dir)
