"""``audiobench stream``: per tier, a WebSocket server on one CPU fed by a load generator on the
other at real-time pace; per-chunk latency (p50 / p99 / p99.9 / max), deadline misses, server CPU
per call, and the capacity — the most concurrent calls whose p99 stays under one chunk period
with no miss — found by a bounded search (or one step at ``--calls N``). Every call's bytes are
checked against what its client sent.

Writes ``reports/data/streams/<run id>.json``; ``audiobench report`` shows it. Exit 0 done, 1 a
call's bytes came back different, 2 bad arguments or a server or generator that could not run
(the message says which), 130 interrupted (no stream file is written).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from audiobench import options
from audiobench.documents import stream as stream_doc
from audiobench.stream.names import GENERATORS, SAMPLE_RATES, TIERS, WORKS, default_rate

QUICK = {"duration_s": 2.0, "start_calls": 256, "max_steps": 7, "precision": 0.15}
"""``--quick``: 2 s per step, at most 7 steps per tier from 256 calls, about where every tier's
capacity sits on a 2-vCPU VM (measured: 52-80 s for the four tiers)."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``stream`` sub-command to the ``audiobench`` parser's subparsers."""
    s: argparse.ArgumentParser = subparsers.add_parser(
        "stream",
        help="real-time streaming: per-chunk latency, deadline misses and capacity per tier (WebSocket, loopback)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--quick", action="store_true", help="short steps and few of them (under 2 minutes)")
    s.add_argument("--tiers", help=f"comma-separated streaming tiers (default: {', '.join(TIERS)})")
    s.add_argument("--calls", type=int, metavar="N", help="one step at N calls per tier instead of the search")
    s.add_argument("--chunk-ms", type=int, default=40, metavar="MS", help="chunk period, 10-100 ms (default 40)")
    s.add_argument(
        "--work",
        choices=WORKS,
        default="buffer",
        help="per call: decode + append (buffer, default); + a VAD per chunk (vad); + the pipeline at call end "
        "(pipeline)",
    )
    s.add_argument(
        "--sample-rate",
        type=int,
        choices=SAMPLE_RATES,
        metavar="HZ",
        help=f"PCM rate, one of {', '.join(map(str, SAMPLE_RATES))} (default 16000; 44100 for the pipeline)",
    )
    s.add_argument(
        "--duration", type=float, metavar="S", help="seconds of audio per call and step (default 5; quick 2)"
    )
    s.add_argument("--max-calls", type=int, default=4096, help="the search's ceiling (default %(default)s)")
    s.add_argument("--max-steps", type=int, metavar="N", help="steps per tier at most (default 10; quick 7)")
    s.add_argument("--generator", choices=GENERATORS, default="rust", help="load generator (default rust)")
    options.add_out_dir(s, stream_doc.STREAMS_DIR, "where the stream file is written")
    options.add_format(s, "a capacity table")
    s.set_defaults(func=cmd_stream)
    return s


def _settings(args: argparse.Namespace) -> Any:
    from audiobench.stream.search import Settings

    over: dict[str, Any] = dict(QUICK) if args.quick else {}
    if args.duration is not None:
        over["duration_s"] = args.duration
    if args.max_steps is not None:
        over["max_steps"] = args.max_steps
    if args.calls is not None:
        over["start_calls"] = args.calls
    over["max_calls"] = max(args.max_calls, args.calls or 0)
    rate = args.sample_rate or default_rate(args.work)
    return Settings(chunk_ms=args.chunk_ms, work=args.work, sample_rate=rate, generator=args.generator, **over)


def _step_line(tier: str, step: dict[str, Any]) -> str:
    lat = step["load"]["latency_ns"]
    p99 = f"{lat['p99'] / 1e6:.2f} ms" if lat["p99"] is not None else "none"
    why = f" ({'; '.join(step['reasons'])})" if step["reasons"] else ""
    return f"{tier} {step['calls']} calls: {step['verdict']}, p99 {p99}, {step['load']['misses']} misses{why}"


def cmd_stream(args: argparse.Namespace) -> int:
    """Run the streaming benchmark for each tier and write the stream file."""
    from audiobench.documents.run import new_run_id
    from audiobench.environment import fingerprint
    from audiobench.stream.search import StreamError, interleaved, one_step, placement

    tiers = options.split(args.tiers) or list(TIERS)
    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        print(f"audiobench stream: unknown tier(s) {', '.join(unknown)} (known: {', '.join(TIERS)})", file=sys.stderr)
        return 2
    try:
        settings = _settings(args)
    except ValueError as e:
        print(f"audiobench stream: {e}", file=sys.stderr)
        return 2
    env = fingerprint()
    started = datetime.now(UTC)
    t0 = time.monotonic()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    # a search ends early, so the bar's total is the step budget
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} steps at most"))
    results: list[dict[str, Any]] = []
    steps_at_most = len(tiers) * (1 if args.calls is not None else settings.max_steps)
    # No refresh thread: the bar is redrawn when a step ends, while nothing is being measured.
    with Progress(
        *columns, TimeElapsedColumn(), disable=not sys.stderr.isatty(), transient=True, auto_refresh=False
    ) as bar:
        task = bar.add_task("streaming", total=steps_at_most)

        def log(tier: str, step: dict[str, Any]) -> None:
            line = f"audiobench stream: {_step_line(tier, step)}"
            if bar.disable:
                print(line, file=sys.stderr, flush=True)
            else:
                bar.console.print(line, highlight=False)
                bar.update(task, advance=1, description=f"{tier} {step['calls']} calls", refresh=True)

        try:
            if args.calls is not None:
                results = [one_step(t, args.calls, settings, on_step=functools.partial(log, t)) for t in tiers]
            else:
                results = interleaved(tiers, settings, on_step=log)
        except StreamError as e:
            bar.stop()
            print(f"audiobench stream: {e}", file=sys.stderr)
            return 2
    doc: dict[str, Any] = {
        "schema": stream_doc.SCHEMA,
        "run_id": new_run_id(env.get("git", {}).get("commit", ""), started),
        "created": started.isoformat(timespec="seconds"),
        "settings": {**settings.record(), "quick": bool(args.quick), "wall_s": round(time.monotonic() - t0, 1)},
        "placement": placement(),
        "environment": env,
        "tiers": results,
    }
    path = stream_doc.write(doc, args.out_dir)
    unequal = [(r["tier"], c) for r in results for s in r["steps"] for c in s["load"]["calls_unequal"]]
    if args.format == "json":
        print(json.dumps({"stream_file": str(path), "run_id": doc["run_id"], "unequal_calls": len(unequal)}))
    else:
        _print_table(results, settings)
        print(f"wrote {path} ({doc['settings']['wall_s']:.0f} s)")
    for tier, call in unequal:
        print(f"  BYTES DIFFER {tier} {call}: the server's buffer is not what the client sent", file=sys.stderr)
    return 1 if unequal else 0


def _print_table(results: list[dict[str, Any]], settings: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    title = f"streaming capacity: {settings.work}, {settings.chunk_ms} ms chunks of {settings.sample_rate} Hz"
    table = Table(title=f"{title}, {settings.duration_s:g} s per step")
    for col in ("tier", "capacity (calls)", "limited by", "p99 at capacity", "CPU per call", "CPU estimate"):
        table.add_column(col)
    for r in results:
        cap = r["capacity"]
        at = next((s for s in r["steps"] if s["calls"] == cap["calls"]), None)
        p99 = f"{at['load']['latency_ns']['p99'] / 1e6:.2f} ms" if at else "—"
        cpu = f"{at['cpu_ms_per_call_s']:.3f} ms/s" if at else "—"
        est = f"{cap['cpu_estimate_calls']:.0f}" if cap["cpu_estimate_calls"] else "—"
        calls = str(cap["calls"]) if cap["calls"] is not None else f"< {cap['first_failing']}"
        table.add_row(r["tier"], calls, cap["limited_by"], p99, cpu, est)
    Console().print(table)
