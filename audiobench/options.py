"""The options every ``audiobench`` sub-command spells the same way.

``--ops`` / ``--tiers`` (comma-separated names), ``-k`` / ``--bench`` (a regular expression
searched in each item's name — ``op/variant size tier`` for a run, ``op/variant tier`` for the
registry — as asv's ``--bench`` and pytest's ``-k`` select by name),
``--suite``, ``--out-dir`` and ``--format text|json`` (``text``: the human summary — a table,
or Markdown for ``compare`` and ``gate``). Older spellings (``--op``, ``--tier``, ``--out``,
``--format table`` / ``md``) are still accepted so existing scripts keep working.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

FORMATS = ("text", "json")
_FORMAT_ALIASES = {"table": "text", "md": "text"}
SUITES = ("quick", "full")


def split(value: str | None) -> list[str] | None:
    """``"a, b,,c"`` → ``["a", "b", "c"]``; None or empty → None (meaning: all)."""
    return [x.strip() for x in value.split(",") if x.strip()] or None if value else None


def _format(value: str) -> str:
    return _FORMAT_ALIASES.get(value, value)


def _pattern(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as e:
        raise argparse.ArgumentTypeError(f"not a regular expression: {value!r} ({e})") from None


def add_format(p: argparse.ArgumentParser, text: str) -> None:
    """``--format text|json``; ``text`` is described by ``text`` (what a reader gets)."""
    p.add_argument(
        "--format",
        type=_format,
        choices=FORMATS,
        default="text",
        help=f"stdout: text ({text}; default) or json",
    )


def add_selection(
    p: argparse.ArgumentParser, *, tiers_default: str = "all", bench: str | None = "op/variant size tier"
) -> None:
    """``--ops``, ``--tiers`` and, where ``bench`` names what it is searched in, ``-k`` / ``--bench``."""
    p.add_argument("--ops", "--op", dest="ops", metavar="OPS", help="comma-separated operations (default: all)")
    p.add_argument(
        "--tiers",
        "--tier",
        dest="tiers",
        metavar="TIERS",
        help=f"comma-separated tiers, peers or limit probes (default: {tiers_default}; `audiobench list` names them)",
    )
    if bench:
        p.add_argument(
            "-k",
            "--bench",
            type=_pattern,
            metavar="REGEX",
            help=f"only what matches REGEX, searched in '{bench}' (e.g. -k 'f32_i16 .*rust-')",
        )


def add_suite(p: argparse.ArgumentParser, what: str = "case sizes") -> None:
    """``--suite quick|full``."""
    p.add_argument("--suite", choices=SUITES, default="quick", help=f"{what}: quick (default) or full")


def add_out_dir(p: argparse.ArgumentParser, default: Path, what: str, *aliases: str) -> None:
    """``--out-dir`` with its default and what is written there."""
    p.add_argument(
        "--out-dir", *aliases, dest="out_dir", type=Path, default=default, help=f"{what} (default {default})"
    )


def _seconds(value: str) -> float:
    try:
        s = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not s >= 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value!r}")
    return s


def add_remeasure(p: argparse.ArgumentParser) -> None:
    """``--remeasure-budget S`` / ``--no-remeasure``: the paired comparison's second look at the
    enforced rows it did not pass (:mod:`audiobench.compare.confirm`)."""
    p.add_argument(
        "--remeasure-budget",
        type=_seconds,
        metavar="S",
        help="seconds for re-comparing enforced rows that did not pass (default: targets.toml [remeasure])",
    )
    p.add_argument("--no-remeasure", action="store_true", help="decide on the first comparison alone")
