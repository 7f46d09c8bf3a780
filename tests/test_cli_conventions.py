"""The command line follows one vocabulary: every option documented, the same names for the same
things in every sub-command, --version, a name filter, unknown names refused with the valid ones."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from audiobench import __version__, options
from audiobench.cli import parser


def audiobench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audiobench", *args], capture_output=True, text=True, timeout=300)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_option_of_every_subcommand_says_what_it_does() -> None:
    undocumented = [
        f"{name} {a.option_strings or a.dest}"
        for name, p in {"audiobench": parser(), **subcommands()}.items()
        for a in p._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction) and not (a.help or "").strip()
    ]
    assert undocumented == []


def test_the_same_thing_has_the_same_name_everywhere() -> None:
    """--ops/--tiers, --out-dir, --suite and --format text|json wherever a command has them."""
    for name, p in subcommands().items():
        flags = {s for a in p._actions for s in a.option_strings}
        assert not {"--op", "--tier", "--out"} & flags or {"--ops", "--tiers", "--out-dir"} & flags, name
        for a in p._actions:
            if "--format" in a.option_strings:
                assert tuple(a.choices or ()) == options.FORMATS and a.default == "text", name
            if "--suite" in a.option_strings:
                assert tuple(a.choices or ()) == options.SUITES, name


def test_version() -> None:
    r = audiobench("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"audiobench {__version__}"


@pytest.mark.parametrize(
    ("args", "named", "known"),
    [
        (("list", "--tiers", "rust-turbo"), "rust-turbo", "rust-direct"),
        (("list", "--ops", "vda"), "vda", "resample"),
        (("smoke", "--ops", "vda"), "vda", "resample"),
        (("run", "--tiers", "rust-turbo"), "rust-turbo", "rust-direct"),
        (("run", "--ops", "vda"), "vda", "resample"),
        (("profile", "--tiers", "rust-turbo"), "rust-turbo", "rust-direct"),
    ],
)
def test_unknown_names_exit_2_with_the_known_ones(args: tuple[str, ...], named: str, known: str) -> None:
    r = audiobench(*args)
    assert r.returncode == 2 and named in r.stderr and known in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_k_selects_by_name_and_a_selection_of_nothing_is_an_error() -> None:
    rows = json.loads(audiobench("list", "-k", r"f32_i16 rust-d", "--format", "json").stdout)
    assert {(r["op"], r["variant"], r["tier"]) for r in rows} == {("convert", "f32_i16", "rust-direct")}
    r = audiobench("run", "-k", "no-such-thing", "--no-cold")
    assert r.returncode == 2 and "matches nothing" in r.stderr
    r = audiobench("list", "-k", "(")
    assert r.returncode == 2 and "not a regular expression" in r.stderr


def test_run_plans_only_what_k_matches_with_the_cases_limit_probes() -> None:
    from audiobench.catalogue import load
    from audiobench.registry import registry
    from audiobench.runner import build_plan

    plans = build_plan(load(None), registry(), "quick", bench=re.compile(r"^convert/f32_i16 1M rust-(direct|fast)$"))
    assert [(p.op, p.variant, p.size.label) for p in plans] == [("convert", "f32_i16", "1M")]
    kinds = {r.name: r.kind for r in plans[0].rows}
    assert {n for n, k in kinds.items() if k != "limit"} == {"rust-direct", "rust-fast"}
    assert "limit" in kinds.values()


def test_peers_are_listed_unless_left_out_and_older_spellings_still_work() -> None:
    listed = json.loads(audiobench("list", "--ops", "vad", "--format", "json").stdout)
    assert any(not r["matched"] for r in listed)
    matched = json.loads(audiobench("list", "--ops", "vad", "--no-peers", "--format", "json").stdout)
    assert matched and all(r["matched"] for r in matched)
    old = audiobench("list", "--op", "vad", "--tier", "rust-direct", "--format", "table")
    assert old.returncode == 0 and "rust-direct" in old.stdout
