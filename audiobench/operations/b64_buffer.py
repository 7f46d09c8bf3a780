"""b64_buffer: base64 chunks, tagged with a call id, decoded into per-call buffers.

Semantics (ARCHITECTURE.md): chunks of 1280 raw bytes (40 ms of 16 kHz int16), base64-encoded;
decode each and append to its call's buffer; finally take each call's bytes. Bytes identical to
what was encoded (the case's expected buffers); buffer reallocations counted (Rust: capacity
changes; Python: ``bytearray`` allocation changes). Several calls interleave; with N threads the
calls are split between threads feeding one shared session (:mod:`audiobench.tiers.streams`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np

from audiobench import parity, signals
from audiobench.cases import B64Output, Case, StreamCase
from audiobench.catalogue import Size, load
from audiobench.operations.base import Operation
from audiobench.staging import Boundary, Clock, Staged
from audiobench.threads import FEED_THREADS
from audiobench.tiers.registry import Impl, Run, rust_json_threads
from audiobench.tiers.streams import Part, Session, stream_runner


class _PerChunk:
    """Adapter giving a per-chunk Rust buffer manager the session interface (a Python loop)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def feed(self, chunks: Any, owners: Any, call_ids: Any) -> None:
        add = self.inner.add_chunk
        for chunk, owner in zip(chunks, owners, strict=True):
            add(call_ids[owner], chunk)

    def take(self, call_id: str) -> Any:
        return self.inner.take(call_id)

    @property
    def reallocations(self) -> int:
        return int(self.inner.reallocations)


class _DirectStream:
    """rust-direct: one `b64_decode_stream_into` call per thread part, into buffers made in
    prepare (one per call, sized to the stream's per-call capacity)."""

    reallocations = 0

    def __init__(self, case: StreamCase) -> None:
        from audiobench import _rust

        self.decode_into = _rust.b64_decode_stream_into
        cap = case.stream.capacity_per_call
        self.outs = {cid: np.empty(cap, dtype=np.uint8) for cid in case.stream.call_ids}
        self.lengths: dict[str, int] = {}

    def feed_part(self, part: Part, owners: np.ndarray[Any, Any]) -> None:
        outs = [self.outs[cid] for cid in part.call_ids]
        lens = self.decode_into(list(part.chunks), owners, list(part.call_ids), outs)
        self.lengths.update(zip(part.call_ids, (int(n) for n in lens), strict=True))

    def take(self, call_id: str) -> Any:
        return self.outs[call_id][: self.lengths.pop(call_id)]


def _rust_direct(case: Case) -> Run:
    assert isinstance(case, StreamCase)
    session = _DirectStream(case)
    owner_arrays: dict[int, np.ndarray[Any, Any]] = {}

    def feed(s: Session, part: Part) -> None:
        owners = owner_arrays.get(id(part))
        if owners is None:  # first run only: the owners array is then reused
            owners = owner_arrays[id(part)] = np.asarray(part.owners, dtype=np.uint32)
        session.feed_part(part, owners)

    # The direct tier writes into the same preallocated buffers every run.
    return stream_runner(lambda _: session, feed)(case)  # type: ignore[arg-type,return-value]


def _python_session(module: str) -> Callable[[Case], Run]:
    """A Python tier's prepare: a fresh ``python_baselines.<module>.ChunkBuffers`` per run (the
    class is looked up here, untimed)."""

    def prepare(case: Case) -> Run:
        import importlib

        buffers: Any = importlib.import_module(f"python_baselines.{module}").ChunkBuffers
        return stream_runner(lambda c: buffers(c.count_reallocations))(case)

    return prepare


def _rust_session(cls_name: str) -> Callable[[Case], Run]:
    """A Rust per-chunk tier's prepare: a fresh ``_rust.<cls_name>`` per run, sized to the
    stream's per-call capacity, behind the per-chunk adapter."""

    def prepare(case: Case) -> Run:
        from audiobench import _rust

        cls = getattr(_rust, cls_name)
        return stream_runner(lambda c: _PerChunk(cls(c.stream.capacity_per_call)))(case)

    return prepare


def _staged(tier: str, case: StreamCase) -> Staged | None:
    import pybase64

    from python_baselines import best, pure, standard

    if case.threads > 1:
        return None
    stream = case.stream
    chunks, owners, ids = stream.chunks, [int(o) for o in stream.owners], stream.call_ids
    decode: Callable[[bytes], bytes]
    cls: Callable[..., Any]
    if tier == "python":
        decode, cls = (lambda ch: base64.b64decode(ch, validate=True)), standard.ChunkBuffers
    elif tier == "python-best":
        decode, cls = (lambda ch: pybase64.b64decode(ch, validate=True)), best.ChunkBuffers
    elif tier == "python-pure":
        decode, cls = pure.b64decode, pure.ChunkBuffers
    else:
        return None

    def call() -> Any:
        buffers = cls(count_reallocations=False)
        buffers.feed(chunks, owners, ids)
        return {cid: buffers.take(cid) for cid in ids}

    def seq(c: Clock) -> None:
        buffers: dict[str, bytearray] = {}
        for chunk, owner in zip(chunks, owners, strict=True):
            cid = ids[owner]
            buf = buffers.get(cid)
            if buf is None:
                buf = buffers[cid] = bytearray()
            raw = c.step("decode × chunks", decode, chunk)
            c.step("append to bytearray × chunks", buf.__iadd__, raw)
        c.step("take: bytes(bytearray) × calls", lambda: {cid: bytes(buffers.pop(cid)) for cid in ids})

    return Staged(call, seq, note="the Python loop itself (zip, dict lookups) is the glue")


def _boundary(tier: str, case: StreamCase) -> Boundary | None:
    if tier not in load().tiers_in("rust") or case.threads != 1:
        return None
    s = case.stream
    per_call = [len(v) for v in s.expected.values()]
    if tier == "rust-direct":
        outs = [(np.zeros((s.capacity_per_call,), np.uint8), True) for _ in s.call_ids]
        return Boundary(
            1, [(np.asarray(s.owners, dtype=np.uint32), False), *outs], 1, [(len(s.call_ids), "uint64")], [s.chunks]
        )
    owners = [int(o) for o in s.owners]

    def loop() -> None:
        for _chunk, owner in zip(s.chunks, owners, strict=True):
            s.call_ids[owner]

    calls = len(s.chunks) + len(s.call_ids)
    # Each add_chunk and take releases the GIL; the JSON tier's reallocation count is one
    # more call (a `stats` message), the fast tier's a plain getter.
    extra = 1 if tier == "rust-json" else 0
    return Boundary(calls + 1, [], calls + extra, [(n, "uint8") for n in per_call], [], loop)


class B64Buffer(Operation):
    name = "b64_buffer"
    report_metrics = (("reallocations", "reallocations"),)

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        return StreamCase(signals.chunk_stream(size.chunks, size.calls, seed), size.threads)

    def normalize(self, variant: str, raw: Any) -> Any:
        buffers, reallocations = raw
        return B64Output(
            {k: bytes(memoryview(v)) for k, v in buffers.items()},
            None if reallocations is None else int(reallocations),
        )

    def reference(self, variant: str, case: Case) -> tuple[str, str] | None:
        return None  # the case carries the bytes that were encoded

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        assert isinstance(case, StreamCase)
        return parity.check_b64(out, case)

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        assert isinstance(case, StreamCase)
        return _staged(tier, case)

    def boundary(self, variant: str, tier: str, case: Case) -> Boundary | None:
        assert isinstance(case, StreamCase)
        return _boundary(tier, case)

    def impls(self) -> list[Impl]:
        v, feed = "default", (FEED_THREADS,)
        return [
            Impl(
                self.name,
                v,
                "python",
                _python_session("standard"),
                "base64.b64decode + bytearray +=",
                "allocating",
                threads=feed,
            ),
            Impl(
                self.name,
                v,
                "python-pure",
                _python_session("pure"),
                "table-driven decoder + bytearray +=",
                "allocating",
                threads=feed,
            ),
            Impl(
                self.name,
                v,
                "python-best",
                _python_session("best"),
                "pybase64.b64decode + bytearray +=",
                "allocating",
                threads=feed,
            ),
            Impl(
                self.name,
                v,
                "rust-json",
                _rust_session("JsonChunkBuffer"),
                "AudioChunkBuffer node, one JSON message per chunk",
                "preallocated",
                threads=(*rust_json_threads(), FEED_THREADS),
            ),
            Impl(
                self.name,
                v,
                "rust-fast",
                _rust_session("AudioProcessor"),
                "AudioProcessor.add_chunk per chunk (base64-simd)",
                "preallocated",
                threads=feed,
            ),
            Impl(
                self.name,
                v,
                "rust-direct",
                _rust_direct,
                "b64_decode_stream_into, one call per thread",
                "preallocated",
                threads=feed,
            ),
        ]


SPEC = B64Buffer()
