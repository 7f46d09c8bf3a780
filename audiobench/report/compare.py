"""BASE vs HEAD: the newest paired comparison (``audiobench compare``), and the gate trials that
measured how often that comparison errs, beside ``asv continuous`` on the same commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audiobench import targets as gate_targets
from audiobench.fmt import duration, size_key
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import newest_run, select
from audiobench.verdict import Outcome, paired_outcome

MARK = {Outcome.PASS: "✅ pass", Outcome.FAIL: "❌ slower", Outcome.INCONCLUSIVE: "⚠️ inconclusive"}
TRIAL_KINDS = {
    "aa": "A/A (same commit, built twice)",
    "slow5": "~5 % slower kernel",
    "slow10": "~10 % slower kernel",
    "memory": "memory regression",
}


def _context(meta: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        (s.get("context", {}) for s in meta.get("sources", []) if s.get("source") == "compare"), {}
    )
    return found


def _side(ctx: dict[str, Any], name: str) -> str:
    s = ctx.get(name) or {}
    dirty = " + uncommitted changes" if s.get("dirty") else ""
    return f"`{s.get('ref', '?')}` ({str(s.get('commit', ''))[:10]}{dirty})"


def _comparison(cmp: pd.DataFrame, ctx: dict[str, Any], paired: gate_targets.Paired) -> list[Table | Para]:
    ratios = cmp[cmp["metric"] == "paired_ratio"]
    times = cmp[cmp["metric"] == "time"]
    limit = 1 + paired.decide_at
    pairs = ctx.get("rounds_per_pair") or []
    level = f"{100 * float(ctx.get('confidence') or paired.confidence):g} %"
    files = ctx.get("files") or []
    blocks: list[Table | Para] = [
        Para(
            f"BASE {_side(ctx, 'base')} vs HEAD {_side(ctx, 'head')}, measured in the same rounds: two worker "
            f"processes (one per build) on one core, strictly alternated, {sum(pairs)} rounds over {len(pairs)} "
            f"fresh process pairs{f' in {len(files)} files' if len(files) > 1 else ''}. HEAD/BASE > 1 is slower. "
            f"Each process pair gives one ratio (the median of its rounds); the estimate is their geometric mean, "
            f"the {level} CI Student's t over the pairs. A row fails when its whole CI is above {limit:.3f} "
            f"and passes when it is below (over both files when it was re-measured): a {paired.threshold:.0%} "
            "slowdown is what the rule is built to catch (targets.toml `[regression.paired]`); the gate trials "
            "below measure how often it does."
        )
    ]
    rows = []
    order = {t: i for i, t in enumerate(paired.tiers())}
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in ratios.to_dict("records")]
    keyed = sorted(
        records,
        key=lambda r: (order.get(str(r["tier"]), 99), str(r["operation"]), str(r["variant"]), size_key(str(r["size"]))),
    )
    for r in keyed:
        lo, hi, ratio = float(r["ci_low"]), float(r["ci_high"]), float(r["value"])
        outcome = paired_outcome(lo, hi, paired.decide_at)
        t = times[
            (times["operation"] == r["operation"])
            & (times["variant"] == r["variant"])
            & (times["size"] == r["size"])
            & (times["tier"] == r["tier"])
        ]
        base = t[t["side"] == "base"]["value"]
        head = t[t["side"] == "head"]["value"]
        enforced = str(r["tier"]) in paired.enforce_tiers
        rows.append(
            [
                f"{r['operation']}/{r['variant']} {r['size']}",
                str(r["tier"]),
                duration(float(base.iloc[0])) if len(base) else "—",
                duration(float(head.iloc[0])) if len(head) else "—",
                f"{ratio:.3f} [{lo:.3f}, {hi:.3f}]",
                MARK[outcome] if enforced else f"{MARK[outcome]} (reported)",
            ]
        )
    blocks.append(
        Table(
            ["case", "tier", "BASE median", "HEAD median", f"HEAD/BASE [{level} CI]", "verdict"],
            rows,
            [False, False, True, True, True, False],
        )
    )
    idle = ctx.get("idle") or {}
    waits = [
        f"{side.upper()} {100 * v['cpu_s'] / v['wall_s']:.2f} %"
        for side, v in idle.items()
        if float(v.get("wall_s", 0)) > 0
    ]
    steal = ctx.get("steal_fraction")
    blocks.append(
        Para(
            "Checks on the measurement: CPU a worker used while the other measured (a row leaving threads "
            f"running would show here): {', '.join(waits) or 'not recorded'}; VM steal time "
            f"{f'{100 * steal:.2f} %' if steal is not None else 'not available'}."
        )
    )
    return blocks


def _trials(df: pd.DataFrame) -> list[Table | Para]:
    t = select(df, source="gate-trials", metric="gate_trials")
    if t.empty:
        return [not_measured("Gate trials", "Run `make gate-trials` (A/A and injected regressions, about an hour).")]
    rows = []
    for (kind, tool), g in t.groupby(["variant", "tier"], sort=False):
        stat = dict(zip(g["statistic"], g["value"], strict=True))
        n = int(stat.get("trials", 0))
        detected = f"{int(stat['detected'])} of {n}" if "detected" in stat else "—"
        ratio = f"{stat['median_ratio_kernel_rows']:.3f}" if "median_ratio_kernel_rows" in stat else "—"
        rows.append(
            [
                TRIAL_KINDS.get(str(kind), str(kind)),
                str(tool),
                str(n),
                detected,
                f"{int(stat.get('false_failures', 0))} of {n}",
                f"{int(stat['interference_flagged'])} of {n}" if "interference_flagged" in stat else "—",
                ratio,
            ]
        )
    patches = sorted({str(x) for x in t["reference"].dropna().unique()})
    return [
        Para(
            "Each trial compares this commit (BASE) with a scratch commit (HEAD) holding a real code change: "
            + "; ".join(patches)
            + ". Detected: the trial failed the changed kernel's rust-direct rows; false failures: it failed any "
            "row of another conversion."
        ),
        Table(
            [
                "trial",
                "tool",
                "trials",
                "detected",
                "false failures",
                "interference flagged",
                "kernel rows' measured ratio (median)",
            ],
            rows,
            [False, False, True, True, True, True, True],
        ),
    ]


def section(df: pd.DataFrame, meta: dict[str, Any], targets: Path) -> Section:
    """The BASE vs HEAD section (the newest compare file) and the gate trials subsection."""
    sec = Section("compare", "BASE vs HEAD (paired comparison)")
    cmp = newest_run(df, "compare")
    if cmp.empty:
        sec.add(
            not_measured(
                "A paired comparison of two builds",
                "Run `audiobench compare main` (BASE a git ref, HEAD the working tree), or `make compare`.",
            )
        )
    else:
        sec.add(*_comparison(cmp, _context(meta), gate_targets.load(targets).paired))
    trials = Section("gate-trials", "Gate trials: error rates of the paired gate and of asv continuous")
    trials.add(*_trials(df))
    sec.subsections.append(trials)
    return sec
