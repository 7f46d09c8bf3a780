"""One base64 contract in every tier: what a chunk decodes to, what is refused, and what a
refused chunk leaves behind. RFC 4648 §3.5 lets a decoder take or reject non-zero bits after the
last byte; every tier takes them (as Python's stdlib and pybase64 do), so a stream ends with the
same bytes whichever tier decoded it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from audiobench import _rust
from audiobench.operations.b64_buffer import _PerChunk  # the registry's per-chunk adapter
from python_baselines import best, pure, standard

# name: (chunk, bytes it decodes to, or None when every tier refuses it)
CHUNKS: dict[str, tuple[bytes, bytes | None]] = {
    "canonical": (b"aGVsbG8=", b"hello"),
    "non-zero bits after the last byte (==)": (b"UG9ydGFsZSBIYWNraW5nVGVhbW==", b"Portale HackingTeam"),
    "non-zero bits after the last byte (=)": (b"aGVsbG9=", b"hello"),
    "empty": (b"", b""),
    "missing padding": (b"aGVsbG8", None),
    "excess padding": (b"aGVsbG8==", None),
    "padding after a whole quantum (=)": (b"aGVs=", None),
    "padding after a whole quantum (====)": (b"aGVs====", None),
    "padding only": (b"====", None),
    "padding in the middle": (b"aG=sbG8=", None),
    "two padded quanta": (b"aGk=aGk=", None),
    "trailing newline": (b"aGVsbG8=\n", None),
    "space": (b"aGVs bG8=", None),
    "URL-safe alphabet": (b"-_-_", None),
    "length 5": (b"aGVsb", None),
    "length 1": (b"a", None),
    "non-ASCII": ("aGVsbG8é".encode(), None),
    "NUL": (b"aGVs\x00G8=", None),
}


class _Direct:
    """``b64_decode_stream_into`` appending to one buffer per call (its ``lens`` in and out); a
    call exists once a chunk of it decoded."""

    def __init__(self) -> None:
        self.outs: dict[str, np.ndarray] = {}
        self.held: dict[str, int] = {}

    def feed(self, chunks: Sequence[bytes], owners: Sequence[int], call_ids: Sequence[str]) -> None:
        outs = [self.outs.setdefault(c, np.zeros(4096, np.uint8)) for c in call_ids]
        lens = np.array([self.held.get(c, 0) for c in call_ids], np.uint64)
        fed = {call_ids[o] for o in owners}
        try:
            _rust.b64_decode_stream_into(list(chunks), np.asarray(owners, np.uint32), list(call_ids), outs, lens)
        except ValueError:  # lens still counts what decoded before the refused chunk
            self.held.update((c, int(n)) for c, n in zip(call_ids, lens, strict=True) if n)
            raise
        self.held.update((c, int(n)) for c, n in zip(call_ids, lens, strict=True) if c in fed)

    def take(self, call_id: str) -> bytes:
        return bytes(self.outs[call_id][: self.held.pop(call_id)])


SESSIONS: dict[str, Callable[[], Any]] = {
    "python": standard.ChunkBuffers,
    "python-best": best.ChunkBuffers,
    "python-pure": pure.ChunkBuffers,
    "rust-json": lambda: _PerChunk(_rust.JsonChunkBuffer(4096)),
    "rust-fast": lambda: _PerChunk(_rust.AudioProcessor(4096)),
    "rust-direct": _Direct,
}


def _take(session: Any, call_id: str) -> bytes | None:
    """The call's bytes, or None if the session holds no such call."""
    try:
        return bytes(session.take(call_id))
    except (KeyError, _rust.UnknownCallError):
        return None


@pytest.mark.parametrize("tier", SESSIONS)
@pytest.mark.parametrize("name", CHUNKS)
def test_every_tier_decodes_or_refuses_a_chunk_alike(tier: str, name: str) -> None:
    chunk, expected = CHUNKS[name]
    session = SESSIONS[tier]()
    if expected is None:
        with pytest.raises(ValueError):
            session.feed([chunk], [0], ["a"])
        assert _take(session, "a") is None, "a call whose first chunk is refused is not created"
    else:
        session.feed([chunk], [0], ["a"])
        assert _take(session, "a") == expected


@pytest.mark.parametrize("tier", SESSIONS)
@pytest.mark.parametrize("name", [n for n, (_, out) in CHUNKS.items() if out is None])
def test_a_refused_chunk_loses_nothing_already_decoded(tier: str, name: str) -> None:
    session = SESSIONS[tier]()
    session.feed([b"aGVsbG8=", b"d29ybGQ="], [0, 1], ["a", "b"])
    with pytest.raises(ValueError):
        session.feed([CHUNKS[name][0]], [0], ["a"])
    assert _take(session, "a") == b"hello"
    assert _take(session, "b") == b"world"


def test_a_stream_with_non_canonical_chunks_ends_with_the_same_bytes_in_every_tier() -> None:
    chunks = [b"aGVsbG9=", b"UG9ydGFsZSBIYWNraW5nVGVhbW==", b"", b"aGk=", b"UG9ydGFsZSBIYWNraW5nVGVhbW=="]
    owners = [0, 1, 0, 1, 0]
    ends = {}
    for tier, make in SESSIONS.items():
        session = make()
        session.feed(chunks, owners, ["a", "b"])
        ends[tier] = (_take(session, "a"), _take(session, "b"))
    assert len(set(ends.values())) == 1, ends
    assert ends["python"] == (b"helloPortale HackingTeam", b"Portale HackingTeamhi")


def test_the_direct_stream_counts_what_decoded_before_a_refused_chunk() -> None:
    outs = [np.zeros(64, np.uint8), np.zeros(64, np.uint8)]
    lens = np.zeros(2, np.uint64)
    chunks = [b"aGVsbG8=", b"d29ybGQ=", b"aGk=", b"a!==", b"aGk="]
    with pytest.raises(_rust.Base64DecodeError, match=r"call `a`, chunk 2"):
        _rust.b64_decode_stream_into(chunks, np.array([0, 1, 0, 0, 1], np.uint32), ["a", "b"], outs, lens)
    assert lens.tolist() == [7, 5], "a's two good chunks and b's first stay counted"
    assert bytes(outs[0][:7]) == b"hellohi" and bytes(outs[1][:5]) == b"world"
    with pytest.raises(TypeError, match="`lens` must have dtype uint64, got int64"):
        _rust.b64_decode_stream_into([], np.array([], np.uint32), ["a"], outs[:1], np.zeros(1, np.int64))
    with pytest.raises(TypeError, match=r"`lens` must be a numpy\.ndarray of uint64, got list"):
        _rust.b64_decode_stream_into([], np.array([], np.uint32), ["a"], outs[:1], [0])
    with pytest.raises(ValueError, match="`lens` cannot be written"):
        _rust.b64_decode_stream_into([], np.array([], np.uint32), ["a"], outs[:1], np.frombuffer(bytes(8), np.uint64))
    with pytest.raises(ValueError, match="`lens`: call 0 is filled to 65 bytes, beyond its buffer of 64"):
        _rust.b64_decode_stream_into([], np.array([], np.uint32), ["a"], outs[:1], np.array([65], np.uint64))
    with pytest.raises(ValueError, match=r"`lens` must have shape \(1,\), got \(2,\)"):
        _rust.b64_decode_stream_into([], np.array([], np.uint32), ["a"], outs[:1], lens)
