"""What a run measures: cases (operation, variant, size, input) and the rows of each case.

Sizes come from the catalogue: the suite's sizes for every tier, plus the ``pure`` sizes where
every tier also runs so ``python-pure`` is paired with the others at the same size. With
``--audio`` the user's file replaces the generated inputs of the audio operations.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from audiobench import operations, user_audio
from audiobench.cases import AudioCase, Case, SamplesCase
from audiobench.catalogue import Catalogue, Size, SizeSet
from audiobench.limits import LIMITS, limits_for
from audiobench.tiers import Impl, Registry
from audiobench.user_audio import UserAudio

PURE_MAX_USER_SECONDS = 2.0


class PlanError(ValueError):
    """The requested run cannot be planned (unknown names, unusable audio file, ...)."""


@dataclass
class Row:
    """One timed row of a case: a tier, a peer, or a limit probe."""

    name: str
    kind: str  # "tier" | "peer" | "limit"
    impl: Impl | None = None

    @property
    def allocation(self) -> str:
        """``preallocated`` or ``allocating`` (limit probes write into a preallocated buffer)."""
        return self.impl.allocation if self.impl else "preallocated"


@dataclass
class CasePlan:
    op: str
    variant: str
    size: Size
    case: Case
    rows: list[Row]
    unit: str
    """The operation's user-facing unit (the catalogue's)."""
    cold_variant: str
    """The variant whose first call in a fresh interpreter the run measures."""
    source: str = "generated"
    """``generated`` (seeded signal) or the path of the user's audio file."""


def _user_size(case: AudioCase | SamplesCase) -> Size:
    if isinstance(case, AudioCase):
        return Size(kind="seconds", seconds=round(case.seconds, 6))
    return Size(kind="samples", samples=int(case.x.shape[0]))


def _read_user_audio(path: Path) -> UserAudio:
    try:
        return user_audio.read(path)
    except user_audio.UserAudioError as e:
        raise PlanError(str(e)) from None


def _ops_for_user_audio(user: UserAudio, ops: list[str], named: bool, notes: list[str]) -> list[str]:
    """The operations that take the file. Operations the user named are refused, with every
    reason; from the default selection they are left out, with a note saying why."""
    reasons = {op: reason for op in ops if (reason := operations.spec(op).user_refusal(user))}
    if reasons and (named or len(reasons) == len(ops)):
        takers = [o.name for o in operations.specs() if o.takes_user_audio and o.user_refusal(user) is None]
        hint = f"operations that take it: {', '.join(takers)}" if takers else "no operation takes it"
        raise PlanError(f"{user.path}: {'; '.join(reasons.values())} ({hint})")
    notes += [f"{user.path}: left out of this run: {reason}" for reason in reasons.values()]
    return [op for op in ops if op not in reasons]


def _rows(reg: Registry, cat: Catalogue, op: str, variant: str, tiers: list[str], with_own: bool) -> list[Row]:
    """The rows of one case; a tier with a size set of its own (python-pure) only where
    ``with_own`` (the case's size is in that set)."""
    rows: list[Row] = []
    for impl in reg.entries(op=op, variant=variant, peers=True):
        tier = cat.tier_specs.get(impl.tier)
        if impl.tier not in tiers or (tier is not None and tier.sizes is not None and not with_own):
            continue
        rows.append(Row(impl.tier, "tier" if impl.matched else "peer", impl))
    rows += [Row(name, "limit") for name in limits_for(operations.spec(op, cat).memory_bound) if name in tiers]
    return rows


def build_plan(
    cat: Catalogue,
    reg: Registry,
    suite: SizeSet,
    ops: list[str] | None = None,
    tiers: list[str] | None = None,
    audio: Path | None = None,
    notes: list[str] | None = None,
    bench: re.Pattern[str] | None = None,
) -> list[CasePlan]:
    """The cases of a run. With ``audio``, operations that cannot take the file are refused if
    named in ``ops`` and left out of the default selection with a line appended to ``notes``.
    ``bench`` (``-k``) keeps the tiers and peers whose ``op/variant size tier`` it matches
    (:meth:`re.Pattern.search`), each case with its limit probes. Raises :class:`PlanError` on
    unknown names, an unusable file, or a selection that leaves nothing to run."""
    # The catalogue's tiers and peers, then any a plugin brought (audiobench.tiers.plugins).
    brought = [i.tier for i in reg.entries(peers=True) if i.tier not in cat.tier_specs]
    known_rows = [*cat.tiers, *cat.peers, *dict.fromkeys(brought), *LIMITS]
    tiers = tiers or known_rows
    unknown = [t for t in tiers if t not in known_rows]
    if unknown:
        raise PlanError(f"unknown tier(s) {', '.join(unknown)} (known: {', '.join(known_rows)})")
    named = ops is not None
    ops = ops or list(cat.operations)
    unknown = [o for o in ops if o not in cat.operations]
    if unknown:
        raise PlanError(f"unknown operation(s) {', '.join(unknown)} (known: {', '.join(cat.operations)})")
    user: UserAudio | None = None
    if audio is not None:
        takers = [o for o in cat.operations if operations.spec(o, cat).takes_user_audio]
        skipped = [o for o in ops if o not in takers]
        ops = [o for o in ops if o in takers]
        if not ops:
            raise PlanError(f"--audio applies to {', '.join(takers)}; none selected (got {', '.join(skipped)})")
        user = _read_user_audio(audio)
        if notes is not None:
            notes += user.notes
            if skipped:
                notes.append(f"{audio}: {', '.join(skipped)} left out: only {', '.join(takers)} take an audio file")
        ops = _ops_for_user_audio(user, ops, named, [] if notes is None else notes)
    plans: list[CasePlan] = []
    pure_left: list[str] = []  # operations whose python-pure row a file run leaves out
    for name in ops:
        spec = cat.operation(name)
        op = operations.spec(name, cat)
        facts = {"unit": spec.unit, "cold_variant": op.cold_variant or spec.variants[0]}
        if user is not None:
            for variant, case in op.user_cases(user, spec.variants):
                assert isinstance(case, AudioCase | SamplesCase)
                short = isinstance(case, AudioCase) and case.seconds <= PURE_MAX_USER_SECONDS
                if not short and "python-pure" in tiers and name not in pure_left:
                    pure_left.append(name)
                rows = _rows(reg, cat, name, variant, tiers, with_own=short)
                plans.append(CasePlan(name, variant, _user_size(case), case, rows, **facts, source=str(user.path)))
            continue
        suite_sizes = spec.sizes_for(suite)
        pure_sizes = spec.sizes_for("pure")
        sizes = list(dict.fromkeys([*suite_sizes, *pure_sizes]))
        for variant in spec.variants:
            for size in sizes:
                rows = _rows(reg, cat, name, variant, tiers, with_own=size in pure_sizes)
                if not any(r.kind != "limit" for r in rows):
                    continue
                case = op.build_case(variant, size, cat.seed, spec.signal)
                plans.append(CasePlan(name, variant, size, case, rows, **facts))
    if pure_left and notes is not None:
        notes.append(
            f"{audio}: python-pure left out of {', '.join(pure_left)} (on a file it runs only the audio operations "
            f"of files of at most {PURE_MAX_USER_SECONDS:g} s: its plain Python loops would take minutes per call)"
        )
    if not plans:
        raise PlanError("nothing to run: the selected operations and tiers share no case")
    if bench is not None:
        plans = _matching(plans, bench)
    return plans


def _matching(plans: list[CasePlan], bench: re.Pattern[str]) -> list[CasePlan]:
    kept = []
    for plan in plans:
        name = f"{plan.op}/{plan.variant} {plan.size.label}"
        rows = [r for r in plan.rows if r.kind == "limit" or bench.search(f"{name} {r.name}")]
        if any(r.kind != "limit" for r in rows):
            kept.append(dataclasses.replace(plan, rows=rows))
    if not kept:
        raise PlanError(
            f"-k {bench.pattern!r} matches nothing selected (names read like 'convert/f32_i16 1M rust-direct'; "
            "`audiobench list` shows operations, variants and tiers)"
        )
    return kept
