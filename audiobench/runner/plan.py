"""What a run measures: cases (operation, variant, size, input) and the rows of each case.

Sizes come from the catalogue: the suite's sizes for every tier, plus the ``pure`` sizes where
every tier also runs so ``python-pure`` is paired with the others at the same size. With
``--audio`` the user's file replaces the generated inputs of the audio operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiobench import signals
from audiobench.cases import AudioCase, Case, SamplesCase, build_case
from audiobench.catalogue import Catalogue, Size, SizeSet
from audiobench.limits import LIMITS
from audiobench.tiers import TIERS, Impl, Registry

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


def user_cases(path: Path, op: str, variants: tuple[str, ...]) -> list[tuple[str, Case]]:
    """Cases built from the user's audio file for one operation."""
    try:
        audio, rate = signals.load_wav(path)
    except Exception as e:  # soundfile raises its own error types
        raise PlanError(f"{path}: cannot read audio ({type(e).__name__}: {e})") from None
    if audio.shape[1] == 0:
        raise PlanError(f"{path}: the file holds no samples")
    if op in ("resample", "pipeline") and rate != signals.INPUT_RATE:
        raise PlanError(f"{path}: {op} is defined for 44100 Hz input, the file is {rate} Hz")
    if op != "convert":
        return [(v, AudioCase(audio, rate)) for v in variants]
    flat = np.ascontiguousarray(audio.reshape(-1))
    out: list[tuple[str, Case]] = []
    for v in variants:
        x = flat if v.startswith("f32") else np.clip(flat * np.float32(32768.0), -32768, 32767).astype(np.int16)
        x.setflags(write=False)
        out.append((v, SamplesCase(x)))
    return out


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
) -> list[CasePlan]:
    known_rows = [*TIERS, *cat.peers, *LIMITS]
    tiers = tiers or known_rows
    unknown = [t for t in tiers if t not in known_rows]
    if unknown:
        raise PlanError(f"unknown tier(s) {', '.join(unknown)} (known: {', '.join(known_rows)})")
    ops = ops or list(cat.operations)
    unknown = [o for o in ops if o not in cat.operations]
    if unknown:
        raise PlanError(f"unknown operation(s) {', '.join(unknown)} (known: {', '.join(cat.operations)})")
    if audio is not None:
        skipped = [o for o in ops if o not in AUDIO_OPS]
        ops = [o for o in ops if o in AUDIO_OPS]
        if not ops:
            raise PlanError(f"--audio applies to {', '.join(AUDIO_OPS)}; none selected (got {', '.join(skipped)})")
    plans: list[CasePlan] = []
    for name in ops:
        spec = cat.operation(name)
        if audio is not None:
            for variant, case in user_cases(audio, name, spec.variants):
                assert isinstance(case, AudioCase | SamplesCase)
                short = isinstance(case, AudioCase) and case.seconds <= PURE_MAX_USER_SECONDS
                rows = _rows(reg, name, variant, tiers, with_pure=short)
                plans.append(CasePlan(name, variant, _user_size(case), case, rows, source=str(audio)))
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
