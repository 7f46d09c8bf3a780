"""``audiobench compare BASE [HEAD]``: measure two builds in the same rounds and judge HEAD/BASE.

BASE and HEAD are git refs; HEAD defaults to the working tree as built (``make build``).
Exit codes: 0 pass (inconclusive rows pass with a warning unless ``--strict``), 1 an enforced
row is slower beyond the threshold, 2 bad input (a ref, a build, a worker; the message says
which). Thresholds and tiers come from ``benchmarks/targets.toml`` ``[regression.paired]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from audiobench import options
from audiobench.compare import CompareError, judge, measure, summary
from audiobench.compare.confirm import run_confirmed
from audiobench.documents import compare as comparefile
from audiobench.targets import DEFAULT_PATH, Paired, TargetsError
from audiobench.targets import load as load_targets


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``compare`` sub-command to the ``audiobench`` parser's subparsers."""
    s: argparse.ArgumentParser = subparsers.add_parser(
        "compare",
        help="measure two builds (git refs; HEAD: the working tree) in the same rounds; paired ratio per case",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("base", metavar="BASE", help="git ref of the baseline build (e.g. main, HEAD~1)")
    s.add_argument("head", metavar="HEAD", nargs="?", help="git ref of the build judged (default: the working tree)")
    options.add_suite(s)
    options.add_selection(s, tiers_default="targets.toml [regression.paired] tiers", bench=None)
    s.add_argument("--time-budget", type=float, metavar="S", help="seconds for the measurement (default: targets)")
    s.add_argument("--processes", type=int, metavar="N", help="pairs of worker processes (default: targets)")
    options.add_remeasure(s)
    s.add_argument("--targets", type=Path, default=DEFAULT_PATH, help="targets TOML (default benchmarks/targets.toml)")
    options.add_out_dir(s, comparefile.COMPARE_DIR, "where the compare files go")
    options.add_format(s, "Markdown sized for a PR comment")
    s.add_argument("--strict", action="store_true", help="inconclusive enforced rows fail")
    s.set_defaults(func=cmd_compare)
    return s


def settings_for(paired: Paired, suite: str, ops: list[str], tiers: list[str], **over: Any) -> measure.Settings:
    """The measurement settings from ``[regression.paired]``, with the given overrides."""
    args: dict[str, Any] = {
        "suite": suite,
        "ops": ops,
        "tiers": tiers,
        "round_seconds": paired.round_seconds,
        "min_rounds": paired.min_rounds,
        "max_rounds": paired.max_rounds,
        "processes": paired.processes,
        "time_budget_s": paired.time_budget_s,
        "confidence": paired.confidence,
    }
    args.update({k: v for k, v in over.items() if v is not None})
    return measure.Settings(**args)


def _progress(line: str) -> None:
    print(f"audiobench compare: {line}", file=sys.stderr, flush=True)


def _rounds(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\raudiobench compare: round {done}/{total}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def cmd_compare(args: argparse.Namespace) -> int:
    """Build, measure, write the compare file, print the summary; exit 0 / 1 / 2."""
    try:
        targets = load_targets(args.targets)
    except TargetsError as e:
        print(f"audiobench compare: {e}", file=sys.stderr)
        return 2
    from audiobench.catalogue import load as load_catalogue

    cat = load_catalogue(getattr(args, "catalogue", None))
    ops = options.split(args.ops) or list(cat.operations)
    tiers = options.split(args.tiers) or list(targets.paired.tiers())
    unknown = [o for o in ops if o not in cat.operations] + [t for t in tiers if t not in cat.tiers]
    if unknown:
        print(f"audiobench compare: unknown operation or tier {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.processes is not None and args.processes < 1:
        print("audiobench compare: --processes must be at least 1", file=sys.stderr)
        return 2
    s = settings_for(targets.paired, args.suite, ops, tiers, time_budget_s=args.time_budget, processes=args.processes)
    budget = targets.remeasure.budget_s if args.remeasure_budget is None else args.remeasure_budget
    try:
        paths, notes = run_confirmed(
            Path.cwd(),
            args.base,
            args.head,
            s,
            targets,
            0.0 if args.no_remeasure else budget,
            out_dir=args.out_dir,
            log=_progress,
            on_round=_rounds,
        )
    except CompareError as e:
        print(f"audiobench compare: {e}", file=sys.stderr)
        return 2
    models = [comparefile.read(p) for p in paths]
    judged = judge.judge(models, targets.paired)
    result = judge.overall(judged, args.strict)
    if args.format == "text":
        print(summary.markdown(models, judged, args.strict, notes))
    else:
        doc = {"result": result, "files": [str(p) for p in paths], "notes": notes}
        print(json.dumps({**doc, "checks": [j.as_dict() for j in judged]}, indent=2))
    return 1 if result == "fail" else 0
