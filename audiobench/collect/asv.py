"""asv's results directory (``.asv/results``, asv 0.6 format) → rows.

``<machine>/<commit[:8]>-<env>.json`` holds one commit's results: ``result_columns`` names the
fields and each benchmark has one list per column, each list running over the cartesian product
of the benchmark's parameter values (last parameter fastest; values stored as Python reprs).
Trailing columns may be left out. ``benchmarks.json`` beside the machine directories gives each
benchmark's type and parameter names. A skipped or failed combination is null or NaN and gives
no row. The file's ``date`` is the commit's date, not the run's: rows are stamped with each
benchmark's ``started_at`` instead.

asv writes its files in place, so an interrupted ``asv run`` can leave one empty or cut short:
that file is skipped and listed. asv keeps each file's own parameter values but their names
only in ``benchmarks.json``, for the benchmark as it is now: a file written when a benchmark had
other parameters is named from its values (tiers, variants and sizes of the catalogue), and
cases the catalogue no longer has are left out. Results are filed per machine, under a directory named after
the machine, beside that machine's ``machine.json``; a results file measured on another machine
(its ``params`` name another machine or other hardware than the directory's ``machine.json``),
or a directory whose ``machine.json`` names another machine, was copied in from elsewhere. Its
numbers are real but do not belong in this machine's history: skipped and listed too. A file
that parses but is not asv's results format of the version read here stops the command.
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
    UnreadableFile,
    checked_numbers,
    iso_from_epoch_ms,
    load_json,
    number,
    reading,
    text,
)
from audiobench.collect.names import classify, is_suite_case, size_label, unrepr
from audiobench.collect.schema import frame
from audiobench.documents import kind_of

SOURCE = "asv"
MISSING = "no asv results in {dir}; run `make asv`"
RESULTS_VERSION = 2
BENCHMARKS = "benchmarks.json"
MACHINE = "machine.json"
INTERRUPTED = "asv stopped while writing it? run `make asv` again"
# What identifies the machine that measured: the name asv files it under, and its hardware.
# (os and ram are left out: a kernel update or a resized VM keeps the machine's history.)
_IDENTITY = ("machine", "arch", "cpu", "num_cpu")

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
    """The operation of an asv benchmark name: its class in the generated suite
    (``bench_operations.B64Buffer.time_b64_buffer`` → ``b64_buffer``, the inverse of
    ``benchmarks._suite.class_name``), its module in older suites (``bench_b64_buffer....``)."""
    module, _, rest = benchmark.partition(".")
    if module != "bench_operations":
        return module.removeprefix("bench_")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", rest.split(".", 1)[0]).lower()


def _metric(benchmark: str, kind: str) -> tuple[str, str] | None:
    if kind == "track":
        return _TRACKS.get(benchmark.rsplit(".", 1)[-1])
    return _TYPES.get(kind)


def _ours(name: str, meta: dict[str, Any]) -> bool:
    """A benchmark of the audiobench suite: a known metric over tier × size (× variant)."""
    return _metric(name, meta["type"]) is not None and {"tier", "size"} <= set(meta["param_names"])


def _at(column: list[Any] | None, i: int) -> float | None:
    return number(column[i]) if column is not None and i < len(column) else None


def _param_names(name: str, meta: dict[str, Any], params: list[list[str]]) -> list[str] | None:
    """The names of a results file's own parameters. asv keeps each file's parameter values but
    the names only in ``benchmarks.json``, for the benchmark as it is now; a file written when it
    had other parameters (fewer, or in another order) is named from its values. None when they
    cannot be told apart."""
    names = list(meta["param_names"])
    op = _operation(name)
    if len(names) == len(params) and all(
        classify([unrepr(v) for v in values], op) in (None, n) for n, values in zip(names, params, strict=True)
    ):
        # The newest names fit (a parameter whose values fit no class alone is taken on trust).
        return names
    inferred = [classify([unrepr(v) for v in values], op) for values in params]
    if None in inferred or len(set(inferred)) != len(inferred) or not {"tier", "size"} <= set(inferred):
        return None
    return [str(n) for n in inferred]


def _benchmark_rows(base: Row, name: str, meta: dict[str, Any], entry: dict[str, Any]) -> list[Row] | None:
    """Rows of one benchmark of a results file; None if its parameters cannot be named."""
    metric, unit = _metric(name, meta["type"]) or ("", "")
    values = entry["result"]
    values = values if isinstance(values, list) else [values]
    params = entry.get("params") or []
    names = _param_names(name, meta, params)
    if names is None:
        return None
    ci = next((m for m in map(_CI.fullmatch, entry) if m), None)
    out: list[Row] = []
    for i, combo in enumerate(itertools.product(*params)):
        value = _at(values, i)
        if value is None:
            continue  # skipped (NotImplementedError) or failed
        p = {k: unrepr(v) for k, v in zip(names, combo, strict=True)}
        if not is_suite_case(_operation(name), p.get("variant", "default"), p["tier"]):
            continue  # a tier or variant the catalogue no longer has (an older suite)
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
    return document_rows(path, load_json(path), benchmarks)


def document_rows(path: Path, doc: Any, benchmarks: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """:func:`rows` of a results file already parsed from ``path``."""
    if not isinstance(doc, dict):
        raise CollectError(f"{path}: {kind_of(doc)}, not an asv results file (an object)")
    if "result_columns" not in doc or doc.get("version") != RESULTS_VERSION:
        raise CollectError(
            f"{path}: not an asv results file of format version {RESULTS_VERSION} (found {doc.get('version')!r})"
        )
    out: list[Row] = []
    unknown: list[str] = []
    unnamed: list[str] = []
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
            r = _benchmark_rows({**base, "timestamp": iso_from_epoch_ms(started)}, name, meta, entry)
            if r is None:
                unnamed.append(name)
            else:
                out += r
    notes = [f"{path.name}: skipped benchmarks outside the suite: {', '.join(unknown)}"] if unknown else []
    if unnamed:
        notes.append(
            f"{path.name}: skipped results whose parameters match neither today's names nor a tier, variant "
            f"and size: {', '.join(unnamed)}"
        )
    return checked_numbers(path, out), notes


def _results_files(results_dir: Path) -> list[Path]:
    return sorted(p for p in results_dir.glob("*/*.json") if p.name != MACHINE and not p.name.startswith("."))


class ForeignMachine(CollectError):
    """A machine directory whose ``machine.json`` describes another machine (copied in)."""


def _identity(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in _IDENTITY if k in info}


def _machine(directory: Path) -> dict[str, Any]:
    """The machine a results directory belongs to: its ``machine.json`` if there is one (asv
    writes it), else just the directory's name. One naming another machine raises
    :class:`ForeignMachine`; an unreadable one :class:`UnreadableFile`."""
    path = directory / MACHINE
    if not path.is_file():
        return {"machine": directory.name}
    info = load_json(path)
    if not isinstance(info, dict):
        raise CollectError(f"{path}: {kind_of(info)}, not asv's machine description (an object)")
    if info.get("machine") != directory.name:
        raise ForeignMachine(f"{path}: names machine {info.get('machine')!r} but is in the directory {directory.name}/")
    return info


def _foreign(path: Path, doc: Any, machine: dict[str, Any]) -> str | None:
    """Why the results ``doc`` read from ``path`` was measured on another machine than its
    directory's, or None."""
    params = doc.get("params") if isinstance(doc, dict) else None
    if not isinstance(params, dict):
        return None  # not a results file at all: document_rows says so
    mine, theirs = _identity(machine), _identity(params)
    diff = [f"{k} {theirs[k]!r} (directory's: {mine[k]!r})" for k in mine if k in theirs and theirs[k] != mine[k]]
    if not diff:
        return None
    return f"measured on another machine than {path.parent.name}/: {', '.join(diff)}; skipped (copied from elsewhere?)"


def _collect_machine(result: Collected, directory: Path, files: list[Path], benchmarks: dict[str, Any]) -> None:
    """The results ``files`` of one machine ``directory`` into ``result``, skipping what does not belong."""
    machine_path = directory / MACHINE
    try:
        machine = _machine(directory)
    except UnreadableFile as e:
        result.skip(e.path, f"{e.problem}; its {len(files)} results files skipped ({INTERRUPTED})")
        return
    except ForeignMachine as e:
        problem = str(e).removeprefix(f"{machine_path}: ")
        result.skip(machine_path, f"{problem}; its {len(files)} results files skipped (copied from elsewhere?)")
        return
    for path in files:
        try:
            doc = load_json(path)
        except UnreadableFile as e:
            result.skip(e.path, f"{e.problem}; skipped ({INTERRUPTED})")
            continue
        foreign = _foreign(path, doc, machine)
        if foreign is not None:
            result.skip(path, foreign)
            continue
        r, notes = document_rows(path, doc, benchmarks)
        result.rows += r
        result.notes += notes
        result.files += 1


def collect(results_dir: Path) -> Collected:
    """Every results file of every machine under ``results_dir``."""
    result = Collected(SOURCE, MISSING.format(dir=results_dir))
    files = _results_files(results_dir) if results_dir.is_dir() else []
    if not files:
        return result
    bench_path = results_dir / BENCHMARKS
    if not bench_path.is_file():
        raise CollectError(f"{bench_path}: missing beside {len(files)} asv results files; run `asv run` again")
    try:
        benchmarks = load_json(bench_path)
    except UnreadableFile as e:
        # Without it no result can be interpreted; the rest of the report still can be made.
        result.skip(e.path, f"{e.problem}; all {len(files)} asv results files skipped ({INTERRUPTED})")
        return result
    if not isinstance(benchmarks, dict):
        raise CollectError(f"{bench_path}: not an asv benchmarks.json (a {type(benchmarks).__name__})")
    for directory in sorted({p.parent for p in files}):
        _collect_machine(result, directory, [p for p in files if p.parent == directory], benchmarks)
    return result


def read(results_dir: Path) -> pd.DataFrame:
    """An asv results directory as a results table."""
    return frame(collect(results_dir).rows)
