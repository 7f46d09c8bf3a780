"""Verdicts on compare files: per (case, row), the paired ratio HEAD/BASE against the threshold.

Several files may be judged together — a comparison and the re-measurement of the rows it did
not pass (:mod:`.confirm`) — when they compare the same two commits: each file's process pairs
are observations of their own, so the verdict is a function of the files named and nothing else.
A failure in the first file is therefore not final when the row was re-measured: it must
persist over the pairs of both files (:mod:`.confirm` says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from audiobench.documents.compare import CompareDocument, Item
from audiobench.targets import Paired
from audiobench.verdict import Outcome, Verdict, paired_regression

IDLE_CPU_MAX = 0.02
"""A waiting worker may use at most 2 % of a core (its pipe read, the allocator's trim): more
means a row left threads running that compete with the other build's batch."""


class JudgeError(ValueError):
    """The files cannot be judged together (other commits, no common item)."""


@dataclass
class Judged:
    """One (case, row) judged over every file that has it."""

    key: tuple[str, str, str, str]
    subject: str
    enforce: bool
    verdict: Verdict
    base_median_s: float
    head_median_s: float
    rounds: int
    files: int
    notes: list[str] = field(default_factory=list)

    @property
    def case(self) -> tuple[str, str, str]:
        """(op, variant, size)."""
        return self.key[:3]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "subject": self.subject,
            "enforce": self.enforce,
            **self.verdict.as_dict(),
            "base_median_s": self.base_median_s,
            "head_median_s": self.head_median_s,
            "rounds": self.rounds,
            "files": self.files,
            "notes": self.notes,
        }


def same_comparison(docs: list[CompareDocument]) -> None:
    """Raise :class:`JudgeError` unless every file compares the same two builds."""
    first = docs[0]
    for d in docs[1:]:
        for side in ("base", "head"):
            a, b = getattr(first, side), getattr(d, side)
            if (a.commit, a.dirty) != (b.commit, b.dirty):
                raise JudgeError(
                    f"{d.compare_id}: {side.upper()} is {b.commit[:12]}{' (dirty)' if b.dirty else ''}, "
                    f"{first.compare_id} has {a.commit[:12]}{' (dirty)' if a.dirty else ''}: not one comparison"
                )


def judge(docs: list[CompareDocument], paired: Paired) -> list[Judged]:
    """Every (case, row) of the compared tiers, in the first file's order."""
    if not docs:
        raise JudgeError("no compare file to judge")
    same_comparison(docs)
    by_key: dict[tuple[str, str, str, str], list[Item]] = {}
    for d in docs:
        for it in d.items:
            by_key.setdefault(it.key, []).append(it)
    out = []
    for key, items in by_key.items():
        row = key[3]
        if row not in paired.tiers():
            continue
        groups = [g for it in items for g in it.ratio_groups()]
        rounds = [r for it in items for r in it.rounds]
        v = paired_regression(groups, paired.decide_at, paired.threshold, paired.confidence)
        j = Judged(
            key,
            items[0].subject,
            row in paired.enforce_tiers,
            v,
            median([r.base_s for r in rounds]),
            median([r.head_s for r in rounds]),
            len(rounds),
            len(items),
        )
        if not all(it.same_output for it in items):
            j.notes.append("HEAD's output differs from BASE's")
        if any(it.parity.get("head") is False for it in items):
            j.notes.append("HEAD fails parity")
        out.append(j)
    return out


def interference_flags(doc: CompareDocument) -> list[str]:
    """What in the file's own interference record says a number may not be trusted."""
    flags = []
    idle = doc.interference.get("idle", {})
    for side, v in idle.items():
        wall = float(v.get("wall_s", 0.0))
        if wall > 0 and float(v.get("cpu_s", 0.0)) / wall > IDLE_CPU_MAX:
            flags.append(
                f"the {side.upper()} worker used {100 * float(v['cpu_s']) / wall:.1f} % of a core while waiting "
                f"(limit {IDLE_CPU_MAX:.0%}): a row leaves threads running"
            )
    return flags


def overall(judged: list[Judged], strict: bool = False) -> str:
    """``fail`` if an enforced item failed; ``pass-with-warnings`` if one is inconclusive (``fail``
    with ``strict``); else ``pass``."""
    enforced = [j for j in judged if j.enforce]
    if any(j.verdict.outcome is Outcome.FAIL for j in enforced):
        return "fail"
    if any(j.verdict.outcome is Outcome.INCONCLUSIVE for j in enforced):
        return "fail" if strict else "pass-with-warnings"
    return "pass"
