"""pytest-benchmark JSON files (``reports/data/pytest-benchmark*.json``) → rows.

The suite (``benchmarks/pytest_suite``) names each benchmark ``test_registry[op/variant/tier/size]``
and puts the same identifiers and the input checksum in ``extra_info``; ``extra_info`` is read
first, the bracketed id is the fallback. Times are seconds per iteration. pytest-benchmark
gives no confidence interval; when the file holds the raw round times (``stats.data``, which
``--benchmark-json`` includes) the median gets a distribution-free one from the order statistics.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from audiobench.collect.common import (
    Collected,
    CollectError,
    Row,
    iso_from_text,
    load_json,
    number,
    reading,
    result_files,
    text,
)
from audiobench.collect.names import is_suite_case, size_label
from audiobench.collect.schema import frame
from audiobench.stats import CONFIDENCE

SOURCE = "pytest-benchmark"
PATTERN = "pytest-benchmark*.json"
MISSING = "no {pattern} in {dir}; run `make pytest-bench`"
# pytest-benchmark writes its JSON in place at the end of the session.
INTERRUPTED = "pytest-benchmark stopped while writing it? run `make pytest-bench` again"

# stats field → statistic; the median is written separately with its CI.
_STATISTICS = {"mean": "mean", "min": "min", "max": "max", "stddev": "std", "iqr": "iqr", "q1": "p25", "q3": "p75"}
_ID = re.compile(r"\[(?P<id>[^\[\]]+)\]$")
_IDENTIFIERS = ("op", "variant", "tier", "size")


def _identifiers(bench: dict[str, Any]) -> dict[str, str] | None:
    """op, variant, tier, size of one benchmark, or None if it is not one of the suite's: the
    identifiers the suite puts in ``extra_info`` (or its test id ``[op/variant/tier/size]``),
    naming an operation, variant and tier of the catalogue. Another project's tests in the same
    JSON are not taken, whatever their ids look like."""
    extra = bench.get("extra_info") or {}
    if all(extra.get(k) for k in _IDENTIFIERS):
        ids = {k: str(extra[k]) for k in _IDENTIFIERS}
    else:
        m = _ID.search(str(bench.get("name", "")))
        parts = m["id"].split("/") if m else []
        if len(parts) != len(_IDENTIFIERS):
            return None
        ids = dict(zip(_IDENTIFIERS, parts, strict=True))
    return ids if is_suite_case(ids["op"], ids["variant"], ids["tier"]) else None


def _median_ci(data: Any) -> tuple[float, float] | None:
    """CI of the median from the order statistics (exact, no resampling: rounds can number 10⁴+)."""
    x = np.asarray(data, dtype=np.float64)
    if x.size == 0:
        return None
    ci = sps.quantile_test(x, p=0.5).confidence_interval(CONFIDENCE)
    low, high = float(ci.low), float(ci.high)
    return None if np.isnan(low) or np.isnan(high) else (low, high)


def _benchmark_rows(base: Row, bench: dict[str, Any]) -> list[Row] | None:
    ids = _identifiers(bench)
    if ids is None:
        return None
    s = bench["stats"]
    n = int(s["rounds"])
    key = {
        **base,
        "operation": ids["op"],
        "variant": ids["variant"],
        "tier": ids["tier"],
        "size": size_label(ids["size"]),
        "input_checksum": text((bench.get("extra_info") or {}).get("input_checksum")),
        "metric": "time",
        "unit": "s",
        "n": n,
    }
    median: Row = {**key, "statistic": "median", "value": s["median"]}
    ci = _median_ci(s["data"]) if s.get("data") else None
    if ci is not None:
        median.update(ci_low=ci[0], ci_high=ci[1], confidence=CONFIDENCE)
    out = [median]
    for field, statistic in _STATISTICS.items():
        value = number(s.get(field))
        if value is not None:
            out.append({**key, "statistic": statistic, "value": value})
    return out


def rows(path: Path) -> tuple[list[Row], list[str]]:
    """One pytest-benchmark JSON file → its rows, and notes for the summary."""
    doc = load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list) or "machine_info" not in doc:
        raise CollectError(f"{path}: not a pytest-benchmark JSON file (no 'benchmarks' list and 'machine_info')")
    out: list[Row] = []
    notes: list[str] = []
    with reading(path):
        commit_info = doc.get("commit_info") or {}
        base: Row = {
            "source": SOURCE,
            "run_id": path.stem,
            "commit": text(commit_info.get("id")),
            # The host name: pytest-benchmark's only machine identifier.
            "machine_id": text(doc["machine_info"].get("node")),
            "timestamp": iso_from_text(doc["datetime"]),
        }
        foreign = []
        for bench in doc["benchmarks"]:
            r = _benchmark_rows(base, bench)
            if r is None:
                foreign.append(str(bench.get("name")))
            else:
                out += r
        if foreign:
            notes.append(f"{path.name}: skipped benchmarks outside the registry suite: {', '.join(foreign)}")
        if commit_info.get("dirty"):
            notes.append(f"{path.name}: measured on a working tree with uncommitted changes")
    return out, notes


def read(path: Path) -> pd.DataFrame:
    """One pytest-benchmark JSON file as a results table."""
    return frame(rows(path)[0])


def collect(data_dir: Path) -> Collected:
    """Every ``pytest-benchmark*.json`` in ``data_dir``."""
    result = Collected(SOURCE, MISSING.format(pattern=PATTERN, dir=data_dir))
    result.add_files_skipping_unreadable(result_files(data_dir, PATTERN), rows, INTERRUPTED)
    return result
