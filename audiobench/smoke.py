"""The smoke pass: every registry entry once on the quick sizes, parity-checked, briefly timed.

This is what ``make report`` runs until the measurement suites produce real numbers. Each
entry is prepared, run once (that output is parity-checked against the ``python`` tier), then
called a few more times in a row; the median of those calls is recorded *for orientation
only* — no interleaving, no confidence interval, so it never carries a verdict.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from audiobench import operations, parity
from audiobench.cases import Case
from audiobench.catalogue import Catalogue, Size
from audiobench.documents import smoke as smoke_doc
from audiobench.documents.smoke import SmokeRow
from audiobench.environment import fingerprint
from audiobench.tiers import Impl, Registry

SCHEMA = smoke_doc.SCHEMA
CALLS = 5
PURE_CALLS = 2


def _cases(cat: Catalogue, reg: Registry, ops: set[str] | None) -> Iterator[tuple[Impl, Size]]:
    for name, op in cat.operations.items():
        if ops is not None and name not in ops:
            continue
        for variant in op.variants:
            for impl in reg.entries(op=name, variant=variant, peers=True):
                sizes = cat.sizes_for(name, impl.tier, "quick")
                for size in sizes:
                    yield impl, size


def _time(run: Any, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        run()
        out.append((time.perf_counter_ns() - t0) / 1e9)
    return out


def run_smoke(cat: Catalogue, reg: Registry, *, ops: set[str] | None = None, progress: bool = True) -> list[SmokeRow]:
    """Run every entry (of ``ops``, default all) on its quick sizes; a failing entry is
    recorded in its row, never raised."""
    todo = list(_cases(cat, reg, ops))
    rows: list[SmokeRow] = []
    references: dict[tuple[str, str, str], Any] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, disable=not progress, transient=True) as bar:
        task = bar.add_task("smoke", total=len(todo))
        for impl, size in todo:
            bar.update(task, description=f"{impl.op}/{impl.variant} {impl.tier} {size.label}")
            rows.append(_one(cat, reg, impl, size, references))
            bar.advance(task)
    return rows


def _reference(reg: Registry, op: str, variant: str, case: Case, cache: dict[tuple[str, str, str], Any]) -> Any:
    key = (op, variant, case.checksum())
    if key not in cache:
        cache[key] = operations.reference(op, variant, case, lambda o, v: reg.get(o, v, "python"))
    return cache[key]


def _one(cat: Catalogue, reg: Registry, impl: Impl, size: Size, refs: dict[tuple[str, str, str], Any]) -> SmokeRow:
    spec = operations.spec(impl.op, cat)
    case = spec.build_case(impl.variant, size, cat.seed, cat.operation(impl.op).signal)
    row = SmokeRow(
        impl.op,
        impl.variant,
        impl.tier,
        size.label,
        impl.matched,
        None,
        "",
        allocation=impl.allocation,
        summary=impl.summary,
        checksum=case.checksum(),
    )
    try:
        run = impl.prepare(case)
        raw = run()
        if impl.matched:
            out = spec.normalize(impl.variant, raw)
            ref = _reference(reg, impl.op, impl.variant, case, refs)
            verdict = spec.check(impl.variant, impl.tier, case, out, ref)
            quality = spec.quality_case(case, cat.seed) if verdict.ok else None
            if quality is not None:
                q = spec.check_quality(impl.tier, spec.normalize(impl.variant, impl(quality)), quality)
                verdict = parity.Verdict(q.ok, f"{verdict.detail}; {q.detail}", verdict.metrics | q.metrics)
            row.parity_ok, row.detail, row.metrics = verdict.ok, verdict.detail, verdict.metrics
        else:
            row.detail = "peer: different algorithm, not output-matched"
        row.seconds = _time(run, PURE_CALLS if impl.tier == "python-pure" else CALLS)
    except Exception as e:  # a broken entry is a finding, not a crash of the whole pass
        row.parity_ok = False if impl.matched else None
        row.error = f"{type(e).__name__}: {e}"
        row.detail = row.error
    return row


def save(rows: list[SmokeRow], path: Path) -> Path:
    """Write the smoke rows as ``audiobench.smoke/1`` JSON at ``path`` (atomically); returns it."""
    doc = {
        "schema": SCHEMA,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": f"{CALLS} consecutive warm calls per entry ({PURE_CALLS} for python-pure) after one "
        "parity-checked call; median reported for orientation only (no interleaving, no CI)",
        "environment": fingerprint(),
        "rows": [msgspec.structs.asdict(r) for r in rows],
    }
    return smoke_doc.write(doc, path)
