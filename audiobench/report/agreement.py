"""Cross-tool agreement: each case as every tool measured it, against the runner, and a cause
for a disagreement only where a measurement backs it.

The runner (batches of calls from Python, interleaved) is the reference every other tool is
compared with. Two measurements can explain a gap of more than :data:`DISAGREE`:

* **the PyO3 boundary**, for tools that time the Rust call natively (criterion, the native
  profiler): the profiler's FFI attribution of the same case and tier (the tier called from
  Python minus the same tier natively, measured in alternation), or for a limit probe the
  probe's call on empty arrays. If the runner minus that cost is within :data:`DISAGREE` of
  the native tool, the boundary is the cause, and the table says how much it measured;
* **interleaving**: the runner's own solo measurement of the row. If the row alone is within
  :data:`DISAGREE` of the other tool (less the boundary for a native tool), the runner's
  interleaved rounds are the cause;
* **another process**: a native tool measures in a process of its own, and the profiler
  measures the same native call in two processes; where those two landed more than
  :data:`DISAGREE` apart and the gap is within that spread, that is the cause.

Anything else is "unexplained", with the recorded facts that may matter (another commit,
hours apart) beside it: a guess is not a cause.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audiobench.fmt import num, size_key
from audiobench.limits import DISPLAY_ORDER
from audiobench.report.model import Para, Section, Table
from audiobench.report.query import CaseKey, case_key, newest_run, points, row_point, select, tier_order

DISAGREE = 0.10
TOOLS = ("runner", "criterion", "asv", "pytest-benchmark")
NATIVE = {"criterion", "profiler (native)"}
COUNTED_TIERS = ("rust-direct", "rust-fast")
COUNTED_MIN_S = 10e-6
"""The headline count covers these tiers' cases of at least this time per call: below 10 µs a
call through Python is mostly the boundary itself."""

Key = CaseKey


@dataclass(frozen=True)
class Boundary:
    """The PyO3 boundary of one case and tier as the profiler measured it (seconds)."""

    value: float
    low: float | None
    high: float | None
    what: str


def _times(df: pd.DataFrame, **where: object) -> dict[Key, tuple[float, str | None, str | None]]:
    """(case, tier) → (seconds, commit, timestamp) of the rows matching ``where``."""
    out = {}
    for _, r in select(df, statistic="median", **where).iterrows():
        commit = None if pd.isna(r["commit"]) else str(r["commit"])
        stamp = None if pd.isna(r["timestamp"]) else str(r["timestamp"])
        out[case_key(r)] = (float(r["value"]), commit, stamp)
    return out


def _spreads(profile: pd.DataFrame) -> dict[Key, float]:
    return {k: p.value for k, p in points(profile, metric="process_spread").items()}


def _boundaries(profile: pd.DataFrame) -> tuple[dict[Key, Boundary], dict[str, Boundary]]:
    """FFI attribution per (case, tier), and the limit probes' empty-call cost per probe."""
    per_case: dict[Key, Boundary] = {}
    probes: dict[str, Boundary] = {}
    for _, r in select(profile, metric="overhead", side="pyo3").iterrows():
        p = row_point(r)
        if r["reference"] == "empty call":
            probes[str(r["tier"])] = Boundary(p.value, p.low, p.high, "the probe's call on empty arrays")
        elif str(r["reference"]).endswith("(native-alternating)"):
            per_case[case_key(r)] = Boundary(p.value, p.low, p.high, "the tier through PyO3 − natively")
    return per_case, probes


def _within(a: float, b: float) -> bool:
    return b > 0 and abs(a / b - 1) <= DISAGREE


def _is_cost(cost: Boundary | None) -> bool:
    """A boundary that is a cost: above zero, its whole CI."""
    return cost is not None and cost.value > 0 and (cost.low is None or cost.low > 0)


def _us(seconds: float) -> str:
    return f"{num(seconds * 1e6)} µs"


def _cause(
    tool: str,
    value: float,
    runner: float,
    solo: float | None,
    boundary: Boundary | None,
    facts: list[str],
    spread: float | None = None,
) -> tuple[str, bool]:
    """Why ``tool``'s ``value`` differs from the runner's, and whether a measurement backs it.

    ``spread`` is how far the same native call landed apart in two processes (the profiler's
    two native halves): a native tool's number comes from another process too.
    """
    native = tool in NATIVE
    ffi = boundary.value if (native and boundary is not None and _is_cost(boundary)) else 0.0
    if native and boundary is not None and ffi and runner > value and _within(runner - ffi, value):
        ci = f" [{_us(boundary.low)}, {_us(boundary.high)}]" if boundary.low is not None and boundary.high else ""
        return (
            f"{tool}: the PyO3 boundary, {_us(boundary.value)}{ci} measured by the profiler ({boundary.what}); "
            f"runner − {tool} = {_us(runner - value)}",
            True,
        )
    # Interleaving is a cause only where the run itself found the row moved by it.
    if solo is not None and not _within(runner, solo) and _within(solo - ffi, value):
        less = " less the boundary" if ffi else ""
        return f"{tool}: interleaving, the row alone took {_us(solo)}{less} in the runner", True
    if native and spread is not None and spread > DISAGREE and abs((runner - ffi) / value - 1) <= spread:
        return (
            f"{tool}: another process, the same native call landed {100 * spread:.0f} % apart in two processes "
            "of the profiler",
            True,
        )
    return f"{tool}: unexplained" + (f" ({'; '.join(facts)})" if facts else ""), False


def _facts(commits: list[str | None], stamps: list[str | None]) -> list[str]:
    """Recorded differences between two measurements that are not measured causes."""
    out = []
    if len({c for c in commits if c}) > 1:
        out.append("measured on different commits")
    when = sorted(pd.Timestamp(t) for t in stamps if t)
    if len(when) > 1 and (when[-1] - when[0]).total_seconds() > 3600:
        out.append("measured hours apart")
    return out


def section(df: pd.DataFrame) -> Section:
    """The cross-tool agreement section: every tool's time for each case side by side, causes for gaps."""
    sec = Section("agreement", "Cross-tool agreement")
    runs = {tool: newest_run(df, tool) for tool in TOOLS}
    profile = newest_run(df, "profiler")
    if runs["runner"].empty:
        return sec.add(Para("No runner results: the runner is the reference every tool is compared with."))
    columns: dict[str, dict[Key, tuple[float, str | None, str | None]]] = {
        "runner": _times(runs["runner"], metric="time", side=None),
        "runner alone": _times(runs["runner"], metric="solo_time", side=None),
    }
    if not profile.empty:
        e2e = select(profile, metric="time", stage=None)
        columns["profiler (Python)"] = {
            **_times(e2e, side="pyo3"),
            **_times(e2e[e2e["tier"].str.startswith("python")], side="python"),
        }
        columns["profiler (native)"] = _times(e2e, side="native")
    for tool in TOOLS[1:]:
        if not runs[tool].empty:
            columns[tool] = _times(runs[tool], metric="time", side=None)
    missing = [t for t in TOOLS[1:] if runs[t].empty] + (["profiler"] if profile.empty else [])
    if missing:
        sec.add(Para("Not measured: " + ", ".join(missing) + " (no results found; see Sources)."))
    per_case, probes = _boundaries(profile) if not profile.empty else ({}, {})
    spreads = _spreads(profile) if not profile.empty else {}
    shown = [c for c in columns if columns[c]]
    others = [c for c in shown if c not in ("runner", "runner alone")]
    order = {t: i for i, t in enumerate([*tier_order(), *DISPLAY_ORDER])}
    rows, flagged, explained = [], 0, 0
    counted = agreeing = 0
    for key in sorted(columns["runner"], key=lambda k: (k[0], k[1], size_key(k[2]), order.get(k[3], 99))):
        runner, r_commit, r_stamp = columns["runner"][key]
        seen = {c: columns[c][key] for c in others if key in columns[c]}
        if not seen:
            continue
        solo = columns["runner alone"].get(key, (None, None, None))[0]
        boundary = probes.get(key[3]) if key[3].startswith("limit:") else per_case.get(key)
        gaps = {c: v[0] / runner - 1 for c, v in seen.items()}
        causes = []
        for c, (v, commit, stamp) in seen.items():
            if abs(gaps[c]) > DISAGREE:
                facts = _facts([r_commit, commit], [r_stamp, stamp])
                text, backed = _cause(c, v, runner, solo, boundary, facts, spreads.get(key))
                causes.append(text)
                flagged += 1
                explained += backed
        if key[3] in COUNTED_TIERS and runner >= COUNTED_MIN_S and "criterion" in seen:
            counted += 1
            agreeing += abs(gaps["criterion"]) <= DISAGREE
        worst = max(gaps.values(), key=abs)
        rows.append(
            [
                f"{key[0]}/{key[1]} {key[2]}",
                key[3],
                *(num(columns[c][key][0] * 1e6) if key in columns[c] else "—" for c in shown),
                f"{100 * worst:+.0f}",
                "; ".join(causes),
            ]
        )
    summary = (
        f"Median time per call in µs as each tool measured it (newest run of each), against the runner. "
        f"{flagged} tool results differ from the runner by more than {DISAGREE:.0%}: {explained} with a measured "
        f"cause, {flagged - explained} unexplained. "
    )
    if counted:
        summary += (
            f"Runner vs criterion on {'/'.join(COUNTED_TIERS)} cases of at least {COUNTED_MIN_S * 1e6:g} µs: "
            f"{agreeing} of {counted} within {DISAGREE:.0%}."
        )
    sec.add(Para(summary))
    sec.add(
        Table(
            ["case", "tier", *shown, "largest gap %", f"cause (> {DISAGREE:.0%})"],
            rows,
            [False, False, *([True] * len(shown)), True, False],
            note="runner alone: the runner's solo batches of the row; profiler columns time single calls.",
        )
    )
    return sec
