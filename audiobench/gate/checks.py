"""Turning a run (and a baseline run) into checks: which target applies to which case and row.

The verdicts themselves are in :mod:`audiobench.gate.verdict`; this module finds the numbers,
says what it skipped and why, and decides the gate's overall result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from audiobench import verdict
from audiobench.gate.inputs import InputError, Loaded, differences, machine, simd_path
from audiobench.targets import NORMALIZE_NONE, Targets, WallTime
from audiobench.verdict import Outcome, Verdict

KIND_ORDER = ("paired", "wall_time", "absolute", "speedup", "counter")
KIND_LABEL = {
    "absolute": "spec target",
    "speedup": "speed-up",
    "paired": "paired wall-time regression",
    "wall_time": "wall time against an earlier run",
    "counter": "counter regression",
}


@dataclass
class Check:
    """One judged (target, subject) pair."""

    kind: str
    name: str
    subject: str
    enforce: bool
    verdict: Verdict
    case: tuple[str, str, str] | None = None
    """(op, variant, size) of the runner case, for checks the runner can re-measure."""
    rows: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """Pass, fail or inconclusive, from the verdict."""
        return self.verdict.outcome

    def as_dict(self) -> dict[str, Any]:
        """The check as JSON-ready data."""
        return {
            "kind": self.kind,
            "name": self.name,
            "subject": self.subject,
            "enforce": self.enforce,
            **self.verdict.as_dict(),
            "notes": self.notes,
        }


@dataclass
class Skip:
    """Checks not evaluated, grouped by reason (counted, not listed one by one)."""

    kind: str
    why: str
    count: int = 1
    blocks_strict: bool = False
    """True where the gate was asked to compare and could not (``--strict`` fails on it)."""
    items: list[str] = field(default_factory=list)
    """Which targets, rows or tiers, when the reason is shared by several."""

    def as_dict(self) -> dict[str, Any]:
        """The skip as JSON-ready data."""
        return {
            "kind": self.kind,
            "why": self.why,
            "count": self.count,
            "blocks_strict": self.blocks_strict,
            "items": self.items,
        }


@dataclass
class Findings:
    checks: list[Check] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, kind: str, why: str, count: int = 1, blocks_strict: bool = False, items: Iterable[str] = ()) -> None:
        """Record ``count`` checks of ``kind`` not made, and why (``blocks_strict``: ``--strict`` fails on it)."""
        for s in self.skips:
            if (s.kind, s.why, s.blocks_strict) == (kind, why, blocks_strict):
                s.count += count
                s.items += [i for i in items if i not in s.items]
                return
        self.skips.append(Skip(kind, why, count, blocks_strict, list(dict.fromkeys(items))))

    def extend(self, other: Findings) -> None:
        """Add another set of findings to this one."""
        self.checks += other.checks
        for s in other.skips:
            self.skip(s.kind, s.why, s.count, s.blocks_strict, s.items)
        self.notes += other.notes


def case_key(case: dict[str, Any]) -> tuple[str, str, str]:
    """``(op, variant, size)`` of a run file's case."""
    return case["op"], case["variant"], case["size"]


def subject(case: dict[str, Any], row: str) -> str:
    """How a check names its case and row: ``op/variant size row``."""
    src = "" if case.get("source", "generated") == "generated" else f" [{case['source']}]"
    return f"{case['op']}/{case['variant']} {case['size']}{src} {row}"


def _rows(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["row"]: r for r in case["rows"]}


def _ratio(case: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    return next((r for r in case["ratios"] if r["a"] == a and r["b"] == b), None)


USER_AUDIO_SKIP = (
    "measured on a user's audio file: spec targets and minimum speed-ups are defined on the catalogue's "
    "inputs (stereo seeded signals), not on any file's channel count or content"
)


def _catalogue_cases(run: Loaded, out: Findings, kind: str) -> list[dict[str, Any]]:
    """The run's cases measured on the catalogue's own inputs; cases measured on a user's file
    (``audiobench run --audio``) are counted as skipped, with the file named."""
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for c in run.doc["cases"]:
        (mine if c.get("source", "generated") == "generated" else theirs).append(c)
    if theirs:
        sources = sorted({str(c["source"]) for c in theirs})
        out.skip(kind, USER_AUDIO_SKIP, count=len(theirs), items=sources)
    return mine


def absolute_checks(run: Loaded, targets: Targets) -> Findings:
    """The spec targets (targets.toml ``[[absolute]]``) on the run's CIs, in each target's unit."""
    out = Findings()
    cases = _catalogue_cases(run, out, "absolute")
    for t in targets.absolute:
        matched = [c for c in cases if t.where.matches(*case_key(c))]
        if not matched:
            out.skip("absolute", "no case of the operation in this run", items=[t.name])
            continue
        mine = len(out.checks)
        for case in matched:
            rows = _rows(case)
            for tier in t.tiers:
                row = rows.get(tier)
                if row is None:
                    out.skip("absolute", "row not measured in this run", items=[f"{t.name}: {tier}"])
                    continue
                if row["unit"] != t.unit:
                    raise InputError(
                        f"{targets.path}: {t.name}: unit {t.unit!r}, but {run.path} reports "
                        f"{row['unit']!r} for {subject(case, tier)}"
                    )
                lo, hi = row["unit_ci"]
                v = verdict.absolute(row["unit_median"], (lo, hi), t.limit, t.direction, t.unit)
                probe = rows.get(t.machine_limit) if t.machine_limit else None
                can, why = t.machine_can(
                    probe["unit_median"] if probe else None, tuple(probe["unit_ci"]) if probe else None
                )
                check = Check("absolute", t.name, subject(case, tier), t.enforce and can, v, case_key(case), (tier,))
                if why and t.enforce:
                    check.notes.append(why)
                out.checks.append(check)
        if t.machine_limit and t.enforce:
            judged = out.checks[mine:]
            out.notes.append(
                f"`{t.name}` follows the machine: enforced on {sum(c.enforce for c in judged)} of {len(judged)} "
                f"checks, those whose same-run {t.machine_limit} CI is below {t.machine_margin:g} × the target"
            )
    return out


def interference_notes(run: Loaded) -> list[str]:
    """The run's own interference verdict (``audiobench.run/2``), for the summary: a suspect run's
    numbers may carry what its rows did to each other."""
    found = run.doc.get("interference")
    if not isinstance(found, dict) or found.get("verdict") in (None, "clean"):
        return []
    reasons = found.get("reasons") or []
    head = f"the run's interference checks are {found['verdict']} ({len(reasons)} finding(s))"
    return [head + (": " + "; ".join(reasons[:3]) + (" …" if len(reasons) > 3 else "") if reasons else "")]


def speedup_checks(run: Loaded, targets: Targets) -> Findings:
    """The minimum speed-ups (targets.toml ``[[speedup]]``) on the run's paired ratios."""
    out = Findings()
    cases = _catalogue_cases(run, out, "speedup")
    for t in targets.speedup:
        matched = [c for c in cases if t.where.matches(*case_key(c))]
        if not matched:
            out.skip("speedup", "no matching case in this run", items=[t.name])
        for case in matched:
            r = _ratio(case, t.than, t.faster)  # than/faster per round: > 1 when `faster` is faster
            if r is None:
                if t.where.op is not None:
                    out.skip("speedup", "a row of the pair not measured in this run", items=[t.name])
                continue
            v = verdict.speedup(r["median"], (r["ci_low"], r["ci_high"]), t.minimum)
            name = subject(case, f"{t.faster} vs {t.than}")
            out.checks.append(Check("speedup", t.name, name, t.enforce, v, case_key(case), (t.faster, t.than)))
    return out


def comparable_machines(current: Loaded, baseline: Loaded) -> list[str]:
    """Why wall times of the two runs cannot be compared (empty if they can)."""
    return differences(machine(baseline.doc["environment"]), machine(current.doc["environment"]))


def _samples(case: dict[str, Any], row: str, normalize: str) -> list[float] | None:
    rows = _rows(case)
    if row not in rows:
        return None
    x: list[float] = rows[row]["samples_s"]
    if normalize == NORMALIZE_NONE:
        return list(x)
    if normalize not in rows:
        return None
    return [float(q) for q in verdict.normalized(x, rows[normalize]["samples_s"])]


def wall_time_checks(current: Loaded, baseline: Loaded | None, wt: WallTime) -> Findings:
    """Regressions against ``baseline``: Mann-Whitney and the CI of current/baseline
    (targets.toml ``[wall_time]``); skipped without a comparable baseline."""
    out = Findings()
    if baseline is None:
        out.skip("wall_time", "not evaluated: no baseline (no earlier run of this suite on this machine)")
        return out
    why = comparable_machines(current, baseline)
    if why:
        out.skip(
            "wall_time",
            f"refused: baseline {baseline.doc['run_id']} is from another machine ({'; '.join(why)})",
            blocks_strict=True,
        )
        return out
    paths = simd_path(baseline.doc["environment"]), simd_path(current.doc["environment"])
    if paths[0] != paths[1]:
        out.notes.append(
            f"SIMD path changed {paths[0]} → {paths[1]} on the same hardware capability: wall times are "
            "compared, since the path is the code's choice"
        )
    base_cases = {(*case_key(c), c.get("source", "generated")): c for c in baseline.doc["cases"]}
    for case in current.doc["cases"]:
        b = base_cases.get((*case_key(case), case.get("source", "generated")))
        if b is None:
            out.skip("wall_time", "case not in the baseline run", sum(t in _rows(case) for t in wt.tiers()))
            continue
        if b["input_checksum"] != case["input_checksum"]:
            msg = "different input bytes than the baseline (catalogue or seed changed)"
            out.skip("wall_time", msg, blocks_strict=True)
            continue
        for tier in wt.tiers():
            cur, base = _samples(case, tier, wt.normalize), _samples(b, tier, wt.normalize)
            if cur is None or base is None:
                if tier in _rows(case) or tier in _rows(b):
                    out.skip("wall_time", "row (or its reference row) missing from one of the runs", items=[tier])
                continue
            v = verdict.wall_time(base, cur, wt.min_effect_for(tier), wt.alpha)
            rows = (tier,) if wt.normalize == NORMALIZE_NONE else (tier, wt.normalize)
            enforce = tier in wt.enforce_tiers
            check = Check("wall_time", "wall-time", subject(case, tier), enforce, v, case_key(case), rows)
            if wt.normalize != NORMALIZE_NONE:
                check.notes.append(f"per-round time ÷ {wt.normalize} of the same round")
            out.checks.append(check)
    return out


def run_checks(current: Loaded, baseline: Loaded | None, targets: Targets, kinds: Iterable[str]) -> Findings:
    """Every check on the runner's numbers (everything but counters)."""
    out = Findings()
    out.notes += interference_notes(current)
    kinds = set(kinds)
    if "absolute" in kinds:
        out.extend(absolute_checks(current, targets))
    if "speedup" in kinds:
        out.extend(speedup_checks(current, targets))
    if "wall_time" in kinds:
        out.extend(wall_time_checks(current, baseline, targets.wall_time))
    return out


def ordered(checks: Iterable[Check]) -> list[Check]:
    """Checks in report order: failures, then inconclusive, then passes."""
    return sorted(checks, key=lambda c: KIND_ORDER.index(c.kind))


def enforced(checks: Iterable[Check], outcome: Outcome) -> Iterator[Check]:
    """The enforced checks with ``outcome``."""
    return (c for c in checks if c.enforce and c.outcome is outcome)


def overall(f: Findings, strict: bool) -> str:
    """``fail``, ``pass`` or ``pass-with-warnings`` (inconclusive or not comparable, not strict)."""
    failed = any(True for _ in enforced(f.checks, Outcome.FAIL))
    doubtful = any(True for _ in enforced(f.checks, Outcome.INCONCLUSIVE)) or any(s.blocks_strict for s in f.skips)
    if failed or (strict and doubtful):
        return "fail"
    return "pass-with-warnings" if doubtful else "pass"
