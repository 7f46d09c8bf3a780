"""The streaming server: byte equality per tier, bad messages refused and counted without touching
other calls, a client killed mid-call. Behaviour only: no latency is asserted."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiobench.stream import protocol
from audiobench.stream.generator import ensure_binary
from audiobench.stream.search import Settings, StreamError, run_step
from audiobench.stream.server import Server
from audiobench.stream.sinks import SINKS
from python_baselines import standard

TIERS = list(SINKS)
LOAD = [str(ensure_binary())]
CHUNK = protocol.chunk_bytes(20)


def _media(call: str, seq: int, raw: bytes) -> str:
    return protocol.media(call, seq, base64.b64encode(raw).decode("ascii"))


@pytest.mark.parametrize("tier", TIERS)
def test_interleaved_calls_come_back_byte_identical(tier: str) -> None:
    server, owned = Server(tier), set[str]()
    pool = protocol.ChunkPool.make(CHUNK, seed=1)
    sent: dict[str, bytearray] = {}
    for i in range(3):
        cid = protocol.call_id(i)
        assert json.loads(server.handle(protocol.start(cid), owned))["event"] == "started"
        sent[cid] = bytearray()
    for seq in range(20):
        for i, cid in enumerate(sent):
            k = pool.index(i, seq)
            ack = json.loads(server.handle(protocol.media(cid, seq, pool.text[k]), owned))
            assert (ack["event"], ack["call"], ack["seq"]) == ("ack", cid, seq) and ack["service_ns"] > 0
            sent[cid] += pool.raw[k]
    for cid, data in sent.items():
        done = json.loads(server.handle(protocol.stop(cid), owned))
        assert (done["bytes"], done["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    stats = server.stats()
    assert (stats["chunks"], stats["calls_done"], sum(stats["errors"].values())) == (60, 3, 0)


BAD: list[tuple[str, str | bytes]] = [
    ("bad_json", "{not json"),
    ("bad_json", b"\xff\xfe binary, not UTF-8"),
    ("bad_message", "[1, 2]"),
    ("bad_message", json.dumps({"event": "media", "call": "a", "seq": "1", "payload": ""})),
    ("bad_message", json.dumps({"event": "media", "call": "a", "seq": True, "payload": ""})),
    ("bad_message", json.dumps({"event": "media", "call": 7, "seq": 1, "payload": ""})),
    ("bad_message", json.dumps({"event": "pause", "call": "a"})),
    ("bad_base64", json.dumps({"event": "media", "call": "a", "seq": 1, "payload": "not base64!"})),
    ("bad_base64", json.dumps({"event": "media", "call": "a", "seq": 1, "payload": "QUJD="})),
    ("bad_base64", json.dumps({"event": "media", "call": "a", "seq": 1, "payload": "QUJDRA=\u00e9"})),
    ("unknown_call", _media("nobody", 0, b"abc")),
    ("unknown_call", protocol.stop("nobody")),
    ("duplicate_call", protocol.start("a")),
]


@pytest.mark.parametrize("work", ["buffer", "vad"])
@pytest.mark.parametrize("tier", TIERS)
def test_bad_messages_are_refused_counted_and_change_no_call(tier: str, work: str) -> None:
    server, owned = Server(tier, work), set[str]()
    server.handle(protocol.start("a"), owned)
    server.handle(protocol.start("b"), owned)
    server.handle(_media("a", 0, b"first"), owned)
    server.handle(_media("b", 0, b"other call"), owned)
    for kind, text in BAD:
        reply = json.loads(server.handle(text, owned))
        assert (reply["event"], reply["kind"]) == ("error", kind), text
        assert reply["detail"]
    server.handle(_media("a", 1, b"-second"), owned)
    done = json.loads(server.handle(protocol.stop("a"), owned))
    assert done["sha256"] == hashlib.sha256(b"first-second").hexdigest()
    done = json.loads(server.handle(protocol.stop("b"), owned))
    assert done["sha256"] == hashlib.sha256(b"other call").hexdigest()
    counts = server.stats()["errors"]
    assert counts == {k: sum(1 for kind, _ in BAD if kind == k) for k in protocol.ERROR_KINDS}
    # a stopped call is gone: media for it is an unknown call, not a new buffer
    assert json.loads(server.handle(_media("a", 2, b"late"), owned))["kind"] == "unknown_call"


def test_a_closed_connection_drops_only_its_own_calls() -> None:
    server = Server("python")
    mine, theirs = set[str](), set[str]()
    server.handle(protocol.start("mine"), mine)
    server.handle(protocol.start("theirs"), theirs)
    server.handle(_media("mine", 0, b"lost"), mine)
    server.handle(_media("theirs", 0, b"kept"), theirs)
    server.drop(mine)
    assert json.loads(server.handle(protocol.stop("theirs"), theirs))["bytes"] == 4
    assert json.loads(server.handle(protocol.stop("mine"), mine))["kind"] == "unknown_call"
    assert server.stats()["calls_dropped"] == 1


@pytest.mark.parametrize(
    ("tier", "generator"), [*((t, "rust") for t in TIERS), ("python", "python"), ("rust-fast", "python")]
)
def test_a_short_stream_over_sockets_comes_back_equal(tier: str, generator: str) -> None:
    step = run_step(tier, 4, Settings(chunk_ms=20, duration_s=0.3, start_calls=4, generator=generator))
    load, server = step["load"], step["server"]
    assert load["calls_equal"] == 4 and not load["calls_unequal"] and not load["calls_lost"]
    assert load["chunks_sent"] == load["chunks_acked"] == server["chunks"] == 4 * 15
    assert server["calls_done"] == 4 and sum(server["errors"].values()) == 0
    assert len(load["latency_cdf_ns"]) > 0 and step["verdict"] in ("pass", "fail", "generator-bound")


def _server(tier: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "audiobench.stream.server", "--tier", tier, "--max-seconds", "120"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())["port"]


def test_a_client_killed_mid_call_loses_no_other_calls_bytes(tmp_path: Path) -> None:
    proc, port = _server("rust-fast")
    try:
        args = ["--port", str(port), "--chunk-ms", "20"]
        doomed = subprocess.Popen(
            [*LOAD, *args, "--calls", "3", "--duration", "30", "--out", str(tmp_path / "doomed.json")]
        )
        time.sleep(1.5)  # mid-call: its chunks are flowing
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        survivors = ["--calls", "2", "--duration", "0.3", "--first-call", "100", "--out", str(tmp_path / "ok.json")]
        ok = subprocess.run([*LOAD, *args, *survivors], timeout=60)
        assert ok.returncode == 0
        load: dict[str, Any] = json.loads((tmp_path / "ok.json").read_text())
        assert load["calls_equal"] == 2 and not load["calls_lost"]
    finally:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        stats = json.loads(proc.stdout.readline())
        proc.wait(timeout=30)
    assert stats["calls_dropped"] == 3 and stats["calls_done"] == 2 and proc.returncode == 0


def test_a_malformed_frame_over_the_socket_keeps_the_connection(tmp_path: Path) -> None:
    from websockets.asyncio.client import connect

    proc, port = _server("python-best")

    async def talk() -> list[dict[str, Any]]:
        async with connect(f"ws://127.0.0.1:{port}", compression=None) as ws:
            replies = []
            for text in (protocol.start("x"), "{", _media("x", 0, b"payload"), protocol.stop("x")):
                await ws.send(text)
                replies.append(json.loads(await ws.recv()))
            return replies

    try:
        replies = asyncio.run(asyncio.wait_for(talk(), 30))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    assert [r["event"] for r in replies] == ["started", "error", "ack", "done"]
    assert replies[3]["sha256"] == hashlib.sha256(b"payload").hexdigest()


def test_settings_refuse_what_is_not_a_stream() -> None:
    with pytest.raises(ValueError, match="chunk period 5 ms"):
        Settings(chunk_ms=5)
    with pytest.raises(ValueError, match="duration"):
        Settings(duration_s=0)
    with pytest.raises(ValueError, match="calls"):
        Settings(start_calls=10, max_calls=5)


def test_a_server_that_cannot_start_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(Path(sys.executable).parent / "no-such-python"))
    with pytest.raises((StreamError, OSError)):
        run_step("python", 1, Settings(duration_s=0.2, start_calls=1))


def test_a_server_that_cannot_bind_exits_2_with_the_reason() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "audiobench.stream.server", "--tier", "python", "--port", str(port)],
            input="",
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "cannot serve on 127.0.0.1" in proc.stderr and "in use" in proc.stderr, proc.stderr


def test_the_command_refuses_what_it_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    from audiobench.cli import main

    assert main(["stream", "--tiers", "python,nope"]) == 2
    assert "unknown tier(s) nope" in capsys.readouterr().err
    assert main(["stream", "--chunk-ms", "5"]) == 2
    assert "chunk period 5 ms is outside" in capsys.readouterr().err


def test_the_command_writes_a_stream_file_of_one_step_per_tier(tmp_path: Path) -> None:
    from audiobench.cli import main
    from audiobench.documents import stream as stream_doc

    args = ["stream", "--tiers", "python-best,rust-fast-per-call", "--calls", "3", "--duration", "0.2"]
    assert main([*args, "--out-dir", str(tmp_path), "--format", "json"]) == 0
    (path,) = tmp_path.glob("*.json")
    doc = stream_doc.read(path)
    assert [t["tier"] for t in doc["tiers"]] == ["python-best", "rust-fast-per-call"]
    for t in doc["tiers"]:
        (step,) = t["steps"]
        assert step["calls"] == 3 and step["load"]["calls_equal"] == 3
        assert t["capacity"]["limited_by"] == "fixed"
    assert doc["placement"]["server_cpu"] is not None and doc["settings"]["generator"] == "rust"


def _fake_step(limit: int, bound_at: int | None = None) -> Any:
    def step(tier: str, calls: int, settings: Settings, where: Any = None) -> dict[str, Any]:
        verdict = "generator-bound" if bound_at and calls >= bound_at else ("pass" if calls <= limit else "fail")
        return {"calls": calls, "verdict": verdict, "reasons": [], "cpu_ms_per_call_s": 2.0, "load": {}}

    return step


def test_the_search_doubles_then_bisects_within_its_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from audiobench.stream import search

    monkeypatch.setattr(search, "run_step", _fake_step(300))
    result = search.capacity("python", Settings(start_calls=32, max_steps=12, precision=0.1))
    tried = [s["calls"] for s in result["steps"]]
    assert tried[:5] == [32, 64, 128, 256, 512] and len(tried) == len(set(tried)) <= 12
    cap = result["capacity"]
    assert cap["limited_by"] == "server" and 270 <= cap["calls"] <= 300 < cap["first_failing"]
    assert cap["first_failing"] - cap["calls"] <= 0.1 * cap["calls"]
    assert cap["cpu_estimate_calls"] == 500.0  # one core / 2 ms of CPU per call-second

    monkeypatch.setattr(search, "run_step", _fake_step(10_000, bound_at=200))
    cap = search.capacity("python", Settings(start_calls=32))["capacity"]
    assert cap["limited_by"] == "generator" and 180 <= cap["calls"] < 200 <= cap["first_failing"]

    monkeypatch.setattr(search, "run_step", _fake_step(300, bound_at=500))  # the server fails first
    cap = search.capacity("python", Settings(start_calls=32))["capacity"]
    assert cap["limited_by"] == "server" and 270 <= cap["calls"] <= 300 < cap["first_failing"] < 500

    monkeypatch.setattr(search, "run_step", _fake_step(10_000))
    cap = search.capacity("python", Settings(start_calls=32, max_calls=100))["capacity"]
    assert (cap["calls"], cap["limited_by"]) == (100, "max_calls")

    monkeypatch.setattr(search, "run_step", _fake_step(0))
    result = search.capacity("python", Settings(start_calls=4))
    assert [s["calls"] for s in result["steps"]] == [4, 2, 1] and result["capacity"]["calls"] is None


def test_tiers_take_turns_a_step_each(monkeypatch: pytest.MonkeyPatch) -> None:
    from audiobench.stream import search

    order: list[tuple[str, int]] = []
    limits = {"python": 300, "rust-fast": 700}

    def step(tier: str, calls: int, settings: Settings, where: Any = None) -> dict[str, Any]:
        order.append((tier, calls))
        return _fake_step(limits[tier])(tier, calls, settings, where)

    monkeypatch.setattr(search, "run_step", step)
    seen: list[str] = []
    results = search.interleaved(["python", "rust-fast"], Settings(start_calls=64), lambda t, s: seen.append(t))
    assert [t for t, _ in order] == seen
    # round r starts at tier r mod 2 while both run: p r | r p | p r ...
    assert order[:4] == [("python", 64), ("rust-fast", 64), ("rust-fast", 128), ("python", 128)]
    alone = {t: search.capacity(t, Settings(start_calls=64)) for t in limits}  # the same search, one tier
    for result in results:
        assert result == {**alone[result["tier"]], "tier": result["tier"]}
        assert result["capacity"]["limited_by"] == "server"


def _load(p99_ms: float, misses: int = 0, loop_ms: float = 1.0, busy: float = 0.3) -> dict[str, Any]:
    return {
        "latency_ns": {"p99": p99_ms * 1e6},
        "misses": misses,
        "calls_lost": [],
        "error_replies": 0,
        "loop_lag_ns": {"p99": loop_ms * 1e6},
        "generator_cpu_share": busy,
    }


def test_a_step_is_generator_bound_only_when_the_generator_is_late_and_busy() -> None:
    from audiobench.stream.search import _judge

    period = 40_000_000
    assert _judge(_load(10), period) == ("pass", [])
    assert _judge(_load(39, misses=1), period)[0] == "fail"
    assert _judge(_load(41), period)[0] == "fail"
    assert _judge(_load(500, loop_ms=15, busy=0.5), period)[0] == "fail"  # a stalled server's burst
    assert _judge(_load(500, loop_ms=15, busy=0.95), period)[0] == "generator-bound"


def _speech_like(seconds: float, rate: int, seed: int = 3) -> bytes:
    """16-bit PCM alternating loud and near-silent stretches, so VAD flags take both values."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    amp = np.where((np.arange(n) // (rate // 5)) % 2 == 0, 8000.0, 40.0)
    return (rng.standard_normal(n) * amp).clip(-32768, 32767).astype("<i2").tobytes()


def _stream_call(server: Server, pcm: bytes, chunk: int) -> tuple[list[bool], dict[str, Any]]:
    owned: set[str] = set()
    server.handle(protocol.start("c"), owned)
    flags: list[bool] = []
    for seq, k in enumerate(range(0, len(pcm), chunk)):
        ack = json.loads(server.handle(_media("c", seq, pcm[k : k + chunk]), owned))
        assert ack["event"] == "ack", ack
        flags += ack["flags"]
    done: dict[str, Any] = json.loads(server.handle(protocol.stop("c"), owned))
    return flags, done


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize(("rate", "chunk_ms"), [(16_000, 40), (16_000, 25), (44_100, 20)])
def test_per_chunk_vad_flags_are_the_batch_vad_of_the_whole_call(tier: str, rate: int, chunk_ms: int) -> None:
    # 40 ms at 16 kHz is 640 samples against 480-sample frames: chunks and frames never line up
    pcm = _speech_like(1.3, rate)
    flags, done = _stream_call(Server(tier, "vad", rate), pcm, protocol.chunk_bytes(chunk_ms, rate))
    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / np.float32(32768)
    _, batch, _ = standard.vad(audio[np.newaxis, :], rate, 0.02)
    assert flags == batch.tolist() and any(flags) and not all(flags)
    assert done["sha256"] == hashlib.sha256(pcm).hexdigest() and "pipeline" not in done


def test_the_pipeline_at_call_end_agrees_across_tiers() -> None:
    pcm = _speech_like(1.0, 44_100)
    results = {}
    for tier in TIERS:
        server = Server(tier, "pipeline", 44_100)
        flags, done = _stream_call(server, pcm, protocol.chunk_bytes(40, 44_100))
        p = done["pipeline"]
        assert p["frames_out"] == 16_000 and p["service_ns"] > 0
        results[tier] = (p["flags_sha256"], p["speech_ratio"], sum(flags))
        stats = server.stats()
        assert (stats["pipelines"], stats["vad_frames"]) == (1, len(flags))
    assert len(set(results.values())) == 1, results  # flags identical; the audio within SNR floors


@pytest.mark.parametrize("tier", TIERS)
def test_warming_up_leaves_no_trace_in_the_counts(tier: str) -> None:
    server = Server(tier, "pipeline", 44_100)
    server.warm()
    stats = server.stats()
    assert (stats["chunks"], stats["calls_started"], stats["calls_done"], stats["pipelines"]) == (0, 0, 0, 0)
    assert (stats["vad_frames"], stats["cpu_s"], sum(stats["errors"].values())) == (0, 0.0, 0)
    flags, done = _stream_call(server, _speech_like(0.5, 44_100), protocol.chunk_bytes(40, 44_100))
    assert done["pipeline"]["frames_out"] == 8_000 and server.stats()["vad_frames"] == len(flags) == 16


def test_the_pipeline_needs_44_1_khz_and_a_work_it_knows() -> None:
    with pytest.raises(ValueError, match=r"44\.1 kHz"):
        Server("rust-fast", "pipeline", 16_000)
    with pytest.raises(ValueError, match="unknown work"):
        Server("rust-fast", "transcribe")
    with pytest.raises(ValueError, match="sample rate"):
        Server("python", "vad", 8_000)
    with pytest.raises(ValueError, match=r"44\.1 kHz"):
        Settings(work="pipeline")
    with pytest.raises(ValueError, match="sample rate"):
        Settings(sample_rate=48_000)


@pytest.mark.parametrize(("tier", "work"), [("rust-fast", "pipeline"), ("python-best", "vad")])
def test_a_short_stream_with_vad_or_pipeline_comes_back_equal(tier: str, work: str) -> None:
    rate = 44_100 if work == "pipeline" else 16_000
    settings = Settings(chunk_ms=40, work=work, sample_rate=rate, duration_s=0.4, start_calls=3)
    step = run_step(tier, 3, settings)
    load, server = step["load"], step["server"]
    # with the pipeline the ends spread over half the step: call i sends 10 − ⌊10 · 0.5 · i/3⌋ chunks
    chunks = [10 - int(10 * settings.spread * i / 3) for i in range(3)]
    assert chunks == ([10, 9, 7] if work == "pipeline" else [10, 10, 10])
    assert load["calls_equal"] == 3 and not load["calls_lost"] and load["chunks_acked"] == sum(chunks)
    assert (server["work"], server["sample_rate"], server["pipelines"]) == (work, rate, 3 if work == "pipeline" else 0)
    # whole 30 ms frames in each call's 40 ms chunks
    assert server["vad_frames"] == sum(n * 40 // 30 for n in chunks) and sum(server["errors"].values()) == 0
