"""The registry type: (operation, variant, tier) → a prepared, uniform callable.

An :class:`Impl`'s ``prepare(case)`` does the untimed set-up (building resamplers, allocating
outputs for ``*_into`` tiers, converting arrays to lists for the pure tier) and returns a
zero-argument ``run`` that performs exactly the measured work and returns the raw output. Every
suite times ``run``; every parity test feeds ``run()`` to :func:`audiobench.cases.normalize`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from audiobench.cases import Case

Run = Callable[[], Any]
Prepare = Callable[[Case], Run]


def rust_json_threads() -> tuple[str, ...]:
    """The threads a ``rust-json`` call runs work on: the executor's worker (named by the
    extension, which this imports)."""
    from audiobench import _rust

    return (_rust.JSON_THREAD_NAME,)


def parallel_threads() -> tuple[str, ...]:
    """The threads a ``rust-direct-mt`` call runs work on: its object's pool workers
    (``audiobench-mt_N``, the prefix named by the extension)."""
    from audiobench import _rust

    return (f"{_rust.PARALLEL_THREAD_PREFIX}_",)


@dataclass(frozen=True)
class Impl:
    """One implementation of one (operation, variant) at one tier (or one peer)."""

    op: str
    variant: str
    tier: str
    prepare: Prepare
    summary: str
    """What runs, in a few words (shown by ``audiobench list``)."""
    allocation: str
    """``preallocated`` (writes into buffers made in prepare) or ``allocating`` (per call)."""
    matched: bool = True
    """False for peers: a different algorithm, never compared for parity or speed verdicts."""
    threads: tuple[str, ...] = ()
    """Names (or ``name_`` prefixes of pool threads) of the helper threads this tier's calls run
    work on: the runner's thread census counts their CPU as the row's own work, and any other
    thread running during its batches as left behind by whoever started it."""

    @property
    def key(self) -> tuple[str, str, str]:
        """``(op, variant, tier)``."""
        return (self.op, self.variant, self.tier)

    def __call__(self, case: Case) -> Any:
        """Prepare and run once (convenience for tests and smoke runs)."""
        return self.prepare(case)()


class Registry:
    """All implementations, in catalogue order; the only place suites and tests look them up."""

    def __init__(self, impls: list[Impl]) -> None:
        self._impls: dict[tuple[str, str, str], Impl] = {}
        for impl in impls:
            if impl.key in self._impls:
                raise ValueError(f"duplicate registry entry {impl.key}")
            self._impls[impl.key] = impl

    def get(self, op: str, variant: str, tier: str) -> Impl:
        """The entry of ``op``/``variant`` at ``tier``; ``KeyError`` naming all three if absent."""
        try:
            return self._impls[(op, variant, tier)]
        except KeyError:
            raise KeyError(f"no implementation of {op}/{variant} at tier {tier!r}") from None

    def entries(
        self,
        op: str | None = None,
        variant: str | None = None,
        tier: str | None = None,
        *,
        peers: bool = False,
    ) -> Iterator[Impl]:
        """Entries matching every given filter, in catalogue order (peers only with ``peers``)."""
        for impl in self._impls.values():
            wanted = (op is None or impl.op == op) and (variant is None or impl.variant == variant)
            if wanted and (tier is None or impl.tier == tier) and (peers or impl.matched):
                yield impl

    def __len__(self) -> int:
        return len(self._impls)
