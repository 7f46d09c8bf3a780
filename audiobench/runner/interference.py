"""The proof every run carries that it measured the calls and nothing around them.

Three checks, each judged on the run's own samples:

* **A/A control** — one row of every case is measured twice under two names in the same
  rounds (the same prepared call, the same batch size). Their paired ratio must be 1 within
  its CI (95 % over the whole run, see :func:`aa_check`); a CI that excludes 1 means the
  position of a batch in its round, or what ran before it, moves the numbers, and the run is
  *suspect*.
* **Solo vs interleaved** — after the rounds, every row is measured again on its own (the
  same calibration, back-to-back batches, started once the process is quiet). A row whose
  interleaved median is more than :data:`SOLO_BAND` away from its solo median with the whole
  two-sample CI of the ratio beyond the band is *beyond*; with the point estimate beyond but
  the CI reaching into the band it is *uncertain*. Either is named with the row after which
  it was slowest.
* **Thread census** (:mod:`audiobench.runner.census`) — a row whose threads keep running
  during other rows' batches *left work running*; threads present before the run that run
  during batches are named too.

A run with any A/A failure, any row *beyond*, or any work left running is *suspect*.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from audiobench.runner.census import LEFT_RUNNING_SHARE, PROCESS
from audiobench.stats import CONFIDENCE, band_verdict, median_difference, paired_ratio

SOLO_BAND = 0.10
"""Interleaved vs solo medians may differ by this fraction (the issue tolerance for a row's
neighbours: well above a clean run's spread, well below the 14-86 % seen with interference)."""

AA_PREFERENCE = ("rust-direct", "python-best", "python", "rust-fast")
"""Which row of a case gets its A/A twin: the first of these present (the cheapest rows
first: the twin costs one more batch per round), else the case's first tier row."""

AA_SUFFIX = " (A/A)"


def aa_row(rows: list[tuple[str, str]]) -> str | None:
    """The row (name, kind) that gets an A/A twin, or None if the case has no tier row."""
    tiers = [name for name, kind in rows if kind == "tier"]
    for name in AA_PREFERENCE:
        if name in tiers:
            return name
    return tiers[0] if tiers else None


def aa_check(row: str, a: list[float], b: list[float], pairs: int = 1) -> dict[str, Any]:
    """Judge an A/A pair: ``b`` is the twin of ``row`` measured in the same rounds.

    The run claims *every* pair consistent, so each CI is taken at the family-wise level over
    the run's ``pairs`` pairs (Bonferroni: 1 − 0.05/pairs): at 95 % each, a clean 20-case run
    would still see a pair exclude 1 most of the time, by chance alone.
    """
    confidence = 1 - (1 - CONFIDENCE) / max(pairs, 1)
    r = paired_ratio(row, a, row + AA_SUFFIX, b, confidence=confidence)
    return {
        "row": row,
        "twin": row + AA_SUFFIX,
        "twin_samples_s": [float(x) for x in b],
        "ratio": r.as_dict(),
        "confidence": confidence,
        "consistent": bool(r.ci_low <= 1.0 <= r.ci_high),
    }


def judge_aa(cases: list[dict[str, Any]]) -> None:
    """Replace each case's raw ``aa`` record (row and twin samples) by its judgement."""
    pending = [c for c in cases if c.get("aa")]
    for case in pending:
        raw = case["aa"]
        row = next(r for r in case["rows"] if r["row"] == raw["row"])
        case["aa"] = aa_check(raw["row"], row["samples_s"], raw["twin_samples_s"], pairs=len(pending))


def solo_check(
    name: str, interleaved: list[float], solo: dict[str, Any], predecessors: list[str | None]
) -> dict[str, Any]:
    """Compare ``name``'s interleaved samples with its solo ones (see the module docstring)."""
    samples = [float(x) for x in solo["samples_s"]]
    d = median_difference(name, interleaved, f"{name} solo", samples)
    verdict = band_verdict(d.ratio, d.ratio_ci_low, d.ratio_ci_high, SOLO_BAND)
    solo_median = float(np.median(samples))
    by_before: dict[str, list[float]] = defaultdict(list)
    for before, x in zip(predecessors, interleaved, strict=True):
        if before is not None:
            by_before[before].append(x / solo_median)
    slowest = max(by_before.items(), key=lambda kv: float(np.median(kv[1])), default=None)
    return {
        "samples_s": samples,
        "median_s": solo_median,
        "ratio": d.ratio,
        "ratio_ci": [d.ratio_ci_low, d.ratio_ci_high],
        "verdict": verdict,
        "settle_s": float(solo["settle_s"]),
        "quiet": bool(solo["quiet"]),
        "minor_faults_per_call": solo.get("minor_faults_per_call"),
        "slowest_after": None
        if slowest is None
        else {"row": slowest[0], "ratio": float(np.median(slowest[1])), "n": len(slowest[1])},
    }


def run_verdict(cases: list[dict[str, Any]], threads: list[dict[str, Any]], census_enabled: bool) -> dict[str, Any]:
    """The run's interference summary from its cases' checks: ``clean`` or ``suspect`` with
    every reason, one line each."""
    reasons: list[str] = []
    for case in cases:
        label = f"{case['op']}/{case['variant']} {case['size']}"
        aa = case.get("aa")
        if aa and not aa["consistent"]:
            r = aa["ratio"]
            reasons.append(
                f"{label}: A/A pair {aa['row']} differs from its twin: "
                f"ratio {r['median']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]"
            )
        for row in case["rows"]:
            solo = row.get("solo")
            if solo and solo["verdict"] == "beyond":
                after = solo["slowest_after"]
                worst = f"; slowest after {after['row']} ({after['ratio']:.2f}× solo)" if after else ""
                beside = ", ".join(r["row"] for r in case["rows"] if r["row"] != row["row"])
                reasons.append(
                    f"{label}: {row['row']} interleaved/solo {solo['ratio']:.3f} "
                    f"[{solo['ratio_ci'][0]:.3f}, {solo['ratio_ci'][1]:.3f}] beside {beside}{worst}"
                )
            census = row.get("census")
            if census and census["left_running"]:
                reasons.append(
                    f"{label}: {row['row']} left work running: its threads "
                    f"({', '.join(census['threads_started']) or 'started earlier'}) ran "
                    f"{1e3 * census['cpu_in_other_batches_s']:.1f} ms during other rows' batches "
                    f"({100 * census['cpu_in_other_batches_share']:.1f} % of their time)"
                )
    process_cpu = sum(
        (row.get("census") or {}).get("background_cpu_s", {}).get(PROCESS, 0.0) for c in cases for row in c["rows"]
    )
    wall = sum((row.get("census") or {}).get("batch_wall_s", 0.0) for c in cases for row in c["rows"])
    process_share = process_cpu / wall if wall else 0.0
    if process_share > LEFT_RUNNING_SHARE:
        names = sorted({t["name"] for t in threads if t["owner"] == PROCESS and not t["timing"]})
        reasons.append(
            f"threads present before the run ({', '.join(names)}) ran {1e3 * process_cpu:.1f} ms during "
            f"batches ({100 * process_share:.1f} % of the timed time)"
        )
    counts = {
        "aa_pairs": sum(1 for c in cases if c.get("aa")),
        "aa_inconsistent": sum(1 for c in cases if c.get("aa") and not c["aa"]["consistent"]),
        "rows": sum(len(c["rows"]) for c in cases),
        "solo_beyond": sum(1 for c in cases for r in c["rows"] if (r.get("solo") or {}).get("verdict") == "beyond"),
        "solo_uncertain": sum(
            1 for c in cases for r in c["rows"] if (r.get("solo") or {}).get("verdict") == "uncertain"
        ),
        "left_running": sum(1 for c in cases for r in c["rows"] if (r.get("census") or {}).get("left_running")),
    }
    return {
        "verdict": "suspect" if reasons else "clean",
        "reasons": reasons,
        "counts": counts,
        "process_threads_share": process_share,
        "census": "per-thread CPU time from /proc/self/task" if census_enabled else "unavailable on this system",
        "threads": threads,
        "solo_band": SOLO_BAND,
        "left_running_share": LEFT_RUNNING_SHARE,
    }
