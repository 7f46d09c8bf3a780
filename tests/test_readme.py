"""The README's commands are the ones that exist: every ``sh`` block line names a Make target, a
workspace package, an asv sub-command (after ``asv machine``) or parses as an ``audiobench``
command; every option in the usage block is an option of that sub-command."""

from __future__ import annotations

import argparse
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from audiobench.cli import parser
from tests.readme_commands import fenced_blocks, run_line

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ASV_COMMANDS = {"machine", "run", "continuous", "publish", "check", "compare", "show", "find", "preview"}


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-zA-Z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def packages() -> set[str]:
    names = set()
    for toml in ROOT.glob("**/Cargo.toml"):
        if "target" in toml.parts or ".asv" in toml.parts:
            continue
        package = tomllib.loads(toml.read_text(encoding="utf-8")).get("package")
        if package:
            names.add(package["name"])
    return names


def subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_shell_line_names_something_that_exists() -> None:
    targets, crates = make_targets(), packages()
    for block in fenced_blocks(README, "sh"):
        asv_ready = False
        for line in block:
            words = [w for w in shlex.split(line.replace("$(git rev-parse HEAD)", "HEAD")) if "=" not in w[:1]]
            while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value command
                words = words[1:]
            tool, args = words[0], words[1:]
            if tool == ".":
                assert args == [".venv/bin/activate"], line
            elif tool == "make":
                assert args[0] in targets, f"make {args[0]}: no such target"
            elif tool == "cargo":
                assert args[0] == "bench" and args[args.index("-p") + 1] in crates, line
            elif tool == "asv":
                assert args[0] in ASV_COMMANDS, line
                asv_ready |= args[0] == "machine"
                assert asv_ready or args[0] in ("machine", "publish"), (
                    f"{line}: asv refuses to run before `asv machine`"
                )
            elif tool == "audiobench":
                parser().parse_args(args)
            else:
                raise AssertionError(f"README: unknown command {line!r}")


def test_the_usage_block_lists_only_options_that_exist() -> None:
    subs = subcommands()
    (usage,) = [b for b in fenced_blocks(README, "text") if b and b[0].startswith("audiobench")]
    top = {s for a in parser()._actions for s in a.option_strings}
    for line in usage:
        words = line.split()
        options = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
        if len(words) > 1 and words[1] in subs:
            known = {s for a in subs[words[1]]._actions for s in a.option_strings}
            assert options <= known, f"{line}: {sorted(options - known)}"
        else:
            assert options <= top, line


def test_blocks_join_continuations_and_drop_comments() -> None:
    text = "```sh\n# a comment\nmake a   # trailing\nfoo \\\n  --bar  # x\n\n```\n```text\nnot sh\n```\n"
    assert fenced_blocks(text, "sh") == [["make a", "foo --bar"]]


def test_a_line_runs_in_a_fresh_login_shell_with_the_block_state_kept(tmp_path: Path) -> None:
    log = tmp_path / "log"
    # the caller's environment (its virtualenv, PATH additions, variables) does not leak in
    status, _, _ = run_line(tmp_path, [], 'test -z "${VIRTUAL_ENV:-}" && test -z "${PYTEST_CURRENT_TEST:-}"', 60, log)
    assert status == 0, log.read_text()
    status, _, _ = run_line(
        tmp_path, ["export GREETING=hi", "cd .."], 'test "$GREETING" = hi && test "$PWD" != "$OLDPWD"', 60, log
    )
    assert status == 0, log.read_text()
    status, _, tail = run_line(tmp_path, [], "echo before-failure; false; echo after", 60, log)
    assert status == 1 and "\nbefore-failure" in tail and "\nafter" not in tail


def test_a_bad_skip_pattern_is_refused_before_anything_is_cloned(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.readme_commands import main

    with pytest.raises(SystemExit) as e:
        main(["--skip", "("])
    assert e.value.code == 2 and "not a regular expression" in capsys.readouterr().err
