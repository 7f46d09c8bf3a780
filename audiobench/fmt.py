"""Number formatting shared by the report and the console tables: three significant figures,
thousands grouped."""

from __future__ import annotations

import re

from audiobench.stats import Point


def num(value: float | None) -> str:
    """Three significant figures, thousands grouped (``1,234``, ``12.3``, ``1.23``, ``0.0123``); ``—`` for None."""
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    # from 0.9995 up, three figures round to 1: print it as 1.00, like its neighbours
    return f"{value:.2f}" if abs(value) >= 0.9995 else f"{value:.3g}"


def count(value: float | None) -> str:
    """An event count (allocations, instructions): a whole number, grouped; averages keep one decimal."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def whole(value: float | None) -> str:
    """A count shown as a whole number even when it is the median of an even number of exact
    counts (``1,234.5`` → ``1,234``: half an instruction is a statistic's artefact); ``—`` for None."""
    return "—" if value is None else f"{round(value):,}"


def size_label(label: str) -> str:
    """A catalogue size label for reading: sample counts in k / M (``100000`` → ``100k``, other
    counts grouped: ``1,343,544``), a file's duration to 10 ms (``15.2329s`` → ``15.23s``); others
    unchanged (``1s``, ``frame``, ``1M``, stream shapes)."""
    if label.isdigit():
        n = int(label)
        if n % 1_000_000 == 0:
            return f"{n // 1_000_000}M"
        if n % 1_000 == 0:
            return f"{n // 1_000}k"
        return f"{n:,}"
    if label.endswith("s") and "." in label:  # a user's file: 15.2329s → 15.23s
        try:
            return f"{float(label[:-1]):.2f}s"
        except ValueError:
            return label
    return label


def with_ci(p: Point | None, scale: float = 1.0, suffix: str = "") -> str:
    """``1.23 [1.10, 1.31]`` (scaled), or the value alone when the tool gave no interval."""
    if p is None:
        return "—"
    head = f"{num(p.value * scale)}{suffix}"
    if p.low is None or p.high is None:
        return head
    return f"{head} [{num(p.low * scale)}, {num(p.high * scale)}]"


def ratio(p: Point | None) -> str:
    """A ratio with its CI, ``1.23× [1.20, 1.26]``; ``—`` for None. Where three figures would
    print a bound that is not 1 as ``1.00`` — a CI that excludes 1 reading as if it touched it —
    the bounds get the digits that show on which side of 1 they lie (``[1.004, 1.03]``)."""
    if p is None or p.low is None or p.high is None:
        return with_ci(p, suffix="×")

    def bound(x: float) -> str:
        text = num(x)
        if x != 1.0 and float(text) == 1.0:
            digits = 3
            while float(text := f"{x:.{digits}f}") == 1.0 and digits < 9:
                digits += 1
        return text

    return f"{num(p.value)}× [{bound(p.low)}, {bound(p.high)}]"


_STREAM = re.compile(r"^(\d+)ch-(\d+)calls-(\d+)thr$")


def size_key(label: str) -> tuple[int, float, float, float]:
    """Sort key for catalogue size labels: frames, then durations, sample counts, streams."""
    if label == "frame":
        return (0, 0.0, 0.0, 0.0)
    if label.endswith("s") and label[:-1].replace(".", "", 1).isdigit():
        return (1, float(label[:-1]), 0.0, 0.0)
    if label.endswith("M") and label[:-1].isdigit():
        return (2, float(label[:-1]) * 1e6, 0.0, 0.0)
    if label.isdigit():
        return (2, float(label), 0.0, 0.0)
    m = _STREAM.match(label)
    if m:
        chunks, calls, threads = (float(g) for g in m.groups())
        return (3, chunks, threads, calls)
    return (4, 0.0, 0.0, 0.0)


def duration(seconds: float) -> str:
    """Seconds as ``812 ns``, ``80.2 µs``, ``1.24 ms`` or ``2.5 s`` (three significant digits)."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
