"""Compare files (``reports/data/compare/*.json``) and the gate trials' summary
(``reports/data/gate-trials.json``) → rows.

A compare file gives, per (case, row), the paired ratio HEAD/BASE (median of the per-round
ratios of each process pair, their geometric mean with Student's t CI over the pairs: the same
numbers the gate judges) and both builds' median seconds per call (``side`` base / head). The trials' summary
gives, per kind of trial and tool, how many trials ran, detected the injected regression and
failed falsely (metric ``gate_trials``).
"""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Any

from audiobench.collect.common import Collected, CollectError, Row, iso_from_text, load_json, reading, result_files
from audiobench.documents import compare as comparefile
from audiobench.stats import paired_estimate

SOURCE = "compare"
TRIALS_SOURCE = "gate-trials"
TRIALS_FILE = "gate-trials.json"


def rows_of(path: Path) -> tuple[list[Row], list[str]]:
    """The rows of one compare file, and a note when HEAD was a working tree with changes."""
    try:
        doc = comparefile.read(path)
    except comparefile.CompareFileError as e:
        raise CollectError(str(e)) from None
    common: dict[str, Any] = {
        "source": SOURCE,
        "run_id": doc.compare_id,
        "commit": doc.head.commit,
        "timestamp": iso_from_text(doc.created),
        "reference": f"BASE {doc.base.commit[:12]}",
    }
    rows: list[Row] = []
    # The level the comparison was made to be judged at (targets.toml [regression.paired]).
    confidence = float(doc.settings.get("confidence", comparefile.CONFIDENCE))
    for it in doc.items:
        ids = {"operation": it.op, "variant": it.variant, "size": it.size, "tier": it.row}
        groups = it.ratio_groups()
        every = [x for g in groups for x in g]
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
                "n": len(every),
                "input_checksum": it.input_checksum,
            }
        )
        for side in ("base", "head"):
            times = [r.base_s if side == "base" else r.head_s for r in it.rounds]
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
    notes = [f"{path.name}: HEAD is a working tree with uncommitted changes"] if doc.head.dirty else []
    return rows, notes


def context_of(path: Path) -> dict[str, Any]:
    """What the report says about how the newest comparison was made (not measurements)."""
    doc = comparefile.read(path)
    return {
        "compare_id": doc.compare_id,
        "base": {"ref": doc.base.ref, "commit": doc.base.commit},
        "head": {"ref": doc.head.ref, "commit": doc.head.commit, "dirty": doc.head.dirty},
        "suite": doc.suite,
        "rounds_per_pair": doc.settings.get("rounds_per_pair"),
        "idle": doc.interference.get("idle"),
        "steal_fraction": doc.interference.get("steal_fraction"),
        "skipped": doc.skipped,
    }


def collect(directory: Path) -> Collected:
    """Every compare file in ``directory``; the newest one's settings as context."""
    out = Collected(SOURCE, f"no compare files in {directory}; run `audiobench compare main` (or any ref)")
    files = result_files(directory)
    out.add_files(files, rows_of)
    out.note_unfinished_writes(directory)
    newest = comparefile.newest(directory)
    if newest is not None:
        out.context = context_of(newest)
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
                for stat in ("trials", "detected", "false_failures", "trials_failed", "median_ratio_kernel_rows"):
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
