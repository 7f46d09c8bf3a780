"""Reading the tidy results table: the newest run of a source, and one value with its CI.

The report shows one run per source (the newest by timestamp), so numbers in one table were
measured together; older runs stay in the table for history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from audiobench.catalogue import load
from audiobench.fmt import size_key
from audiobench.stats import Point


def tier_order() -> list[str]:
    """The catalogue's matched tiers, then its peers, in display order."""
    cat = load()
    return [*cat.tiers, *cat.peers]


def newest_run(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rows of the newest run of ``source`` (empty if the source is absent)."""
    rows = df[df["source"] == source]
    if rows.empty:
        return rows
    runs = rows.groupby("run_id", dropna=False)["timestamp"].max().sort_values(kind="stable")
    newest: pd.DataFrame = rows.loc[rows["run_id"] == str(runs.index[-1])]
    return newest


def select(df: pd.DataFrame, **where: Any) -> pd.DataFrame:
    """Rows where every named column equals the value (None means the field is missing)."""
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column].isna() if value is None else (df[column] == value)
    return df[mask.fillna(False)]


CaseKey = tuple[str, str, str, str]
"""(operation, variant, size, tier) of a row."""


def row_point(r: pd.Series) -> Point:
    """One table row's value with its CI (bounds None where the tool gave none)."""
    low = None if pd.isna(r["ci_low"]) else float(r["ci_low"])
    high = None if pd.isna(r["ci_high"]) else float(r["ci_high"])
    return Point(float(r["value"]), low, high)


def case_key(r: pd.Series) -> CaseKey:
    """``(source, operation, variant, size, tier)`` of a table row."""
    return (str(r["operation"]), str(r["variant"]), str(r["size"]), str(r["tier"]))


def point(df: pd.DataFrame, **where: Any) -> Point | None:
    """The single value matching ``where``, with its CI; None if absent."""
    rows = select(df, **where)
    return None if rows.empty else row_point(rows.iloc[0])


def points(df: pd.DataFrame, **where: Any) -> dict[CaseKey, Point]:
    """Every value matching ``where``, by (operation, variant, size, tier)."""
    return {case_key(r): row_point(r) for _, r in select(df, **where).iterrows()}


def value(df: pd.DataFrame, **where: Any) -> float | None:
    """The one value of the rows matching ``where`` (None if there is none)."""
    p = point(df, **where)
    return None if p is None else p.value


def first(df: pd.DataFrame, column: str) -> str | None:
    """The first non-missing value of a column (e.g. the run id of a selection)."""
    values = df[column].dropna()
    return None if values.empty else str(values.iloc[0])


def sizes(df: pd.DataFrame) -> list[str]:
    """The distinct size labels of ``df``, smallest first (:func:`audiobench.fmt.size_key`)."""
    return sorted({str(s) for s in df["size"].dropna()}, key=size_key)


def ordered(values: pd.Series, order: Sequence[str]) -> list[str]:
    """Distinct values, in ``order`` first, then any others sorted."""
    present = [str(v) for v in values.dropna().unique()]
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def source_context(meta: dict[str, Any], source: str) -> dict[str, Any]:
    """The context a source's collector recorded from its newest file (the table's metadata);
    empty when the source is absent."""
    found: dict[str, Any] = next(
        (s.get("context", {}) for s in meta.get("sources", []) if s.get("source") == source), {}
    )
    return found


def runner_context(meta: dict[str, Any]) -> dict[str, Any]:
    """How the newest runner run was taken (environment, settings, checks, input sources), from
    the table's metadata; empty when there is no runner source."""
    return source_context(meta, "runner")
