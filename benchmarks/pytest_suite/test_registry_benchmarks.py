"""pytest-benchmark over the registry × catalogue (run by ``make bench``, not by ``make test``).

Every registry entry (peers included) at every size of the suite named by ``AUDIOBENCH_SUITE``
(``quick`` by default, ``full`` under ``make bench``); ``python-pure`` at its own smaller sizes.
Each benchmark is prepared, warmed by one call, then handed to pytest-benchmark, which
calibrates and times it; ``extra_info`` carries the identifiers and the input checksum so the
JSON can be merged with the other tools' results.

    pytest benchmarks/pytest_suite --benchmark-json reports/data/pytest-benchmark.json
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest

from audiobench.cases import StreamCase
from audiobench.catalogue import Size, load
from audiobench.operations import build_case
from audiobench.registry import registry
from audiobench.threads import single_threaded_pools
from audiobench.tiers import Impl

SUITE = os.environ.get("AUDIOBENCH_SUITE", "quick")
if SUITE not in ("quick", "full"):
    raise ValueError(f"AUDIOBENCH_SUITE must be quick or full, not {SUITE!r}")

CATALOGUE = load()


def _entries() -> Iterator[Any]:
    # Multi-threaded tiers are measured by the runner alone, which places their workers off the
    # timing thread's CPU; left to the scheduler, both threads can land on one CPU.
    single = set(CATALOGUE.single_thread_tiers) | set(CATALOGUE.peers)
    for impl in registry().entries(peers=True):
        if impl.tier in CATALOGUE.tier_specs and impl.tier not in single:
            continue
        spec = CATALOGUE.operation(impl.op)
        sizes = spec.sizes_for("pure") if impl.tier == "python-pure" else spec.sizes_for(SUITE)  # type: ignore[arg-type]
        for size in sizes:
            yield pytest.param(impl, size, id=f"{impl.op}/{impl.variant}/{impl.tier}/{size.label}")


@pytest.mark.parametrize(("impl", "size"), list(_entries()))
def test_registry(benchmark: Any, impl: Impl, size: Size) -> None:
    spec = CATALOGUE.operation(impl.op)
    case = build_case(impl.op, impl.variant, size, CATALOGUE.seed, spec.signal)
    if isinstance(case, StreamCase):
        # Counting bytearray growth costs the Python tiers time; the runner reports the counts.
        case = dataclasses.replace(case, count_reallocations=False)
    run = impl.prepare(case)
    run()  # warm-up: allocating tiers reach a steady allocator state before timing
    benchmark.group = f"{impl.op}/{impl.variant}/{size.label}"
    benchmark.extra_info.update(
        {
            "op": impl.op,
            "variant": impl.variant,
            "tier": impl.tier,
            "size": size.label,
            "suite": SUITE,
            "matched": impl.matched,
            "allocation": impl.allocation,
            "input_checksum": case.checksum(),
        }
    )
    # BLAS/OpenMP pools single-threaded while timing, as in the runner (audiobench.threads).
    with single_threaded_pools():
        benchmark(run)
