"""The report's view of a smoke file: the parity grid and orientation-only timings."""

from __future__ import annotations

from typing import Any

from audiobench.catalogue import Catalogue
from audiobench.quality import SNR_FLOORS_DB
from audiobench.tiers import TIERS


def context(cat: Catalogue, smoke: dict[str, Any]) -> dict[str, Any]:
    """Parity grid, smoke timings, SNR and reallocations from a smoke file."""
    ctx: dict[str, Any] = {}
    rows = smoke["rows"]
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
    return ctx


def _parity_cell(ok: bool | None) -> str:
    return "not run" if ok is None else ("✅" if ok else "❌")
