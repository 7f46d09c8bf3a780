"""The base64 chunk entry points under bad chunks and bad call ids.

``AudioProcessor`` (rust-fast), ``JsonChunkBuffer`` (rust-json) and ``b64_decode_stream_into``
(rust-direct) must refuse a bad chunk with an error naming the call and the chunk's index within
that call (counting the chunks accepted before it), and leave every call's buffered bytes as
they were: the failing call keeps what it had, the other calls lose nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from audiobench import _rust

Buffer = Any
BUFFERS: dict[str, Callable[[], Buffer]] = {
    "AudioProcessor": lambda: _rust.AudioProcessor(256),
    "JsonChunkBuffer": lambda: _rust.JsonChunkBuffer(256),
}


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


BAD_CHUNKS: dict[str, tuple[bytes, str]] = {
    "invalid character": (b"aGVs*G8=", r"invalid base64 \(Invalid symbol 42, offset 4"),
    "space inside": (b"aGVs bG8=", r"invalid base64 \(Invalid symbol 32"),
    "newline at the end": (b64(b"hello") + b"\n", r"invalid base64"),
    "url-safe alphabet": (b"-_-_", r"invalid base64 \(Invalid symbol 45"),
    "missing padding": (b"aGVsbG8", r"invalid base64 \(Invalid padding\)"),
    "excess padding": (b"aGVsbG8==", r"invalid base64 \(Invalid symbol 61"),
    "padding in the middle": (b"aG==bG8=", r"invalid base64"),
    "truncated to 5 characters": (b"aGVsb", r"invalid base64 \(Invalid input length: 5\)"),
    "a single character": (b"a", r"invalid base64 \(Invalid input length: 1\)"),
    "non-ASCII bytes": ("aGVsbé8=".encode(), r"invalid base64"),
    "NUL bytes": (b"\x00\x00\x00\x00", r"invalid base64 \(Invalid symbol 0"),
}


@pytest.mark.parametrize("bad", BAD_CHUNKS, ids=str)
@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_a_bad_chunk_names_call_and_chunk_and_loses_nothing(kind: str, bad: str) -> None:
    chunk, reason = BAD_CHUNKS[bad]
    buffers = BUFFERS[kind]()
    buffers.add_chunk("left", b64(b"hello "))
    buffers.add_chunk("right", b64(b"other call"))
    buffers.add_chunk("left", b64(b"world"))
    with pytest.raises(_rust.Base64DecodeError, match=rf"call `left`, chunk 2: {reason}"):
        buffers.add_chunk("left", chunk)
    # The failing call keeps its bytes and goes on accepting chunks; the other call is untouched.
    buffers.add_chunk("left", b64(b"!"))
    assert bytes(buffers.take("left")) == b"hello world!"
    assert bytes(buffers.take("right")) == b"other call"


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_a_bad_first_chunk_creates_no_call(kind: str) -> None:
    buffers = BUFFERS[kind]()
    with pytest.raises(_rust.Base64DecodeError, match=r"call `new`, chunk 0"):
        buffers.add_chunk("new", b"####")
    with pytest.raises(_rust.UnknownCallError, match=r"unknown call id `new`"):
        buffers.take("new")


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_unknown_and_twice_taken_calls_are_refused_and_others_kept(kind: str) -> None:
    buffers = BUFFERS[kind]()
    buffers.add_chunk("a", b64(b"abc"))
    buffers.add_chunk("b", b64(b"def"))
    with pytest.raises(_rust.UnknownCallError, match=r"unknown call id `never`: no chunk was added for it"):
        buffers.take("never")
    assert bytes(buffers.take("a")) == b"abc"
    with pytest.raises(_rust.UnknownCallError, match=r"unknown call id `a`: .*already taken"):
        buffers.take("a")
    assert bytes(buffers.take("b")) == b"def"


@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_odd_but_valid_chunks_and_call_ids_are_accepted(kind: str) -> None:
    buffers = BUFFERS[kind]()
    assert buffers.add_chunk("e", b"") == 0  # an empty chunk decodes to nothing
    assert buffers.add_chunk("", b64(b"x")) == 1  # the empty string is an id like any other
    assert buffers.add_chunk('q"\n\u2603', b64(b"yz")) == 2  # quotes, newline, non-ASCII
    big = bytes(range(256)) * 4
    assert buffers.add_chunk("grow", b64(big)) == len(big)  # beyond the pre-allocation
    assert bytes(buffers.take("")) == b"x"
    assert bytes(buffers.take('q"\n\u2603')) == b"yz"
    assert bytes(buffers.take("grow")) == big
    assert bytes(buffers.take("e")) == b""


BAD_ARGUMENTS: dict[str, tuple[Callable[[Buffer], Any], type[Exception], str]] = {
    "chunk as str": (lambda b: b.add_chunk("a", "aGVsbG8="), TypeError, r"`chunk` must be bytes, got str"),
    "chunk as bytearray": (lambda b: b.add_chunk("a", bytearray(b"aGVsbG8=")), TypeError, r"`chunk` must be bytes"),
    "chunk None": (lambda b: b.add_chunk("a", None), TypeError, r"`chunk` must be bytes, got NoneType"),
    "call id int": (lambda b: b.add_chunk(5, b"aGVsbG8="), TypeError, r"`call_id` must be str, got int"),
    "call id bytes": (lambda b: b.take(b"a"), TypeError, r"`call_id` must be str, got bytes"),
    "call id lone surrogate": (
        lambda b: b.add_chunk("\ud800", b"aGVsbG8="),
        ValueError,
        r"`call_id` must be valid Unicode text",
    ),
}


@pytest.mark.parametrize("case", BAD_ARGUMENTS, ids=str)
@pytest.mark.parametrize("kind", BUFFERS, ids=str)
def test_arguments_of_the_wrong_type_are_refused_naming_them(kind: str, case: str) -> None:
    call, exc, message = BAD_ARGUMENTS[case]
    buffers = BUFFERS[kind]()
    buffers.add_chunk("a", b64(b"kept"))
    with pytest.raises(exc, match=message):
        call(buffers)
    assert bytes(buffers.take("a")) == b"kept"


def test_audio_processor_reports_buffered_bytes_and_calls_without_changing_them() -> None:
    p = _rust.AudioProcessor(64)
    p.add_chunk("b", b64(b"12"))
    p.add_chunk("a", b64(b"345"))
    with pytest.raises(_rust.Base64DecodeError):
        p.add_chunk("a", b"%%%%")
    assert p.call_ids() == ["a", "b"]
    assert (p.buffered("a"), p.buffered("b")) == (3, 2)
    with pytest.raises(_rust.UnknownCallError, match="`c`"):
        p.buffered("c")


# --- the rust-direct stream into caller buffers -----------------------------------------------


def _stream(chunks: list[Any], owners: Any, ids: list[Any], outs: list[Any]) -> Any:
    return _rust.b64_decode_stream_into(chunks, owners, ids, outs)


def _outs(n: int = 2, size: int = 32) -> list[np.ndarray]:
    return [np.zeros(size, np.uint8) for _ in range(n)]


def test_stream_bad_chunk_names_call_and_its_own_chunk_index() -> None:
    chunks = [b64(b"a0"), b64(b"b0"), b64(b"a1"), b"!!!!", b64(b"b1")]
    owners = np.array([0, 1, 0, 0, 1], np.uint32)
    outs = _outs()
    with pytest.raises(_rust.Base64DecodeError, match=r"call `a`, chunk 2: invalid base64"):
        _stream(chunks, owners, ["a", "b"], outs)
    # Bytes decoded before the bad chunk are in place; nothing past them was decoded.
    assert bytes(outs[0][:4]) == b"a0a1" and bytes(outs[1][:2]) == b"b0"
    assert not outs[1][2:].any()


def test_stream_full_buffer_names_call_and_chunk() -> None:
    with pytest.raises(_rust.BufferFullError, match=r"call `b`: buffer of 3 bytes is full, chunk 1 needs 2 more"):
        _stream(
            [b64(b"xy"), b64(b"xy")],
            np.array([1, 1], np.uint32),
            ["a", "b"],
            [np.zeros(8, np.uint8), np.zeros(3, np.uint8)],
        )


O1 = np.array([0], np.uint32)
BAD_STREAMS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "owner out of range": (
        lambda: _stream([b"AAAA"], np.array([2], np.uint32), ["a"], _outs(1)),
        ValueError,
        r"call index 2 out of range for 1 calls",
    ),
    "fewer owners than chunks": (
        lambda: _stream([b"AAAA"] * 2, O1, ["a"], _outs(1)),
        _rust.AudioError,
        r"invalid parameter `owners`: 1 entries, expected one per chunk \(2\)",
    ),
    "fewer outs than call ids": (
        lambda: _stream([b"AAAA"], O1, ["a", "b"], _outs(1)),
        _rust.AudioError,
        r"invalid parameter `outs`: 1 buffers, expected one per call id \(2\)",
    ),
    "owners int64": (
        lambda: _stream([b"AAAA"], np.array([0]), ["a"], _outs(1)),
        TypeError,
        r"`owners` must have dtype uint32, got int64",
    ),
    "owners 2-d": (
        lambda: _stream([b"AAAA"], np.zeros((1, 1), np.uint32), ["a"], _outs(1)),
        ValueError,
        r"`owners` must be 1-D",
    ),
    "owners list": (lambda: _stream([b"AAAA"], [0], ["a"], _outs(1)), TypeError, r"`owners` must be a numpy.ndarray"),
    "chunk str": (lambda: _stream(["AAAA"], O1, ["a"], _outs(1)), TypeError, r"`chunks\[0\]` must be bytes, got str"),
    "call id int": (lambda: _stream([b"AAAA"], O1, [7], _outs(1)), TypeError, r"`call_ids\[0\]` must be str, got int"),
    "out int8": (
        lambda: _stream([b"AAAA"], O1, ["a"], [np.zeros(8, np.int8)]),
        TypeError,
        r"`outs\[0\]` must have dtype uint8, got int8",
    ),
    "out 2-d": (
        lambda: _stream([b"AAAA"], O1, ["a"], [np.zeros((2, 4), np.uint8)]),
        ValueError,
        r"`outs\[0\]` must be 1-D",
    ),
    "out read-only": (lambda: _stream([b"AAAA"], O1, ["a"], [_ro()]), ValueError, r"`outs\[0\]` cannot be written"),
    "one out for two calls": (lambda: _shared_out(), ValueError, r"`outs\[1\]` cannot be written"),
}


def _ro() -> np.ndarray:
    a = np.zeros(8, np.uint8)
    a.setflags(write=False)
    return a


def _shared_out() -> Any:
    out = np.zeros(8, np.uint8)
    return _stream([b"AAAA"], O1, ["a", "b"], [out, out])


@pytest.mark.parametrize("case", BAD_STREAMS, ids=str)
def test_stream_bad_arguments_are_refused_naming_them(case: str) -> None:
    call, exc, message = BAD_STREAMS[case]
    with pytest.raises(exc, match=message):
        call()
