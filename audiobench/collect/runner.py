"""Run files of the interleaved runner (``reports/data/runs/*.json``, ``audiobench.run/2``) → rows.

Per case row (tier, peer or limit probe): the round statistics of seconds per call (the median
with the run's bootstrap CI, the others without), the catalogue unit, the real-time factor, the
row's speed against each limit probe, and the parity metrics it reported. Per pair of rows the
paired ratio with its CI. The interference checks become rows too: each row's solo median and
interleaved/solo ratio, the census's foreign and left-running CPU shares and page faults per
call, and the case's A/A ratio. Cold first calls become their own metrics; a cold measurement
that failed has no numbers and is only mentioned in the summary.
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
    dirty_note,
    iso_from_text,
    load_json,
    number,
    reading,
    result_files,
    text,
)
from audiobench.collect.names import size_label
from audiobench.collect.schema import frame
from audiobench.documents import run as runfile

SOURCE = "runner"
MISSING = "no run files in {dir}; run `audiobench run` (`make runner-quick`)"

# stats_s field → (statistic, unit); the median is written separately with its CI.
_STATISTICS = {"mean": "s", "min": "s", "max": "s", "p99": "s", "std": "s", "cv": "ratio"}
# Parity metrics that are measurements worth a row (energy tolerances and the like are not).
_PARITY = {"snr_db": "dB", "reallocations": "count", "speech_ratio": "ratio"}
# Cold result field → metric.
_COLD = {
    "import_s": "import_time",
    "prepare_s": "cold_prepare",
    "first_call_s": "cold_first_call",
    "second_call_s": "cold_second_call",
}


def _median(key: Row, metric: str, value: float, unit: str, ci: Any, confidence: float, n: int) -> Row:
    """A median with its confidence interval ``ci`` (low, high)."""
    low, high = ci
    return {
        **key,
        "metric": metric,
        "statistic": "median",
        "value": value,
        "unit": unit,
        "ci_low": low,
        "ci_high": high,
        "confidence": confidence,
        "n": n,
    }


def _row_rows(key: Row, r: dict[str, Any], confidence: float, checks: bool) -> list[Row]:
    s = r["stats_s"]
    n = int(s["n"])
    out: list[Row] = [_median(key, "time", s["median"], "s", (s["ci_low"], s["ci_high"]), confidence, n)]
    out += [
        {**key, "metric": "time", "statistic": stat, "value": s[stat], "unit": unit, "n": n}
        for stat, unit in _STATISTICS.items()
    ]
    out.append(_median(key, "unit_time", r["unit_median"], r["unit"], r["unit_ci"], confidence, n))
    rtf = number(r.get("realtime_factor"))
    if rtf is not None:
        out.append({**key, "metric": "realtime_factor", "statistic": "median", "value": rtf, "unit": "ratio", "n": n})
    out += [
        {**key, "metric": "pct_of_limit", "statistic": "median", "value": pct, "unit": "%", "reference": probe, "n": n}
        for probe, pct in (r.get("pct_of_limit") or {}).items()
    ]
    ok = (r.get("parity") or {}).get("ok")
    if ok is not None:  # the row's first output against the reference, within the operation's floors
        out.append({**key, "metric": "parity", "statistic": "value", "value": 1.0 if ok else 0.0, "unit": "flag"})
    metrics = (r.get("parity") or {}).get("metrics") or {}
    for name, unit in _PARITY.items():
        value = number(metrics.get(name))
        if value is not None:
            out.append({**key, "metric": name, "statistic": "value", "value": value, "unit": unit})
    return out + (_check_rows(key, r, confidence) if checks else [])


def _check_rows(key: Row, r: dict[str, Any], confidence: float) -> list[Row]:
    """The row's interference checks: its solo measurement and what the thread census saw."""
    out: list[Row] = []
    solo = r["solo"]
    if solo is not None:
        n = len(solo["samples_s"])
        out += [
            {**key, "metric": "solo_time", "statistic": "median", "value": solo["median_s"], "unit": "s", "n": n},
            _median(key, "solo_ratio", solo["ratio"], "ratio", solo["ratio_ci"], confidence, n),
        ]
        faults = number(solo.get("minor_faults_per_call"))
        if faults is not None:
            out.append(
                {**key, "metric": "page_faults", "statistic": "value", "value": faults, "unit": "count", "side": "solo"}
            )
    census = r["census"]
    if census is not None:
        out += [
            {
                **key,
                "metric": "foreign_cpu_share",
                "statistic": "value",
                "value": census["foreign_share"],
                "unit": "ratio",
            },
            {
                **key,
                "metric": "left_running_share",
                "statistic": "value",
                "value": census["cpu_in_other_batches_share"],
                "unit": "ratio",
            },
        ]
        faults = number(census.get("minor_faults_per_call"))
        if faults is not None:
            out.append({**key, "metric": "page_faults", "statistic": "value", "value": faults, "unit": "count"})
    return out


def _aa_row(key: Row, aa: dict[str, Any]) -> Row:
    r = aa["ratio"]
    ci = (r["ci_low"], r["ci_high"])
    return _median({**key, "tier": aa["row"]}, "aa_ratio", r["median"], "ratio", ci, aa["confidence"], int(r["n"]))


def _ratio_row(key: Row, ratio: dict[str, Any], confidence: float) -> Row:
    pair = {**key, "tier": ratio["a"], "reference": ratio["b"]}
    ci = (ratio["ci_low"], ratio["ci_high"])
    return _median(pair, "ratio", ratio["median"], "ratio", ci, confidence, int(ratio["n"]))


def _cold_rows(base: Row, cold: dict[str, Any]) -> list[Row]:
    key = {
        **base,
        "operation": cold["op"],
        "variant": cold["variant"],
        "tier": cold["tier"],
        "size": size_label(cold["size"]),
        "input_checksum": text(cold.get("checksum")),
    }
    out = []
    for name, metric in _COLD.items():
        value = number(cold.get(name))
        if value is not None:
            out.append({**key, "metric": metric, "statistic": "value", "value": value, "unit": "s", "n": 1})
    return out


def rows(path: Path) -> tuple[list[Row], list[str]]:
    """One run file → its rows, and notes for the summary (failed cold runs, parity failures)."""
    return document_rows(path, runfile.read(path, CollectError))


def document_rows(path: Path, doc: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """:func:`rows` of a run document already loaded from ``path``."""
    out: list[Row] = []
    notes: list[str] = []
    with reading(path):
        env = doc["environment"]
        base: Row = {
            "source": SOURCE,
            "run_id": doc["run_id"],
            "commit": text(env["git"]["commit"]),
            "machine_id": text(env["machine_id"]),
            "timestamp": iso_from_text(doc["created"]),
        }
        confidence = float(doc["settings"]["bootstrap"]["confidence"])
        checks = runfile.has_checks(doc)
        failed_parity = []
        for case in doc["cases"]:
            key = {
                **base,
                "operation": case["op"],
                "variant": case["variant"],
                "size": size_label(case["size"]),
                "input_checksum": text(case["input_checksum"]),
            }
            for r in case["rows"]:
                out += _row_rows({**key, "tier": r["row"]}, r, confidence, checks)
                if (r.get("parity") or {}).get("ok") is False:
                    failed_parity.append(f"{case['op']}/{case['variant']} {case['size']} {r['row']}")
            out += [_ratio_row(key, ratio, confidence) for ratio in case["ratios"]]
            if checks and case["aa"] is not None:
                out.append(_aa_row(key, case["aa"]))
        failed_cold = []
        for cold in doc.get("cold") or []:
            if cold.get("error"):
                failed_cold.append(f"{cold['op']} {cold['tier']} ({cold['error']})")
            else:
                out += _cold_rows(base, cold)
        if failed_parity:
            notes.append(f"{path.name}: output mismatch in {', '.join(failed_parity)}")
        interference = doc["interference"] if checks else {"verdict": "clean"}
        if interference["verdict"] != "clean":
            notes.append(f"{path.name}: interference checks {interference['verdict']} ({len(interference['reasons'])})")
        if failed_cold:
            notes.append(f"{path.name}: cold runs failed, skipped: {', '.join(failed_cold)}")
        notes += dirty_note(path, env)
    return out, notes


def read(path: Path) -> pd.DataFrame:
    """One run file as a results table."""
    return frame(rows(path)[0])


def holds_runs(directory: Path) -> bool:
    """Whether ``directory`` itself holds run files (``audiobench.run/*`` documents)."""
    for path in result_files(directory):
        try:
            doc = load_json(path)
        except UnreadableFile:
            continue
        if isinstance(doc, dict) and str(doc.get("schema", "")).startswith("audiobench.run/"):
            return True
    return False


def collect(runs_dir: Path) -> Collected:
    """Every run file in ``runs_dir`` (none is not an error: the source is reported missing).

    Two files with one run id (a copied file) are refused: their rows would merge into one run,
    and which of them the report's "newest run" means could not be told.
    """
    result = Collected(SOURCE, MISSING.format(dir=runs_dir))
    newest: tuple[str, Path, dict[str, Any]] | None = None
    seen: dict[str, Path] = {}

    def rows_noting_newest(path: Path) -> tuple[list[Row], list[str]]:
        nonlocal newest
        doc = runfile.read(path, CollectError)
        r, notes = document_rows(path, doc)
        run_id = str(doc["run_id"])
        if run_id in seen:
            raise CollectError(f"{path}: run id {run_id!r} is also the run id of {seen[run_id]} (a copied run file?)")
        seen[run_id] = path
        if r and (newest is None or r[0]["timestamp"] > newest[0]):
            newest = (r[0]["timestamp"], path, doc)
        return r, notes

    result.add_files(result_files(runs_dir), rows_noting_newest)
    result.note_unfinished_writes(runs_dir)
    if newest is not None:
        _, path, doc = newest
        with reading(path):
            keys = ("run_id", "suite", "environment", "settings", "allocation_policy")
            checks = ("thread_pools", "interference") if runfile.has_checks(doc) else ()
            result.context = {k: doc[k] for k in (*keys, *checks)}
            # Where the cases' inputs came from: "generated", or the user's audio files.
            result.context["sources"] = sorted({str(c.get("source", "generated")) for c in doc["cases"]})
    return result
