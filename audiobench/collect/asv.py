"""asv's results directory (``.asv/results``, asv 0.6 format) → rows.

``<machine>/<commit[:8]>-<env>.json`` holds one commit's results: ``result_columns`` names the
fields and each benchmark has one list per column, each list running over the cartesian product
of the benchmark's parameter values (last parameter fastest; values stored as Python reprs).
Trailing columns may be left out. ``benchmarks.json`` beside the machine directories gives each
benchmark's type and parameter names. A skipped or failed combination is null or NaN and gives
no row. The file's ``date`` is the commit's date, not the run's: rows are stamped with each
benchmark's ``started_at`` instead.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.collect.common import (
    Collected,
    CollectError,
    Row,
    iso_from_epoch_ms,
    load_json,
    number,
    reading,
    text,
)
from audiobench.collect.names import size_label, unrepr
from audiobench.collect.schema import frame

SOURCE = "asv"
MISSING = "no asv results in {dir}; run `make asv`"
RESULTS_VERSION = 2
BENCHMARKS = "benchmarks.json"
MACHINE = "machine.json"

# asv benchmark type → (metric, unit). track benchmarks are mapped by name (_TRACKS).
_TYPES = {"time": ("time", "s"), "peakmemory": ("peak_memory", "bytes")}
_TRACKS = {"track_reallocations": ("reallocations", "count")}
# What asv's `result` is, per metric: time benchmarks report the median of their samples,
# peakmem the maximum resident size; tracked values are plain values.
_STATISTIC = {"time": "median", "peak_memory": "max"}
# asv names its CI columns after their level: stats_ci_99_a / stats_ci_99_b.
_CI = re.compile(r"stats_ci_(\d+)_a")
_QUARTILES = {"stats_q_25": "p25", "stats_q_75": "p75"}


def _operation(benchmark: str) -> str:
    """``bench_b64_buffer.B64Buffer.time_b64_buffer`` → ``b64_buffer`` (one module per operation)."""
    return benchmark.split(".", 1)[0].removeprefix("bench_")


def _metric(benchmark: str, kind: str) -> tuple[str, str] | None:
    if kind == "track":
        return _TRACKS.get(benchmark.rsplit(".", 1)[-1])
    return _TYPES.get(kind)


def _ours(name: str, meta: dict[str, Any]) -> bool:
    """A benchmark of the audiobench suite: a known metric over tier × size (× variant)."""
    return _metric(name, meta["type"]) is not None and {"tier", "size"} <= set(meta["param_names"])


def _at(column: list[Any] | None, i: int) -> float | None:
    return number(column[i]) if column is not None and i < len(column) else None


def _benchmark_rows(base: Row, name: str, meta: dict[str, Any], entry: dict[str, Any]) -> list[Row]:
    metric, unit = _metric(name, meta["type"]) or ("", "")
    values = entry["result"]
    values = values if isinstance(values, list) else [values]
    params = entry.get("params") or []
    names = list(meta["param_names"])
    ci = next((m for m in map(_CI.fullmatch, entry) if m), None)
    out: list[Row] = []
    for i, combo in enumerate(itertools.product(*params)):
        value = _at(values, i)
        if value is None:
            continue  # skipped (NotImplementedError) or failed
        p = {k: unrepr(v) for k, v in zip(names, combo, strict=True)}
        key = {
            **base,
            "operation": _operation(name),
            "variant": p.get("variant", "default"),
            "tier": p["tier"],
            "size": size_label(p["size"]),
            "metric": metric,
            "unit": unit,
        }
        repeat = _at(entry.get("stats_repeat"), i)
        n = int(repeat) if repeat is not None else None
        row = {**key, "statistic": _STATISTIC.get(metric, "value")}
        if ci is not None:
            low = _at(entry.get(f"stats_ci_{ci[1]}_a"), i)
            high = _at(entry.get(f"stats_ci_{ci[1]}_b"), i)
            if low is not None and high is not None:
                row.update(ci_low=low, ci_high=high, confidence=int(ci[1]) / 100)
        out.append({**row, "value": value, "n": n})
        for column, statistic in _QUARTILES.items():
            q = _at(entry.get(column), i)
            if q is not None:
                out.append({**key, "statistic": statistic, "value": q, "n": n})
    return out


def rows(path: Path, benchmarks: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """One asv results file → its rows (``benchmarks`` is the parsed ``benchmarks.json``)."""
    doc = load_json(path)
    if not isinstance(doc, dict) or "result_columns" not in doc or doc.get("version") != RESULTS_VERSION:
        version = doc.get("version") if isinstance(doc, dict) else None
        raise CollectError(f"{path}: not an asv results file of format version {RESULTS_VERSION} (found {version!r})")
    out: list[Row] = []
    unknown: list[str] = []
    with reading(path):
        commit = str(doc["commit_hash"])
        base: Row = {
            "source": SOURCE,
            "run_id": f"{commit[:8]}-{doc['env_name']}",
            "commit": text(commit),
            "machine_id": text(doc["params"]["machine"]),
        }
        # asv's `date` is the commit's date; when each benchmark ran is its `started_at`.
        commit_date = doc["date"]
        columns = list(doc["result_columns"])
        for name, raw in doc["results"].items():
            meta = benchmarks.get(name)
            if not isinstance(meta, dict) or not _ours(name, meta):
                unknown.append(name)
                continue
            entry = {column: raw[i] if i < len(raw) else None for i, column in enumerate(columns)}
            started = entry.get("started_at") or commit_date
            out += _benchmark_rows({**base, "timestamp": iso_from_epoch_ms(started)}, name, meta, entry)
    notes = [f"{path.name}: skipped benchmarks outside the suite: {', '.join(unknown)}"] if unknown else []
    return out, notes


def _results_files(results_dir: Path) -> list[Path]:
    return sorted(p for p in results_dir.glob("*/*.json") if p.name != MACHINE and not p.name.startswith("."))


def collect(results_dir: Path) -> Collected:
    """Every results file of every machine under ``results_dir``."""
    result = Collected(SOURCE, MISSING.format(dir=results_dir))
    files = _results_files(results_dir) if results_dir.is_dir() else []
    if not files:
        return result
    bench_path = results_dir / BENCHMARKS
    if not bench_path.is_file():
        raise CollectError(f"{bench_path}: missing beside {len(files)} asv results files; run `asv run` again")
    benchmarks = load_json(bench_path)
    if not isinstance(benchmarks, dict):
        raise CollectError(f"{bench_path}: not an asv benchmarks.json (a {type(benchmarks).__name__})")
    for path in files:
        r, notes = rows(path, benchmarks)
        result.rows += r
        result.notes += notes
    result.files = len(files)
    return result


def read(results_dir: Path) -> pd.DataFrame:
    """An asv results directory as a results table."""
    return frame(collect(results_dir).rows)
