"""Every tool's results → one tidy pandas table (see :mod:`audiobench.collect.schema`).

One reader per source — the interleaved runner's run files, criterion's output directory, asv's
results, pytest-benchmark's JSON, the stage profiler's files, the streaming benchmark's files —
each turning its tool's format into rows of the same columns, with sizes spelled as the
catalogue labels them so one case lines up across tools. A source with no results is reported
(with how to produce it), not an error; a result file that cannot be read is a
:class:`CollectError` naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.collect import asv, compare, criterion, profiler, pytest_benchmark, runner, stream
from audiobench.collect.common import Collected, CollectError
from audiobench.collect.schema import frame, write

__all__ = ["CollectError", "collect", "write_results"]


def runs_dir(data_dir: Path) -> Path:
    """Where ``data_dir``'s run files are: ``<data_dir>/runs/``, or ``data_dir`` itself when it
    has no ``runs/`` but holds run files (what ``audiobench run --out-dir D`` wrote)."""
    if not (data_dir / "runs").is_dir() and runner.holds_runs(data_dir):
        return data_dir
    return data_dir / "runs"


def _not_read(source: str, option: str, data_dir: Path) -> Collected:
    return Collected(source, f"not read for --data-dir {data_dir} (name {option} to include it)")


def collect(
    data_dir: Path, criterion_dir: Path | None, asv_results_dir: Path | None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Read every source; return the table and one summary per source.

    ``data_dir`` holds ``runs/`` (or is itself a directory of run files), ``profiles/``,
    ``compare/``, ``streams/``, ``pytest-benchmark*.json`` and ``gate-trials.json``; criterion's and asv's
    directories are read when given (None: the source is reported as not read). Each summary is
    ``{"source", "found", "files", "rows", "note"}``; ``note`` says how to produce a missing
    source, or what was skipped in a found one. Raises :class:`CollectError` naming a file that
    cannot be read.
    """
    parts: list[Collected] = [
        runner.collect(runs_dir(data_dir)),
        criterion.collect(criterion_dir) if criterion_dir else _not_read("criterion", "--criterion-dir", data_dir),
        asv.collect(asv_results_dir) if asv_results_dir else _not_read("asv", "--asv-results", data_dir),
        pytest_benchmark.collect(data_dir),
        profiler.collect(data_dir / "profiles"),
        compare.collect(data_dir / "compare"),
        compare.collect_trials(data_dir),
        stream.collect(data_dir / "streams"),
    ]
    table = frame([row for part in parts for row in part.rows])
    return table, [part.summary() for part in parts]


def write_results(data_dir: Path, criterion_dir: Path | None, asv_results_dir: Path | None, out_dir: Path) -> Path:
    """Collect everything and write ``results.csv`` + ``results.meta.json`` into ``out_dir``.
    Returns the CSV's path. Raises :class:`CollectError` when ``out_dir`` is the directory run
    files are read from (a command never writes where its inputs are), or a file cannot be read.
    """
    if out_dir.resolve() == runs_dir(data_dir).resolve():
        raise CollectError(
            f"{out_dir}: holds the run files being read; the results table goes elsewhere "
            "(report: --out-dir; collect: --out-dir)"
        )
    table, sources = collect(data_dir, criterion_dir, asv_results_dir)
    csv, _ = write(table, out_dir, sources)
    return csv
