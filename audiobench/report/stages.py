"""Stage breakdown and overhead attribution, from the newest profile.

Per case: each tier's stages (native Rust, Python) with time, share of the call, allocations,
bytes and instructions; a 100 % stacked bar per tier; and "overhead vs direct" — the share of
the tier's end-to-end time the direct kernel would not spend (1 − direct / tier), which needs
no judgement of which stage is "the work".
"""

from __future__ import annotations

import pandas as pd

from audiobench.catalogue import load
from audiobench.fmt import count, num, ratio, size_key, whole, with_ci
from audiobench.report import figures
from audiobench.report.model import Figure, Para, Section, Table, not_measured
from audiobench.report.query import first, ordered, point, row_point, select, value
from audiobench.stats import Point

NATIVE_ONLY_TIER = "rust-direct-alloc"
"""The profiler's native-only row: the direct kernels' allocating wrappers."""

SIDES = ("native", "python")
PART = " › "
NATIVE_STAGE_PREFIX = "native work"
"""The PyO3 entry's stage holding the native call measured by the native profiler."""


def _entries(case: pd.DataFrame) -> list[tuple[str, str]]:
    """(tier, side) pairs with an end-to-end time, Rust natively and Python in Python."""
    out = []
    for tier in ordered(case["tier"], [*load().tiers, NATIVE_ONLY_TIER]):
        for side in SIDES:
            if point(case, metric="time", tier=tier, side=side, stage=None) is not None:
                out.append((tier, side))
    return out


def _stage_names(entry: pd.DataFrame) -> list[str]:
    rows = select(entry, metric="stage_time")
    # Parts are measured alone and shown by the profiler under their stage; the report keeps to
    # the stages, which are what sums to the call.
    return [str(s) for s in rows["stage"].dropna() if PART not in str(s)]


def _case_table(case: pd.DataFrame, entries: list[tuple[str, str]]) -> Table:
    rows = []
    direct = value(case, metric="time", tier="rust-direct", side="native", stage=None)
    for tier, side in entries:
        entry = select(case, tier=tier, side=side)
        e2e = point(entry, metric="time", stage=None)
        overhead = (
            "" if direct is None or e2e is None or tier == "rust-direct" else f"{100 * (1 - direct / e2e.value):.1f}"
        )
        rows.append(
            [
                tier if side == "native" or tier.startswith("python") else f"{tier} ({side})",
                "end to end",
                with_ci(e2e, 1e6),
                "100",
                count(value(entry, metric="allocations", stage=None)),
                count(value(entry, metric="alloc_bytes", stage=None)),
                whole(value(entry, metric="instructions", stage=None)),
                overhead,
            ]
        )
        for stage in _stage_names(entry):
            rows.append(
                [
                    "",
                    stage,
                    with_ci(point(entry, metric="stage_time", stage=stage), 1e6),
                    num(value(entry, metric="stage_share", stage=stage)),
                    count(value(entry, metric="allocations", stage=stage)),
                    count(value(entry, metric="alloc_bytes", stage=stage)),
                    whole(value(entry, metric="instructions", stage=stage)),
                    "",
                ]
            )
        glue = value(entry, metric="glue")
        if glue is not None:
            rows.append(["", "glue (end to end − sum of stages)", "", f"{glue:.1f}", "", "", "", ""])
    return Table(
        ["tier", "stage", "µs [95% CI]", "% of call", "allocs", "bytes", "instructions", "overhead vs direct %"],
        rows,
        [False, False, True, True, True, True, True, True],
    )


def _stack(name: str, case: pd.DataFrame, entries: list[tuple[str, str]]) -> Figure | None:
    labels: list[str] = []
    shares: dict[str, list[float]] = {}
    for tier, side in entries:
        entry = select(case, tier=tier, side=side)
        labels.append(tier)
        for stage in _stage_names(entry):
            shares.setdefault(stage, [])
    if not shares:
        return None
    for stage in shares:
        shares[stage] = [0.0] * len(labels)
    for i, (tier, side) in enumerate(entries):
        entry = select(case, tier=tier, side=side)
        for stage in _stage_names(entry):
            shares[stage][i] = value(entry, metric="stage_share", stage=stage) or 0.0
    svg = figures.stacked_shares(name, labels, shares, xlabel="% of the tier's end-to-end time")
    return Figure(name, svg, "Where each tier's call goes: stages as % of its end-to-end time.")


def breakdown(profile: pd.DataFrame) -> Section:
    """The stage breakdown section: per case, every tier's stages with CIs, allocations and instructions."""
    sec = Section("stages", "Stage breakdown")
    if profile.empty:
        return sec.add(not_measured("Stage breakdown", "Run `audiobench profile` (or `make report`)."))
    run_id = first(profile, "run_id")
    sec.add(
        Para(
            f"Profile `{run_id}`: each call re-run as a staged sequence (the same steps on the same data, each "
            "timed in place) alternating with the real call; allocations from a counting allocator, instructions "
            "from callgrind where it ran. Rust tiers natively, Python tiers in Python."
        )
    )
    for op in load().operations:
        rows = select(profile, operation=op)
        if rows.empty:
            sec.subsections.append(Section(f"stages-{op}", op).add(Para(f"{op}: not profiled.")))
            continue
        sub = Section(f"stages-{op}", op)
        cases = sorted(
            {(str(v), str(s)) for v, s in zip(rows["variant"], rows["size"], strict=True)},
            key=lambda vs: (vs[0], size_key(vs[1])),
        )
        profiled = [(v, s, c, _entries(c)) for v, s in cases for c in [select(rows, variant=v, size=s)]]
        # One figure per operation: the case with the most tiers (the pure-Python sizes have one).
        shown = max(profiled, key=lambda p: (len(p[3]), size_key(p[1])), default=None)
        for variant, size, case, entries in profiled:
            if not entries:
                continue
            table = _case_table(case, entries)
            table.title = f"{op}/{variant} {size}"
            sub.add(table)
            if shown is not None and (variant, size) == shown[:2]:
                fig = _stack(f"stages-{op}", case, entries)
                if fig:
                    fig.caption = f"{op}/{variant} {size}: {fig.caption}"
                    sub.add(fig)
        sec.subsections.append(sub)
    return sec


def _attribution_label(tier: str, ref: str, stage: str | None) -> str:
    if ref == "empty call":
        return f"FFI: {tier} through PyO3, called on empty arrays"
    if ref.endswith("(native-alternating)"):
        return f"FFI: {tier} through PyO3 − natively"
    return f"{tier} − {ref}" + (f" ({stage})" if stage else "")


def _negative_cause(profile: pd.DataFrame, key: dict[str, object], tier: str, diff: Point) -> str:
    """Why a cost came out below zero: the same call natively in another process is the only
    thing it is compared with, so the yardstick is how far two native processes of that call
    landed apart (the entry's two halves)."""
    spread = point(profile, metric="process_spread", tier=tier, side="pyo3", **key)
    stages = select(profile, metric="stage_time", tier=tier, side="pyo3", **key)
    native_rows = stages[stages["stage"].fillna("").str.startswith(NATIVE_STAGE_PREFIX)]
    native = row_point(native_rows.iloc[0]) if not native_rows.empty else None
    if spread is None or native is None:
        return "below zero: unexplained (no process-to-process measurement)"
    allowed = spread.value * native.value
    if abs(diff.value) <= allowed:
        return (
            f"below zero by less than the native call's own spread between two processes "
            f"({100 * spread.value:.1f} % = {num(allowed * 1e6)} µs): a cross-process difference, not a cost"
        )
    return f"below zero beyond the native call's spread between two processes ({100 * spread.value:.1f} %): unexplained"


def attribution(profile: pd.DataFrame) -> Section:
    """The overhead attribution: paired differences between tiers (JSON, Arc wrapping, FFI)."""
    sec = Section("attribution", "Overhead attribution")
    rows = select(profile, metric="overhead")
    if rows.empty:
        return sec.add(not_measured("Overhead attribution", "Run `audiobench profile` over the Rust tiers."))
    sec.add(
        Para(
            "Differences between matched tiers on the same input: JSON + async = rust-json − rust-fast, "
            "node + Arc = rust-fast − rust-direct, FFI = a tier through PyO3 − the same tier natively "
            "(measured in alternation, the native side in two processes of its own). Bootstrap 95 % CIs over "
            "independent samples. A cost whose whole CI is below zero is named with its cause where one is "
            "measured."
        )
    )
    table = []
    for _, r in rows.iterrows():
        key = {"operation": r["operation"], "variant": r["variant"], "size": r["size"]}
        tier, ref = str(r["tier"]), str(r["reference"])
        diff: Point | None
        rat: Point | None
        if ref == "empty call":
            diff, rat, case = row_point(r), None, "every case"
        else:
            diff = point(select(rows, tier=tier, reference=ref, **key), metric="overhead")
            rat = point(select(profile, tier=tier, reference=ref, **key), metric="ratio")
            case = f"{r['operation']}/{r['variant']} {r['size']}"
        cause = ""
        if diff is not None and diff.high is not None and diff.high < 0:
            cause = _negative_cause(profile, key, tier, diff)
        stage = None if pd.isna(r["stage"]) else str(r["stage"])
        table.append([case, _attribution_label(tier, ref, stage), with_ci(diff, 1e6), ratio(rat), cause])
    sec.add(
        Table(
            ["case", "difference", "µs [95% CI]", "ratio [95% CI]", "below zero?"],
            table,
            [False, False, True, True, False],
        )
    )
    return sec
