"""Chunk buffers hammered from several Python threads at once.

Every chunk carries its own identity (thread, sequence number), so after the threads finish
the taken bytes prove that nothing was lost, duplicated, torn or reordered within a thread.
The whole test has a deadline: a deadlock fails it instead of hanging the suite (the workers
are daemon threads, so a stuck one cannot keep the interpreter alive either). Nothing here
asserts how fast anything ran.
"""

from __future__ import annotations

import base64
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from audiobench import _rust

DEADLINE_S = 120.0  # for a whole test; the work takes well under a second when nothing is stuck
THREADS = 8
CHUNKS_PER_THREAD = 400
RECORD = struct.Struct("<IIQ")  # thread, sequence number, a check value derived from both

BUFFERS: dict[str, Callable[[], Any]] = {
    "AudioProcessor": lambda: _rust.AudioProcessor(1 << 12),
    "JsonChunkBuffer": lambda: _rust.JsonChunkBuffer(1 << 12),
}


def _record(thread: int, seq: int) -> bytes:
    return RECORD.pack(thread, seq, (thread * 1_000_003 + seq) * 2_654_435_761 % 2**64)


def _chunk(thread: int, seq: int) -> bytes:
    return base64.b64encode(_record(thread, seq))


def _run_all(workers: list[Callable[[], None]]) -> None:
    """Start every worker together, wait for all within the deadline, re-raise the first error."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def wrap(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                work()
            except BaseException as e:  # reported to the test below
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(w), daemon=True) for w in workers]
    deadline = time.monotonic() + DEADLINE_S
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(t.is_alive() for t in threads)
    assert stuck == 0, f"{stuck} of {len(threads)} threads still running after {DEADLINE_S:.0f} s: deadlock"
    if errors:
        raise errors[0]


def _records(data: bytes) -> list[tuple[int, int, int]]:
    assert len(data) % RECORD.size == 0, f"{len(data)} bytes is not a whole number of records: a torn chunk"
    return [RECORD.unpack_from(data, i) for i in range(0, len(data), RECORD.size)]


def _check_thread_order(records: list[tuple[int, int, int]], threads: range) -> None:
    """Every thread's records appear exactly once each, in the order that thread added them."""
    for thread, seq, check in records:
        assert RECORD.unpack(_record(thread, seq))[2] == check, "a record's bytes were corrupted"
    for thread in threads:
        seqs = [seq for t, seq, _ in records if t == thread]
        assert seqs == list(range(CHUNKS_PER_THREAD)), f"thread {thread}: records lost, duplicated or reordered"


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_threads_pushing_into_one_shared_call_lose_and_duplicate_nothing(kind: str) -> None:
    buffers = BUFFERS[kind]()

    def push(thread: int) -> Callable[[], None]:
        def work() -> None:
            for seq in range(CHUNKS_PER_THREAD):
                assert buffers.add_chunk("shared", _chunk(thread, seq)) == RECORD.size

        return work

    _run_all([push(t) for t in range(THREADS)])
    records = _records(bytes(buffers.take("shared")))
    assert len(records) == THREADS * CHUNKS_PER_THREAD
    _check_thread_order(records, range(THREADS))


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_threads_pushing_and_taking_their_own_calls_get_exactly_their_bytes(kind: str) -> None:
    buffers = BUFFERS[kind]()
    taken: dict[str, bytes] = {}

    def own_calls(thread: int) -> Callable[[], None]:
        def work() -> None:
            for seq in range(CHUNKS_PER_THREAD):
                call = f"t{thread}-c{seq % 5}"
                buffers.add_chunk(call, _chunk(thread, seq))
                if seq % 50 == 49 and seq < CHUNKS_PER_THREAD - 50:  # take a call part-way; it starts afresh
                    taken[f"{call}@{seq}"] = bytes(buffers.take(call))
            for c in range(5):
                taken[f"t{thread}-c{c}@end"] = bytes(buffers.take(f"t{thread}-c{c}"))

        return work

    _run_all([own_calls(t) for t in range(THREADS)])
    for thread in range(THREADS):
        records = [r for key, data in taken.items() if key.startswith(f"t{thread}-") for r in _records(data)]
        assert {t for t, _, _ in records} == {thread}, "bytes of another thread's call"
        assert sorted(seq for _, seq, _ in records) == list(range(CHUNKS_PER_THREAD))


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_a_call_taken_by_racing_threads_goes_to_exactly_one(kind: str) -> None:
    buffers = BUFFERS[kind]()
    rounds = 200
    for r in range(rounds):
        buffers.add_chunk(f"race{r}", _chunk(0, r))
    winners: list[tuple[int, bytes]] = []
    refused: list[int] = []

    def taker() -> None:
        for r in range(rounds):
            try:
                winners.append((r, bytes(buffers.take(f"race{r}"))))
            except _rust.UnknownCallError:
                refused.append(r)

    _run_all([taker for _ in range(4)])
    assert sorted(r for r, _ in winners) == list(range(rounds)), "a call taken twice or never"
    assert all(data == _record(0, r) for r, data in winners)
    assert len(refused) == 3 * rounds


def test_bad_chunks_from_some_threads_do_not_disturb_the_others() -> None:
    buffers = _rust.AudioProcessor(1 << 12)
    refusals: list[str] = []

    def good(thread: int) -> Callable[[], None]:
        def work() -> None:
            for seq in range(CHUNKS_PER_THREAD):
                buffers.add_chunk("shared", _chunk(thread, seq))

        return work

    def bad() -> None:
        for seq in range(CHUNKS_PER_THREAD):
            try:
                buffers.add_chunk("shared" if seq % 2 else "other", b"not base64!")
            except _rust.Base64DecodeError as e:
                refusals.append(str(e))

    _run_all([good(0), good(1), bad, good(2)])
    assert len(refusals) == CHUNKS_PER_THREAD
    assert buffers.call_ids() == ["shared"]  # the bad thread's first chunks created no call
    _check_thread_order(_records(bytes(buffers.take("shared"))), range(3))
