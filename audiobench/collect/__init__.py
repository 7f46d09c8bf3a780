"""Every tool's results → one tidy pandas table (see :mod:`audiobench.collect.schema`).

One reader per source — the interleaved runner's run files, criterion's output directory, asv's
results, pytest-benchmark's JSON, the stage profiler's files — each turning its tool's format
into rows of the same columns, with sizes spelled as the catalogue labels them so one case lines
up across tools. A source with no results is reported (with how to produce it), not an error; a
result file that cannot be read is a :class:`CollectError` naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.collect import asv, compare, criterion, profiler, pytest_benchmark, runner
from audiobench.collect.common import Collected, CollectError
from audiobench.collect.schema import frame, write

__all__ = ["CollectError", "collect", "write_results"]


def collect(data_dir: Path, criterion_dir: Path, asv_results_dir: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Read every source; return the table and one summary per source.

    ``data_dir`` holds ``runs/``, ``profiles/``, ``compare/``, ``pytest-benchmark*.json`` and
    ``gate-trials.json``. Each summary is
    ``{"source", "found", "files", "rows", "note"}``; ``note`` says how to produce a missing
    source, or what was skipped in a found one.
    """
    parts: list[Collected] = [
        runner.collect(data_dir / "runs"),
        criterion.collect(criterion_dir),
        asv.collect(asv_results_dir),
        pytest_benchmark.collect(data_dir),
        profiler.collect(data_dir / "profiles"),
        compare.collect(data_dir / "compare"),
        compare.collect_trials(data_dir),
    ]
    table = frame([row for part in parts for row in part.rows])
    return table, [part.summary() for part in parts]


def write_results(data_dir: Path, criterion_dir: Path, asv_results_dir: Path) -> Path:
    """Collect everything and write ``results.csv`` + ``results.meta.json`` into ``data_dir``.

    Returns the CSV's path.
    """
    table, sources = collect(data_dir, criterion_dir, asv_results_dir)
    csv, _ = write(table, data_dir, sources)
    return csv
