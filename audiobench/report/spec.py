"""Spec target assessment: every absolute target of targets.toml against the newest runner run.

The same targets and the same three-way verdict as ``audiobench gate``: ✅ when the whole 95 %
CI is on the good side of the target, ❌ when it is entirely on the bad side, ⚠️ when the CI
straddles it (inconclusive). Targets marked ``enforce = false`` are assessed all the same; the
table says which ones the gate enforces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audiobench import targets as gate_targets
from audiobench import verdict
from audiobench.fmt import num, size_key, with_ci
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import ordered, point, select, tier_order

MARK = {
    verdict.Outcome.PASS: "✅ met",
    verdict.Outcome.FAIL: "❌ missed",
    verdict.Outcome.INCONCLUSIVE: "⚠️ inconclusive",
}


@dataclass
class Assessment:
    section: Section
    headline: str
    vad_frame_target_us: float | None


def _cases(runner: pd.DataFrame, target: gate_targets.Absolute) -> list[tuple[str, str, str]]:
    rows = select(runner, metric="unit_time")
    keys = {(str(r.operation), str(r.variant), str(r.size)) for r in rows.itertuples()}
    return sorted((k for k in keys if target.where.matches(*k)), key=lambda k: (k[0], k[1], size_key(k[2])))


def _enforced(t: gate_targets.Absolute, case: pd.DataFrame) -> str:
    """``yes`` / ``no``, or for a target that follows the machine, the gate's reason for this case."""
    if not t.enforce:
        return "no"
    if t.machine_limit is None:
        return "yes"
    probe = point(case, metric="unit_time", tier=t.machine_limit)
    ci = (probe.low, probe.high) if probe and probe.low is not None and probe.high is not None else None
    can, why = t.machine_can(probe.value if probe else None, ci)
    return f"{'yes' if can else 'no'} ({why.split(': ', 1)[1]})"


def section(runner: pd.DataFrame, path: Path, sources: list[str] | None = None) -> Assessment:
    """The spec target assessment from ``path`` on the runner's CIs; ``sources`` (the runs'
    inputs) decide which targets apply."""
    sec = Section("spec", "Spec target assessment")
    try:
        targets = gate_targets.load(path)
    except gate_targets.TargetsError as e:
        sec.add(Para(f"Spec targets could not be read: {e}"))
        return Assessment(sec, "Spec targets: not assessed (targets file unreadable).", None)
    vad_target = next((t.limit for t in targets.absolute if t.where.op == "vad" and t.direction == "max"), None)
    if runner.empty:
        sec.add(not_measured("Spec targets", "They are judged on the runner's medians: run `audiobench run`."))
        return Assessment(sec, "Spec targets: not measured.", vad_target)
    files = [s for s in (sources or []) if s != "generated"]
    if files:
        # The gate does not judge these either: the targets are defined on the catalogue's inputs.
        sec.add(
            Para(
                f"Not assessed: the newest run measured your audio ({', '.join(files)}), and the spec targets "
                "are defined on the catalogue's inputs (stereo seeded signals), not on a file's channel count or "
                "content. Run `audiobench run` without `--audio` for the assessment."
            )
        )
        return Assessment(sec, "Spec targets: not assessed (the newest run measured a user's file).", vad_target)
    sec.add(
        Para(
            f"Judged on the 95 % CI of the runner's median in the operation's unit (targets: `{path}`). ✅ the whole "
            'CI meets the target, ❌ the whole CI misses it, ⚠️ the CI straddles it. "Enforced" targets make '
            "`audiobench gate` fail; the others are assessed and reported only (the reason is in the targets file)."
        )
    )
    rows = []
    counts = {True: dict.fromkeys(MARK, 0), False: dict.fromkeys(MARK, 0)}  # by enforced
    for t in targets.absolute:
        for op, variant, size in _cases(runner, t):
            case = select(runner, operation=op, variant=variant, size=size)
            for tier in ordered(case["tier"], tier_order()):
                if tier not in t.tiers:
                    continue
                p = point(case, metric="unit_time", tier=tier)
                if p is None:
                    continue
                unit = str(select(case, metric="unit_time", tier=tier)["unit"].iloc[0])
                if unit != t.unit or p.low is None or p.high is None:
                    mark = f"not assessed: measured in {unit!r}, target in {t.unit!r}" if unit != t.unit else "no CI"
                    rows.append(
                        [
                            f"{op}/{variant} {size}",
                            tier,
                            with_ci(p),
                            f"{'<' if t.direction == 'max' else '>'} {num(t.limit)} {t.unit}",
                            mark,
                            "yes" if t.enforce else "no",
                        ]
                    )
                    continue
                v = verdict.absolute(p.value, (p.low, p.high), t.limit, t.direction, t.unit)
                enforced = _enforced(t, case)
                counts[enforced.startswith("yes")][v.outcome] += 1
                rows.append(
                    [
                        f"{op}/{variant} {size}",
                        tier,
                        with_ci(p),
                        f"{'<' if t.direction == 'max' else '>'} {num(t.limit)} {t.unit}",
                        MARK[v.outcome],
                        enforced,
                    ]
                )
    sec.add(
        Table(
            ["case", "tier", "measured [95% CI]", "target", "verdict", "enforced"],
            rows,
            [False, False, True, False, False, False],
        )
    )

    def tally(c: dict[verdict.Outcome, int]) -> str:
        return (
            f"{c[verdict.Outcome.PASS]} ✅ met, {c[verdict.Outcome.FAIL]} ❌ missed, "
            f"{c[verdict.Outcome.INCONCLUSIVE]} ⚠️ inconclusive"
        )

    headline = (
        f"Spec targets the gate enforces, over {sum(counts[True].values())} (case, tier) pairs: {tally(counts[True])}; "
        f"reported only, over {sum(counts[False].values())}: {tally(counts[False])}."
    )
    return Assessment(sec, headline, vad_target)
