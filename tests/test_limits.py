"""The limit probes: which cases run them, and that each moves the bytes it claims to."""

from __future__ import annotations

import numpy as np
import pytest

from audiobench import limits, operations
from audiobench.catalogue import Catalogue, Size
from audiobench.operations import build_case
from audiobench.runner.plan import build_plan
from audiobench.tiers import Registry

from .conftest import SEED


def test_read_write_runs_only_beside_memory_bound_operations(catalogue: Catalogue, reg: Registry) -> None:
    plans = build_plan(catalogue, reg, "quick", ["convert", "vad", "resample"], ["rust-direct", *limits.LIMITS])
    by_op: dict[str, set[str]] = {}
    for p in plans:
        by_op.setdefault(p.op, set()).update(r.name for r in p.rows if r.kind == "limit")
    assert by_op["convert"] == by_op["vad"] == set(limits.LIMITS)
    assert by_op["resample"] == {limits.READ, limits.MEMCPY}


@pytest.mark.parametrize(("variant", "itemsize"), [("f32_i16", 2), ("i16_f32", 4), ("f32_i32", 4), ("i16_i32", 4)])
def test_read_write_writes_the_conversions_output_bytes(variant: str, itemsize: int) -> None:
    case = build_case("convert", variant, Size(kind="samples", samples=10_001), SEED)
    assert limits.output_bytes(operations.spec("convert").outputs(variant, case)) == 10_001 * itemsize


def test_each_probe_reads_its_case_and_read_write_fills_its_output() -> None:
    from audiobench import _rust

    src = np.random.default_rng(5).integers(0, 256, 20_002, dtype=np.uint8)
    for written in (0, 7, src.size // 2, src.size, 2 * src.size, 2 * src.size + 3):
        # Every byte is written: what was in the output before leaves no trace.
        zeros, ones = np.zeros(written, dtype=np.uint8), np.full(written, 255, dtype=np.uint8)
        _rust.limit_read_write(src, zeros)
        _rust.limit_read_write(src, ones)
        assert np.array_equal(zeros, ones), f"{written} output bytes: some were not written"
    case = build_case("vad", "default", Size(kind="seconds", seconds=1.0), SEED)
    for kind in limits.LIMITS:
        limits.prepare_limit(kind, case, limits.output_bytes(operations.spec("vad").outputs("default", case)))()
    with pytest.raises(ValueError, match="unknown limit probe"):
        limits.prepare_limit("limit:bogus", case)
