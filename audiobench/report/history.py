"""History over commits, from asv's results (one column per commit, oldest first)."""

from __future__ import annotations

import pandas as pd

from audiobench.fmt import num, size_key
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import select


def _one_machine(asv: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows of the machine that measured last, and the other machines left out: one
    machine's times over commits are a history, two machines' interleaved are not."""
    machines = asv.dropna(subset=["machine_id"]).groupby("machine_id")["timestamp"].max().sort_values()
    if len(machines) < 2:
        return asv, []
    newest = str(machines.index[-1])
    return asv[asv["machine_id"] == newest], [str(m) for m in machines.index[:-1]]


def section(df: pd.DataFrame) -> Section:
    """The asv history section: medians per commit."""
    sec = Section("history", "History over commits (asv)")
    asv, others = _one_machine(select(df, source="asv", metric="time", statistic="median"))
    if others:
        sec.add(Para(f"Machine `{asv['machine_id'].iloc[0]}` only; asv results of {', '.join(others)} left out."))
    commits = asv.dropna(subset=["commit"]).groupby("commit")["timestamp"].min().sort_values()
    if len(commits) < 2:
        what = "asv history" if asv.empty else f"asv history (results for {len(commits)} commit only)"
        return sec.add(
            not_measured(
                what,
                "History needs asv results of at least two commits: `make asv` measures the current commit "
                "only; `.venv/bin/asv run HEAD~3..HEAD` builds and measures each commit of a range.",
            )
        )
    order = list(commits.index)
    sec.add(Para(f"Median µs per call by commit, {len(order)} commits, oldest first (asv `time_*` benchmarks)."))
    cases = asv.groupby(["operation", "variant", "size", "tier"], dropna=False)
    rows = []
    for (op, variant, size, tier), g in sorted(cases, key=lambda kv: (kv[0][0], kv[0][1], size_key(str(kv[0][2])))):
        by_commit = dict(zip(g["commit"], g["value"], strict=True))
        rows.append(
            [f"{op}/{variant} {size}", str(tier), *(num(by_commit[c] * 1e6) if c in by_commit else "—" for c in order)]
        )
    sec.add(Table(["case", "tier", *(c[:8] for c in order)], rows, [False, False, *([True] * len(order))]))
    return sec
