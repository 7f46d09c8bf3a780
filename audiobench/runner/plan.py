"""What a run measures: cases (operation, variant, size, input) and the rows of each case.

Sizes come from the catalogue: the suite's sizes for every tier, plus the ``pure`` sizes where
every tier also runs so ``python-pure`` is paired with the others at the same size. With
``--audio`` the user's file replaces the generated inputs of the audio operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiobench import user_audio
from audiobench.cases import AudioCase, Case, SamplesCase, build_case
from audiobench.catalogue import Catalogue, Size, SizeSet
from audiobench.limits import LIMITS
from audiobench.tiers import TIERS, Impl, Registry
from audiobench.user_audio import UserAudio

AUDIO_OPS = ("resample", "vad", "pipeline", "convert")
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
        return self.impl.allocation if self.impl else "preallocated"


@dataclass
class CasePlan:
    op: str
    variant: str
    size: Size
    case: Case
    rows: list[Row]
    source: str = "generated"
    """``generated`` (seeded signal) or the path of the user's audio file."""


def _user_size(case: AudioCase | SamplesCase) -> Size:
    if isinstance(case, AudioCase):
        return Size(kind="seconds", seconds=round(case.seconds, 6))
    return Size(kind="samples", samples=int(case.x.shape[0]))


def user_cases(user: UserAudio, op: str, variants: tuple[str, ...]) -> list[tuple[str, Case]]:
    """Cases built from the user's audio for one operation (one that accepts it: see
    :func:`audiobench.user_audio.refusal`). Every tier gets the file's own rate."""
    if op != "convert":
        return [(v, AudioCase(user.audio, user.sample_rate)) for v in variants]
    flat = np.ascontiguousarray(user.audio.reshape(-1))
    out: list[tuple[str, Case]] = []
    for v in variants:
        x = flat if v.startswith("f32") else np.clip(flat * np.float32(32768.0), -32768, 32767).astype(np.int16)
        x.setflags(write=False)
        out.append((v, SamplesCase(x)))
    return out


def _read_user_audio(path: Path) -> UserAudio:
    try:
        return user_audio.read(path)
    except user_audio.UserAudioError as e:
        raise PlanError(str(e)) from None


def _ops_for_user_audio(user: UserAudio, ops: list[str], named: bool, notes: list[str]) -> list[str]:
    """The operations that take the file. Operations the user named are refused, with every
    reason; from the default selection they are left out, with a note saying why."""
    reasons = {op: reason for op in ops if (reason := user_audio.refusal(user, op))}
    if reasons and (named or len(reasons) == len(ops)):
        takers = [op for op in AUDIO_OPS if user_audio.refusal(user, op) is None]
        hint = f"operations that take it: {', '.join(takers)}" if takers else "no operation takes it"
        raise PlanError(f"{user.path}: {'; '.join(reasons.values())} ({hint})")
    notes += [f"{user.path}: left out of this run: {reason}" for reason in reasons.values()]
    return [op for op in ops if op not in reasons]


def _rows(reg: Registry, op: str, variant: str, tiers: list[str], with_pure: bool) -> list[Row]:
    rows: list[Row] = []
    for impl in reg.entries(op=op, variant=variant, peers=True):
        if impl.tier not in tiers or (impl.tier == "python-pure" and not with_pure):
            continue
        rows.append(Row(impl.tier, "tier" if impl.matched else "peer", impl))
    rows += [Row(name, "limit") for name in LIMITS if name in tiers]
    return rows


def build_plan(
    cat: Catalogue,
    reg: Registry,
    suite: SizeSet,
    ops: list[str] | None = None,
    tiers: list[str] | None = None,
    audio: Path | None = None,
    notes: list[str] | None = None,
) -> list[CasePlan]:
    """The cases of a run. With ``audio``, operations that cannot take the file are refused if
    named in ``ops`` and left out of the default selection with a line appended to ``notes``."""
    known_rows = [*TIERS, *cat.peers, *LIMITS]
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
        skipped = [o for o in ops if o not in AUDIO_OPS]
        ops = [o for o in ops if o in AUDIO_OPS]
        if not ops:
            raise PlanError(f"--audio applies to {', '.join(AUDIO_OPS)}; none selected (got {', '.join(skipped)})")
        user = _read_user_audio(audio)
        if notes is not None:
            notes += user.notes
        ops = _ops_for_user_audio(user, ops, named, [] if notes is None else notes)
    plans: list[CasePlan] = []
    for name in ops:
        spec = cat.operation(name)
        if user is not None:
            for variant, case in user_cases(user, name, spec.variants):
                assert isinstance(case, AudioCase | SamplesCase)
                short = isinstance(case, AudioCase) and case.seconds <= PURE_MAX_USER_SECONDS
                rows = _rows(reg, name, variant, tiers, with_pure=short)
                plans.append(CasePlan(name, variant, _user_size(case), case, rows, source=str(user.path)))
            continue
        suite_sizes = spec.sizes_for(suite)
        pure_sizes = spec.sizes_for("pure")
        sizes = list(dict.fromkeys([*suite_sizes, *pure_sizes]))
        for variant in spec.variants:
            for size in sizes:
                rows = _rows(reg, name, variant, tiers, with_pure=size in pure_sizes)
                if not any(r.kind != "limit" for r in rows):
                    continue
                case = build_case(name, variant, size, cat.seed, spec.signal)
                plans.append(CasePlan(name, variant, size, case, rows))
    if not plans:
        raise PlanError("nothing to run: the selected operations and tiers share no case")
    return plans
