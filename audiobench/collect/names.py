"""Case labels as the table spells them, whatever tool reported the case.

Every suite derives its size labels from the catalogue, but each tool hands them back its own
way: asv stores parameters as Python reprs (``"'1M'"``), and a label written by hand or by an
older suite may spell a size as its raw catalogue value (``1000000``, ``1.0s``). The table
uses :attr:`audiobench.catalogue.Size.label`, the runner's spelling, so one case lines up
across sources.
"""

from __future__ import annotations

import ast
import re
from functools import cache

from audiobench.catalogue import Size, load

_SAMPLES = re.compile(r"\d+")
_SECONDS = re.compile(r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)s")


def unrepr(raw: str) -> str:
    """A parameter value as asv records it (its Python repr) → the value's text."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            return str(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return text[1:-1]
    return text


def size_label(raw: object) -> str:
    """Any spelling of a catalogue size → ``Size.label`` (``1000000`` → ``1M``, ``1.0s`` → ``1s``).

    Labels that are already canonical (``frame``, ``1M``, ``2564ch-8calls-2thr``) pass through.
    """
    text = unrepr(str(raw))
    if _SAMPLES.fullmatch(text):
        return Size(kind="samples", samples=int(text)).label
    seconds = _SECONDS.fullmatch(text)
    if seconds:
        return Size(kind="seconds", seconds=float(seconds[1])).label
    return text


@cache
def _suite() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    from audiobench.limits import LIMITS

    cat = load()
    rows = frozenset((*cat.tiers, *cat.peers, *LIMITS))
    return {op: spec.variants for op, spec in cat.operations.items()}, rows


def is_suite_case(op: str, variant: str, row: str) -> bool:
    """Whether (operation, variant, row) names a case of the audiobench suite: an operation and
    variant of the catalogue, and one of its tiers, peers or limit probes. Another project's
    benchmarks sharing a target or data directory (a criterion group ``parse/json``, a
    pytest-benchmark id ``[a/b/c/d]``) are not."""
    variants, rows = _suite()
    return variant in variants.get(op, ()) and row in rows


def classify(values: list[str], op: str) -> str | None:
    """Which parameter of an audiobench benchmark ``values`` (one parameter's values, unrepr'd)
    are: ``variant``, ``tier`` or ``size``; None if they fit none alone. For asv results written
    when a benchmark had other parameters than it has now (asv keeps each file's own values,
    but the names only in ``benchmarks.json``, for the newest layout)."""
    variants, rows = _suite()
    if values and all(v in variants.get(op, ()) for v in values):
        return "variant"
    if values and all(v in rows for v in values):
        return "tier"
    if values and all(_is_size(v) for v in values):
        return "size"
    return None


def _is_size(text: str) -> bool:
    label = size_label(text)
    return label == "frame" or bool(re.fullmatch(r"(\d+(\.\d+)?s|\d+M?|\d+ch-\d+calls-\d+thr)", label))
