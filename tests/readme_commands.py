"""Run the README's command blocks as a new user would: a fresh clone, a fresh login shell.

``python -m tests.readme_commands`` clones the committed repository into a temporary directory
and runs every line of every ```sh block of README.md there, in order, each in ``env -i bash -l``
(only ``HOME`` from the caller: the toolchains come from the login profile, nothing from this
process's environment or virtualenv). A line that changes the shell's state (``. FILE``,
``export``, ``cd``) is kept and replayed before the block's later lines, as the shell a reader
types into would keep it. Each line's exit status and wall time are printed; lines matching
``--skip`` are listed as skipped, never counted as run.

Some lines take an hour (``make bench``, ``make gate-trials``): skip them by pattern and say so.
Exit 0 when every line that ran exited 0, 1 otherwise, each failure named with its output's tail.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Lines whose effect is on the shell itself: replayed before every later line of their block.
STATE = re.compile(r"^(\.|source|export|cd)\s")


def fenced_blocks(text: str, kind: str = "sh") -> list[list[str]]:
    """The lines of every fenced block of ``kind`` in ``text``: comments, blank lines and trailing
    ``# ...`` comments dropped, continuation lines (``\\``) joined."""
    out = []
    for body in re.findall(rf"^```{kind}\n(.*?)^```", text, re.S | re.M):
        lines: list[str] = []
        pending = ""
        for raw in body.splitlines():
            line = re.split(r"\s+#\s", raw, maxsplit=1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.endswith("\\"):
                pending += line[:-1].rstrip() + " "
                continue
            lines.append(pending + line)
            pending = ""
        out.append(lines)
    return out


@dataclass
class Outcome:
    block: int
    line: str
    status: int | None  # None: skipped
    seconds: float
    tail: str = ""


def run_line(clone: Path, state: list[str], line: str, timeout: float, log: Path) -> tuple[int, float, str]:
    """Run ``line`` after ``state`` in a fresh login shell in ``clone``; output appended to ``log``."""
    script = "\n".join(["set -e", *state, line])
    env = {"HOME": os.environ["HOME"], "TERM": "dumb", "LANG": "C.UTF-8"}
    start = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {line}\n")
        out.flush()
        try:
            proc = subprocess.run(
                ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "bash", "-l", "-c", script],
                cwd=clone,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
            status = proc.returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n[timed out after {timeout:.0f} s]\n")
            status = 124
    seconds = time.monotonic() - start
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:] if status else []
    return status, seconds, "\n".join(tail)


def _pattern(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as e:
        raise argparse.ArgumentTypeError(f"not a regular expression: {value!r} ({e})") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        type=_pattern,
        metavar="REGEX",
        help="skip lines matching REGEX (repeatable)",
    )
    ap.add_argument("--timeout", type=float, default=3600, metavar="S", help="bound on each line, seconds (3600)")
    ap.add_argument("--clone", type=Path, help="clone into this (new) directory and keep it; default: a temporary one")
    ap.add_argument("--log", type=Path, help="every line's output (default: readme-commands.log in the clone)")
    args = ap.parse_args(argv)

    parent = None if args.clone else tempfile.TemporaryDirectory(prefix="audiobench-readme-")
    clone = args.clone or Path(parent.name) / "audiobench"  # type: ignore[union-attr]
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    log = args.log or clone / "readme-commands.log"
    outcomes: list[Outcome] = []
    try:
        for number, block in enumerate(fenced_blocks(README.read_text(encoding="utf-8")), 1):
            state: list[str] = []
            for line in block:
                if any(pattern.search(line) for pattern in args.skip):
                    outcomes.append(Outcome(number, line, None, 0.0))
                    print(f"block {number}: skipped  {line}", flush=True)
                else:
                    status, seconds, tail = run_line(clone, state, line, args.timeout, log)
                    outcomes.append(Outcome(number, line, status, seconds, tail))
                    print(f"block {number}: exit {status:<3} {seconds:7.1f} s  {line}", flush=True)
                if STATE.match(line):
                    state.append(line)
    finally:
        if parent is not None:
            parent.cleanup()
    ran = [o for o in outcomes if o.status is not None]
    failed = [o for o in ran if o.status]
    print(
        f"\n{len(ran)} lines ran ({sum(o.seconds for o in ran) / 60:.1f} min), {len(failed)} failed, "
        f"{len(outcomes) - len(ran)} skipped"
    )
    for o in failed:
        print(f"\nFAILED (exit {o.status}), block {o.block}: {o.line}\n{o.tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
