"""Render ``reports/report.md`` and ``reports/report.html`` from whatever results exist.

The report never runs a benchmark: it reads result files under ``reports/data/`` and says
which sources are missing. Until the measurement suites land, the only source is the smoke
pass (:mod:`audiobench.smoke`), and the report presents it as what it is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from audiobench.atomic import write_text
from audiobench.catalogue import Catalogue
from audiobench.quality import SNR_FLOORS_DB
from audiobench.smoke import SCHEMA as SMOKE_SCHEMA
from audiobench.tiers import TIERS
from audiobench.units import realtime_factor, to_unit

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class ReportInputError(ValueError):
    """A result file exists but cannot be used; the message names it and says why."""


@dataclass
class Source:
    name: str
    path: str
    status: str


def _load_smoke(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ReportInputError(f"{path}: not readable JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SMOKE_SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise ReportInputError(f"{path}: schema {found!r}, expected {SMOKE_SCHEMA!r}")
    return doc


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3g}"


def _context(cat: Catalogue, smoke: dict[str, Any] | None, data_dir: Path) -> dict[str, Any]:
    sources = [
        Source(
            "smoke pass",
            str(data_dir / "smoke.json"),
            f"found: {len(smoke['rows'])} rows, {smoke['created']}" if smoke else "missing (run `audiobench smoke`)",
        ),
        Source("interleaved runner (`audiobench run`)", str(data_dir / "runs"), "not measured"),
        Source("criterion", "target/criterion", "not measured"),
        Source("asv", ".asv/results", "not measured"),
        Source("pytest-benchmark", str(data_dir / "pytest-benchmark.json"), "not measured"),
        Source("stage profiler (`audiobench profile`)", str(data_dir / "profiles"), "not measured"),
    ]
    ctx: dict[str, Any] = {"sources": sources, "tiers": TIERS, "smoke": smoke is not None}
    if smoke is None:
        return ctx
    rows = smoke["rows"]
    sizes = {op: {s.label: s for s in spec.sizes["quick"] + spec.sizes["pure"]} for op, spec in cat.operations.items()}
    matched = [r for r in rows if r["matched"]]
    ctx["parity_ok"] = sum(1 for r in matched if r["parity_ok"])
    ctx["parity_total"] = len(matched)
    ctx["failures"] = [r for r in matched if not r["parity_ok"]]

    status: dict[tuple[str, str, str], bool] = {}
    for r in matched:
        key = (r["op"], r["variant"], r["tier"])
        status[key] = status.get(key, True) and bool(r["parity_ok"])
    ctx["parity"] = {
        op: [{"variant": v, "cells": [_parity_cell(status.get((op, v, t))) for t in TIERS]} for v in spec.variants]
        for op, spec in cat.operations.items()
    }

    timing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["seconds"]:
            r["median"] = sorted(r["seconds"])[len(r["seconds"]) // 2]
    baseline = {(r["op"], r["variant"], r["size"]): r for r in rows if r["tier"] == "python" and r.get("median")}
    for r in rows:
        if not r.get("median"):
            continue
        size = sizes[r["op"]][r["size"]]
        value, unit = to_unit(r["op"], size, r["median"])
        base = baseline.get((r["op"], r["variant"], r["size"]))
        rtf = realtime_factor(r["op"], size, r["median"])
        timing[r["op"]].append(
            {
                "variant": r["variant"],
                "size": r["size"],
                "tier": r["tier"],
                "value": _fmt(value),
                "unit": unit,
                "spread": "–".join(
                    _fmt(v)
                    for v in sorted(to_unit(r["op"], size, t)[0] for t in (min(r["seconds"]), max(r["seconds"])))
                ),
                "vs_python": f"{base['median'] / r['median']:.2f}×" if base else "—",
                "rtf": f"{rtf:,.0f}×" if rtf else "—",
                "calls": len(r["seconds"]),
                "allocation": r["allocation"],
                "matched": r["matched"],
            }
        )
    ctx["timing"] = dict(timing)
    ctx["snr"] = [
        {
            "variant": r["variant"],
            "tier": r["tier"],
            "size": r["size"],
            "snr": f"{r['metrics']['snr_db']:.1f}",
            "floor": f"{SNR_FLOORS_DB[r['tier']][r['variant']]:g}",
        }
        for r in matched
        if r["op"] == "resample" and "snr_db" in r["metrics"]
    ]
    ctx["reallocations"] = [
        {"tier": r["tier"], "size": r["size"], "count": int(r["metrics"]["reallocations"])}
        for r in matched
        if r["op"] == "b64_buffer" and "reallocations" in r["metrics"]
    ]
    ctx["env"] = smoke["environment"]
    ctx["created"] = smoke["created"]
    ctx["method"] = smoke["method"]
    ctx["checksums"] = sorted({(r["op"], r["variant"], r["size"], r["checksum"]) for r in rows})
    return ctx


def _parity_cell(ok: bool | None) -> str:
    return "not run" if ok is None else ("✅" if ok else "❌")


def render(cat: Catalogue, data_dir: Path, out_dir: Path) -> tuple[Path, Path, list[Source]]:
    """Write report.md and report.html atomically; return their paths and the source list."""
    smoke = _load_smoke(data_dir / "smoke.json")
    ctx = _context(cat, smoke, data_dir)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    md = write_text(out_dir / "report.md", env.get_template("report.md.j2").render(**ctx))
    html = write_text(out_dir / "report.html", env.get_template("report.html.j2").render(**ctx))
    return md, html, ctx["sources"]
