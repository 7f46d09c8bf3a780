"""The report's figures, drawn with matplotlib and returned as standalone SVG text.

Every figure is inlined into report.html and written beside report.md, so the SVG must stand
on its own inside a page holding many others: element ids are salted per figure (matplotlib
derives them from a hash, so two figures would otherwise share clip-path ids), text stays text
(small files, selectable numbers), and the date metadata is dropped so unchanged data gives
byte-identical files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # no display; set before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from audiobench.stats import Point

# One colour per tier across every figure, so a reader learns them once.
TIER_COLOURS = {
    "python": "#4c72b0",
    "python-pure": "#8c8c8c",
    "python-best": "#55a868",
    "rust-json": "#c44e52",
    "rust-fast": "#dd8452",
    "rust-fast-per-call": "#a0522d",
    "rust-direct": "#8172b3",
    "rust-direct-alloc": "#b39ddb",
    "rust-direct-mt": "#4b3a8c",
    "webrtcvad": "#937860",
    "limit:read": "#333333",
    "limit:memcpy": "#777777",
    "limit:read-write": "#555555",
}


def colour(tier: str) -> str:
    """The tier's colour, the same in every figure."""
    return TIER_COLOURS.get(tier, "#999999")


def to_svg(fig: Figure, salt: str) -> str:
    """The figure as inline SVG text; ``salt`` makes its element ids unique on the page."""
    with plt.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    # Keep only the <svg> element (the XML prolog and DOCTYPE are not allowed inside HTML), and
    # drop the RDF metadata block: it only names the creator, through URLs a page need not carry.
    text = text[text.index("<svg") :]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)


def _errors(points: Sequence[Point]) -> np.ndarray | None:
    if all(p.low is None or p.high is None for p in points):
        return None
    lo = [p.value - p.low if p.low is not None else 0.0 for p in points]
    hi = [p.high - p.value if p.high is not None else 0.0 for p in points]
    return np.array([np.maximum(lo, 0.0), np.maximum(hi, 0.0)])


def plain_log_labels(axis: Axis) -> None:
    """Label a log axis 0.5, 2, 30 rather than 5×10⁻¹, 2×10⁰: readers compare numbers, not exponents."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))

    def minor(v: float, _pos: int | None) -> str:
        # Minor ticks (2..9 × each decade) are labelled only on a short axis (< 1.5 decades),
        # where there would otherwise be one label or none; on longer ones they would collide.
        lo, hi = sorted(axis.get_view_interval())
        return f"{v:g}" if lo > 0 and hi / lo < 30 else ""

    axis.set_minor_formatter(FuncFormatter(minor))


def grouped_bars(
    name: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[Point | None]],
    *,
    xlabel: str,
    log: bool = False,
    line: tuple[float, str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> str:
    """Horizontal bars: one group per case, one bar per series (tier), with CI whiskers.

    ``line`` draws a vertical reference (e.g. 1× speedup or a spec target) with its label;
    ``colours`` colours series that are not tiers (a tier keeps its own colour).
    """
    n_groups, n_series = len(groups), max(len(series), 1)
    height = 0.8 / n_series
    fig, ax = plt.subplots(figsize=(7.5, 0.5 + 0.28 * n_groups * n_series + 0.3 * n_groups))
    for i, (label, points) in enumerate(series.items()):
        # The y axis is inverted below: the first series sits at the top of each group, as in the legend.
        ys = [g - 0.4 + height / 2 + i * height for g in range(n_groups)]
        have = [(y, p) for y, p in zip(ys, points, strict=True) if p is not None]
        if not have:
            continue
        pts = [p for _, p in have]
        ax.barh(
            [y for y, _ in have],
            [p.value for p in pts],
            height=height * 0.9,
            color=(colours or {}).get(label, colour(label)),
            xerr=_errors(pts),
            error_kw={"elinewidth": 0.8, "capsize": 2},
            label=label,
        )
    ax.set_yticks(range(n_groups), list(groups))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if log:
        ax.set_xscale("log")
        plain_log_labels(ax.xaxis)
    if line is not None:
        ax.axvline(line[0], color="#333333", linewidth=0.9, linestyle="--")
        ax.annotate(
            line[1],
            (line[0], 0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.grid(axis="x", linewidth=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return to_svg(fig, name)


def _tint(hex_colour: str, amount: float) -> tuple[float, float, float]:
    """``hex_colour`` mixed with white by ``amount`` (0: itself, 1: white)."""
    rgb = matplotlib.colors.to_rgb(hex_colour)
    return (rgb[0] + (1 - rgb[0]) * amount, rgb[1] + (1 - rgb[1]) * amount, rgb[2] + (1 - rgb[2]) * amount)


LABEL_MIN_SHARE = 7.0
"""A stage narrower than this (% of its bar) is left unlabelled in the chart; the table names it."""


def stacked_shares(name: str, rows: Sequence[str], stages: Mapping[str, Sequence[float]], *, xlabel: str) -> str:
    """One 100 % bar per row (tier), split into stages; shares in % of the row's total.

    No legend: every tier has stages of its own, so a shared legend would list every stage of
    every tier with colours that repeat. Each bar is drawn in tints of its tier's colour (the
    report's one palette), stages alternating light and dark, and a stage wide enough carries its
    name inside it."""
    fig, ax = plt.subplots(figsize=(9.0, 0.9 + 0.5 * len(rows)))
    left = np.zeros(len(rows))
    seen = np.zeros(len(rows), dtype=int)
    for stage, shares in stages.items():
        values = np.asarray(shares, dtype=float)
        for i, v in enumerate(values):
            if v <= 0:
                continue
            tint = _tint(colour(rows[i].split()[0]), 0.15 if seen[i] % 2 == 0 else 0.55)
            ax.barh(i, v, left=left[i], color=tint, edgecolor="white", linewidth=0.6, height=0.6)
            if v >= LABEL_MIN_SHARE:
                room = max(4, int(v / 1.3))  # about 1.3 % of the axis per character at this width
                text = stage if len(stage) <= room else stage[: room - 1] + "…"
                dark = seen[i] % 2 == 0
                ax.text(left[i] + v / 2, i, text, ha="center", va="center", fontsize=6.5,
                        color="white" if dark else "#1b1f24")  # fmt: skip
            seen[i] += 1
        left += values
    ax.set_yticks(range(len(rows)), list(rows))
    ax.invert_yaxis()
    ax.set_xlim(0, max(100.0, float(left.max()) if len(left) else 100.0))
    ax.set_xlabel(xlabel)
    return to_svg(fig, name)


def lines(
    name: str, series: Mapping[str, Sequence[tuple[float, Point]]], *, xlabel: str, ylabel: str, logx: bool = True
) -> str:
    """One line per series (tier) over x (e.g. audio duration), with CI whiskers; log-log."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for label, pts in series.items():
        if not pts:
            continue
        xs = [x for x, _ in pts]
        ps = [p for _, p in pts]
        ax.errorbar(
            xs,
            [p.value for p in ps],
            yerr=_errors(ps),
            marker="o",
            markersize=4,
            capsize=2,
            color=colour(label),
            label=label,
            linewidth=1.2,
        )
    if logx:
        ax.set_xscale("log")
        plain_log_labels(ax.xaxis)
    ax.set_yscale("log")
    plain_log_labels(ax.yaxis)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(linewidth=0.3, which="both")
    ax.legend(fontsize=8, frameon=False)
    return to_svg(fig, name)


def cdfs(
    name: str, series: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, deadline: float, xlabel: str
) -> str:
    """One cumulative distribution per series (values, levels 0–1) on a log x axis, with the
    deadline drawn as a vertical line."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for label, (xs, levels) in series.items():
        ax.plot(xs, levels, color=colour(label), label=label, linewidth=1.4, drawstyle="steps-post")
    # black: no tier's colour (the palette's greys belong to the limit probes)
    ax.axvline(deadline, color="#000000", linewidth=0.8, linestyle="--", label="deadline (one chunk period)")
    ax.set_xscale("log")
    plain_log_labels(ax.xaxis)
    ax.set_ylim(0, 1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of chunks acked within")
    ax.grid(linewidth=0.3, which="both")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return to_svg(fig, name)
