"""How numbers read in the report and the console: counts as counts, sizes as a reader names them,
ratio bounds on the right side of 1."""

from __future__ import annotations

import pytest

from audiobench.fmt import count, num, ratio, size_label, whole
from audiobench.stats import Point


@pytest.mark.parametrize(
    ("label", "shown"),
    [("100000", "100k"), ("1000000", "1M"), ("1M", "1M"), ("1343544", "1,343,544"), ("15.2329s", "15.23s"),
     ("1s", "1s"), ("frame", "frame"), ("2564ch-8calls-2thr", "2564ch-8calls-2thr")],
)  # fmt: skip
def test_size_labels_read_as_a_reader_names_them(label: str, shown: str) -> None:
    assert size_label(label) == shown


def test_counts_are_whole_numbers() -> None:
    assert whole(1234.5) in ("1,234", "1,235") and whole(None) == "—"
    assert count(34.0) == "34" and count(2.5) == "2.5"


def test_a_ratio_bound_never_reads_as_1_when_it_is_not() -> None:
    assert ratio(Point(1.02, 1.004, 1.03)) == "1.02× [1.004, 1.03]"
    assert ratio(Point(0.99, 0.9996, 1.01)) == "0.99× [0.9996, 1.01]"
    assert num(0.9996) == "1.00" and num(0.5) == "0.5"


def test_the_console_shows_percent_of_a_limit_only_where_a_limit_bounds_the_operation() -> None:
    """The runner's console table: "% of read limit" for conversion (one pass over the bytes),
    not for resampling (compute-bound: the share of a memory read means nothing there)."""
    import io
    import json
    from pathlib import Path

    from rich.console import Console

    from audiobench.runner.summary import print_summary

    run = json.loads(next((Path(__file__).parent / "fixtures" / "data" / "runs").glob("*.json")).read_text())
    out = io.StringIO()
    print_summary({**run, "cold": []}, Console(file=out, width=200))
    tables = out.getvalue().split("rounds)")
    assert {"convert", "resample"} <= {c["op"] for c in run["cases"]} and len(tables) == len(run["cases"]) + 1
    for case, table in zip(run["cases"], tables[1:], strict=True):
        assert ("% of read limit" in table) == (case["op"] in ("convert", "vad")), case["op"]
