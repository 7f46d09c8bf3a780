"""Speed-up targets and goals: every ``[[speedup]]`` check of targets.toml against the newest run.

Judged as ``audiobench gate`` judges them: the runner's paired per-round ratio time(than) /
time(faster) and its bootstrap CI against the check's minimum — ✅ the whole CI above it, ❌ the
whole CI below, ⚠️ the CI contains it. Checks the gate enforces are marked; the others (the goals)
are assessed all the same, and every check that is not met is listed with the reason the
targets file gives for it, so a gap always stands beside its measured cause.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audiobench import targets as gate_targets
from audiobench import verdict
from audiobench.fmt import size_key, with_ci
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import point, select
from audiobench.report.spec import MARK

TITLE = "Speed-up targets and goals"


def _cases(runner: pd.DataFrame, check: gate_targets.Speedup) -> list[tuple[str, str, str]]:
    keys = {(str(r.operation), str(r.variant), str(r.size)) for r in select(runner, metric="ratio").itertuples()}
    return sorted((k for k in keys if check.where.matches(*k)), key=lambda k: (k[0], k[1], size_key(k[2])))


def section(runner: pd.DataFrame, path: Path) -> Section:
    """Every speed-up check of the targets file at ``path`` on the runner's paired ratios."""
    sec = Section("speedups", TITLE)
    try:
        targets = gate_targets.load(path)
    except gate_targets.TargetsError as e:
        sec.add(Para(f"Speed-up targets could not be read: {e}"))
        return sec
    if runner.empty:
        sec.add(not_measured(TITLE, "They are judged on the runner's paired ratios: run `audiobench run`."))
        return sec
    sec.add(
        Para(
            f"Each check of `{path}` on the runner's paired per-round ratio time(than) / time(faster) and its "
            "95 % CI: ✅ the whole CI above the minimum, ❌ entirely below, ⚠️ the CI contains it. Enforced checks "
            "fail `audiobench gate`; the goals are reported. Every check not met is listed below the table with "
            "its reason from the targets file."
        )
    )
    rows: list[list[str]] = []
    unmet: dict[str, gate_targets.Speedup] = {}
    for check in targets.speedup:
        for op, variant, size in _cases(runner, check):
            case = select(runner, operation=op, variant=variant, size=size)
            p = point(case, metric="ratio", tier=check.than, reference=check.faster)
            if p is None or p.low is None or p.high is None:
                continue  # one of the two rows was not run: nothing to judge
            v = verdict.speedup(p.value, (p.low, p.high), check.minimum)
            if v.outcome is not verdict.Outcome.PASS:
                unmet[check.name] = check
            rows.append(
                [
                    check.name,
                    f"{op}/{variant} {size}",
                    f"{check.faster} over {check.than}",
                    with_ci(p),
                    f"≥ {check.minimum:g}×",
                    MARK[v.outcome],
                    "yes" if check.enforce else "no",
                ]
            )
    if not rows:
        sec.add(not_measured(TITLE, "No check's two rows were measured in the newest run."))
        return sec
    sec.add(
        Table(
            ["check", "case", "ratio", "measured [95% CI]", "minimum", "verdict", "enforced"],
            rows,
            [False, False, False, True, False, False, False],
        )
    )
    for name, check in unmet.items():
        sec.add(Para(f"`{name}`, not met on every case above (❌ or ⚠️): {check.reason}"))
    return sec
