"""Compare files (``reports/data/compare/*.json``) and the gate trials' summary
(``reports/data/gate-trials.json``) → rows.

A comparison (a compare file and the files re-measuring its doubtful rows) gives, per (case,
row), the paired ratio HEAD/BASE (median of the per-round ratios of each process pair, their
geometric mean with Student's t CI over the pairs: the same numbers the gate judges) and both
builds' median seconds per call (``side`` base / head). The trials' summary
gives, per kind of trial and tool, how many trials ran, detected the injected regression and
failed falsely (metric ``gate_trials``).
"""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Any

from audiobench.collect.common import (
    Collected,
    CollectError,
    Row,
    checked_numbers,
    iso_from_text,
    load_json,
    reading,
    result_files,
)
from audiobench.documents import compare as comparefile
from audiobench.stats import paired_estimate

SOURCE = "compare"
TRIALS_SOURCE = "gate-trials"
TRIALS_FILE = "gate-trials.json"


def _read(path: Path) -> comparefile.CompareDocument:
    try:
        return comparefile.read(path)
    except comparefile.CompareFileError as e:
        raise CollectError(str(e)) from None


Comparison = list[tuple[Path, comparefile.CompareDocument]]
"""One comparison's files, each read once: the whole comparison first, then its re-measurements."""


def comparisons(files: list[Path]) -> list[Comparison]:
    """Compare files grouped by comparison: a whole comparison first, then the files that
    re-measured its doubtful rows (``settings.remeasure_of``); a re-measurement whose whole
    comparison is not among ``files`` stands alone."""
    docs = {p: _read(p) for p in files}
    ids = {d.compare_id for d in docs.values()}
    groups: dict[str, Comparison] = {}
    for p, d in docs.items():
        of = d.settings.get("remeasure_of")
        groups.setdefault(of if of in ids else d.compare_id, []).append((p, d))
    return [sorted(g, key=lambda pd: pd[1].settings.get("remeasure_of") is not None) for g in groups.values()]


def rows_of(comparison: Comparison) -> tuple[list[Row], list[str]]:
    """The rows of one comparison (its file and its re-measurements): per (case, row) the
    paired ratio over the pairs of every file (what the gate judges) and both builds' median
    seconds per call over every round."""
    paths, docs = [p for p, _ in comparison], [d for _, d in comparison]
    first = docs[0]
    common: dict[str, Any] = {
        "source": SOURCE,
        "run_id": first.compare_id,
        "commit": first.head.commit,
        "timestamp": iso_from_text(first.created),
        "reference": f"BASE {first.base.commit[:12]}",
    }
    # The level the comparison was made to be judged at (targets.toml [regression.paired]).
    confidence = float(first.settings.get("confidence", comparefile.CONFIDENCE))
    by_key: dict[tuple[str, str, str, str], list[comparefile.Item]] = {}
    for d in docs:
        for it in d.items:
            by_key.setdefault(it.key, []).append(it)
    rows: list[Row] = []
    for items in by_key.values():
        it = items[0]
        ids = {"operation": it.op, "variant": it.variant, "size": it.size, "tier": it.row}
        groups = [g for x in items for g in x.ratio_groups()]
        ratio, lo, hi = paired_estimate(groups, confidence)
        rows.append(
            {
                **common,
                **ids,
                "metric": "paired_ratio",
                "statistic": "geomean_of_pair_medians",
                "value": ratio,
                "unit": "ratio",
                "ci_low": lo,
                "ci_high": hi,
                "confidence": confidence,
                "n": sum(len(g) for g in groups),
                "input_checksum": it.input_checksum,
            }
        )
        rounds = [r for x in items for r in x.rounds]
        for side in ("base", "head"):
            times = [r.base_s if side == "base" else r.head_s for r in rounds]
            rows.append(
                {
                    **common,
                    **ids,
                    "metric": "time",
                    "statistic": "median",
                    "value": median(times),
                    "unit": "s",
                    "n": len(times),
                    "side": side,
                    "input_checksum": it.input_checksum,
                }
            )
    notes = [f"{paths[0].name}: HEAD is a working tree with uncommitted changes"] if first.head.dirty else []
    return rows, notes


def context_of(comparison: Comparison) -> dict[str, Any]:
    """What the report says about how a comparison was made (not measurements)."""
    paths, docs = [p for p, _ in comparison], [d for _, d in comparison]
    doc = docs[0]
    return {
        "compare_id": doc.compare_id,
        "files": [p.name for p in paths],
        "base": {"ref": doc.base.ref, "commit": doc.base.commit},
        "head": {"ref": doc.head.ref, "commit": doc.head.commit, "dirty": doc.head.dirty},
        "suite": doc.suite,
        "confidence": doc.settings.get("confidence", comparefile.CONFIDENCE),
        "rounds_per_pair": [n for d in docs for n in d.settings.get("rounds_per_pair") or []],
        "idle": doc.interference.get("idle"),
        "steal_fraction": doc.interference.get("steal_fraction"),
        "skipped": doc.skipped,
    }


def collect(directory: Path) -> Collected:
    """Every comparison in ``directory``; the newest one's settings as context."""
    out = Collected(SOURCE, f"no compare files in {directory}; run `audiobench compare main` (or any ref)")
    groups = comparisons(result_files(directory))
    for comparison in groups:
        r, notes = rows_of(comparison)
        out.rows += checked_numbers(comparison[0][0], r)
        out.notes += notes
        out.files += len(comparison)
    out.note_unfinished_writes(directory)
    if groups:
        out.context = context_of(max(groups, key=lambda g: g[0][0].name))
    return out


def trials_rows(path: Path) -> tuple[list[Row], list[str]]:
    """The gate trials' summary → ``gate_trials`` rows (variant: the kind; tier: the tool)."""
    doc = load_json(path)
    rows: list[Row] = []
    with reading(path):
        if doc.get("schema") != "audiobench.gate-trials/1":
            raise CollectError(f"{path}: schema {doc.get('schema')!r}, expected 'audiobench.gate-trials/1'")
        for kind in doc["kinds"]:
            for tool, s in kind["summary"].items():
                stats = ("trials", "detected", "false_failures", "trials_failed", "interference_flagged")
                for stat in (*stats, "median_ratio_kernel_rows"):
                    if s.get(stat) is None:
                        continue
                    rows.append(
                        {
                            "operation": "convert",
                            "variant": kind["kind"],
                            "tier": tool,
                            "size": None,
                            "source": TRIALS_SOURCE,
                            "metric": "gate_trials",
                            "statistic": stat,
                            "value": float(s[stat]),
                            "unit": "ratio" if stat.startswith("median") else "count",
                            "run_id": str(doc["created"]),
                            "commit": kind["base"],
                            "reference": kind.get("patch", "A/A: the same commit built twice"),
                        }
                    )
    return rows, []


def collect_trials(data_dir: Path) -> Collected:
    """``<data_dir>/gate-trials.json`` if it exists."""
    out = Collected(TRIALS_SOURCE, "no gate trials; run `make gate-trials` (about an hour)")
    path = data_dir / TRIALS_FILE
    if path.is_file():
        out.add_files([path], trials_rows)
    return out
