"""Console summary of a run: per case, each row's median in the user unit with its CI, the
paired speed-up against the ``python`` tier, and for a memory-bound operation the share of the
read-bandwidth limit."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from audiobench import operations
from audiobench.fmt import num as fmt
from audiobench.fmt import ratio
from audiobench.stats import Point


def ratio_with_ci(case: dict[str, Any], a: str, b: str) -> str:
    """``a/b`` from a run case's paired ratios, as ``1.23× [1.10, 1.31]``."""
    for r in case["ratios"]:
        if r["a"] == a and r["b"] == b:
            return ratio(Point(r["median"], r["ci_low"], r["ci_high"]))
    return "—"


def print_summary(doc: dict[str, Any], console: Console | None = None) -> None:
    """Print a run document's tables (median, CI, unit, ratio vs python, parity) to the console."""
    console = console or Console(width=150)
    for case in doc["cases"]:
        table = Table(
            title=f"{case['op']}/{case['variant']} {case['size']} ({case['rounds']} rounds)", title_justify="left"
        )
        bound = operations.spec(case["op"]).memory_bound
        for col in ("row", "median", "95% CI", "unit", "vs python", *(["% of read limit"] if bound else []), "parity"):
            table.add_column(col)
        for r in case["rows"]:
            parity = r["parity"]
            mark = "" if parity is None else {True: "ok", False: "FAIL", None: "n/a"}[parity["ok"]]
            pct = r["pct_of_limit"].get("limit:read")
            table.add_row(
                r["row"],
                fmt(r["unit_median"]),
                f"{fmt(r['unit_ci'][0])}–{fmt(r['unit_ci'][1])}",
                r["unit"],
                ratio_with_ci(case, "python", r["row"]) if r["row"] != "python" else "1",
                *([fmt(pct)] if bound else []),
                mark,
            )
        console.print(table)
        speech = {
            r["row"]: m["speech_ratio"]
            for r in case["rows"]
            if (m := (r.get("parity") or {}).get("metrics") or {}).get("speech_ratio") is not None
        }
        if speech:  # every matched tier agrees (parity); say it once
            console.print(f"  frames flagged as speech: {100 * next(iter(speech.values())):.1f} %")
    if doc["cold"]:
        table = Table(title="cold first call (fresh interpreter each)", title_justify="left")
        for col in ("op", "tier", "import s", "prepare s", "first call s", "second call s"):
            table.add_column(col)
        for c in doc["cold"]:
            if c["error"]:
                table.add_row(c["op"], c["tier"], c["error"], "", "", "")
            else:
                table.add_row(
                    c["op"], c["tier"], *(fmt(c[k]) for k in ("import_s", "prepare_s", "first_call_s", "second_call_s"))
                )
        console.print(table)
