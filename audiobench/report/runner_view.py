"""The report's view of one run file: per case, each row's median with CI, paired speed-ups."""

from __future__ import annotations

from typing import Any

from audiobench.report.fmt import num, ratio_with_ci

PARITY_MARK = {True: "✅", False: "❌", None: "n/a"}


def _row(case: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    parity = r["parity"]
    pct = r["pct_of_limit"]
    return {
        "row": r["row"],
        "kind": r["kind"],
        "median": num(r["unit_median"]),
        "ci": "–".join(num(v) for v in r["unit_ci"]),
        "unit": r["unit"],
        "vs_python": ratio_with_ci(case, "python", r["row"]) if r["row"] != "python" else "1",
        "read": num(pct.get("limit:read")),
        "memcpy": num(pct.get("limit:memcpy")),
        "cv": f"{100 * r['stats_s']['cv']:.1f}",
        "parity": "" if parity is None else PARITY_MARK[parity["ok"]],
        "detail": parity["detail"] if parity else "",
        "measured": _measured(parity["metrics"] if parity else {}),
    }


def _measured(metrics: dict[str, float]) -> str:
    """What the parity pass measured on the way: SNR for resampling, buffer reallocations."""
    parts = []
    if "snr_db" in metrics:
        parts.append(f"SNR {metrics['snr_db']:.1f} dB")
    if "reallocations" in metrics:
        parts.append(f"{int(metrics['reallocations'])} reallocations")
    return ", ".join(parts)


def context(run: dict[str, Any]) -> dict[str, Any]:
    cases = [
        {
            "title": f"{c['op']}/{c['variant']} {c['size']}",
            "rounds": c["rounds"],
            "checksum": c["input_checksum"],
            "source": c["source"],
            "rows": [_row(c, r) for r in c["rows"]],
        }
        for c in run["cases"]
    ]
    timings = ("import_s", "prepare_s", "first_call_s", "second_call_s")
    cold = [{**c, **{k: "—" if c[k] is None else num(c[k] * 1e3) for k in timings}} for c in run["cold"]]
    return {
        "run_id": run["run_id"],
        "suite": run["suite"],
        "created": run["created"],
        "duration": f"{run['duration_s']:.0f}",
        "policy": run["allocation_policy"],
        "settings": run["settings"],
        "cases": cases,
        "cold": cold,
        "env": run["environment"],
    }
