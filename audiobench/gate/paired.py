"""The gate's wall-time judgement: a paired comparison of the baseline build and this one.

``--baseline-ref REF`` measures REF and the working tree in the same rounds
(:func:`audiobench.compare.confirm.run_confirmed`); enforced rows it does not pass are compared
again — fresh worker processes, only those rows, a file of their own — within the
``[remeasure]`` budget, and the verdict is taken over both files. ``--compare FILE`` (repeatable) judges
stored compare files without measuring, so a verdict can be reproduced from the files it named.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from audiobench.compare import CompareError, judge
from audiobench.compare.cli import settings_for
from audiobench.compare.confirm import run_confirmed
from audiobench.documents import compare as comparefile
from audiobench.gate.checks import Check, Findings
from audiobench.gate.inputs import InputError
from audiobench.targets import Targets


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
    """Compare ``ref`` with the working tree on the quick suite, re-comparing enforced rows that
    did not pass within ``budget_s`` (:func:`audiobench.compare.confirm.run_confirmed`). Returns
    the compare files written and notes for the summary; ``InputError`` when a comparison fails."""
    from audiobench.catalogue import load as load_catalogue

    ops = list(load_catalogue(None).operations)
    s = settings_for(targets.paired, "quick", ops, list(targets.paired.tiers()))
    try:
        return run_confirmed(repo, ref, None, s, targets, budget_s, out_dir=out_dir, log=log)
    except CompareError as e:
        raise InputError(f"--baseline-ref {ref}: {e}") from None
