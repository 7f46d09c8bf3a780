"""Driving a base64 chunk stream through any tier's chunk-buffer session, on 1 or N threads.

Every tier exposes a session with ``feed(chunks, owners, call_ids)``, ``take(call_id)`` and a
``reallocations`` count. With N threads the calls are split between threads (call ``i`` to
thread ``i % N``), each thread feeds its own calls' chunks in arrival order into the *shared*
session — the situation of a server handling several calls at once. The thread pool is built
once per thread count and reused, so a measured run pays for task hand-off, not thread start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from audiobench.cases import Case, StreamCase
from audiobench.threads import FEED_THREADS
from audiobench.tiers.registry import Run


class Session(Protocol):
    """A chunk-buffer session: what every b64_buffer tier gives the stream driver."""

    @property
    def reallocations(self) -> int:
        """Buffer reallocations counted so far."""

    def feed(self, chunks: Sequence[bytes], owners: Sequence[int], call_ids: Sequence[str]) -> None:
        """Decode ``chunks`` and append each to the buffer of ``call_ids[owner]``."""

    def take(self, call_id: str) -> Any:
        """Hand over (and forget) the call's bytes."""


@dataclass(frozen=True)
class Part:
    """One thread's share of the stream, in the shapes the loops want (lists, not arrays)."""

    chunks: tuple[bytes, ...]
    owners: list[int]
    call_ids: tuple[str, ...]


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix=FEED_THREADS)


def parts_of(case: StreamCase) -> list[Part]:
    """The stream split into its threads' parts (call ``i`` to thread ``i % threads``)."""
    streams = case.stream.split(case.threads) if case.threads > 1 else [case.stream]
    return [Part(s.chunks, [int(o) for o in s.owners], s.call_ids) for s in streams]


def stream_runner(
    new_session: Callable[[StreamCase], Session], feed: Callable[[Session, Part], None] | None = None
) -> Callable[[Case], Run]:
    """Build a ``prepare`` for the b64_buffer operation from a session factory.

    A run creates a fresh session (empty buffers, as a new batch of calls would find them),
    feeds every part, then takes every call's bytes.
    """

    def prepare(case: Case) -> Run:
        assert isinstance(case, StreamCase)
        parts = parts_of(case)
        call_ids = case.stream.call_ids
        do_feed = feed or (lambda s, p: s.feed(p.chunks, p.owners, p.call_ids))
        pool = _pool(case.threads) if case.threads > 1 else None

        def run() -> tuple[dict[str, Any], int | None]:
            session = new_session(case)
            if pool is None:
                do_feed(session, parts[0])
            else:
                for future in [pool.submit(do_feed, session, p) for p in parts]:
                    future.result()
            buffers = {cid: session.take(cid) for cid in call_ids}
            counted = getattr(session, "count_reallocations", True)
            return buffers, int(session.reallocations) if counted else None

        return run

    return prepare
