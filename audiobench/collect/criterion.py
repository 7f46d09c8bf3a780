"""criterion's output directory (``target/criterion``) → rows.

Each benchmark's latest measurement is ``<group>/<function>/<value>/new/`` (criterion keeps the
previous one in ``base/``). The directory names are sanitised (``limit:read`` becomes
``limit_read``), so the ids are taken from ``benchmark.json``: ``group_id`` is ``op/variant``,
``function_id`` the tier or limit probe, ``value_str`` the size label. The bench writes
``audiobench-inputs.json`` beside them, mapping each id to the checksum of the input it read.

criterion records neither the commit nor the machine, so those stay missing; the timestamp is
when criterion wrote the estimates.

criterion writes these files in place, one after another, so a bench stopped part-way leaves a
``new/`` directory with a file missing, empty or cut short. That benchmark is skipped and
listed; the others still make a report. A file that parses but is not criterion's (wrong keys,
wrong types) stops the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.collect.common import (
    Collected,
    CollectError,
    Row,
    UnreadableFile,
    checked_numbers,
    iso_from_mtime,
    load_json,
    number,
    reading,
    text,
)
from audiobench.collect.names import is_suite_case, size_label
from audiobench.collect.schema import frame
from audiobench.documents import kind_of

SOURCE = "criterion"
RUN_ID = "criterion"
MISSING = "no criterion results in {dir}; run `make criterion-quick` (or `make criterion`)"
SIDECAR = "audiobench-inputs.json"
SIDECAR_SCHEMA = "audiobench.criterion-inputs/1"
INTERRUPTED = "criterion stopped while writing it? run the bench again"
NS = 1e-9

# estimates.json field → statistic. slope exists only in linear sampling mode.
_ESTIMATES = {
    "median": "median",
    "mean": "mean",
    "slope": "slope",
    "std_dev": "std",
    "median_abs_dev": "median_abs_dev",
}

Checksums = dict[tuple[str, str, str], str | None]


def _checksums(criterion_dir: Path) -> Checksums | None:
    """(group, function, parameter) → input checksum, from the bench's sidecar; None if absent.

    An unreadable sidecar (the bench writes it in place) raises :class:`UnreadableFile`.
    """
    path = criterion_dir / SIDECAR
    if not path.is_file():
        return None
    doc = load_json(path)
    if not isinstance(doc, dict):
        raise CollectError(f"{path}: {kind_of(doc)}, not an object (expected a document of schema {SIDECAR_SCHEMA!r})")
    if doc.get("schema") != SIDECAR_SCHEMA:
        raise CollectError(f"{path}: schema {doc.get('schema')!r}, expected {SIDECAR_SCHEMA!r}")
    with reading(path):
        return {(b["group"], b["function"], b["parameter"]): text(b["checksum"]) for b in doc["benchmarks"]}


def _benchmark_rows(new: Path, checksums: Checksums | None) -> list[Row] | None:
    """Rows of one ``new/`` directory, or None if it is not one of audiobench's benchmarks: with
    the bench's record (``audiobench-inputs.json``), an id it lists; without it, an ``op/variant``
    group and a row the catalogue names. Another crate's benches sharing the target directory,
    and ids an older audiobench measured, are not."""
    bench_path, estimates_path, sample_path = (new / f for f in ("benchmark.json", "estimates.json", "sample.json"))
    bench: dict[str, Any] = load_json(bench_path)
    with reading(bench_path):
        if not isinstance(bench, dict):
            raise CollectError(f"{bench_path}: {kind_of(bench)}, not criterion's benchmark object")
        group, function, value = bench["group_id"], bench["function_id"], bench["value_str"]
    if "/" not in str(group) or value is None:
        return None
    op, variant = str(group).split("/", 1)
    if checksums is not None and (group, function, value) not in checksums:
        return None
    if not is_suite_case(op, variant, str(function)):
        return None
    estimates: dict[str, Any] = load_json(estimates_path)
    sample: dict[str, Any] = load_json(sample_path)
    for path, doc in ((estimates_path, estimates), (sample_path, sample)):
        if not isinstance(doc, dict):
            raise CollectError(f"{path}: {kind_of(doc)}, not an object")
    with reading(sample_path):
        n = len(sample["times"])
    key: Row = {
        "source": SOURCE,
        "run_id": RUN_ID,
        "operation": op,
        "variant": variant,
        "tier": function,
        "size": size_label(value),
        "input_checksum": (checksums or {}).get((group, function, value)),
        "timestamp": iso_from_mtime(estimates_path),
    }
    out = []
    with reading(estimates_path):
        for field, statistic in _ESTIMATES.items():
            est = estimates.get(field)
            if not est:
                continue
            value_ns = number(est["point_estimate"])
            if value_ns is None:
                continue
            ci = est["confidence_interval"]
            out.append(
                {
                    **key,
                    "metric": "time",
                    "statistic": statistic,
                    "value": value_ns * NS,
                    "unit": "s",
                    "ci_low": ci["lower_bound"] * NS,
                    "ci_high": ci["upper_bound"] * NS,
                    "confidence": ci["confidence_level"],
                    "n": n,
                }
            )
    return checked_numbers(estimates_path, out)


def collect(criterion_dir: Path) -> Collected:
    """Every benchmark under ``criterion_dir`` (a missing directory is reported, not an error)."""
    result = Collected(SOURCE, MISSING.format(dir=criterion_dir))
    if not criterion_dir.is_dir():
        return result
    try:
        checksums = _checksums(criterion_dir)
    except UnreadableFile as e:
        checksums = None
        result.skip(e.path, f"{e.problem}; input checksums unknown ({INTERRUPTED})")
    else:
        if checksums is None:
            result.notes.append(f"no {SIDECAR}: input checksums unknown")
    benches = sorted(p.parent for p in criterion_dir.rglob("benchmark.json") if p.parent.name == "new")
    foreign = 0
    for new in benches:
        try:
            r = _benchmark_rows(new, checksums)
        except UnreadableFile as e:
            benchmark = new.parent.relative_to(criterion_dir)
            result.skip(e.path, f"{e.problem}; benchmark {benchmark} skipped ({INTERRUPTED})")
            continue
        if r is None:
            foreign += 1
        else:
            result.rows += r
            result.files += 1
    if foreign:
        what = f"not in {SIDECAR}" if checksums is not None else "outside the catalogue's op/variant groups"
        result.notes.append(f"{foreign} benchmarks {what} skipped (another crate's, or an older suite's)")
    return result


def read(criterion_dir: Path) -> pd.DataFrame:
    """A criterion output directory as a results table."""
    return frame(collect(criterion_dir).rows)
