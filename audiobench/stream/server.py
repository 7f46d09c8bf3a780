"""The streaming server: an asyncio WebSocket server (``websockets``) that buffers each call's
media chunks with one tier's sink and acknowledges every chunk.

Run as its own process by :mod:`audiobench.stream.search`::

    python -m audiobench.stream.server --tier rust-fast [--work buffer] [--sample-rate 16000]
                                       [--cpu 0] [--max-seconds 600]

It binds 127.0.0.1 on a free port (or ``--port``), prints ``{"port": N}`` as its first stdout line, serves until
its stdin closes (or ``--max-seconds`` pass), then prints one JSON line of statistics
(:meth:`Server.stats`) and exits 0. A port it cannot bind exits 2 with the reason on stderr.

One event loop, one thread: the situation of a Python media server, where framing, JSON and the
loop's scheduling share the core with decoding, and where a pipeline run at one call's end holds
up every other call's chunks until it is done. Compression is off on both sides (the server
measures the audio path, not zlib) and so are keep-alive pings (an overloaded server must show
as late acks, not as dropped connections).

A bad message is answered with an ``error`` event, counted by kind (:data:`protocol.ERROR_KINDS`),
and changes nothing else: the connection and every other call go on. A connection that closes
with calls still open drops those calls' buffers (``calls_dropped``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import resource
import sys
import time
from collections import Counter
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from audiobench.stream import protocol
from audiobench.stream.names import SAMPLE_RATES, WORKS, check_work
from audiobench.stream.sinks import SINKS

MAX_MESSAGE = 1 << 20
"""Largest frame accepted, bytes: a 100 ms chunk is 4.3 kB of base64; anything near 1 MiB is not
a media message."""


class Server:
    """The message handling, apart from the sockets (so it can be tested without them)."""

    def __init__(self, tier: str, work: str = "buffer", sample_rate: int = protocol.SAMPLE_RATE) -> None:
        """``work`` is one of :data:`~audiobench.stream.names.WORKS`; ``ValueError`` for a work
        or rate not known, or the pipeline on audio that is not 44.1 kHz (the rate it resamples)."""
        check_work(work, sample_rate)
        self.tier, self.work, self.sample_rate = tier, work, sample_rate
        self.sink = SINKS[tier](sample_rate)
        self.calls: set[str] = set()
        self.errors: Counter[str] = Counter()
        self.service_ns: list[int] = []
        self.pipeline_ns: list[int] = []
        self.vad_frames = self.speech_frames = 0
        self.started = self.done = self.dropped = 0
        self.cpu_start: float | None = None

    def _error(self, kind: str, detail: str, call: Any = None, seq: Any = None) -> str:
        self.errors[kind] += 1
        return json.dumps({"event": "error", "kind": kind, "detail": detail, "call": call, "seq": seq})

    def handle(self, text: str | bytes, owned: set[str]) -> str:
        """The reply to one message; ``owned`` holds the calls this connection started."""
        t0 = time.perf_counter_ns()
        try:
            msg = json.loads(text)
        except (ValueError, TypeError) as e:
            return self._error("bad_json", f"not JSON: {e}")
        if not isinstance(msg, dict):
            return self._error("bad_message", "a message is a JSON object")
        event, call = msg.get("event"), msg.get("call")
        if not isinstance(call, str) or not call:
            return self._error("bad_message", "`call` must be a non-empty string", seq=msg.get("seq"))
        if event == "media":
            seq, payload = msg.get("seq"), msg.get("payload")
            if type(seq) is not int or not isinstance(payload, str):
                return self._error("bad_message", "media needs an integer `seq` and a string `payload`", call, seq)
            if call not in self.calls:
                return self._error("unknown_call", f"media for {call!r}, which is not running", call, seq)
            try:
                flags = self._append(call, payload.encode("ascii"))
            except ValueError as e:  # binascii.Error, Base64DecodeError, non-ASCII text
                return self._error("bad_base64", str(e), call, seq)
            service = time.perf_counter_ns() - t0
            self.service_ns.append(service)
            ack = {"event": "ack", "call": call, "seq": seq, "service_ns": service}
            if flags is not None:
                self.vad_frames += len(flags)
                self.speech_frames += sum(flags)
                ack["flags"] = flags
            return json.dumps(ack)
        if event == "start":
            if call in self.calls:
                return self._error("duplicate_call", f"{call!r} is already running", call)
            if self.cpu_start is None:
                self.cpu_start = time.process_time()
            self.calls.add(call)
            owned.add(call)
            self.sink.start(call)
            self.started += 1
            return json.dumps({"event": "started", "call": call})
        if event == "stop":
            if call not in self.calls:
                return self._error("unknown_call", f"stop for {call!r}, which is not running", call)
            data = self.sink.take(call)
            self.calls.discard(call)
            owned.discard(call)
            self.done += 1
            done: dict[str, Any] = {
                "event": "done", "call": call, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()
            }  # fmt: skip
            if self.work == "pipeline":
                done["pipeline"] = self._pipeline(data)
            return json.dumps(done)
        return self._error("bad_message", f"unknown event {event!r}", call)

    def _append(self, call: str, chunk: bytes) -> list[bool] | None:
        """The work's per-chunk step: decode + append, and with a VAD the flags of the frames
        the chunk completed (None without). ``ValueError`` as the sink's."""
        if self.work == "buffer":
            self.sink.append(call, chunk)
            return None
        return self.sink.append_vad(call, chunk)

    def _pipeline(self, data: bytes) -> dict[str, Any]:
        """The pipeline on a call's audio, timed; its output as lengths and digests (the ack
        stays small), or the reason it refused the audio."""
        if len(data) % 2:
            data = data[:-1]  # half a sample is not audio yet
        t0 = time.perf_counter_ns()
        try:
            pcm, flags, ratio = self.sink.pipeline(data)
        except ValueError as e:
            return {"error": str(e)}
        elapsed = time.perf_counter_ns() - t0
        self.pipeline_ns.append(elapsed)
        return {
            "frames_out": int(pcm.shape[-1]),
            "pcm_sha256": hashlib.sha256(pcm.tobytes()).hexdigest(),
            "flags_sha256": hashlib.sha256(flags.astype(bool).tobytes()).hexdigest(),
            "speech_ratio": ratio,
            "service_ns": elapsed,
        }

    def warm(self) -> None:
        """Run the tier's work once on a silent second of audio before serving: a first call pays
        for imports, JIT compilation and scratch (librosa's first pipeline took 15 s here with
        numba's cache cold, 1.5 s with it warm), which a live server pays at start-up, not in a
        caller's chunk. The sink is driven directly, so no count or timing of the server's sees it."""
        call = "\0warm-up"
        chunk = base64.b64encode(bytes(protocol.chunk_bytes(40, self.sample_rate)))
        self.sink.start(call)
        for _ in range(25):
            self._append(call, chunk)
        data = self.sink.take(call)
        if self.work == "pipeline":
            self.sink.pipeline(data)

    def drop(self, owned: set[str]) -> None:
        """A connection closed: forget the calls it left open."""
        for call in owned:
            self.sink.drop(call)
            self.calls.discard(call)
            self.dropped += 1
        owned.clear()

    def stats(self) -> dict[str, Any]:
        """``cpu_s`` (process CPU from the first start to now), chunk and call counts, errors by
        kind, and the handler's own time per chunk (JSON parse + decode + append + ack encode)."""
        service, pipeline = sorted(self.service_ns), sorted(self.pipeline_ns)

        def q(p: float, values: list[int] = service) -> int | None:
            return values[min(len(values) - 1, int(p * len(values)))] if values else None

        return {
            "tier": self.tier,
            "work": self.work,
            "sample_rate": self.sample_rate,
            "cpu_s": time.process_time() - self.cpu_start if self.cpu_start is not None else 0.0,
            "chunks": len(service),
            "calls_started": self.started,
            "calls_done": self.done,
            "calls_dropped": self.dropped,
            "errors": {k: self.errors.get(k, 0) for k in protocol.ERROR_KINDS},
            "service_ns": {"p50": q(0.5), "p99": q(0.99), "max": service[-1] if service else None},
            "vad_frames": self.vad_frames,
            "speech_frames": self.speech_frames,
            "pipelines": len(pipeline),
            "pipeline_ns": {"p50": q(0.5, pipeline), "max": pipeline[-1] if pipeline else None},
            "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }


class _UntilEof(asyncio.Protocol):
    def __init__(self, closed: asyncio.Future[None]) -> None:
        self.closed = closed

    def eof_received(self) -> bool:
        self.connection_lost(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _serve(server: Server, max_seconds: float, port: int = 0) -> None:
    async def connection(ws: ServerConnection) -> None:
        owned: set[str] = set()
        try:
            async for text in ws:
                await ws.send(server.handle(text, owned))
        except ConnectionClosed:
            pass
        finally:
            server.drop(owned)

    loop = asyncio.get_running_loop()
    stdin_closed: asyncio.Future[None] = loop.create_future()
    # The orchestrator's stop signal is closing our stdin (also when it dies): no thread waits on it.
    await loop.connect_read_pipe(lambda: _UntilEof(stdin_closed), sys.stdin)
    async with serve(
        connection, "127.0.0.1", port, compression=None, ping_interval=None, max_size=MAX_MESSAGE, backlog=4096
    ) as ws_server:
        port = next(iter(ws_server.sockets)).getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stdin_closed, max_seconds)
    print(json.dumps(server.stats()), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes; exit 0, or 2 when 127.0.0.1 cannot be bound."""
    parser = argparse.ArgumentParser(prog="python -m audiobench.stream.server", description=__doc__.split("\n")[0])
    parser.add_argument("--tier", required=True, choices=list(SINKS))
    parser.add_argument("--work", choices=WORKS, default="buffer", help="what is done with each call")
    parser.add_argument("--sample-rate", type=int, choices=SAMPLE_RATES, default=protocol.SAMPLE_RATE)
    parser.add_argument("--cpu", type=int, help="pin the server to this CPU")
    parser.add_argument("--port", type=int, default=0, help="loopback port (default 0: a free one)")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop after this long whatever happens")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    try:
        server = Server(args.tier, args.work, args.sample_rate)
    except ValueError as e:
        parser.error(str(e))
    server.warm()
    try:
        asyncio.run(_serve(server, args.max_seconds, args.port))
    except OSError as e:
        print(f"audiobench stream server: cannot serve on 127.0.0.1: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
