"""A comparison with its doubtful rows compared again: what ``audiobench compare`` and the gate run.

The first comparison measures every selected row. Enforced rows it does not pass — failed or
inconclusive — are compared again within the ``[remeasure]`` budget: fresh worker processes,
only those rows, a file of their own; :func:`audiobench.compare.judge.judge` takes each row's
verdict over the pairs of every file, so judging the same files again gives the same verdict.

Why failures too: a comparison's pairs share the minutes they ran in, and what the host did in
those minutes can move one build's rows by a percent or two together; Student's t over the
pairs of one file cannot see that, and on a gate of ~36 enforced rows a 1.5 % shift per file
fails unchanged code in ~40 % of runs (simulated in tests/test_compare.py). A failure that must
persist over a second, later comparison fails it in ~3 %, and a 10 % slowdown is still always
caught.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from audiobench.compare import judge, measure, run
from audiobench.documents import compare as comparefile
from audiobench.targets import Targets
from audiobench.verdict import Outcome


def doubtful_rows(path: Path, targets: Targets) -> list[tuple[str, str, str, str]]:
    """Enforced (op, variant, size, row) keys of one compare file that did not pass."""
    judged = judge.judge([comparefile.read(path)], targets.paired)
    return [j.key for j in judged if j.enforce and j.verdict.outcome is not Outcome.PASS]


def run_confirmed(
    repo: Path,
    base_ref: str,
    head_ref: str | None,
    settings: measure.Settings,
    targets: Targets,
    budget_s: float,
    *,
    out_dir: Path = comparefile.COMPARE_DIR,
    log: Callable[[str], None] = lambda line: None,
    on_round: Callable[[int, int], None] = lambda d, t: None,
) -> tuple[list[Path], list[str]]:
    """Compare, then re-compare the enforced rows that did not pass within ``budget_s`` seconds
    of measuring (0: no re-measurement). Returns the compare files written, first the whole
    comparison, and one note per re-measurement for the summary. Raises
    :class:`audiobench.compare.CompareError` as :func:`audiobench.compare.run` does.
    """
    doc, first = run(repo, base_ref, head_ref, settings, out_dir=out_dir, log=log, on_round=on_round)
    log(f"wrote {first} ({doc['duration_s']:.0f} s measuring)")
    files: list[Path] = [first]
    notes: list[str] = []
    doubtful = doubtful_rows(first, targets)
    if not doubtful or budget_s <= 0:
        return files, notes
    r = targets.remeasure
    again = dataclasses.replace(
        settings,
        ops=sorted({k[0] for k in doubtful}),
        tiers=sorted({k[3] for k in doubtful}),
        only=set(doubtful),
        min_rounds=r.min_rounds,
        max_rounds=r.max_rounds,
        time_budget_s=budget_s,
    )
    log(f"re-measuring {len(doubtful)} enforced row(s) that did not pass, in a comparison of their own")
    doc, second = run(
        repo, base_ref, head_ref, again, out_dir=out_dir, log=log, on_round=on_round, remeasure_of=doc["compare_id"]
    )
    log(f"wrote {second} ({doc['duration_s']:.0f} s measuring)")
    files.append(second)
    notes.append(
        f"re-measured {len(doubtful)} enforced row(s) that did not pass in {second.name} "
        f"({doc['duration_s']:.0f} s of a {budget_s:g} s budget); their verdicts are taken over both files"
    )
    return files, notes
