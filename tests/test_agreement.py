"""Cross-tool agreement: a disagreement gets a cause only when a measurement backs it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from audiobench.collect.schema import frame
from audiobench.report import agreement

CASE = {"operation": "convert", "variant": "f32_i16", "size": "1M"}
STAMP = "2026-11-30T10:00:00+00:00"


def _time(source: str, tier: str, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        **CASE,
        "tier": tier,
        "source": source,
        "metric": "time",
        "statistic": "median",
        "value": seconds,
        "unit": "s",
        "run_id": f"{source}-1",
        "commit": "abc",
        "timestamp": STAMP,
        **extra,
    }


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return frame(rows)


def _solo(tier: str, seconds: float) -> dict[str, Any]:
    return {**_time("runner", tier, seconds), "metric": "solo_time"}


def _ffi(tier: str, seconds: float, low: float, high: float) -> dict[str, Any]:
    return {
        **_time("profiler", tier, seconds),
        "metric": "overhead",
        "side": "pyo3",
        "reference": f"{tier} (native-alternating)",
        "ci_low": low,
        "ci_high": high,
    }


def _cause_column(df: pd.DataFrame) -> dict[str, str]:
    sec = agreement.section(df)
    table = next(b for b in sec.blocks if hasattr(b, "rows"))
    return {row[1]: row[-1] for row in table.rows}  # type: ignore[attr-defined]


def test_the_boundary_measured_by_the_profiler_explains_a_native_gap() -> None:
    df = _table(
        [
            _time("runner", "rust-fast", 150e-6),
            _solo("rust-fast", 151e-6),
            _time("criterion", "rust-fast", 95e-6),
            _ffi("rust-fast", 55e-6, 52e-6, 58e-6),
        ]
    )
    cause = _cause_column(df)["rust-fast"]
    assert cause.startswith("criterion: the PyO3 boundary, 55.0 µs [52.0 µs, 58.0 µs]"), cause


def test_the_runners_solo_measurement_explains_an_interleaving_gap() -> None:
    df = _table(
        [
            _time("runner", "python", 400e-6),
            _solo("python", 300e-6),
            _time("pytest-benchmark", "python", 305e-6),
        ]
    )
    assert _cause_column(df)["python"] == "pytest-benchmark: interleaving, the row alone took 300 µs in the runner"


def test_anything_else_is_unexplained_with_the_recorded_facts() -> None:
    df = _table(
        [
            _time("runner", "rust-direct", 80e-6),
            _solo("rust-direct", 80e-6),
            _time("criterion", "rust-direct", 100e-6, commit="def", timestamp="2026-11-29T10:00:00+00:00"),
            _ffi("rust-direct", 1e-6, 0.5e-6, 1.5e-6),
        ]
    )
    assert (
        _cause_column(df)["rust-direct"]
        == "criterion: unexplained (measured on different commits; measured hours apart)"
    )


def test_agreement_within_the_band_needs_no_cause_and_is_counted() -> None:
    df = _table(
        [
            _time("runner", "rust-direct", 80e-6),
            _time("criterion", "rust-direct", 78e-6),
            _time("runner", "rust-fast", 150e-6),
            _time("criterion", "rust-fast", 100e-6),
        ]
    )
    sec = agreement.section(df)
    text = " ".join(b.text for b in sec.blocks if hasattr(b, "text"))  # type: ignore[attr-defined]
    assert "Runner vs criterion on rust-direct/rust-fast cases of at least 10 µs: 1 of 2 within 10%" in text
    assert "1 tool results differ from the runner by more than 10%: 0 with a measured cause, 1 unexplained" in text
    assert _cause_column(df)["rust-direct"] == ""


def test_a_limit_probe_is_explained_by_its_empty_call() -> None:
    empty_call = {
        **_time("profiler", "limit:read", 0.14e-6),
        "operation": None,
        "variant": None,
        "size": None,
        "metric": "overhead",
        "side": "pyo3",
        "reference": "empty call",
        "ci_low": 0.13e-6,
        "ci_high": 0.15e-6,
    }
    df = _table([_time("runner", "limit:read", 0.21e-6), _time("criterion", "limit:read", 0.07e-6), empty_call])
    assert "the probe's call on empty arrays" in _cause_column(df)["limit:read"]


def test_a_boundary_below_zero_explains_nothing() -> None:
    df = _table(
        [
            _time("runner", "rust-direct", 212e-6),
            _solo("rust-direct", 219e-6),
            _time("criterion", "rust-direct", 236e-6),
            _ffi("rust-direct", -2.7e-6, -3.2e-6, -2.3e-6),
        ]
    )
    assert _cause_column(df)["rust-direct"] == "criterion: unexplained"
