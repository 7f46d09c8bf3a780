"""The gate's quality, measured: false failures on unchanged code, and detection of a slower build.

``aa``: one quick run (and instruction profile) is the baseline; then N more on the same code,
each gated against it. Every failure is a false failure.

``demo``: the baseline is measured with the normal build; then N runs with
``AUDIOBENCH_SIMD=baseline``, which makes the extension take its baseline (SSE2) kernel bodies
instead of the AVX2 ones — a genuinely slower implementation of the same conversion, not edited
numbers. Each trial is gated twice, once on the counters alone and once on wall time alone, so
each check's detection rate is counted on its own.

Everything is measured by the ``audiobench`` command in subprocesses (a trial is what CI would
run); files go under ``--out`` and never into ``reports/data``, so a slowed run can never end up
in the report. The summary is printed and written to ``<out>/summary.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import write_json
from audiobench.profile import NATIVE_TIERS
from audiobench.profile.native import valgrind_available

SLOW_ENV = {"AUDIOBENCH_SIMD": "baseline"}


class TrialError(RuntimeError):
    """A measuring or gating subprocess failed for a reason other than the gate's verdict."""


@dataclass
class Measured:
    run: Path
    profile: Path | None


@dataclass
class Trial:
    index: int
    checks: str
    exit_code: int
    result: str
    failed: list[str] = field(default_factory=list)
    inconclusive: int = 0
    remeasured: int = 0
    seconds: float = 0.0


def _audiobench(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "audiobench", *args], env=full_env, capture_output=True, text=True, check=False
    )


def _only_file(directory: Path) -> Path:
    files = sorted(directory.glob("*.json"))
    if len(files) != 1:
        raise TrialError(f"{directory}: expected one result file, found {len(files)}")
    return files[0]


def measure(where: Path, ops: str, budget: float, instructions: bool, env: dict[str, str] | None = None) -> Measured:
    """One quick runner run (and instruction profile of the Rust tiers) into ``where``."""
    runs, profiles = str(where / "runs"), str(where / "profiles")
    run = _audiobench(
        ["run", "--suite", "quick", "--no-cold", "--ops", ops, "--time-budget", f"{budget:g}", "--out-dir", runs],
        env,
    )
    if run.returncode != 0:
        raise TrialError(f"audiobench run failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    profile = None
    if instructions:
        prof = _audiobench(
            [
                "profile",
                "--instructions",
                "--ops",
                ops,
                "--tiers",
                ",".join(NATIVE_TIERS),
                "--format",
                "json",
                "--out-dir",
                profiles,
            ],
            env,
        )
        if prof.returncode != 0:
            raise TrialError(f"audiobench profile failed ({prof.returncode}): {prof.stderr.strip()[-2000:]}")
        profile = _only_file(where / "profiles")
    return Measured(_only_file(where / "runs"), profile)


def save_counter_baseline(base: Measured, path: Path) -> Path | None:
    """Save ``base``'s profile as a counter baseline (None when it has no instruction counts)."""
    if base.profile is None:
        return None
    res = _audiobench(["gate", "--profile", str(base.profile), "--save-counter-baseline", str(path)])
    if res.returncode != 0:
        raise TrialError(f"saving the counter baseline failed: {res.stderr.strip()}")
    return path


def gate(
    index: int,
    current: Measured,
    base: Measured,
    counter_baseline: Path | None,
    checks: str,
    env: dict[str, str] | None = None,
) -> Trial:
    """Run ``audiobench gate`` on ``current`` against ``base``; the verdict is the exit code."""
    args = ["gate", "--format", "json", "--checks", checks, "--run", str(current.run), "--baseline", str(base.run)]
    if current.profile is not None and counter_baseline is not None:
        args += ["--profile", str(current.profile), "--counter-baseline", str(counter_baseline)]
    t0 = time.perf_counter()
    res = _audiobench(args, env)
    seconds = time.perf_counter() - t0
    if res.returncode not in (0, 1):
        raise TrialError(f"audiobench gate exited {res.returncode}: {res.stderr.strip()}")
    doc = json.loads(res.stdout)
    # The gate's full verdict beside the trial's run, for looking into a failure afterwards.
    write_json(current.run.parent.parent / f"gate-{checks.replace(',', '+')}.json", doc)
    failed = [
        f"{c['kind']} {c['subject']}: {c['reason']}" for c in doc["checks"] if c["enforce"] and c["outcome"] == "fail"
    ]
    inconclusive = sum(1 for c in doc["checks"] if c["enforce"] and c["outcome"] == "inconclusive")
    return Trial(
        index, checks, res.returncode, doc["result"], failed, inconclusive, sum(doc["remeasured"].values()), seconds
    )


def _line(t: Trial) -> str:
    first = f" — {t.failed[0]}" + (f" (+{len(t.failed) - 1} more)" if len(t.failed) > 1 else "") if t.failed else ""
    extra = f", {t.remeasured} rounds re-measured" if t.remeasured else ""
    return f"  trial {t.index:2d} [{t.checks}] exit {t.exit_code} {t.result}: {len(t.failed)} failed{extra}{first}"


def aa(out: Path, n: int, ops: str, budget: float, instructions: bool) -> dict[str, Any]:
    """A/A trials: ``n`` runs of the same build gated against a first one; every check should pass."""
    base = measure(out / "base", ops, budget, instructions)
    counters = save_counter_baseline(base, out / "counters-base.json")
    trials = []
    for i in range(1, n + 1):
        cur = measure(out / f"aa-{i:02d}", ops, budget, instructions)
        trials.append(gate(i, cur, base, counters, "absolute,speedup,wall-time,counters"))
        print(_line(trials[-1]), flush=True)
    false = sum(1 for t in trials if t.exit_code != 0)
    print(f"A/A: the gate exited 0 in {n - false} of {n} trials on unchanged code ({false} false failures)")
    return {"kind": "aa", "trials": [asdict(t) for t in trials], "false_failures": false, "n": n}


def demo(out: Path, n: int, ops: str, budget: float, instructions: bool) -> dict[str, Any]:
    """Injected-slowdown trials: ``n`` runs with the slow path switched on, gated against a clean one."""
    base = measure(out / "base", ops, budget, instructions)
    counters = save_counter_baseline(base, out / "counters-base.json")
    trials: dict[str, list[Trial]] = {"counters": [], "wall-time": []}
    for i in range(1, n + 1):
        cur = measure(out / f"slow-{i:02d}", ops, budget, instructions, SLOW_ENV)
        for checks in trials if counters is not None else ["wall-time"]:
            trials[checks].append(gate(i, cur, base, counters, checks, SLOW_ENV))
            print(_line(trials[checks][-1]), flush=True)
    caught = {k: sum(1 for t in ts if t.exit_code == 1) for k, ts in trials.items()}
    slow = " ".join(f"{a}={b}" for a, b in SLOW_ENV.items())
    for k, ts in trials.items():
        if ts:
            print(f"slower build ({slow}): the {k} check failed the gate in {caught[k]} of {len(ts)} trials")
    return {
        "kind": "demo",
        "slow_env": SLOW_ENV,
        "trials": {k: [asdict(t) for t in ts] for k, ts in trials.items()},
        "caught": caught,
        "n": n,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m audiobench.gate.trials``: run the trials and write their summary; returns the exit code."""
    p = argparse.ArgumentParser(prog="python -m audiobench.gate.trials", description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=("aa", "demo"))
    p.add_argument("--trials", type=int, default=10, help="gated runs (default 10)")
    p.add_argument("--ops", default="resample,vad,convert,b64_buffer,pipeline", help="operations measured")
    p.add_argument("--time-budget", type=float, default=60.0, help="seconds per runner run (default 60)")
    p.add_argument("--no-instructions", action="store_true", help="skip the callgrind profiles (no counter checks)")
    p.add_argument("--out", type=Path, help="work directory (default target/gate-trials/<kind>-<time>)")
    args = p.parse_args(argv)
    if args.trials < 1:
        p.error("--trials must be at least 1")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path("target/gate-trials") / f"{args.kind}-{stamp}"
    instructions = not args.no_instructions and valgrind_available()
    fn = aa if args.kind == "aa" else demo
    t0 = time.perf_counter()
    try:
        doc = fn(out, args.trials, args.ops, args.time_budget, instructions)
    except TrialError as e:
        print(f"gate trials: {e}", file=sys.stderr)
        return 2
    doc.update(ops=args.ops, time_budget=args.time_budget, instructions=instructions, seconds=time.perf_counter() - t0)
    print(f"wrote {write_json(out / 'summary.json', doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
