"""``audiobench gate``: judge a run against the spec targets and a baseline; exit 0 / 1 / 2 for CI.

Wall time is judged on a paired comparison: ``--baseline-ref REF`` builds REF and measures it
with the working tree in the same rounds (``audiobench compare``), ``--compare FILE`` judges
stored compare files. Runs compared with an earlier run (``--baseline``) are history: reported,
never failing.

Exit codes: 0 pass (inconclusive checks pass with a warning unless ``--strict``), 1 a check
failed, 2 bad input or usage (the message names the file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from audiobench import options
from audiobench.documents.compare import COMPARE_DIR
from audiobench.gate import checks as chk
from audiobench.gate import counters, inputs, paired, summary
from audiobench.targets import DEFAULT_PATH, Targets, TargetsError
from audiobench.targets import load as load_targets

CHECKS = {
    "paired": "paired",
    "absolute": "absolute",
    "speedup": "speedup",
    "wall-time": "wall_time",
    "counters": "counter",
}
RUN_KINDS = {"absolute", "speedup", "wall_time"}
"""The checks that read a run file (counters read a profile, the paired check compare files)."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``gate`` sub-command to the ``audiobench`` parser's subparsers."""
    s: argparse.ArgumentParser = subparsers.add_parser(
        "gate",
        help="check a run against spec targets, minimum speed-ups and regressions; exit 0 pass, 1 fail, 2 bad input",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--targets", type=Path, default=DEFAULT_PATH, help="targets TOML (default benchmarks/targets.toml)")
    s.add_argument("--run", help="run id or run file (default: the newest in --runs-dir)")
    s.add_argument(
        "--baseline",
        help="run id or file for wall-time regressions (default: the newest earlier run of the same suite "
        "on the same machine; none → not evaluated)",
    )
    s.add_argument(
        "--baseline-ref",
        metavar="REF",
        help="git ref of the baseline build: measured with the working tree in the same rounds (paired check)",
    )
    s.add_argument(
        "--compare",
        type=Path,
        action="append",
        metavar="FILE",
        help="judge this compare file (repeatable: a comparison and its re-measurements) instead of measuring",
    )
    s.add_argument(
        "--compare-dir", type=Path, default=COMPARE_DIR, help="where --baseline-ref writes its compare files"
    )
    s.add_argument("--runs-dir", type=Path, default=inputs.RUNS_DIR, help="where run files are found")
    s.add_argument(
        "--profile", type=Path, help="profile file for the counters (default: newest with instruction counts)"
    )
    s.add_argument("--profiles-dir", type=Path, default=inputs.PROFILES_DIR, help="where profile files are found")
    s.add_argument(
        "--counter-baseline",
        type=Path,
        help="counters baseline (default benchmarks/baselines/counters.json)",
    )
    s.add_argument(
        "--save-counter-baseline",
        type=Path,
        metavar="FILE",
        help="write the counters of --profile (or the newest profile with instruction counts) to FILE and exit",
    )
    s.add_argument(
        "--checks",
        default=",".join(CHECKS),
        help=f"comma-separated subset of {', '.join(CHECKS)} (default: all)",
    )
    s.add_argument("--strict", action="store_true", help="inconclusive and not-comparable checks fail the gate")
    options.add_format(s, "Markdown sized for a PR comment")
    options.add_remeasure(s)
    s.set_defaults(func=cmd_gate)
    return s


def _kinds(spec: str) -> set[str]:
    names = {x.strip() for x in spec.split(",") if x.strip()}
    bad = sorted(names - set(CHECKS))
    if bad or not names:
        raise inputs.InputError(f"--checks: unknown {', '.join(bad) or '(empty)'} (known: {', '.join(CHECKS)})")
    return {CHECKS[n] for n in names}


def _run_info(run: inputs.Loaded) -> dict[str, Any]:
    env = run.doc["environment"]
    return {
        "run_id": run.doc["run_id"],
        "path": str(run.path),
        "suite": run.doc["suite"],
        "commit": (env.get("git") or {}).get("commit"),
        "simd_path": inputs.simd_path(env),
        "machine_id": env.get("machine_id"),
    }


def _counters(args: argparse.Namespace, targets: Targets, run: inputs.Loaded | None, f: chk.Findings) -> dict[str, Any]:
    profile = inputs.find_profile(args.profile, args.profiles_dir)
    if profile is None:
        f.skip("counter", f"not evaluated: no profile with instruction counts in {args.profiles_dir}")
        return {}
    path = args.counter_baseline or counters.DEFAULT_BASELINE
    if args.counter_baseline is None and not path.exists():
        f.skip("counter", f"not evaluated: no counter baseline ({path}; write one with --save-counter-baseline)")
        return {}
    current = counters.extract(profile)
    base = counters.read_baseline(path)
    f.extend(counters.counter_checks(base, current, targets.counters))
    run_commit = _run_info(run)["commit"] if run is not None else current["commit"]
    if current["commit"] != run_commit:
        f.notes.append(
            f"counters come from a profile of commit {str(current['commit'])[:12]}, "
            f"the run is of {str(run_commit)[:12]}"
        )
    return {"current": profile.path.name, "baseline": _shown(path), "baseline_commit": base.get("commit")}


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is under it (shorter in a PR comment)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _named_files_exist(args: argparse.Namespace) -> None:
    """Every file named on the command line exists, whether or not the chosen checks read it: a
    mistyped path is a mistake to report, not a check to skip quietly."""
    for option, path in (("--counter-baseline", args.counter_baseline), ("--profile", args.profile)):
        if path is not None and not path.is_file():
            raise inputs.InputError(f"{path}: no such file ({option})")


def _runs(args: argparse.Namespace, kinds: set[str]) -> tuple[inputs.Loaded, inputs.Loaded | None]:
    """The run to judge and its wall-time baseline (None: not evaluated)."""
    picks_run = args.run is None
    picks_baseline = "wall_time" in kinds and args.baseline is None
    # Picking from the directory means reading all of it (see inputs.read_runs_dir).
    runs = inputs.read_runs_dir(args.runs_dir) if picks_run or picks_baseline else []
    if picks_run:
        if not runs:
            raise inputs.InputError(f"{args.runs_dir}: no run files (run `audiobench run` first, or pass --run)")
        run = runs[-1]
    else:
        run = inputs.read_run(inputs.resolve_run(args.run, args.runs_dir))
    baseline_path = None if args.baseline is None else inputs.resolve_run(args.baseline, args.runs_dir)
    if "wall_time" not in kinds:
        return run, None
    if baseline_path is None:
        return run, inputs.find_baseline_run(run, runs)
    baseline = inputs.read_run(baseline_path)
    if baseline.doc["run_id"] == run.doc["run_id"]:
        if baseline.path.resolve() == run.path.resolve():
            raise inputs.InputError(f"{baseline.path}: the baseline is the run itself")
        raise inputs.InputError(
            f"{baseline.path}: the baseline has the run id of the run, {run.path} ({run.doc['run_id']!r}): "
            "the same run copied?"
        )
    return run, baseline


def _paired(args: argparse.Namespace, targets: Targets, f: chk.Findings) -> dict[str, Any]:
    """The paired wall-time checks: measured (--baseline-ref) or read (--compare)."""
    if args.compare and args.baseline_ref:
        raise inputs.InputError("--compare and --baseline-ref: give one (a stored comparison, or one to make)")
    files: list[Path] = list(args.compare or [])
    if args.baseline_ref:
        budget = targets.remeasure.budget_s if args.remeasure_budget is None else args.remeasure_budget
        files, notes = paired.measure(
            Path.cwd(), args.baseline_ref, targets, args.compare_dir, 0.0 if args.no_remeasure else budget, _log
        )
        f.notes += notes
    if not files:
        f.skip(
            "paired",
            "not evaluated: no baseline build (--baseline-ref REF measures one; --compare FILE judges a stored one)",
        )
        return {}
    docs = paired.read(files)
    f.extend(paired.checks(docs, targets))
    first = docs[0]
    return {
        "files": [_shown(p) for p in files],
        "base": {"ref": first.base.ref, "commit": first.base.commit},
        "head": {"ref": first.head.ref, "commit": first.head.commit, "dirty": first.head.dirty},
    }


def _log(line: str) -> None:
    print(f"audiobench gate: {line}", file=sys.stderr, flush=True)


def _evaluate(args: argparse.Namespace) -> tuple[summary.Context, chk.Findings]:
    targets = load_targets(args.targets, getattr(args, "catalogue", None))
    kinds = _kinds(args.checks)
    _named_files_exist(args)
    f = chk.Findings()
    run: inputs.Loaded | None = None
    baseline: inputs.Loaded | None = None
    if kinds & RUN_KINDS:
        run, baseline = _runs(args, kinds)
        f.extend(chk.run_checks(run, baseline, targets, kinds))
    pairs = _paired(args, targets, f) if "paired" in kinds else {}
    info: dict[str, Any] = {}
    if "counter" in kinds:
        info = _counters(args, targets, run, f)
    result = chk.overall(f, args.strict)
    ctx = summary.Context(
        result=result,
        exit_code=1 if result == "fail" else 0,
        strict=args.strict,
        run=_run_info(run) if run else None,
        baseline=_run_info(baseline) if baseline else None,
        counters=info,
        paired=pairs,
    )
    return ctx, f


def _save_baseline(args: argparse.Namespace) -> int:
    profile = inputs.find_profile(args.profile, args.profiles_dir)
    if profile is None:
        raise inputs.InputError(f"{args.profiles_dir}: no profile with instruction counts (profile --instructions)")
    path = counters.save_baseline(profile, args.save_counter_baseline)
    print(f"wrote {path} (counters of {profile.path})")
    return 0


def cmd_gate(args: argparse.Namespace) -> int:
    """``audiobench gate``: read, check, print the summary; exit 0 pass, 1 fail, 2 bad input."""
    try:
        if args.save_counter_baseline is not None:
            return _save_baseline(args)
        ctx, findings = _evaluate(args)
    except (inputs.InputError, TargetsError) as e:
        print(f"audiobench gate: {e}", file=sys.stderr)
        return 2
    print(summary.markdown(ctx, findings) if args.format == "text" else summary.as_json(ctx, findings))
    if ctx.result == "pass-with-warnings":
        print(
            "audiobench gate: passed with warnings (inconclusive or not comparable checks; --strict fails them)",
            file=sys.stderr,
        )
    return ctx.exit_code


def main(argv: list[str] | None = None) -> int:
    """``audiobench gate`` on its own (``python -m audiobench.gate``)."""
    p = argparse.ArgumentParser(prog="audiobench")
    p.add_argument("--catalogue", type=Path, default=None, help="catalogue TOML (default: benchmarks/catalogue.toml)")
    sub = p.add_subparsers(dest="command", required=True)
    register(sub)
    args = p.parse_args(["gate", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))
