"""Streaming: per tier, the capacity a live WebSocket server holds and its per-chunk latency,
beside the CallBot study's estimates (``../shared/study/002``: "~1,000 concurrent calls in
Python, ~2,660 with Rust", derived from a batch speed-up, never measured)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from audiobench.fmt import count, num
from audiobench.report import figures
from audiobench.report.model import Figure, Para, Section, Table, not_measured
from audiobench.report.query import newest_run, select, source_context

STUDY_ESTIMATE = {"python": 1000, "rust": 2660}
"""The study's estimated concurrent calls on "the same hardware" (study 002, Scalability
Benefits): Python ~1,000, Rust ~2,660 (1,000 × its 2.66× batch speed-up)."""
TIER_ORDER = ("python", "python-best", "rust-fast", "rust-fast-per-call")
LIMITED_BY = {
    "server": "the server (a step failed)",
    "generator": "the load generator (it fell behind above this: at least this many)",
    "max_calls": "the search's ceiling (every step passed)",
    "steps": "the step budget (the search stopped before converging)",
    "fixed": "one step at `--calls N` (no search)",
}


def _one(df: pd.DataFrame, **where: Any) -> float | None:
    rows = select(df, **where)
    return None if rows.empty else float(rows["value"].iloc[0])


def _ms(v: float | None) -> str:
    return num(None if v is None else v * 1e3)


def _us(v: float | None) -> str:
    return num(None if v is None else v * 1e6)


def _tiers(run: pd.DataFrame) -> list[str]:
    present = set(run["tier"].dropna())
    return [t for t in TIER_ORDER if t in present] + sorted(present - set(TIER_ORDER))


def _calls(size: str) -> int:
    return int(size.removesuffix("calls"))


WORK = {
    "buffer": "decodes it into the call's buffer with the tier's sink",
    "vad": "decodes it into the call's buffer with the tier's sink, runs the energy VAD over the 30 ms "
    "frames it completed and acknowledges their flags",
    "pipeline": "decodes it into the call's buffer with the tier's sink, runs the energy VAD over the 30 ms "
    "frames it completed, and at each call's end runs the pipeline (VAD → resample 44.1 → 16 kHz → int16) on "
    "the call's audio, holding up every other call's chunks meanwhile",
}
"""What the server does with each chunk, per work (:data:`audiobench.stream.names.WORKS`)."""
WORK_TITLE = {
    "buffer": "decode + append",
    "vad": "+ VAD per chunk",
    "pipeline": "+ VAD per chunk, pipeline at call end",
}


def section(df: pd.DataFrame, meta: dict[str, Any]) -> Section:
    """The streaming section: per variant (work, chunk period, rate), the newest run's setup,
    capacity per tier beside the study's estimates, every step, and the latency CDF at each
    tier's capacity."""
    sec = Section("streaming", "Streaming")
    streams = df[df["source"] == "stream"]
    if streams.empty:
        return sec.add(not_measured("Streaming", "Run `audiobench stream --quick` (`make stream-quick`)."))
    ctx = source_context(meta, "stream")
    variants = ctx.get("variants") or {}
    # the default work first (the study's claim), then the others by name
    for variant in sorted(set(streams["variant"]), key=lambda v: (v != "40ms", v)):
        run = newest_run(streams[streams["variant"] == variant], "stream")
        vctx = variants.get(variant, ctx if len(variants) <= 1 else {})
        settings = vctx.get("settings", {})
        title = (
            f"Streaming, {WORK_TITLE.get(settings.get('work', 'buffer'), variant)}: "
            f"{settings.get('chunk_ms', '?')} ms chunks at {settings.get('sample_rate', 16_000) / 1000:g} kHz"
        )
        sub = Section(f"streaming-{variant}", title)
        _variant(sub, run, vctx, variant)
        if len(set(streams["variant"])) == 1:
            sec.blocks, sec.subsections = sub.blocks, sub.subsections
        else:
            sec.subsections.append(sub)
    return sec


def _variant(sec: Section, run: pd.DataFrame, ctx: dict[str, Any], variant: str) -> None:
    settings, where = ctx.get("settings", {}), ctx.get("placement", {})
    period_ms = float(settings.get("chunk_ms", 40))
    rate = int(settings.get("sample_rate", 16_000))
    work = str(settings.get("work", "buffer"))
    sec.add(
        Para(
            f"A WebSocket server (Python asyncio, `websockets`, one event loop) on CPU {where.get('server_cpu')} "
            f"receives one JSON media message per call every {period_ms:g} ms (base64 of {rate / 1000:g} kHz "
            f"16-bit mono PCM), {WORK.get(work, work)}; it acknowledges every chunk. The "
            f"{settings.get('generator', 'rust')} load generator on CPU {where.get('generator_cpu')} "
            f"({where.get('note', '')}) paces the calls in real time for {settings.get('duration_s', '?')} s per "
            "step and times every chunk from send to ack. Capacity: the most concurrent calls whose p99 stays "
            "under one chunk period with no deadline miss, no lost call and no error reply, found by doubling "
            "then bisecting (a bounded search), the tiers taking turns a step each. Every call's bytes are checked "
            "against what its client sent. The capacity is one run's zero-miss threshold: on a shared VM it moves "
            "between runs, so compare tiers within this run and repeat the run before trusting a gap between them."
        )
    )
    rows = []
    for tier in _tiers(run):
        cap = select(run, tier=tier, size="capacity", metric="capacity")
        limited = str(cap["side"].iloc[0]) if not cap.empty else "steps"
        best = _one(run, tier=tier, size="capacity", metric="capacity", statistic="max_passing")
        first_fail = _one(run, tier=tier, size="capacity", metric="capacity", statistic="first_failing")
        estimate = _one(run, tier=tier, size="capacity", metric="capacity", statistic="cpu_estimate")
        at = f"{int(best)}calls" if best is not None else None
        lat = {s: _one(run, tier=tier, size=at, metric="latency", statistic=s) for s in ("p50", "p99", "p999", "max")}
        cpu = _one(run, tier=tier, size=at, metric="cpu_per_call") if at else None
        per_chunk = _one(run, tier=tier, size=at, metric="cpu_per_chunk") if at else None
        handler = _one(run, tier=tier, size=at, metric="handler_time", statistic="p50") if at else None
        study = STUDY_ESTIMATE["rust" if tier.startswith("rust") else "python"] if work == "buffer" else None
        shown = f"~{study:,} (estimated)" if study else "— (decode + append only)"
        measured = f"{int(best):,}" if best is not None else f"< {int(first_fail or 1):,}"
        if limited == "generator":
            measured = f"≥ {measured}"
        rows.append(
            [tier, measured, LIMITED_BY.get(limited, limited), *(_ms(lat[s]) if at else "—" for s in lat),
             num(cpu), _us(per_chunk), _us(handler), num(estimate), shown]
        )  # fmt: skip
    sec.add(
        Table(
            [
                "tier",
                "capacity (calls)",
                "limited by",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "max ms",
                "server CPU per call %",
                "server CPU per chunk µs",
                "handler p50 µs",
                "CPU-based estimate (calls)",
                "the study's",
            ],
            rows,
            [False, True, False, True, True, True, True, True, True, True, True, True],
            title="Capacity per tier, latency at capacity",
            note="CPU per chunk: the server process's CPU over the step divided by the chunks it handled "
            "(framing, the event loop, the handler); handler: the handler's own time per chunk (JSON in, the "
            "tier's decode and work, the ack out) — the share a faster tier can shrink. CPU-based estimate: "
            "one core divided by the measured CPU per call, the kind of figure the study derived; the measured "
            "capacity is lower wherever the event loop's queueing, not CPU, decides the tail.",
        )
    )
    steps = []
    for tier in _tiers(run):
        sizes = sorted({s for s in select(run, tier=tier, metric="latency")["size"]}, key=_calls)
        for size in sizes:
            verdict = select(run, tier=tier, size=size, metric="stream_verdict")
            equal = _one(run, tier=tier, size=size, metric="parity")
            steps.append(
                [tier, f"{_calls(size):,}", str(verdict["statistic"].iloc[0]) if not verdict.empty else "—",
                 *(_ms(_one(run, tier=tier, size=size, metric="latency", statistic=s)) for s in ("p50", "p99", "max")),
                 count(_one(run, tier=tier, size=size, metric="deadline_misses")),
                 "yes" if equal == 1.0 else "NO",
                 *(_ms(_one(run, tier=tier, size=size, metric="pipeline_time", statistic=s))
                   for s in (("p50", "max") if work == "pipeline" else ()))]
            )  # fmt: skip
    pipeline_cols = ["pipeline at call end p50 ms", "pipeline max ms"] if work == "pipeline" else []
    sec.add(
        Table(
            [
                "tier",
                "calls",
                "verdict",
                "p50 ms",
                "p99 ms",
                "max ms",
                "deadline misses",
                "bytes equal",
                *pipeline_cols,
            ],
            steps,
            [False, True, False, True, True, True, True, False, *(True for _ in pipeline_cols)],
            title="Every load step",
        )
    )
    series = {}
    for tier in _tiers(run):
        cdf = select(run, tier=tier, metric="latency_cdf")
        if cdf.empty:
            continue
        levels = cdf["statistic"].str.removeprefix("q").astype(float)
        order = levels.argsort()
        series[tier] = (list(cdf["value"].iloc[order] * 1e3), list(levels.iloc[order]))
    if series:
        name = "stream-latency-cdf" if variant == "40ms" else f"stream-latency-cdf-{variant}"
        svg = figures.cdfs(name, series, deadline=period_ms, xlabel="send → ack latency (ms)")
        sec.add(Figure(name, svg, f"Per-chunk latency at each tier's capacity (cumulative), {variant}."))
