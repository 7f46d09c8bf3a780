"""The media messages of a streaming call, and the bytes each call sends.

Telephony-style, one JSON text message per WebSocket frame (the shape of Twilio's and similar
media streams, reduced to what the server uses)::

    client → server  {"event": "start", "call": "call-0007"}
                     {"event": "media", "call": "call-0007", "seq": 12, "payload": "<base64 PCM>"}
                     {"event": "stop",  "call": "call-0007"}
    server → client  {"event": "ack",   "call": "call-0007", "seq": 12, "service_ns": 9100}
                     {"event": "ack",   …, "flags": [true]}          (work vad, pipeline)
                     {"event": "done",  "call": "call-0007", "bytes": 256000, "sha256": "…"}
                     {"event": "done",  …, "pipeline": {…}}          (work pipeline)
                     {"event": "error", "kind": "bad_base64", "detail": "…", "seq": 12}

Every media message is acknowledged once the chunk is decoded and in its call's buffer; the
client times send → ack; with a VAD (:data:`~audiobench.stream.names.WORKS`) the ack carries the
flags of the 30 ms frames the chunk completed. ``stop`` is answered with the length and SHA-256 of
the call's buffer, which the client compares with what it sent, and with the pipeline's result
when the server runs one at call end. A payload is ``chunk_ms`` of mono 16-bit little-endian PCM
at the stream's rate (16 kHz by default: 40 ms = 1280 bytes, the ``b64_buffer`` operation's
chunk; 44.1 kHz for the pipeline).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import numpy as np

from audiobench.stream.names import SAMPLE_RATES

SAMPLE_RATE = 16_000
"""Hz, the default: wideband telephony (the rate the catalogue's chunks are sized for)."""
SAMPLE_BYTES = 2
"""16-bit PCM."""
CHUNK_MS_RANGE = (10, 100)
"""Chunk periods accepted, in ms: telephony sends 20–40 ms; outside 10–100 ms it is not a stream."""
POOL = 64
"""Distinct seeded chunks a run draws from: each call takes them in its own order, so two calls
never hold the same bytes and a chunk appended to the wrong call changes both calls' digests."""

ERROR_KINDS = ("bad_json", "bad_message", "bad_base64", "unknown_call", "duplicate_call")
"""What the server refuses, one count each: a frame that is not JSON; JSON that is not one of the
three messages (wrong event, missing or mistyped field); a payload the tier's decoder refuses; media
or stop for a call never started (or already stopped); a start for a call already running."""


def chunk_bytes(chunk_ms: int, sample_rate: int = SAMPLE_RATE) -> int:
    """Bytes of one chunk of ``chunk_ms`` ms of ``sample_rate`` Hz 16-bit mono PCM (whole
    samples, rounded down: 25 ms at 44.1 kHz is 1102 samples).

    Raises ``ValueError`` outside :data:`CHUNK_MS_RANGE` or for a rate not in
    :data:`~audiobench.stream.names.SAMPLE_RATES`."""
    lo, hi = CHUNK_MS_RANGE
    if not lo <= chunk_ms <= hi:
        raise ValueError(f"chunk period {chunk_ms} ms is outside {lo}–{hi} ms")
    if sample_rate not in SAMPLE_RATES:
        raise ValueError(f"sample rate {sample_rate} Hz is not one of {', '.join(map(str, SAMPLE_RATES))}")
    return sample_rate * chunk_ms // 1000 * SAMPLE_BYTES


@dataclass(frozen=True)
class ChunkPool:
    """:data:`POOL` seeded random chunks of ``size`` bytes and their base64 text.

    Call ``i`` sends chunk ``(13·i + seq) mod POOL`` as its chunk ``seq``."""

    raw: tuple[bytes, ...]
    text: tuple[str, ...]

    @classmethod
    def make(cls, size: int, seed: int = 0) -> ChunkPool:
        rng = np.random.default_rng([seed, size, 16])
        raw = tuple(rng.integers(0, 256, size=size, dtype=np.uint8).tobytes() for _ in range(POOL))
        return cls(raw, tuple(base64.b64encode(r).decode("ascii") for r in raw))

    @staticmethod
    def index(call: int, seq: int) -> int:
        return (13 * call + seq) % POOL


def call_id(i: int) -> str:
    """The id of the load generator's ``i``-th call."""
    return f"call-{i:05d}"


def start(call: str) -> str:
    """The ``start`` message of ``call`` (JSON text)."""
    return json.dumps({"event": "start", "call": call})


def media(call: str, seq: int, payload: str) -> str:
    """The ``media`` message carrying chunk ``seq`` of ``call``; ``payload`` is its base64 text."""
    return json.dumps({"event": "media", "call": call, "seq": seq, "payload": payload})


def stop(call: str) -> str:
    """The ``stop`` message of ``call``: the server answers with the buffer's length and SHA-256."""
    return json.dumps({"event": "stop", "call": call})
