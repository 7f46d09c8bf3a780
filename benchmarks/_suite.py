"""Shared set-up for the asv classes: parameters from the catalogue, runs from the registry.

Parameters are read from ``benchmarks/catalogue.toml`` with ``tomllib`` alone, so the suite
imports with any installed audiobench (asv runs it against old commits too). Anything the
installed version cannot run — a missing module, a tier or size it does not have — raises
``NotImplementedError`` in ``setup``, which asv records as skipped.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().with_name("catalogue.toml")
SUITE = os.environ.get("AUDIOBENCH_SUITE", "full")
"""The size set measured: ``full`` (default) or ``quick`` (the variable criterion and
pytest-benchmark read too). Read when asv discovers the benchmarks and again in each benchmark
process; asv passes the environment through to both."""
if SUITE not in ("quick", "full"):
    raise ValueError(f"AUDIOBENCH_SUITE={SUITE!r}: expected quick or full")


def _catalogue() -> dict[str, Any]:
    with CATALOGUE.open("rb") as f:
        return tomllib.load(f)


def _tiers(raw: dict[str, Any]) -> list[str]:
    """The matched single-thread tiers in catalogue order (one table per tier; older catalogues
    listed them). Multi-threaded (``parallel``) tiers are measured by the runner alone, which
    places their workers off the timing thread's CPU; left to the scheduler, both threads can
    land on one CPU."""
    tiers = raw["tiers"]
    if "order" in tiers:
        return list(tiers["order"])
    return [name for name, t in tiers.items() if isinstance(t, dict) and not t.get("peer") and not t.get("parallel")]


def _own_size_set(raw: dict[str, Any], tier: str) -> str | None:
    body = raw["tiers"].get(tier)
    if isinstance(body, dict):
        return body.get("sizes")
    return "pure" if tier == "python-pure" else None


def operations() -> list[tuple[str, bool]]:
    """Every catalogue operation, and whether its sizes are base64 streams."""
    return [(name, body["size_kind"] == "stream") for name, body in _catalogue()["operations"].items()]


def class_name(op: str) -> str:
    """``b64_buffer`` → ``B64Buffer`` (``audiobench.collect.asv`` reads it back)."""
    return "".join(part[:1].upper() + part[1:] for part in op.split("_"))


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
    """asv ``params`` and ``param_names`` for one operation: variant × tier × size (the
    :data:`SUITE`'s sizes, and the ``pure`` ones python-pure runs)."""
    raw = _catalogue()
    spec = raw["operations"][op]
    sizes = [_label(spec["size_kind"], s) for s in spec[SUITE]]
    sizes += [p for p in (_label(spec["size_kind"], s) for s in spec["pure"]) if p not in sizes]
    return [list(spec["variants"]), _tiers(raw), sizes], ["variant", "tier", "size"]


def prepare(op: str, variant: str, tier: str, size_label: str, **case_options: Any) -> Any:
    """The registry's prepared run for this combination, or NotImplementedError."""
    # asv installs each commit as a wheel, which holds the package but not benchmarks/: point
    # audiobench (which reads its catalogue on import) at this suite's catalogue.
    os.environ.setdefault("AUDIOBENCH_CATALOGUE", str(CATALOGUE))
    try:
        from audiobench.catalogue import load
    except ImportError as e:
        raise NotImplementedError(f"this audiobench has no catalogue: {e}") from e
    try:
        from audiobench.registry import registry
    except ImportError:  # before the registry was built above the operations
        try:
            from audiobench.tiers import registry  # type: ignore[attr-defined,no-redef]
        except ImportError as e:
            raise NotImplementedError(f"this audiobench has no registry: {e}") from e
    try:
        from audiobench.operations import build_case
    except ImportError:  # before operations were objects
        try:
            from audiobench.cases import build_case  # type: ignore[attr-defined,no-redef]
        except ImportError as e:
            raise NotImplementedError(f"this audiobench has no case builder: {e}") from e
    try:
        cat = load(CATALOGUE)
    except Exception:  # an older audiobench reads an older catalogue layout: use its own
        cat = load()
    try:
        spec = cat.operation(op)
    except Exception as e:
        raise NotImplementedError(f"this audiobench has no {op}: {e}") from e
    # A tier with a size set of its own (the pure tier) only runs those; the others the full ones.
    own = _own_size_set(_catalogue(), tier)
    sizes = {s.label: s for s in spec.sizes_for(own or SUITE)}
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
    # (min, max, seconds) samples per benchmark: asv's defaults for the full sizes; quick takes
    # fewer, for a history over several commits in minutes rather than hours
    repeat = (3, 15, 8.0) if SUITE == "full" else (2, 5, 1.0)
    warmup_time = 0.2
    timeout = 600

    def setup(self, variant: str, tier: str, size: str) -> None:
        self.run = prepare(self.op, variant, tier, size)
        self.run()  # warm: allocating tiers reach a steady allocator state before timing


class StreamBenchmark(OperationBenchmark):
    """A base64 stream operation: timed without counting reallocations, counted apart (the
    generated class adds ``track_reallocations``: asv also walks this module, and a benchmark
    method here would be discovered without parameters)."""

    def setup(self, variant: str, tier: str, size: str) -> None:
        # Timed runs do not count bytearray growth (it costs the Python tiers time) ...
        self.run = prepare(self.op, variant, tier, size, count_reallocations=False)
        self.run()
        # ... a separate, untimed pass of the same stream does.
        self.counted = prepare(self.op, variant, tier, size, count_reallocations=True)


def counted_reallocations(self: Any, variant: str, tier: str, size: str) -> int:
    """Buffer reallocations of one counted pass (asv ``track``; unit "reallocations")."""
    _, reallocations = self.counted()
    return int(reallocations)
