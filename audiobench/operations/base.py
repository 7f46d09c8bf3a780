"""The operation as one object: everything audiobench knows of an operation, in one place.

A subclass of :class:`Operation` per operation, one module each (``audiobench/operations/<name>.py``,
or the module its catalogue entry names with ``spec = "..."``): how to build its input from the
catalogue's seed, how to turn any tier's return value into one output type, what parity means,
every tier's registry entries, and how the stage profiler sees its calls. Everything that
iterates over operations — CLI choices, the registry's order, the runner, the smoke pass, the
profiler, the report's sections, the tests — asks the catalogue for the names and this object for
the rest, so adding an operation touches its kernel, its binding, its baselines, its catalogue
entry and its spec.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from audiobench.cases import AudioCase, Case, SamplesCase
from audiobench.catalogue import Size, load
from audiobench.parity import Verdict
from audiobench.staging import Boundary, Staged
from audiobench.tiers.registry import Impl
from audiobench.user_audio import UserAudio

ArraySpec = tuple[tuple[int, ...], Any]
"""An output array: (shape, numpy dtype)."""


class Operation:
    """One operation's spec. Subclasses set :attr:`name` and override what differs.

    The defaults describe an operation over generated inputs whose ``python`` tier gives the
    reference output: parity compares every tier's normalized output with it (:meth:`check`).
    """

    name: ClassVar[str] = ""
    takes_user_audio: ClassVar[bool] = False
    """Whether ``audiobench run --audio FILE`` can feed the user's file to it."""
    cold_variant: ClassVar[str | None] = None
    """The variant whose first call in a fresh interpreter the runner measures (None: the first)."""
    report_metrics: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Parity metrics shown beside time in the report's section: (metric, column header)."""
    memory_bound: ClassVar[bool] = False
    """Whether one pass over the input bytes bounds it, so the same run's read / memcpy limit
    probes are its yardstick (conversion, VAD's energy sum); elsewhere % of a limit means nothing
    and is not shown."""

    # --- inputs and outputs ---------------------------------------------------------------

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        """The input every tier of ``variant`` at ``size`` receives (deterministic in ``seed``)."""
        raise NotImplementedError(f"{self.name}: no case builder")

    def normalize(self, variant: str, raw: Any) -> Any:
        """Any tier's raw return value as the operation's output type."""
        raise NotImplementedError(f"{self.name}: no output normalisation")

    def kernel_params(self, variant: str) -> dict[str, float | int | str | bool]:
        """The parameters of the operation's Rust sample kernel (``audiobench._rust.Kernel``), for
        the bindings and, through the exported inputs' manifest, criterion and the native profiler."""
        return {}

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        """The arrays one call produces (a preallocating tier's buffers; the boundary's outputs)."""
        return []

    # --- parity ---------------------------------------------------------------------------

    def reference(self, variant: str, case: Case) -> tuple[str, str] | None:
        """``(operation, variant)`` of the ``python``-tier call whose normalized output is this
        case's reference, or None where the case carries its own truth."""
        return (self.name, variant)

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> Verdict:
        """Does ``out`` (normalized) match ``ref`` (the reference's normalized output)?"""
        raise NotImplementedError(f"{self.name}: no parity rule")

    def quality_case(self, case: Case, seed: int) -> Case | None:
        """A second input on which the smoke pass also judges quality (None: no second check)."""
        return None

    def check_quality(self, tier: str, out: Any, case: Case) -> Verdict:
        """Judge ``out`` (normalized, from :meth:`quality_case`'s input ``case``)."""
        raise NotImplementedError(f"{self.name}: no quality check")

    # --- tiers ----------------------------------------------------------------------------

    def impls(self) -> list[Impl]:
        """Every tier's (and peer's) registry entry of this operation. Imports of tier libraries
        belong inside the entries' ``prepare`` so that reading a spec loads no audio library."""
        return []

    # --- user audio -----------------------------------------------------------------------

    def user_refusal(self, user: UserAudio) -> str | None:
        """Why this operation cannot take the user's file (without its path), or None."""
        return None if self.takes_user_audio else f"{self.name} does not take audio files"

    def user_cases(self, user: UserAudio, variants: tuple[str, ...]) -> list[tuple[str, Case]]:
        """Cases built from the user's file, one per variant (every tier gets the file's rate)."""
        return [(v, AudioCase(user.audio, user.sample_rate)) for v in variants]

    # --- profiling ------------------------------------------------------------------------

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        """A Python tier's call as timed steps (None: the profiler shows its end-to-end time only)."""
        return None

    def boundary(self, variant: str, tier: str, case: Case) -> Boundary | None:
        """What ``tier``'s registry call does at the PyO3 boundary (None: not a Rust tier).

        The default mirrors the binding's shapes: ``rust-direct`` borrows the inputs and writes
        into :meth:`outputs` it is given; ``rust-fast`` and ``rust-json`` borrow the inputs and
        return :meth:`outputs` as new arrays (the fast tier releases the GIL twice: to copy the
        input into an ``Arc``, then to run).
        """
        if tier not in load().tiers_in("rust"):
            return None
        inputs = input_arrays(case)
        if inputs is None:
            return None
        outs = self.outputs(variant, case)
        if tier == "rust-direct":
            return Boundary(1, [*inputs, *((np.zeros(shape, dtype=dt), True) for shape, dt in outs)])
        detaches = 2 if tier == "rust-fast" else 1
        return Boundary(1, inputs, detaches, [(math.prod(shape), np.dtype(dt).name) for shape, dt in outs])


def input_arrays(case: Case) -> list[tuple[npt.NDArray[Any], bool]] | None:
    """The numpy arguments of an array case, read-only (None for a stream)."""
    if isinstance(case, AudioCase):
        return [(case.audio, False)]
    if isinstance(case, SamplesCase):
        return [(case.x, False)]
    return None
