"""Cross-tool agreement: the same case as each tool measured it, flagged where they disagree.

Tools do not measure the same thing exactly: criterion times the Rust function natively, the
others call it through Python; the runner interleaves rows while asv and pytest-benchmark repeat
one call back to back. A disagreement beyond DISAGREE is flagged with the causes that apply.
"""

from __future__ import annotations

import pandas as pd

from audiobench.report.fmt import num, size_key
from audiobench.report.model import Para, Section, Table
from audiobench.report.query import newest_run, select
from audiobench.tiers.registry import TIERS

DISAGREE = 0.20
TOOLS = ("runner", "criterion", "asv", "pytest-benchmark")
ALLOCATING = {"python", "python-pure", "rust-json", "rust-fast"}


def _causes(tier: str, times: dict[str, float], commits: dict[str, str | None], stamps: dict[str, str]) -> str:
    causes = []
    others = [v for t, v in times.items() if t != "criterion"]
    if "criterion" in times and tier.startswith("rust") and others and times["criterion"] < min(others):
        causes.append("criterion calls the Rust function directly (no Python call, no numpy array)")
    if tier in ALLOCATING:
        causes.append("allocation state: the runner interleaves rows, the others repeat one call on a warm heap")
    if len({c for c in commits.values() if c}) > 1:
        causes.append("measured on different commits")
    when = sorted(pd.Timestamp(t) for t in stamps.values())
    if len(when) > 1 and (when[-1] - when[0]).total_seconds() > 3600:
        causes.append("measured hours apart: the machine's state (other load, memory layout) differs")
    if min(times.values()) < 20e-6:
        causes.append("a call of a few µs: each tool's timer and loop overhead weigh differently")
    return "; ".join(causes) or "not identified"


def section(df: pd.DataFrame) -> Section:
    sec = Section("agreement", "Cross-tool agreement")
    runs = {tool: newest_run(df, tool) for tool in TOOLS}
    found = [t for t, r in runs.items() if not r.empty]
    missing = [t for t in TOOLS if t not in found]
    if missing:
        sec.add(Para("Not measured: " + ", ".join(missing) + " (no results found; see Sources)."))
    if len(found) < 2:
        return sec.add(Para("Fewer than two tools have results: nothing to compare."))
    times: dict[tuple[str, str, str, str], dict[str, float]] = {}
    commits: dict[tuple[str, str, str, str], dict[str, str | None]] = {}
    stamps: dict[tuple[str, str, str, str], dict[str, str]] = {}
    for tool in found:
        rows = select(runs[tool], metric="time", statistic="median", stage=None)
        for _, r in rows.iterrows():
            if tool == "runner" or pd.isna(r["side"]):
                key = (str(r["operation"]), str(r["variant"]), str(r["size"]), str(r["tier"]))
                times.setdefault(key, {})[tool] = float(r["value"])
                commits.setdefault(key, {})[tool] = None if pd.isna(r["commit"]) else str(r["commit"])
                if not pd.isna(r["timestamp"]):
                    stamps.setdefault(key, {})[tool] = str(r["timestamp"])
    table = []
    flagged = 0
    order = {t: i for i, t in enumerate([*TIERS, "webrtcvad", "limit:read", "limit:memcpy"])}
    for key in sorted(times, key=lambda k: (k[0], k[1], size_key(k[2]), order.get(k[3], 99))):
        seen = times[key]
        if len(seen) < 2:
            continue
        spread = max(seen.values()) / min(seen.values()) - 1
        flag = spread > DISAGREE
        flagged += flag
        table.append(
            [
                f"{key[0]}/{key[1]} {key[2]}",
                key[3],
                *(num(seen[t] * 1e6) if t in seen else "—" for t in found),
                f"{100 * spread:.0f}",
                _causes(key[3], seen, commits[key], stamps.get(key, {})) if flag else "",
            ]
        )
    sec.add(
        Para(
            f"Median time per call in µs as each tool measured it (newest run of each). {flagged} of {len(table)} "
            f"cases differ by more than {DISAGREE:.0%} between tools; the likely causes are listed."
        )
    )
    sec.add(
        Table(
            ["case", "tier", *found, "spread %", "likely cause (> 20 %)"],
            table,
            [False, False, *([True] * len(found)), True, False],
        )
    )
    return sec
