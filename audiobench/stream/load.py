"""The Python load generator, and the step summary both generators' records go through.

The measuring generator is the Rust one (``rust_impls/loadgen``, :mod:`~audiobench.stream.generator`):
this asyncio client costs per message about what the Python server does, so near a server's
capacity it falls behind first. It stays as the second tool every figure is checked against (the
same calls timed by another client, ``audiobench stream --generator python``) and as the client
the tests kill mid-call::

    python -m audiobench.stream.load --port P --calls N --chunk-ms 40 --duration 3 --out F
                                     [--sample-rate 16000] [--cpu 1]

Both generators behave alike: each call is one WebSocket connection. All connect and are
started first (each ``start`` answered: N starts at once are a burst of the harness's making,
kept out of the timed window); then
call ``i`` starts ``i/N`` of a period after a common origin (calls arrive at every phase of the
period, not in lockstep) and sends chunk ``seq`` at ``start + seq·period``; with ``--end-spread
F`` call ``i`` stops ``F·i/N`` of the duration early, so the calls' ends (and a server's work at
call end) arrive spread over that share of the step, not all in its last period. Latency is ack
arrival − the chunk's due time, both on the generator's monotonic clock (no clocks compared
across processes): a chunk exists from its due time, so a server too slow to read its socket —
the send then waits — is late by that wait too; ``rtt`` is ack − the send's start (the server
and the socket alone, without the generator's ~1 ms timer slack). ``send_lag`` is how late each
send started. A
ticker waking every millisecond records how late it woke (``loop_lag``): the generator's own
saturation, apart from any wait on a socket. When that lag is a sizeable part of a period the
generator, not the server, set the pace, and :mod:`~audiobench.stream.search` marks the step.

At the end each call sends ``stop`` (:meth:`_Schedule.stop_at`: together, one period after the
last chunk of any call, or with a spread one period after its own) and compares the server's
length and SHA-256 of its buffer with the bytes it sent. The result (``--out``, written
atomically) is the raw :class:`Record` as JSON, which :func:`summary` reduces.
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
from audiobench.stream.names import SAMPLE_RATES

CDF_POINTS = 201
"""Latency quantiles kept for the CDF (levels 0, 0.005, …, 1): enough for a smooth curve, small
enough for a run file holding every step."""
TICK_NS = 1_000_000
"""The loop-lag ticker's period (1 ms, as the Rust generator's timer resolution)."""
DONE_TIMEOUT_S = 30.0
"""How long a call waits for the server's ``done`` after its last chunk before counting the call
as lost: a server that far behind has failed the step anyway."""


@dataclass
class Record:
    """What every call adds to, in this one process."""

    latency_ns: list[int] = field(default_factory=list)
    rtt_ns: list[int] = field(default_factory=list)
    send_lag_ns: list[int] = field(default_factory=list)
    loop_lag_ns: list[int] = field(default_factory=list)
    sent: int = 0
    errors: int = 0
    calls_equal: int = 0
    calls_unequal: list[str] = field(default_factory=list)
    calls_lost: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    wall_s: float = 0.0


@dataclass(frozen=True)
class _Schedule:
    calls: int
    chunks: int
    period_ns: int
    origin_ns: int
    end_spread: float = 0.0

    def stop_at(self, call: int) -> int:
        """When call ``call`` sends ``stop`` (the Rust generator's rule): with no end spread every
        call stops one period after the last chunk of any call was due, so the server's work at
        ``stop`` (the digest that checks the bytes) falls outside the window in which chunks are
        timed; with a spread, one period after the call's own last chunk (its end is load)."""
        if self.end_spread == 0.0:
            return self.due(self.calls - 1, self.chunks)
        return self.due(call, self.chunks_of(call))

    def chunks_of(self, call: int) -> int:
        """Chunks call ``call`` sends: ``chunks · (1 − end_spread · call/calls)``, at least one
        (ends spread over that share of the duration; the Rust generator's rule)."""
        return max(1, self.chunks - int(self.chunks * self.end_spread * call / self.calls))

    def due(self, call: int, seq: int) -> int:
        """When chunk ``seq`` of call ``call`` is to leave: calls staggered over one period."""
        return self.origin_ns + call * self.period_ns // self.calls + seq * self.period_ns


async def _call(
    i: int, first: int, ws: ClientConnection, pool: protocol.ChunkPool, plan: _Schedule, rec: Record
) -> None:
    cid = protocol.call_id(first + i)
    chunks = plan.chunks_of(i)
    due_at = [(0, 0)] * chunks  # (due, sent) per chunk
    done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                now = time.perf_counter_ns()
                msg = json.loads(text)
                event = msg["event"]
                if event == "ack":
                    due, sent = due_at[msg["seq"]]
                    rec.latency_ns.append(now - due)
                    rec.rtt_ns.append(now - sent)
                elif event == "done":
                    done.set_result(msg)
                elif event == "error":
                    rec.errors += 1

    reader = asyncio.create_task(read())
    digest, length = hashlib.sha256(), 0
    try:
        for seq in range(chunks):
            due = plan.due(i, seq)
            wait = due - time.perf_counter_ns()
            if wait > 0:
                await asyncio.sleep(wait / 1e9)
            k = pool.index(i, seq)
            digest.update(pool.raw[k])
            length += len(pool.raw[k])
            now = time.perf_counter_ns()
            rec.send_lag_ns.append(max(0, now - due))
            due_at[seq] = (due, now)
            await ws.send(protocol.media(cid, seq, pool.text[k]))
            rec.sent += 1
        wait = plan.stop_at(i) - time.perf_counter_ns()
        if wait > 0:
            await asyncio.sleep(wait / 1e9)
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


async def _start(ws: ClientConnection, call: str) -> None:
    await ws.send(protocol.start(call))
    reply = json.loads(await ws.recv())
    if reply.get("event") != "started":
        raise OSError(f"{call}: the server answered start with {reply}")


async def generate(
    port: int,
    calls: int,
    chunk_ms: int,
    duration_s: float,
    seed: int = 0,
    first_call: int = 0,
    sample_rate: int = protocol.SAMPLE_RATE,
    end_spread: float = 0.0,
) -> Record:
    """Run one step against the server on ``port``; returns what every call recorded. The calls
    are :func:`protocol.call_id` of ``first_call`` on (two generators on one server take disjoint
    ranges).

    Raises ``OSError``/``InvalidHandshake`` when the server cannot be reached."""
    pool = protocol.ChunkPool.make(protocol.chunk_bytes(chunk_ms, sample_rate), seed)
    period_ns = chunk_ms * 1_000_000
    chunks = max(1, round(duration_s * 1000 / chunk_ms))
    uri = f"ws://127.0.0.1:{port}"
    opts: dict[str, Any] = {"compression": None, "ping_interval": None, "open_timeout": 60, "close_timeout": 5}
    connections = await asyncio.gather(*(connect(uri, **opts) for _ in range(calls)))
    # every call started, and the server has said so, before the clock starts (as the Rust one)
    await asyncio.gather(*(_start(ws, protocol.call_id(first_call + i)) for i, ws in enumerate(connections)))
    rec = Record()
    # every call's schedule starts after the connects, all calls on one clock
    plan = _Schedule(calls, chunks, period_ns, time.perf_counter_ns() + 50_000_000, end_spread)
    finished = asyncio.Event()

    async def ticker() -> None:
        nxt = plan.origin_ns
        while not finished.is_set():
            nxt = max(nxt + TICK_NS, time.perf_counter_ns())
            await asyncio.sleep((nxt - time.perf_counter_ns()) / 1e9)
            rec.loop_lag_ns.append(max(0, time.perf_counter_ns() - nxt))

    async def all_calls() -> None:
        await asyncio.gather(*(_call(i, first_call, ws, pool, plan, rec) for i, ws in enumerate(connections)))
        finished.set()

    await asyncio.sleep(max(0, plan.origin_ns - time.perf_counter_ns()) / 1e9)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        await asyncio.gather(all_calls(), ticker())
        rec.cpu_s, rec.wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    return rec


def read_record(path: Path) -> Record:
    """A generator's ``--out`` file (either generator's) as a :class:`Record`."""
    return Record(**json.loads(path.read_text()))


def summary(rec: Record, calls: int, chunk_ms: int, duration_s: float) -> dict[str, Any]:
    """The step's result: latency quantiles (ns) and CDF, deadline misses (acks later than one
    period after the chunk was due, plus chunks never acked), send and loop lag, the generator's
    CPU share of its core, and the calls whose bytes came back equal."""
    period_ns = chunk_ms * 1_000_000
    lat = np.sort(np.asarray(rec.latency_ns, dtype=np.int64))
    lag = np.asarray(rec.send_lag_ns, dtype=np.int64)
    rtt = np.sort(np.asarray(rec.rtt_ns, dtype=np.int64))
    loop = np.asarray(rec.loop_lag_ns, dtype=np.int64)

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
        "rtt_ns": {"p50": q(rtt, 0.5), "p99": q(rtt, 0.99)},
        "latency_cdf_ns": [float(x) for x in np.quantile(lat, levels)] if lat.size else [],
        "misses": int((lat > period_ns).sum()) + (rec.sent - int(lat.size)),
        "send_lag_ns": {"p99": q(lag, 0.99), "max": float(lag.max()) if lag.size else None},
        "loop_lag_ns": {"p99": q(loop, 0.99), "max": float(loop.max()) if loop.size else None},
        "generator_cpu_share": rec.cpu_s / rec.wall_s if rec.wall_s > 0 else None,
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
    parser.add_argument("--sample-rate", type=int, choices=SAMPLE_RATES, default=protocol.SAMPLE_RATE)
    parser.add_argument("--end-spread", type=float, default=0.0, help="share of the duration the ends spread over")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first-call", type=int, default=0, help="number of the first call (its id)")
    parser.add_argument("--cpu", type=int, help="pin the generator to this CPU")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if not 0.0 <= args.end_spread <= 1.0:  # also refuses NaN
        parser.error(f"--end-spread {args.end_spread} is outside 0-1")
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    try:
        rec = asyncio.run(
            generate(
                args.port,
                args.calls,
                args.chunk_ms,
                args.duration,
                args.seed,
                args.first_call,
                args.sample_rate,
                args.end_spread,
            )
        )
    except (OSError, InvalidHandshake) as e:
        print(f"audiobench stream load: cannot reach the server on port {args.port}: {e}", file=sys.stderr)
        return 2
    write_json(args.out, asdict(rec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
