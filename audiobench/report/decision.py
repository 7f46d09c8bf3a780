"""The report's first screen: per operation, should this path move to Rust?

For each (operation, variant) at the largest size of the newest runner run: the fastest Rust
tier against the fastest Python tier (both chosen by the paired ratios,
:func:`audiobench.report.recommend.fastest`) and against the study's baseline (``python``), the
output check of both, the price of the JSON wrapper (``rust-json`` against the fastest Rust
tier) and a one-line verdict that follows from the speed-up's CI alone:

* the whole CI above 1 and the Rust output matched → "move it: N× [lo, hi] faster at matched output";
* the whole CI below 1 → "keep <tier>: Rust is slower (N× [lo, hi])";
* the CI contains 1 → "keep <tier>: no significant difference (N× [lo, hi])";
* the Rust output did not match → "do not move: the output differs".

Peers (another algorithm) and the limit probes are not candidates. Every sentence is derived
from the numbers printed beside it (tests/test_report_sentences.py holds it to them).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audiobench.catalogue import load
from audiobench.fmt import num, ratio, size_label
from audiobench.report import figures
from audiobench.report.model import Figure, Section, Table, not_measured
from audiobench.report.query import point, select, sizes, value
from audiobench.report.recommend import fastest
from audiobench.stats import Point

BASELINE = "python"
"""The study's Python baseline (librosa, numpy, stdlib)."""
WRAPPER = "rust-json"
"""The study's standard node: the JSON-wrapped async Rust tier."""


@dataclass
class Decision:
    """One (operation, variant) decided at its largest measured size."""

    case: str
    size: str
    rust: str
    python: str
    speedup: Point | None
    """Time of the fastest Python tier / time of the fastest Rust tier (paired, per round)."""
    vs_baseline: Point | None
    wrapper: Point | None
    """rust-json's time / the fastest Rust tier's (paired); None when rust-json was not run."""
    rust_ok: bool | None
    python_ok: bool | None
    snr: tuple[float | None, float | None]

    @property
    def verdict(self) -> str:
        """The one-line answer (:func:`verdict`), from the speed-up's CI and the Rust output's check."""
        return verdict(self.speedup, self.rust, self.python, self.rust_ok)


def _ok(case: pd.DataFrame, tier: str) -> bool | None:
    v = value(case, metric="parity", tier=tier)
    return None if v is None else v == 1.0


def verdict(speedup: Point | None, rust: str, python: str, rust_ok: bool | None) -> str:
    """The one-line answer from the speed-up's CI and the Rust output's check; the tiers it
    compares stand beside it in the table (``rust`` over ``python``)."""
    if rust_ok is False:
        return f"do not move: {rust}'s output differs from the reference"
    if speedup is None or speedup.low is None or speedup.high is None:
        return "not decided: no paired ratio between the two tiers in this run"
    if speedup.low > 1.0:
        quality = " at matched output" if rust_ok else ""
        return f"move it: {ratio(speedup)} faster{quality}"
    if speedup.high < 1.0:
        return f"keep {python}: Rust is slower ({ratio(speedup)})"
    return f"keep {python}: no significant difference ({ratio(speedup)})"


def decide(runner: pd.DataFrame) -> list[Decision]:
    """One decision per (operation, variant) of the run, in catalogue order."""
    cat = load()
    # Single-threaded on both sides: a multi-threaded tier is reported beside, never decides.
    single = cat.single_thread_tiers
    rust_tiers = [t for t in single if cat.tier_specs[t].language == "rust"]
    python_tiers = [t for t in single if cat.tier_specs[t].language == "python"]
    out = []
    for op in cat.operations:
        rows = select(runner, operation=op)
        timed = select(rows, metric="time")  # not the cold first-call rows of a variant
        for variant in [v for v in cat.operation(op).variants if v in set(timed["variant"].dropna())]:
            largest = sizes(select(timed, variant=variant))[-1]
            case = select(rows, variant=variant, size=largest)
            rust = fastest(case, rust_tiers)
            python = fastest(case, python_tiers)
            if rust is None or python is None:
                continue
            speedup = point(case, metric="ratio", tier=python, reference=rust)
            out.append(
                Decision(
                    case=f"{op}/{variant}",
                    size=largest,
                    rust=rust,
                    python=python,
                    speedup=speedup,
                    vs_baseline=point(case, metric="ratio", tier=BASELINE, reference=rust),
                    wrapper=point(case, metric="ratio", tier=WRAPPER, reference=rust) if rust != WRAPPER else None,
                    rust_ok=_ok(case, rust),
                    python_ok=_ok(case, python),
                    snr=(value(case, metric="snr_db", tier=rust), value(case, metric="snr_db", tier=python)),
                )
            )
    return out


def _output(d: Decision) -> str:
    marks = {True: "matched", False: "differs", None: "not checked"}
    text = "both matched" if d.rust_ok and d.python_ok else f"{marks[d.rust_ok]} / {marks[d.python_ok]}"
    if d.snr[0] is not None and d.snr[1] is not None:
        text += f", SNR {num(d.snr[0])} / {num(d.snr[1])} dB"
    return text


def _inputs(sources: list[str] | None) -> str:
    files = [s for s in sources or [] if s != "generated"]
    if not files:
        return "the catalogue's seeded signals"
    return ("your audio file " if len(files) == 1 else "your audio files ") + ", ".join(f"`{f}`" for f in files)


def _figure(decisions: list[Decision]) -> Figure | None:
    shown = [d for d in decisions if d.speedup is not None]
    if not shown:
        return None
    svg = figures.grouped_bars(
        "decision-speedup",
        [f"{d.case} {size_label(d.size)}" for d in shown],
        {
            "fastest Rust over fastest Python": [d.speedup for d in shown],
            "fastest Rust over python (the study's baseline)": [d.vs_baseline for d in shown],
        },
        xlabel="speed-up (×, log scale; right of 1: Rust faster)",
        log=True,
        line=(1.0, "equal"),
        # not tier colours: these bars compare tiers, they are none of them
        colours={
            "fastest Rust over fastest Python": "#444444",
            "fastest Rust over python (the study's baseline)": "#b0b0b0",
        },
    )
    return Figure(
        "decision-speedup",
        svg,
        "Speed-up of the fastest Rust tier over the fastest Python tier and over the study's baseline, per "
        "operation at its largest size (paired ratio per round, CI whiskers).",
    )


def section(runner: pd.DataFrame, sources: list[str] | None = None) -> Section:
    """The decision section: the answer per operation, from the newest runner run alone;
    ``sources`` (the run's inputs: ``generated`` or file paths) are named."""
    sec = Section("decision", "Should it move to Rust?")
    if runner.empty:
        return sec.add(not_measured("The decision", "It needs a runner run (`audiobench run`, `make report`)."))
    decisions = decide(runner)
    run_id = str(runner["run_id"].dropna().iloc[0])
    # One line per row, the explanation under the table: every operation fits the first screen.
    rows = [
        [
            f"{d.case} {size_label(d.size)}",
            d.verdict,
            f"{d.rust} / {d.python}",
            ratio(d.vs_baseline),
            _output(d),
            ratio(d.wrapper) if d.wrapper is not None else "—",
        ]
        for d in decisions
    ]
    sec.add(
        Table(
            [
                "case",
                "verdict (speed-up [CI])",
                "fastest Rust / Python",
                "vs python (baseline)",
                "output (Rust / Python)",
                "rust-json / fastest Rust",
            ],
            rows,
            [False, False, False, True, False, True],
            note=(
                f"Runner run `{run_id}` on {_inputs(sources)}, each operation at its largest measured size. "
                "Speed-up: the fastest Python tier's time over the fastest Rust tier's, the median of per-round "
                "paired ratios with its CI (> 1: Rust faster); the fastest tier of each language is the one no "
                "other beats by its paired CI. The verdict follows from that CI and the output check alone. "
                "vs python: the same for the study's baseline tier; rust-json / fastest Rust: the JSON wrapper's "
                "price (its time over the fastest Rust tier's). Spec targets and details follow below."
            ),
        )
    )
    fig = _figure(decisions)
    if fig is not None:
        sec.add(fig)
    return sec


def headline(decisions: list[Decision]) -> str:
    """One sentence: which cases move to Rust and which keep Python, per the verdicts."""
    if not decisions:
        return "Should it move to Rust? Not measured: run `audiobench run`."
    move = [d.case for d in decisions if d.verdict.startswith("move it")]
    keep = [d.case for d in decisions if d.verdict.startswith("keep")]
    other = [d.case for d in decisions if d.case not in move + keep]
    # the cases are named unless all of them move (the table beside it lists them)
    named = "" if len(move) == len(decisions) else f" ({', '.join(move) or 'none'})"
    parts = [f"Move to Rust: {len(move)} of {len(decisions)} cases{named}"]
    if keep:
        parts.append(f"keep Python: {len(keep)} ({', '.join(keep)})")
    if other:
        parts.append(f"{len(other)} not decided ({', '.join(other)})")
    return "; ".join(parts) + " — see “Should it move to Rust?”."
