"""The gate's wall-time judgement: a paired comparison of the baseline build and this one.

``--baseline-ref REF`` measures REF and the working tree in the same rounds
(:func:`audiobench.compare.run`); enforced rows left inconclusive are compared again — fresh
worker processes, only those rows, a file of its own — within the ``[remeasure]`` budget, and
the verdict is taken over the rounds of both files. ``--compare FILE`` (repeatable) judges
stored compare files without measuring, so a verdict can be reproduced from the files it named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from audiobench.compare import CompareError, judge
from audiobench.compare import run as compare_run
from audiobench.compare.cli import settings_for
from audiobench.documents import compare as comparefile
from audiobench.gate.checks import Check, Findings
from audiobench.gate.inputs import InputError
from audiobench.targets import Targets
from audiobench.verdict import Outcome


def read(paths: list[Path]) -> list[comparefile.CompareDocument]:
    """The compare files named (``InputError`` naming a file that is missing or malformed)."""
    docs = []
    for p in paths:
        try:
            docs.append(comparefile.read(p))
        except comparefile.CompareFileError as e:
            raise InputError(str(e)) from None
    return docs


def checks(docs: list[comparefile.CompareDocument], targets: Targets) -> Findings:
    """One ``paired`` check per (case, row) of the compared tiers, judged over every file."""
    out = Findings()
    try:
        judged = judge.judge(docs, targets.paired)
    except judge.JudgeError as e:
        raise InputError(str(e)) from None
    for j in judged:
        check = Check("paired", "paired", j.subject, j.enforce, j.verdict, j.case, (j.key[3],))
        check.notes += j.notes
        if j.files > 1:
            check.notes.append(f"over {j.files} compare files ({j.rounds} rounds)")
        out.checks.append(check)
    for d in docs:
        out.notes += [f"{d.compare_id}: {flag}" for flag in judge.interference_flags(d)]
        if d.skipped:
            out.skip("paired", f"not compared in {d.compare_id}", count=len(d.skipped), items=d.skipped)
    return out


def measure(
    repo: Path,
    ref: str,
    targets: Targets,
    out_dir: Path,
    budget_s: float,
    log: Callable[[str], None],
) -> tuple[list[Path], list[str]]:
    """Compare ``ref`` with the working tree; re-compare enforced inconclusive rows within
    ``budget_s``. Returns the compare files written and notes for the summary."""
    from audiobench.catalogue import load as load_catalogue

    ops = list(load_catalogue(None).operations)
    s = settings_for(targets.paired, "quick", ops, list(targets.paired.tiers()))
    try:
        _, first = compare_run(repo, ref, None, s, out_dir=out_dir, log=log)
    except CompareError as e:
        raise InputError(f"--baseline-ref {ref}: {e}") from None
    files = [first]
    notes: list[str] = []
    doubtful = [
        j.key
        for j in judge.judge(read(files), targets.paired)
        if j.enforce and j.verdict.outcome is Outcome.INCONCLUSIVE
    ]
    if doubtful and budget_s > 0:
        r = targets.remeasure
        again = dataclasses.replace(
            s,
            ops=sorted({k[0] for k in doubtful}),
            tiers=sorted({k[3] for k in doubtful}),
            only=set(doubtful),
            min_rounds=r.min_rounds,
            max_rounds=r.max_rounds,
            time_budget_s=budget_s,
        )
        log(f"re-measuring {len(doubtful)} inconclusive row(s) in a comparison of their own")
        try:
            doc, second = compare_run(repo, ref, None, again, out_dir=out_dir, log=log)
        except CompareError as e:
            raise InputError(f"--baseline-ref {ref}: re-measuring: {e}") from None
        files.append(second)
        notes.append(
            f"re-measured {len(doubtful)} inconclusive row(s) in {second.name} ({doc['duration_s']:.0f} s of a "
            f"{budget_s:g} s budget); their verdicts are taken over both files"
        )
    return files, notes
