"""The tidy results table: one row per (case, tier, source, metric, statistic), every tool alike.

Every reader in :mod:`audiobench.collect` produces rows of these columns and nothing else, so
the report, the gate and anyone with pandas read one shape. Times are in seconds whatever the
tool reported; the catalogue's per-operation units (ms per second of audio, µs per frame ...)
are separate ``unit_time`` rows computed by the runner, never re-derived here.

The table is written as ``results.csv`` beside ``results.meta.json``, which carries the schema
version, the column descriptions, which sources were found or missing, the input files skipped,
and the CSV's size and checksum: each file is written atomically, but the pair is two writes,
and a collect stopped between them must not pass an older description off as the new table's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.atomic import write_json, write_text
from audiobench.documents import Unreadable, kind_of, parse_json

SCHEMA = "audiobench.results/1"

# name → (dtype, description). Order is the CSV's column order.
COLUMNS: dict[str, tuple[str, str]] = {
    "operation": ("string", "resample, vad, convert, b64_buffer, pipeline; stream for `audiobench stream`"),
    "variant": ("string", "catalogue variant (low/medium/high, f32_i16 ..., default)"),
    "tier": ("string", "registry tier, peer (webrtcvad) or limit probe (limit:read, limit:memcpy, limit:read-write)"),
    "size": ("string", "catalogue size id: 1s, frame, 1M, 2564ch-8calls-2thr ..."),
    "source": ("string", "runner, criterion, asv, pytest-benchmark, profiler, compare, gate-trials or stream"),
    "metric": ("string", "what was measured; see METRICS"),
    "statistic": ("string", "median, mean, min, max, p99, std, cv, iqr, value ..."),
    "value": ("float64", "the number, in `unit`"),
    "unit": ("string", "s, bytes, count, dB, %, ratio, flag (1 or 0), or the catalogue unit for unit_time"),
    "ci_low": ("float64", "lower bound of the value's confidence interval, if the tool gave one"),
    "ci_high": ("float64", "upper bound of the value's confidence interval, if the tool gave one"),
    "confidence": ("float64", "confidence level of [ci_low, ci_high] (0.95, 0.99 ...)"),
    "n": ("Int64", "samples behind the statistic, if known"),
    "stage": ("string", "profiler stage name; empty for a whole call"),
    "side": (
        "string",
        "profiler side (native, python, pyo3), solo for runner page faults, base/head for compare, what limited a"
        " stream capacity (server, generator, max_calls, steps); empty otherwise",
    ),
    "reference": ("string", "the other tier of a ratio or of % of limit; empty otherwise"),
    "run_id": ("string", "the source's run identifier (run file id, asv commit+env, file stem)"),
    "commit": ("string", "git commit the numbers were measured on, if known"),
    "machine_id": ("string", "environment fingerprint's machine id, or the tool's machine name"),
    "input_checksum": ("string", "checksum of the input bytes, if recorded"),
    "timestamp": ("string", "ISO 8601 UTC time of the measurement run"),
}

# The metric vocabulary. Readers use these names; anything else is a reader bug.
METRICS: dict[str, str] = {
    "time": "seconds per call (per benchmark iteration)",
    "unit_time": "the catalogue's unit for the operation (value in that unit; see `unit`)",
    "pct_of_limit": "speed as % of the same-run limit probe named in `reference` (its time / the call's time × 100)",
    "ratio": "time ratio tier / reference (runner: median of per-round ratios; profiler: ratio of medians)",
    "snr_db": "output SNR against the reference resampler (dB)",
    "speech_ratio": "runner: share of VAD frames the row's output flags as speech (0-1)",
    "parity": "runner: 1 when the row's output matched the reference within the operation's floors, 0 when not",
    "reallocations": "buffer reallocations during the call (profiler: realloc calls per call or stage)",
    "peak_memory": "peak memory of the benchmark process (bytes)",
    "realtime_factor": "runner: seconds of audio processed per second of compute, from the median time",
    "cold_prepare": "`prepare` (the untimed set-up) in a fresh process, before the first call (s)",
    "cold_first_call": "first call in a fresh process, after import and input preparation (s)",
    "cold_second_call": "second call in that fresh process (s)",
    "import_time": "import of the tier's modules in a fresh process (s)",
    "stage_time": "profiler: one stage's time per call (s); `stage` names it",
    "stage_share": "profiler: stage time as % of the same entry's end-to-end time",
    "glue": "profiler: end-to-end minus the sum of stages, % of end-to-end",
    "instructions": "callgrind instructions per call or per stage",
    "allocations": "allocations per call or per stage (counting allocator)",
    "frees": "frees per call or per stage (counting allocator)",
    "alloc_bytes": "bytes requested per call or per stage (counting allocator)",
    "peak_rss": "peak resident set size of the profiler process for the case (bytes)",
    "overhead": "profiler attribution: time of tier minus time of reference (s); ratio in `ratio` rows",
    "process_spread": "profiler: |m1/m2 − 1|, one native call's medians in two processes (a PyO3 entry's halves)",
    "solo_time": "runner: seconds per call with the row measured alone after the rounds (median of its solo batches)",
    "solo_ratio": "runner: interleaved median / solo median, with a two-sample bootstrap CI",
    "aa_ratio": "runner: A/A control, the row / its twin in the same rounds (per-round ratio; family-wise CI)",
    "foreign_cpu_share": "runner census: CPU of other rows' or the process's threads per second of the row's batches",
    "left_running_share": "runner census: CPU of the row's threads during other rows' batches, per second of them",
    "paired_ratio": "compare: HEAD/BASE time per round, median over rounds, CI over process pairs and rounds",
    "gate_trials": "gate trials: per kind (variant) and tool (tier), trials run, detected, false failures (statistic)",
    "page_faults": "runner: minor page faults of the process per call in the row's batches (side 'solo': alone)",
    "latency": "stream: per-chunk send → ack latency at the step's call count (s; p50, p99, p999, max)",
    "latency_cdf": "stream: the latency quantile at level `statistic` (q0.000 … q1.000) of the step at capacity (s)",
    "deadline_misses": "stream: chunks acked later than one chunk period, or never, in the step",
    "cpu_per_call": "stream: server CPU per call, % of one core (CPU seconds per second of one call's audio)",
    "stream_verdict": "stream: the step's verdict in `statistic` (pass, fail, generator-bound), value 1",
    "capacity": "stream: calls (max_passing, first_failing) or the CPU-based estimate; `side` says what limited it",
    "handler_time": "stream: the server's handler per chunk: JSON in, the tier's decode and work, ack out (s; p50/p99)",
    "cpu_per_chunk": "stream: server process CPU per chunk handled, all included: framing, event loop, handler (s)",
    "pipeline_time": "stream, work pipeline: the pipeline's time per call at call end (s; p50, max), n pipelines",
}

SOURCES = ("runner", "criterion", "asv", "pytest-benchmark", "profiler", "compare", "gate-trials", "stream")


class ResultsError(ValueError):
    """A results table that is not ours, or of another schema version."""


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows → the tidy DataFrame: every column present, in order, with its dtype.

    Missing optional fields become NA; unknown keys, metrics or sources are refused, so a
    reader cannot invent a column or a metric name silently.
    """
    for r in rows:
        extra = set(r) - set(COLUMNS)
        if extra:
            raise ResultsError(f"unknown result fields {sorted(extra)}")
        if r.get("metric") not in METRICS:
            raise ResultsError(f"unknown metric {r.get('metric')!r}")
        if r.get("source") not in SOURCES:
            raise ResultsError(f"unknown source {r.get('source')!r}")
    df = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return df.astype({name: dtype for name, (dtype, _) in COLUMNS.items()})


def write(df: pd.DataFrame, data_dir: Path, sources: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``results.meta.json`` atomically (the table first)."""
    if list(df.columns) != list(COLUMNS):
        raise ResultsError(f"columns {list(df.columns)} are not the schema's")
    text = df.to_csv(index=False)
    csv = write_text(data_dir / "results.csv", text)
    meta = {
        "schema": SCHEMA,
        "rows": len(df),
        "csv_sha256": _sha256(text.encode("utf-8")),
        "columns": {name: {"dtype": dtype, "description": desc} for name, (dtype, desc) in COLUMNS.items()},
        "metrics": METRICS,
        "sources": sources,
    }
    return csv, write_json(data_dir / "results.meta.json", meta)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(data_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read the table and its metadata back, refusing another schema or a table the metadata
    does not describe."""
    meta_path = data_dir / "results.meta.json"
    try:
        meta = parse_json(meta_path)
    except Unreadable as e:
        raise ResultsError(f"{e}; run `audiobench collect`") from None
    if not isinstance(meta, dict):
        raise ResultsError(f"{meta_path}: {kind_of(meta)}, not an object (expected a document of schema {SCHEMA!r})")
    if meta.get("schema") != SCHEMA:
        raise ResultsError(f"{meta_path}: schema {meta.get('schema')!r}, expected {SCHEMA!r}")
    csv_path = data_dir / "results.csv"
    try:
        raw = csv_path.read_bytes()
    except OSError as e:
        raise ResultsError(f"{csv_path}: cannot be read ({e.strerror or e}); run `audiobench collect`") from None
    if meta.get("csv_sha256") != _sha256(raw):
        raise ResultsError(
            f"{csv_path}: not the table {meta_path.name} describes (checksum differs: changed, cut short, or "
            "written by another collect); run `audiobench collect`"
        )
    try:
        df = pd.read_csv(csv_path, dtype={k: v for k, (v, _) in COLUMNS.items()}, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as e:
        raise ResultsError(f"{csv_path}: {e}") from e
    if list(df.columns) != list(COLUMNS):
        raise ResultsError(f"{csv_path}: columns differ from {SCHEMA}")
    return df, meta
