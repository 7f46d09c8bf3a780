"""Re-measuring inconclusive wall-time checks before deciding.

An inconclusive check means the rounds of the run did not pin the value down. Rather than fail
or pass on too little data, the gate runs the runner again — through its Python API, on just the
cases and rows those checks need — for more rounds within a time budget, and merges the new
rounds into the run's samples.

What the merge means: within the new batch every row still runs in every round (shuffled), so
paired per-round ratios stay paired and are recomputed over old and new rounds together. The new
rounds run in *this* process, the old ones in the run's; on a noisy VM one kernel can differ
~20 % between processes, so the merged sample is a mixture of two processes' states. The
summary says which cases were merged. Re-measuring is refused when it would measure something
else than the run did: another machine, another commit, another SIMD path, other input bytes.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audiobench.gate.checks import Check, case_key
from audiobench.gate.inputs import Loaded, differences, machine, simd_path
from audiobench.stats import paired_ratio, summarize
from audiobench.targets import Remeasure
from audiobench.units import to_unit
from audiobench.verdict import Outcome


@dataclass
class Result:
    run: Loaded
    """The run with merged samples (a copy; the file on disk is never changed)."""
    cases: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """Cases re-measured → rounds added."""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def wanted(checks: list[Check]) -> dict[tuple[str, str, str], set[str]]:
    """Cases (and the rows each needs) behind enforced inconclusive checks of the runner's numbers."""
    out: dict[tuple[str, str, str], set[str]] = {}
    for c in checks:
        if c.enforce and c.outcome is Outcome.INCONCLUSIVE and c.case is not None:
            out.setdefault(c.case, set()).update(c.rows)
    return out


def refusal(run: dict[str, Any]) -> str | None:
    """Why this process cannot add rounds to ``run`` (None if it can)."""
    from audiobench.environment import fingerprint

    here = fingerprint()
    why = differences(machine(run["environment"]), machine(here))
    if why:
        return f"the run is from another machine ({'; '.join(why)})"
    commit = (run["environment"].get("git") or {}).get("commit")
    if commit != here["git"]["commit"]:
        return f"the run is of commit {str(commit)[:12]}, this checkout is at {here['git']['commit'][:12]}"
    if simd_path(run["environment"]) != simd_path(here):
        return f"the run took the {simd_path(run['environment'])} SIMD path, this process takes {simd_path(here)}"
    return None


def _round_cost(case: dict[str, Any], rows: set[str]) -> float:
    """Seconds one round of these rows took in the run (calls per round × seconds per call)."""
    return float(sum(r["stats_s"]["median"] * r.get("calls_per_round", 1) for r in case["rows"] if r["row"] in rows))


def _merge(case: dict[str, Any], new: dict[str, Any], size: Any) -> int:
    """Append the new case's rounds to ``case`` (in place); returns the rounds added."""
    old_rows = {r["row"]: r for r in case["rows"]}
    merged: dict[str, list[float]] = {}
    for nr in new["rows"]:
        row = old_rows[nr["row"]]
        samples = [*row["samples_s"], *nr["samples_s"]]
        s = summarize(samples)
        lo, _ = to_unit(row["unit"], size, s.ci_low)
        hi, _ = to_unit(row["unit"], size, s.ci_high)
        row.update(
            samples_s=samples,
            stats_s=s.as_dict(),
            unit_median=to_unit(row["unit"], size, s.median)[0],
            unit_ci=sorted([lo, hi]),
        )
        merged[nr["row"]] = samples
    for r in case["ratios"]:
        if r["a"] in merged and r["b"] in merged:
            r.update(paired_ratio(r["a"], merged[r["a"]], r["b"], merged[r["b"]]).as_dict())
    added = int(new["rounds"])
    case["remeasured"] = {"rounds_added": added, "rows": sorted(merged)}
    case["rounds"] = int(case.get("rounds", 0)) + added
    return added


def remeasure(
    run: Loaded,
    checks: list[Check],
    cfg: Remeasure,
    budget_s: float,
    *,
    catalogue: Path | None = None,
    progress: bool = False,
) -> Result:
    """Add rounds to the cases behind inconclusive checks; returns the merged run."""
    want = wanted(checks)
    result = Result(run)
    if not want:
        return result
    why = refusal(run.doc)
    if why:
        result.notes.append(f"{len(want)} inconclusive case(s) not re-measured: {why}")
        return result
    from audiobench.catalogue import load as load_catalogue
    from audiobench.registry import registry
    from audiobench.runner import SUITES, Settings, build_plan, execute

    doc = copy.deepcopy(run.doc)
    cases = {case_key(c): c for c in doc["cases"] if c.get("source", "generated") == "generated"}
    cat = load_catalogue(catalogue)
    if cat.seed != doc.get("seed", cat.seed):
        result.notes.append(f"not re-measured: the catalogue seed is {cat.seed}, the run used {doc.get('seed')}")
        return result
    reg = registry()
    ops = sorted({k[0] for k in want if k in cases})
    rows = sorted({r for k, rs in want.items() if k in cases for r in rs})
    plans = build_plan(cat, reg, doc["suite"], ops, rows) if ops else []
    chosen = []
    spent = 0.0
    for plan in plans:
        key = (plan.op, plan.variant, plan.size.label)
        if key not in want:
            continue
        plan.rows = [r for r in plan.rows if r.name in want[key]]
        if plan.case.checksum() != cases[key]["input_checksum"]:
            result.notes.append(f"{'/'.join(key)}: not re-measured, the input bytes differ from the run's")
            continue
        # Only cases whose minimum rounds fit the remaining budget (warm-up and calibration of
        # each row come on top, typically well under a second).
        cost = cfg.min_rounds * _round_cost(cases[key], want[key])
        if spent + cost > budget_s:
            result.notes.append(f"{'/'.join(key)}: not re-measured, its {cfg.min_rounds} rounds exceed the budget")
            continue
        spent += cost
        chosen.append(plan)
    missing = [k for k in want if k not in cases]
    if missing:
        result.notes.append(f"{len(missing)} case(s) not re-measured: not generated from the catalogue (--audio)")
    if not chosen:
        return result
    settings_doc = doc.get("settings") or {}
    default = SUITES.get(doc["suite"], SUITES["quick"])
    settings = Settings(
        suite=doc["suite"],
        round_seconds=float(settings_doc.get("round_seconds", default.round_seconds)),
        min_rounds=cfg.min_rounds,
        max_rounds=cfg.max_rounds,
        time_budget=budget_s,
        solo_batches=0,  # more rounds only: the solo checks belong to the run as measured
        cold=False,
    )
    t0 = time.perf_counter()
    new = execute(chosen, cat, reg, settings, progress=progress)
    result.seconds = time.perf_counter() - t0
    for plan, nc in zip(chosen, new["cases"], strict=True):
        key = (plan.op, plan.variant, plan.size.label)
        result.cases[key] = _merge(cases[key], nc, plan.size)
        bad = [r["row"] for r in nc["rows"] if r.get("parity") and r["parity"].get("ok") is False]
        if bad:
            result.notes.append(f"{'/'.join(key)}: parity FAILED while re-measuring {', '.join(bad)}")
    result.run = Loaded(run.path, doc)
    return result
