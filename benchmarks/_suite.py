"""Shared set-up for the asv classes: parameters from the catalogue, runs from the registry.

Parameters are read from ``benchmarks/catalogue.toml`` with ``tomllib`` alone, so the suite
imports with any installed audiobench (asv runs it against old commits too). Anything the
installed version cannot run — a missing module, a tier or size it does not have — raises
``NotImplementedError`` in ``setup``, which asv records as skipped.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().with_name("catalogue.toml")
TIERS = ("python", "python-pure", "python-best", "rust-json", "rust-fast", "rust-direct")


def _catalogue() -> dict[str, Any]:
    with CATALOGUE.open("rb") as f:
        return tomllib.load(f)


def _label(kind: str, raw: Any) -> str:
    # Mirrors audiobench.catalogue.Size.label.
    if raw == "frame":
        return "frame"
    if kind == "seconds":
        return f"{float(raw):g}s"
    if kind == "samples":
        return f"{raw // 1_000_000}M" if raw % 1_000_000 == 0 else str(raw)
    return f"{raw['chunks']}ch-{raw['calls']}calls-{raw['threads']}thr"


def params(op: str) -> tuple[list[list[str]], list[str]]:
    """asv ``params`` and ``param_names`` for one operation: variant × tier × size."""
    spec = _catalogue()["operations"][op]
    sizes = [_label(spec["size_kind"], s) for s in spec["full"]]
    sizes += [p for p in (_label(spec["size_kind"], s) for s in spec["pure"]) if p not in sizes]
    return [list(spec["variants"]), list(TIERS), sizes], ["variant", "tier", "size"]


def prepare(op: str, variant: str, tier: str, size_label: str, **case_options: Any) -> Any:
    """The registry's prepared run for this combination, or NotImplementedError."""
    try:
        from audiobench.cases import build_case
        from audiobench.catalogue import load
        from audiobench.tiers import registry
    except ImportError as e:
        raise NotImplementedError(f"this audiobench has no registry: {e}") from e
    cat = load(CATALOGUE)
    spec = cat.operation(op)
    pure_sizes = {s.label: s for s in spec.sizes_for("pure")}
    full_sizes = {s.label: s for s in spec.sizes_for("full")}
    # The pure tier only runs its own sizes; the others only the full ones.
    sizes = pure_sizes if tier == "python-pure" else full_sizes
    if size_label not in sizes:
        raise NotImplementedError(f"{tier} does not run {op} at {size_label}")
    try:
        impl = registry().get(op, variant, tier)
    except KeyError as e:
        raise NotImplementedError(str(e)) from e
    case = build_case(op, variant, sizes[size_label], cat.seed, spec.signal)
    if case_options:
        import dataclasses

        case = dataclasses.replace(case, **case_options)
    run = impl.prepare(case)
    try:  # BLAS/OpenMP pools single-threaded, as in the runner (asv runs each benchmark in its own process)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    except ImportError:
        pass
    return run


class OperationBenchmark:
    """Base: subclasses set ``op`` and ``params``; ``setup`` prepares and warms the run."""

    op = ""
    param_names = ("variant", "tier", "size")
    number = 0  # let asv calibrate calls per sample
    repeat = (3, 15, 8.0)
    warmup_time = 0.2
    timeout = 600

    def setup(self, variant: str, tier: str, size: str) -> None:
        self.run = prepare(self.op, variant, tier, size)
        self.run()  # warm: allocating tiers reach a steady allocator state before timing
