"""Cold vs warm: the first call in a fresh interpreter against the warm median of the same case."""

from __future__ import annotations

import pandas as pd

from audiobench.fmt import num
from audiobench.report.model import Para, Section, Table, not_measured
from audiobench.report.query import select, value


def section(runner: pd.DataFrame) -> Section:
    """The cold-call section: import, prepare, first and second call per operation and tier."""
    sec = Section("cold", "Cold vs warm first call")
    cold = select(runner, metric="cold_first_call")
    if cold.empty:
        return sec.add(not_measured("Cold first calls", "Run `audiobench run` without `--no-cold`."))
    sec.add(
        Para(
            "Each cold call runs in a fresh interpreter: import the tier's modules, prepare the input, then time "
            "the first and the second call. Warm is the same case's median in the interleaved rounds."
        )
    )
    rows = []
    for _, r in cold.iterrows():
        key = {"operation": r["operation"], "variant": r["variant"], "size": r["size"], "tier": r["tier"]}
        first = float(r["value"])
        second = value(runner, metric="cold_second_call", **key)
        imported = value(runner, metric="import_time", **key)
        warm = value(runner, metric="time", statistic="median", stage=None, **key)
        rows.append(
            [
                f"{r['operation']}/{r['variant']} {r['size']}",
                str(r["tier"]),
                num(None if imported is None else imported * 1e3),
                num(first * 1e3),
                num(None if second is None else second * 1e3),
                num(None if warm is None else warm * 1e3),
                "—" if warm is None else f"{first / warm:,.0f}×",
            ]
        )
    sec.add(
        Table(
            ["case", "tier", "import ms", "first call ms", "second call ms", "warm median ms", "first / warm"],
            rows,
            [False, False, True, True, True, True, True],
        )
    )
    return sec
