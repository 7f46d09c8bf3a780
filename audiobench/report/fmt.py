"""Number formatting shared by the report views: three significant figures, thousands grouped."""

from __future__ import annotations


def num(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3g}"


def ratio_with_ci(case: dict[str, object], a: str, b: str) -> str:
    """``a/b`` from a run case's paired ratios, as ``1.23× [1.10, 1.31]``."""
    for r in case["ratios"]:  # type: ignore[attr-defined]
        if r["a"] == a and r["b"] == b:
            return f"{r['median']:.2f}× [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
    return "—"
