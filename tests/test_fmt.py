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
