"""The Python load generator, and the step summary both generators' records go through.

The measuring generator is the Rust one (``rust_impls/loadgen``, :mod:`~audiobench.stream.generator`):
this asyncio client costs per message about what the Python server does, so near a server's
capacity it falls behind first. It stays as the second tool every figure is checked against (the
same calls timed by another client, ``audiobench stream --generator python``) and as the client
the tests kill mid-call::

    python -m audiobench.stream.load --port P --calls N --chunk-ms 40 --duration 3 --out F [--cpu 1]

Both generators behave alike: each call is one WebSocket connection. All connect first; then
call ``i`` starts ``i/N`` of a period after a common origin (calls arrive at every phase of the
period, not in lockstep) and sends chunk ``seq`` at ``start + seq·period``. Latency is ack
arrival − the send's start, both read on the generator's monotonic clock, so no clocks are
compared across processes. The generator also records how late each send left against its
schedule (``send_lag``): when that lag is a sizeable part of a period, the generator — not the
server — set the pace and the step is not a verdict on the server (:mod:`~audiobench.stream.search`
marks it).

At the end each call sends ``stop`` and compares the server's length and SHA-256 of its buffer
with the bytes it sent. The result (``--out``, written atomically) is the raw :class:`Record` as
JSON, which :func:`summary` reduces.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from audiobench.atomic import write_json
from audiobench.stream import protocol

CDF_POINTS = 201
"""Latency quantiles kept for the CDF (levels 0, 0.005, …, 1): enough for a smooth curve, small
enough for a run file holding every step."""
DONE_TIMEOUT_S = 30.0
"""How long a call waits for the server's ``done`` after its last chunk before counting the call
as lost: a server that far behind has failed the step anyway."""


@dataclass
class Record:
    """What every call adds to, in this one process."""

    latency_ns: list[int] = field(default_factory=list)
    send_lag_ns: list[int] = field(default_factory=list)
    sent: int = 0
    errors: int = 0
    calls_equal: int = 0
    calls_unequal: list[str] = field(default_factory=list)
    calls_lost: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Schedule:
    calls: int
    chunks: int
    period_ns: int
    origin_ns: int

    def due(self, call: int, seq: int) -> int:
        """When chunk ``seq`` of call ``call`` is to leave: calls staggered over one period."""
        return self.origin_ns + call * self.period_ns // self.calls + seq * self.period_ns


async def _call(
    i: int, first: int, ws: ClientConnection, pool: protocol.ChunkPool, plan: _Schedule, rec: Record
) -> None:
    cid = protocol.call_id(first + i)
    sent_at = [0] * plan.chunks
    done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                now = time.perf_counter_ns()
                msg = json.loads(text)
                event = msg["event"]
                if event == "ack":
                    rec.latency_ns.append(now - sent_at[msg["seq"]])
                elif event == "done":
                    done.set_result(msg)
                elif event == "error":
                    rec.errors += 1

    reader = asyncio.create_task(read())
    digest, length = hashlib.sha256(), 0
    try:
        await ws.send(protocol.start(cid))
        for seq in range(plan.chunks):
            due = plan.due(i, seq)
            wait = due - time.perf_counter_ns()
            if wait > 0:
                await asyncio.sleep(wait / 1e9)
            k = pool.index(i, seq)
            digest.update(pool.raw[k])
            length += len(pool.raw[k])
            now = time.perf_counter_ns()
            rec.send_lag_ns.append(max(0, now - due))
            sent_at[seq] = now
            await ws.send(protocol.media(cid, seq, pool.text[k]))
            rec.sent += 1
        await ws.send(protocol.stop(cid))
        reply = await asyncio.wait_for(done, DONE_TIMEOUT_S)
    except (ConnectionClosed, TimeoutError):
        rec.calls_lost.append(cid)
        return
    finally:
        reader.cancel()
    if reply.get("bytes") == length and reply.get("sha256") == digest.hexdigest():
        rec.calls_equal += 1
    else:
        rec.calls_unequal.append(cid)


async def generate(
    port: int, calls: int, chunk_ms: int, duration_s: float, seed: int = 0, first_call: int = 0
) -> Record:
    """Run one step against the server on ``port``; returns what every call recorded. The calls
    are :func:`protocol.call_id` of ``first_call`` on (two generators on one server take disjoint
    ranges).

    Raises ``OSError``/``InvalidHandshake`` when the server cannot be reached."""
    pool = protocol.ChunkPool.make(protocol.chunk_bytes(chunk_ms), seed)
    period_ns = chunk_ms * 1_000_000
    chunks = max(1, round(duration_s * 1000 / chunk_ms))
    uri = f"ws://127.0.0.1:{port}"
    opts: dict[str, Any] = {"compression": None, "ping_interval": None, "open_timeout": 60, "close_timeout": 5}
    connections = await asyncio.gather(*(connect(uri, **opts) for _ in range(calls)))
    rec = Record()
    # every call's schedule starts after the connects, all calls on one clock
    plan = _Schedule(calls, chunks, period_ns, time.perf_counter_ns() + 50_000_000)
    try:
        await asyncio.gather(*(_call(i, first_call, ws, pool, plan, rec) for i, ws in enumerate(connections)))
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    return rec


def read_record(path: Path) -> Record:
    """A generator's ``--out`` file (either generator's) as a :class:`Record`."""
    return Record(**json.loads(path.read_text()))


def summary(rec: Record, calls: int, chunk_ms: int, duration_s: float) -> dict[str, Any]:
    """The step's result: latency quantiles (ns) and CDF, deadline misses (acks later than one
    period, plus chunks never acked), send lag, and the calls whose bytes came back equal."""
    period_ns = chunk_ms * 1_000_000
    lat = np.sort(np.asarray(rec.latency_ns, dtype=np.int64))
    lag = np.asarray(rec.send_lag_ns, dtype=np.int64)

    def q(a: np.ndarray, p: float) -> float | None:
        return float(np.quantile(a, p)) if a.size else None

    levels = np.linspace(0.0, 1.0, CDF_POINTS)
    return {
        "calls": calls,
        "chunk_ms": chunk_ms,
        "duration_s": duration_s,
        "chunks_sent": rec.sent,
        "chunks_acked": int(lat.size),
        "latency_ns": {
            "p50": q(lat, 0.5),
            "p99": q(lat, 0.99),
            "p999": q(lat, 0.999),
            "max": float(lat[-1]) if lat.size else None,
        },
        "latency_cdf_ns": [float(x) for x in np.quantile(lat, levels)] if lat.size else [],
        "misses": int((lat > period_ns).sum()) + (rec.sent - int(lat.size)),
        "send_lag_ns": {"p99": q(lag, 0.99), "max": float(lag.max()) if lag.size else None},
        "error_replies": rec.errors,
        "calls_equal": rec.calls_equal,
        "calls_unequal": rec.calls_unequal,
        "calls_lost": rec.calls_lost,
    }


def main(argv: list[str] | None = None) -> int:
    """Run one step's load from the command line; exit 0, or 2 when the server cannot be reached."""
    parser = argparse.ArgumentParser(prog="python -m audiobench.stream.load", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--chunk-ms", type=int, default=40)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of audio each call sends")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first-call", type=int, default=0, help="number of the first call (its id)")
    parser.add_argument("--cpu", type=int, help="pin the generator to this CPU")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    try:
        rec = asyncio.run(generate(args.port, args.calls, args.chunk_ms, args.duration, args.seed, args.first_call))
    except (OSError, InvalidHandshake) as e:
        print(f"audiobench stream load: cannot reach the server on port {args.port}: {e}", file=sys.stderr)
        return 2
    write_json(args.out, asdict(rec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
