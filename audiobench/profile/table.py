"""Console tables of a profile: per entry, each stage's time, share, allocations, instructions."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from audiobench.fmt import num


def _us(ns: float | None) -> str:
    return "—" if ns is None else num(ns / 1e3)


def _counted(value: Any, repeatable: bool | None) -> str:
    # A count that differed between two runs of the same stage carries a mark, explained below
    # the tables, instead of passing for an exact figure.
    return num(value) + ("" if repeatable is not False or value is None else " *")


def print_profile(doc: dict[str, Any], console: Console | None = None) -> None:
    """Print a profile document's stage tables to the console."""
    console = console or Console(width=170)
    marked = False
    for e in doc["entries"]:
        title = f"{e['op']}/{e['variant']} {e['size']} — {e['tier']} ({e['side']})"
        table = Table(title=title, title_justify="left")
        for col in ("stage", "time µs", "95% CI", "% of e2e", "allocs", "frees", "bytes", "instructions"):
            table.add_column(col, justify="left" if col == "stage" else "right")
        e2e = e["e2e"]
        for st in e["stages"]:
            name = ("    " + st["name"] + " (alone)") if st["kind"] == "part" else st["name"]
            table.add_row(
                name,
                _us(st["median_ns"]),
                f"{_us(st['ci_low_ns'])}–{_us(st['ci_high_ns'])}",
                num(st["pct_of_e2e"]),
                _counted(st.get("allocs"), st.get("counts_repeatable")),
                _counted(st.get("deallocs"), st.get("counts_repeatable")),
                _counted(st.get("alloc_bytes"), st.get("counts_repeatable")),
                num(st.get("instructions")),
            )
            marked = marked or st.get("counts_repeatable") is False
        marked = marked or (e.get("e2e_counts") or {}).get("counts_repeatable") is False
        table.add_row("sum of stages", _us(e["sum_ns"]), "", num(100 * e["sum_ns"] / e2e["median_ns"]), "", "", "", "")
        table.add_row(
            "end to end",
            _us(e2e["median_ns"]),
            f"{_us(e2e['ci_low_ns'])}–{_us(e2e['ci_high_ns'])}",
            "100",
            *(
                _counted(counts.get(k), counts.get("counts_repeatable"))
                for counts in [e.get("e2e_counts") or {}]
                for k in ("allocs", "deallocs", "alloc_bytes")
            ),
            num(e.get("e2e_instructions")),
        )
        flag = (
            "" if e["glue_ok"] else f"  (beyond ±{doc['glue_limit_pct']:g} %: {e['glue_explanation'] or 'unexplained'})"
        )
        table.add_row("glue (e2e − sum)", _us(e["glue_ns"]), "", f"{e['glue_pct']:.1f}{flag}", "", "", "", "")
        console.print(table)
    if marked:
        console.print(
            "* the count differed between two runs of the stage. Known cause: whether the caller or an"
            " executor worker frees a finished task is a race, so counts around hand-offs vary."
        )
    if doc["attribution"]:
        table = Table(title="overhead attribution (independent samples, bootstrap 95% CI)", title_justify="left")
        for col in ("case", "cost", "difference µs", "95% CI", "ratio", "95% CI"):
            table.add_column(col)
        for a in doc["attribution"]:
            table.add_row(
                a["case"],
                a["what"],
                _us(a["difference"]),
                f"{_us(a['diff_ci_low'])}–{_us(a['diff_ci_high'])}",
                f"{a['ratio']:.2f}×",
                f"{a['ratio_ci_low']:.2f}–{a['ratio_ci_high']:.2f}",
            )
        console.print(table)
