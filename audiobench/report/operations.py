"""Per-operation sections: the study's tables, filled from the newest runner run.

Every number comes from the runner's rows of the tidy table (one run, so every tier in a table
was measured in the same interleaved rounds). Speed-ups are the runner's per-round paired
ratios ``python / tier`` with their bootstrap CI; nothing is recomputed from medians.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd

from audiobench import operations
from audiobench.catalogue import load
from audiobench.fmt import count, num, ratio, size_key, size_label, with_ci
from audiobench.limits import DISPLAY_ORDER
from audiobench.report import figures
from audiobench.report.model import Figure, Para, Section, Table, not_measured
from audiobench.report.query import first, ordered, point, select, sizes, tier_order, value
from audiobench.stats import Point

LIMITS = DISPLAY_ORDER


def _title(op: str) -> str:
    return load().operation(op).title


def _tiers(df: pd.DataFrame) -> list[str]:
    return [t for t in ordered(df["tier"], [*tier_order(), *LIMITS]) if t not in LIMITS]


def speedup(df: pd.DataFrame, tier: str) -> Point | None:
    """``python / tier`` per round (> 1: tier is faster), from the runner's paired ratios."""
    if tier == "python":
        return None
    return point(df, metric="ratio", tier="python", reference=tier)


def _speedup_cell(case: pd.DataFrame, tier: str) -> str:
    return "1 (reference)" if tier == "python" else ratio(speedup(case, tier))


def order_notes(df: pd.DataFrame, cases: list[tuple[str, str, pd.DataFrame]]) -> list[str]:
    """Where two tiers' medians and their paired speed-ups rank them in opposite orders — and
    both differences are significant by their CIs — one sentence saying why, so a reader does
    not take it for an error: the medians come from each tier's own batches, the speed-ups from
    per-round ratios, and rounds that are slow for both tiers move a median, not a ratio."""
    out = []
    for variant, size, case in cases:
        tiers = [t for t in _tiers(case) if t != "python"]
        for i, a in enumerate(tiers):
            for b in tiers[i + 1 :]:
                ma, mb = (value(case, metric="time", statistic="median", tier=t) for t in (a, b))
                sa, sb = speedup(case, a), speedup(case, b)
                if ma is None or mb is None or sa is None or sb is None:
                    continue
                if sa.low is None or sa.high is None or sb.low is None or sb.high is None:
                    continue
                faster_median, larger_speedup = (a if ma < mb else b), (a if sa.value > sb.value else b)
                apart = sa.low > sb.high or sb.low > sa.high
                if faster_median != larger_speedup and apart:
                    other = b if faster_median == a else a
                    out.append(
                        f"{variant} {size}: {faster_median}'s median time is below {other}'s while {other}'s "
                        "speed-up over python is the larger. Both are right: a median is over a tier's own "
                        "batches, a speed-up is the median of per-round ratios (each tier against python in the "
                        "same round), so rounds that are slow for every tier move medians but not ratios."
                    )
    return out


def _measured(series: dict[str, list[Point | None]]) -> dict[str, list[Point | None]]:
    """The series with at least one measured point (a tier absent everywhere gets no bars)."""
    return {t: pts for t, pts in series.items() if any(p is not None for p in pts)}


def _speedup_figure(name: str, df: pd.DataFrame, groups: list[tuple[str, pd.DataFrame]], caption: str) -> Figure | None:
    tiers = [t for t in _tiers(df) if t != "python"]
    series = _measured({t: [speedup(g, t) for _, g in groups] for t in tiers})
    if not series:
        return None
    svg = figures.grouped_bars(
        name,
        [label for label, _ in groups],
        series,
        xlabel="speed-up vs python (×, log scale)",
        log=True,
        line=(1.0, "python"),
    )
    return Figure(name, svg, caption)


def _cases(df: pd.DataFrame, variants: list[str]) -> list[tuple[str, str, pd.DataFrame]]:
    """(variant, size as a reader reads it, the case's rows) in catalogue order."""
    out = []
    for v in variants:
        for s in sizes(select(df, variant=v)):
            out.append((v, size_label(s), select(df, variant=v, size=s)))
    return out


def _time_row(case: pd.DataFrame, tier: str, scale: float) -> str:
    return with_ci(point(case, metric="time", statistic="median", tier=tier), scale)


def resample(df: pd.DataFrame) -> Section:
    """The resample section: time, ms per s of audio, speed-up and SNR per preset, and figures."""
    sec = Section("resample", _title("resample"))
    rows = []
    cases = _cases(df, ordered(df["variant"], ["low", "medium", "high"]))
    # At 1 s of audio, ms per call is ms per s of audio: the second column only where they differ.
    per_audio = any(size != "1s" for _, size, _ in cases)
    for variant, size, case in cases:
        for t in _tiers(case):
            snr = value(case, metric="snr_db", tier=t)
            per_s = [with_ci(point(case, metric="unit_time", tier=t))] if per_audio else []
            rows.append([variant, size, t, _time_row(case, t, 1e3), *per_s, _speedup_cell(case, t), num(snr)])
    headers = ["preset", "audio", "tier", "ms per call [95% CI]", *(["ms per s of audio"] if per_audio else [])]
    sec.add(
        Table(
            [*headers, "speed-up vs python", "SNR dB"],
            rows,
            [False, False, False, True, *([True] if per_audio else []), True, True],
            note="SNR of each tier's output against the reference resampler, measured on the same input"
            + ("" if any(r[-1] != "—" for r in rows) else " (not measured in this run: a user's file has no reference)")
            + ".",
        )
    )
    groups = [(f"{v} {s}", c) for v, s, c in _cases(df, ordered(df["variant"], ["low", "medium", "high"]))]
    fig = _speedup_figure("resample-speedup", df, groups, "Resample: speed-up over python per preset (95% CI).")
    if fig:
        sec.add(fig)
    high = select(df, variant="high")
    series: dict[str, list[tuple[float, Point]]] = {}
    for t in _tiers(high):
        pts = []
        for s in sizes(high):
            p = point(select(high, size=s), metric="time", statistic="median", tier=t)
            if p is not None and s.endswith("s"):
                pts.append((float(s[:-1]), Point(p.value * 1e3, _scale(p.low, 1e3), _scale(p.high, 1e3))))
        if pts:
            series[t] = pts
    if series and max(len(pts) for pts in series.values()) > 1:  # one duration draws no line
        svg = figures.lines("resample-duration", series, xlabel="audio duration (s)", ylabel="ms per call")
        sec.add(Figure("resample-duration", svg, "Resample (high preset): time per call against audio duration."))
    return sec


def _scale(v: float | None, k: float) -> float | None:
    return None if v is None else v * k


def vad(df: pd.DataFrame, target_us: float | None) -> Section:
    """The VAD section: µs per frame (against the target line ``target_us``), speed-up, figure."""
    sec = Section("vad", _title("vad"))
    rows = []
    cases = _cases(df, ["default"])
    for _, size, case in cases:
        for t in _tiers(case):
            speech = value(case, metric="speech_ratio", tier=t)
            rows.append(
                [
                    "single frame" if size == "frame" else size,
                    t,
                    with_ci(point(case, metric="unit_time", tier=t)),
                    _time_row(case, t, 1e6),
                    _speedup_cell(case, t),
                    "—" if speech is None else f"{100 * speech:.1f} %",
                ]
            )
    sec.add(
        Table(
            ["audio", "tier", "µs per frame [95% CI]", "µs per call", "speed-up vs python", "frames flagged speech"],
            rows,
            [False, False, True, True, True, True],
            note="webrtcvad is a different algorithm (a peer): its time is shown, its output is not compared.",
        )
    )
    series = _measured({t: [point(c, metric="unit_time", tier=t) for _, _, c in cases] for t in _tiers(df)})
    if series:
        line = (target_us, f"target {num(target_us)} µs") if target_us else None
        svg = figures.grouped_bars(
            "vad-per-frame",
            [("single frame" if s == "frame" else s) for _, s, _ in cases],
            series,
            xlabel="µs per 30 ms frame (log scale)",
            log=True,
            line=line,
        )
        sec.add(Figure("vad-per-frame", svg, "VAD: µs per frame by audio duration (95% CI)."))
    return sec


def convert(df: pd.DataFrame) -> Section:
    """The conversion section: µs per 1M samples, % of the read, memcpy and read-write limits,
    speed-up, figures."""
    sec = Section("convert", _title("convert"))
    rows = []
    cases = _cases(df, ordered(df["variant"], ["f32_i16", "i16_f32", "f32_i32", "i16_i32"]))
    for variant, size, case in cases:
        for t in _tiers(case):
            rows.append(
                [
                    variant,
                    size,
                    t,
                    with_ci(point(case, metric="unit_time", tier=t)),
                    num(value(case, metric="pct_of_limit", tier=t, reference="limit:read")),
                    num(value(case, metric="pct_of_limit", tier=t, reference="limit:memcpy")),
                    num(value(case, metric="pct_of_limit", tier=t, reference="limit:read-write")),
                    _speedup_cell(case, t),
                ]
            )
    sec.add(
        Table(
            [
                "variant",
                "samples",
                "tier",
                "µs per 1M samples [95% CI]",
                "% of read limit",
                "% of memcpy limit",
                "% of read-write limit",
                "speed-up vs python",
            ],
            rows,
            [False, False, False, True, True, True, True, True],
            note="% of limit: the same run's read-only (limit:read) and copy (limit:memcpy) probes over the "
            "same input bytes, and the read-write probe (limit:read-write: the input read once and the output's "
            "bytes written once, by plain copies — the conversion's own traffic), divided by the tier's time; "
            "100 % would be the memory system's speed.",
        )
    )
    big = [(v, s, c) for v, s, c in cases if s == max((s for _, s, _ in cases), key=size_key)]
    fig = _speedup_figure(
        "convert-speedup",
        df,
        [(f"{v} {s}", c) for v, s, c in big],
        "Conversion: speed-up over python at the largest size (95% CI).",
    )
    if fig:
        sec.add(fig)
    series = _measured({t: [_pct(c, t) for _, _, c in big] for t in _tiers(df)})
    if series:
        svg = figures.grouped_bars(
            "convert-limit",
            [f"{v} {s}" for v, s, _ in big],
            series,
            xlabel="% of the read-bandwidth limit",
            line=(100.0, "limit"),
        )
        sec.add(Figure("convert-limit", svg, "Conversion: share of the same-run read-bandwidth limit reached."))
    return sec


def _pct(case: pd.DataFrame, tier: str) -> Point | None:
    v = value(case, metric="pct_of_limit", tier=tier, reference="limit:read")
    return None if v is None else Point(v)


def b64_buffer(df: pd.DataFrame) -> Section:
    """The base64 section: chunks/s, reallocations, speed-up, scaling by stream shape."""
    sec = Section("b64_buffer", _title("b64_buffer"))
    cases = _cases(df, ["default"])
    rows = []
    for _, size, case in cases:
        for t in _tiers(case):
            rows.append(
                [
                    size,
                    t,
                    with_ci(point(case, metric="unit_time", tier=t)),
                    count(value(case, metric="reallocations", tier=t)),
                    _speedup_cell(case, t),
                ]
            )
    sec.add(
        Table(
            ["stream (chunks-calls-threads)", "tier", "chunks/s [95% CI]", "reallocations", "speed-up vs python"],
            rows,
            [False, False, True, True, True],
            note="Reallocations are counted in a separate parity pass (counting costs the Python tiers time).",
        )
    )
    sizes = [s for _, s, _ in cases]
    tiers = _tiers(df)
    scaling = [[t, *(num(value(c, metric="unit_time", tier=t)) for _, _, c in cases)] for t in tiers]
    sec.add(Table(["tier", *sizes], scaling, [False, *([True] * len(sizes))], title="Scaling: chunks/s by stream"))
    series = _measured({t: [point(c, metric="unit_time", tier=t) for _, _, c in cases] for t in tiers})
    if series:
        svg = figures.grouped_bars("b64-throughput", sizes, series, xlabel="chunks/s (log scale)", log=True)
        sec.add(Figure("b64-throughput", svg, "base64 buffering: chunks per second by stream shape (95% CI)."))
    return sec


def pipeline(df: pd.DataFrame) -> Section:
    """The pipeline section: ms per call end to end, speed-up and int16 SNR."""
    sec = Section("pipeline", _title("pipeline"))
    sec.add(Para("Measured end to end: each tier's whole pipeline call is timed as one call, not summed from stages."))
    rows = []
    cases = _cases(df, ["default"])
    for _, size, case in cases:
        for t in _tiers(case):
            snr = value(case, metric="snr_db", tier=t)
            rows.append(
                [
                    size,
                    t,
                    with_ci(point(case, metric="unit_time", tier=t)),
                    _speedup_cell(case, t),
                    num(snr),
                ]
            )
    sec.add(
        Table(
            ["audio", "tier", "ms per call [95% CI]", "speed-up vs python", "int16 SNR dB"],
            rows,
            [False, False, True, True, True],
        )
    )
    fig = _speedup_figure(
        "pipeline-speedup", df, [(s, c) for _, s, c in cases], "Pipeline: speed-up over python, end to end (95% CI)."
    )
    if fig:
        sec.add(fig)
    return sec


def generic(op: str, df: pd.DataFrame) -> Section:
    """The section of an operation without a curated one: every case's time in the catalogue's
    unit, the parity metrics its spec names, the speed-up over python, and a speed-up figure."""
    entry = load().operation(op)
    metrics = operations.spec(op).report_metrics
    sec = Section(op, entry.title)
    rows = []
    cases = _cases(df, ordered(df["variant"], list(entry.variants)))
    for variant, size, case in cases:
        for t in _tiers(case):
            shown = [num(value(case, metric=m, tier=t)) for m, _ in metrics]
            rows.append(
                [variant, size, t, with_ci(point(case, metric="unit_time", tier=t)), *shown, _speedup_cell(case, t)]
            )
    headers = ["variant", "size", "tier", f"{entry.unit} [95% CI]", *(h for _, h in metrics), "speed-up vs python"]
    sec.add(Table(headers, rows, [False, False, False, True, *([True] * len(metrics)), True]))
    fig = _speedup_figure(
        f"{op}-speedup", df, [(f"{v} {s}", c) for v, s, c in cases], f"{entry.title}: speed-up over python (95% CI)."
    )
    if fig:
        sec.add(fig)
    return sec


BUILDERS: dict[str, Callable[[pd.DataFrame], Section]] = {
    "resample": resample,
    "convert": convert,
    "b64_buffer": b64_buffer,
    "pipeline": pipeline,
}
"""Curated sections of the study's operations (its tables and figures); others get :func:`generic`."""


def sections(runner: pd.DataFrame, vad_target_us: float | None) -> list[Section]:
    """One section per catalogue operation, in catalogue order."""
    out = []
    for op in load().operations:
        rows = select(runner, operation=op)
        if rows.empty:
            out.append(Section(op, _title(op)).add(not_measured(op, "Run `audiobench run` (`make runner-quick`).")))
            continue
        sec = vad(rows, vad_target_us) if op == "vad" else BUILDERS.get(op, partial(generic, op))(rows)
        timed = select(rows, metric="time")
        sec.add(
            *(
                Para(n)
                for n in order_notes(rows, _cases(timed, ordered(timed["variant"], load().operation(op).variants)))
            )
        )
        run_id = first(rows, "run_id")
        sec.blocks.insert(0, Para(f"Runner run `{run_id}`; medians over interleaved rounds with 95 % bootstrap CIs."))
        out.append(sec)
    return out
