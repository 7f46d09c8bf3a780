"""Profile files of ``audiobench profile`` (``reports/data/profiles/*.json``, ``audiobench.profile/1``) → rows.

Per entry (case × tier × side): the end-to-end time, each stage's time, share of the call and
counter values, the glue (end-to-end minus the sum of stages) and peak RSS. Parts — pieces of a
stage measured on their own, not summed — are stages named ``parent › part`` so that two
stages' parts with the same name stay apart. Attribution records (tier A minus tier B) give an
``overhead`` row and a ``ratio`` row each.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from audiobench.collect.common import (
    Collected,
    CollectError,
    Row,
    dirty_note,
    iso_from_text,
    number,
    reading,
    result_files,
    text,
)
from audiobench.collect.names import size_label
from audiobench.collect.schema import frame
from audiobench.documents import profile as profile_doc
from audiobench.stats import CONFIDENCE

SOURCE = "profiler"
MISSING = "no profile files in {dir}; run `audiobench profile` (`make profile`)"
NS = 1e-9
KIB = 1024
PART_SEPARATOR = " › "

# Counter field of a stage (and of an entry's e2e_counts) → (metric, unit).
_STAGE_COUNTERS = {
    "instructions": ("instructions", "count"),
    "allocs": ("allocations", "count"),
    "deallocs": ("frees", "count"),
    "reallocs": ("reallocations", "count"),
    "alloc_bytes": ("alloc_bytes", "bytes"),
}
# An attribution side of "rust-json (native)".
_LABEL = re.compile(r"(?P<tier>.+) \((?P<side>[^()]+)\)")


def _timed(key: Row, stats: dict[str, Any], metric: str) -> Row:
    """The median of one timing summary (``median_ns``, ``ci_low_ns``, ``ci_high_ns``, ``n``) with its CI, in s."""
    return {
        **key,
        "metric": metric,
        "statistic": "median",
        "value": stats["median_ns"] * NS,
        "unit": "s",
        "ci_low": stats["ci_low_ns"] * NS,
        "ci_high": stats["ci_high_ns"] * NS,
        # The profiler summarises with audiobench.stats.summarize at its default confidence.
        "confidence": CONFIDENCE,
        "n": int(stats["n"]),
    }


def _counters(key: Row, fields: dict[str, Any]) -> list[Row]:
    out = []
    for name, (metric, unit) in _STAGE_COUNTERS.items():
        value = number(fields.get(name))
        if value is not None:
            out.append({**key, "metric": metric, "statistic": "value", "value": value, "unit": unit})
    return out


def _stage_name(stage: dict[str, Any]) -> str:
    if stage["kind"] == "part" and stage.get("parent"):
        return f"{stage['parent']}{PART_SEPARATOR}{stage['name']}"
    return str(stage["name"])


def _entry_rows(base: Row, e: dict[str, Any]) -> list[Row]:
    key = {
        **base,
        "operation": e["op"],
        "variant": e["variant"],
        "size": size_label(e["size"]),
        "tier": e["tier"],
        "side": e["side"],
        "input_checksum": text(e.get("input_checksum")),
    }
    out = [_timed(key, e["e2e"], "time")]
    out += _counters(key, {"instructions": e.get("e2e_instructions"), **(e.get("e2e_counts") or {})})
    glue = number(e.get("glue_pct"))
    if glue is not None:
        out.append({**key, "metric": "glue", "statistic": "median", "value": glue, "unit": "%"})
    spread = number(e.get("native_process_spread"))
    if spread is not None:
        out.append({**key, "metric": "process_spread", "statistic": "value", "value": spread, "unit": "ratio"})
    rss = number(e.get("peak_rss_kib"))
    if rss is not None:
        out.append({**key, "metric": "peak_rss", "statistic": "max", "value": rss * KIB, "unit": "bytes"})
    for stage in e["stages"]:
        skey = {**key, "stage": _stage_name(stage)}
        out.append(_timed(skey, stage, "stage_time"))
        share = number(stage.get("pct_of_e2e"))
        if share is not None:
            out.append({**skey, "metric": "stage_share", "statistic": "median", "value": share, "unit": "%"})
        out += _counters(skey, stage)
    return out


def _side(label: str) -> tuple[str, str]:
    m = _LABEL.fullmatch(label)
    if not m:
        raise ValueError(f"attribution side {label!r} is not 'tier (side)'")
    return m["tier"], m["side"]


def _attribution_rows(base: Row, a: dict[str, Any], checksums: dict[tuple[str, ...], str | None]) -> list[Row]:
    """``a − b`` as an overhead row and ``a / b`` as a ratio row.

    ``tier``/``side`` are A's; ``reference`` is B's tier, qualified with B's side when it differs
    (the FFI attribution compares ``rust-json`` through PyO3 with ``rust-json (native-alternating)``,
    the native runs taken in alternation with it).
    """
    op, variant, size = a["case"].split("/", 2)
    tier, side = _side(a["a"])
    ref_tier, ref_side = _side(a["b"])
    key = {
        **base,
        "operation": op,
        "variant": variant,
        "size": size_label(size),
        "tier": tier,
        "side": side,
        "reference": ref_tier if ref_side == side else a["b"],
        "input_checksum": checksums.get((op, variant, size, tier, side)),
        "statistic": "median",
        "confidence": CONFIDENCE,
    }
    return [
        {
            **key,
            "metric": "overhead",
            "value": a["difference"] * NS,
            "unit": "s",
            "ci_low": a["diff_ci_low"] * NS,
            "ci_high": a["diff_ci_high"] * NS,
        },
        {
            **key,
            "metric": "ratio",
            "value": a["ratio"],
            "unit": "ratio",
            "ci_low": a["ratio_ci_low"],
            "ci_high": a["ratio_ci_high"],
        },
    ]


def rows(path: Path) -> tuple[list[Row], list[str]]:
    """One profile file → its rows, and notes for the summary."""
    return document_rows(path, profile_doc.read(path, CollectError))


def document_rows(path: Path, doc: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """The rows and notes of profile ``doc``, read from ``path``."""
    out: list[Row] = []
    notes: list[str] = []
    with reading(path):
        env = doc["environment"]
        base: Row = {
            "source": SOURCE,
            # Profile files carry no id of their own; the file name is "<UTC time>-<commit>".
            "run_id": path.stem,
            "commit": text(env["git"]["commit"]),
            "machine_id": text(env["machine_id"]),
            "timestamp": iso_from_text(doc["created"]),
        }
        checksums: dict[tuple[str, ...], str | None] = {}
        for e in doc["entries"]:
            out += _entry_rows(base, e)
            checksums[(e["op"], e["variant"], e["size"], e["tier"], e["side"])] = text(e.get("input_checksum"))
        for a in doc.get("attribution") or []:
            out += _attribution_rows(base, a, checksums)
        for probe, stats in (doc.get("limit_calls") or {}).items():
            # No case: the boundary of an empty probe call is the same for every case.
            key = {**base, "tier": probe, "side": "pyo3", "reference": "empty call"}
            out.append(_timed(key, stats, "overhead"))
        if doc.get("instructions") != "measured":
            notes.append(f"{path.name}: no instruction counts ({doc.get('instructions')})")
        notes += dirty_note(path, env)
    return out, notes


def read(path: Path) -> pd.DataFrame:
    """One profile file as a results table."""
    return frame(rows(path)[0])


def collect(profiles_dir: Path) -> Collected:
    """Every profile file in ``profiles_dir``."""
    result = Collected(SOURCE, MISSING.format(dir=profiles_dir))
    newest: tuple[str, dict[str, Any]] | None = None

    def rows_noting_newest(path: Path) -> tuple[list[Row], list[str]]:
        # The newest readable profile's SIMD body per kernel (natively and under callgrind), so
        # the report can say which body each of its wall times and instruction counts came from.
        nonlocal newest
        doc = profile_doc.read(path, CollectError)
        found = document_rows(path, doc)
        if newest is None or path.name > newest[0]:
            newest = (path.name, doc)
        return found

    result.add_files(result_files(profiles_dir), rows_noting_newest)
    result.note_unfinished_writes(profiles_dir)
    if newest is not None:
        result.context = {"file": newest[0], "simd_kernels": newest[1].get("simd_kernels") or {}}
    return result
