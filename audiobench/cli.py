"""audiobench: measure matched Python and Rust implementations of audio operations side by side
and judge the result (speed-ups with CIs, parity, spec targets, regressions).

Sub-commands spell their options one way: --ops / --tiers (comma-separated names), -k / --bench
(a regular expression searched in each item's name, as asv's --bench), --suite, --out-dir,
--format text|json.

Exit codes: 0 success, 1 a check failed (e.g. a parity mismatch in smoke), 2 bad input or usage
(the message names the offending file or argument), 130 interrupted (Ctrl-C): nothing
half-written is left behind, since every result file is written atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audiobench import options
from audiobench.catalogue import CatalogueError, load
from audiobench.compare import cli as compare_cli
from audiobench.gate import cli as gate_cli
from audiobench.stream import cli as stream_cli
from audiobench.tiers.plugins import PluginError

DATA_DIR = Path("reports/data")
OUT_DIR = Path("reports")
CRITERION_DIR = Path("target/criterion")
ASV_RESULTS = Path(".asv/results")
TARGETS = Path("benchmarks/targets.toml")


def _catalogue(args: argparse.Namespace) -> Any:
    if args.catalogue is not None:
        # Every later load() (the registry, operation specs, child processes) reads the same file.
        os.environ["AUDIOBENCH_CATALOGUE"] = str(args.catalogue.resolve())
    return load(args.catalogue)


def _registry(args: argparse.Namespace) -> Any:
    """The registry with the tiers of every ``--impl module:callable`` added."""
    from audiobench.registry import registry

    return registry(tuple(getattr(args, "impl", None) or ()))


def _unknown(command: str, what: str, given: list[str] | None, known: list[str]) -> bool:
    """Print the exit-2 message for names not in ``known``; True when there were any."""
    bad = [x for x in given or [] if x not in known]
    if bad:
        print(f"audiobench {command}: unknown {what} {', '.join(bad)} (known: {', '.join(known)})", file=sys.stderr)
    return bool(bad)


def cmd_list(args: argparse.Namespace) -> int:
    """``audiobench list``: the registry (operation × variant × tier, peers), as a table or JSON."""
    from rich.console import Console
    from rich.table import Table

    cat = _catalogue(args)
    reg = _registry(args)
    ops, tiers = options.split(args.ops), options.split(args.tiers)
    every = list(reg.entries(peers=True))
    known_tiers = list(dict.fromkeys(i.tier for i in every))
    if _unknown("list", "operation(s)", ops, list(cat.operations)) or _unknown("list", "tier(s)", tiers, known_tiers):
        return 2
    impls = [
        i
        for i in every
        if (ops is None or i.op in ops)
        and (tiers is None or i.tier in tiers)
        and (i.matched or not args.no_peers)
        and (args.bench is None or args.bench.search(f"{i.op}/{i.variant} {i.tier}"))
    ]
    if args.format == "json":
        rows = [
            {
                "op": i.op,
                "variant": i.variant,
                "tier": i.tier,
                "matched": i.matched,
                "allocation": i.allocation,
                "summary": i.summary,
            }
            for i in impls
        ]
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="audiobench registry: operation × variant × tier")
    for col in ("operation", "variant", "tier", "outputs", "what runs"):
        table.add_column(col)
    for i in impls:
        note = "" if i.matched else " [peer: not output-matched]"
        table.add_row(i.op, i.variant, i.tier, i.allocation, i.summary + note)
    console = Console()  # the terminal's width; 80 columns (or $COLUMNS) in a pipe
    console.print(table)
    matched = sum(1 for i in impls if i.matched)
    peers = [f"{i.op}/{i.tier}" for i in impls if not i.matched]
    console.print(f"{matched} matched implementations; peers (not output-matched): {', '.join(peers) or 'none'}")
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    """``audiobench smoke``: every entry once on the quick sizes, parity-checked; exit 1 on a mismatch."""
    from audiobench import smoke

    names = options.split(args.ops)
    cat = _catalogue(args)
    if _unknown("smoke", "operation(s)", names, list(cat.operations)):
        return 2
    ops = set(names) if names else None
    rows = smoke.run_smoke(cat, _registry(args), ops=ops, progress=sys.stderr.isatty())
    path = smoke.save(rows, args.data_dir / "smoke.json")
    bad = [r for r in rows if r.matched and not r.parity_ok]
    print(f"smoke: {len(rows)} runs, {len(bad)} parity failures; wrote {path}")
    for r in bad:
        print(f"  MISMATCH {r.op}/{r.variant} {r.tier} {r.size}: {r.detail}", file=sys.stderr)
    return 1 if bad else 0


def _log(prefix: str) -> Callable[[str], None]:
    def line(text: str) -> None:
        print(f"{prefix}: {text}", file=sys.stderr, flush=True)

    return line


def cmd_run(args: argparse.Namespace) -> int:
    """``audiobench run``: plan, measure interleaved, write a run file; exit 1 on a parity failure."""
    from audiobench.runner import SUITES, PlanError, build_plan, run_and_save
    from audiobench.runner.summary import print_summary

    cat = _catalogue(args)
    notes: list[str] = []  # operations the --audio file left out of the default selection, and why
    try:
        plans = build_plan(
            cat, _registry(args), args.suite, options.split(args.ops), options.split(args.tiers), args.audio, notes,
            args.bench,
        )  # fmt: skip
    except PlanError as e:
        print(f"audiobench run: {e}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"audiobench run: {note}", file=sys.stderr)
    settings = SUITES[args.suite].with_budget(args.time_budget, cold_runs=not args.no_cold)
    tty = sys.stderr.isatty()
    log = None if tty else _log("audiobench run")  # a bar on a terminal, a line per case in a log
    doc, path = run_and_save(plans, cat, _registry(args), settings, progress=tty, log=log, runs_dir=args.out_dir)
    if args.format == "json":
        print(json.dumps({"run_file": str(path), "run_id": doc["run_id"], "duration_s": doc["duration_s"]}))
    else:
        print_summary(doc)
        print(f"wrote {path} ({len(doc['cases'])} cases, {doc['duration_s']:.0f} s)")
    failed = [
        (c["op"], c["variant"], c["size"], r["row"])
        for c in doc["cases"]
        for r in c["rows"]
        if r["parity"] and r["parity"]["ok"] is False
    ]
    for f in failed:
        print(f"  PARITY FAILURE {'/'.join(f[:2])} {f[2]} {f[3]}", file=sys.stderr)
    return 1 if failed else 0


def cmd_profile(args: argparse.Namespace) -> int:
    """``audiobench profile``: stage breakdown per tier, written as a profile file."""
    from rich.console import Console

    from audiobench.profile import ALL_TIERS, run_profile, save
    from audiobench.profile.native import ProfilerError, valgrind_available
    from audiobench.profile.table import print_profile

    cat = _catalogue(args)
    reg = _registry(args)
    ops, tiers = options.split(args.ops), options.split(args.tiers)
    known = [*ALL_TIERS, *(i.tier for i in reg.entries() if i.tier not in ALL_TIERS)]
    if _unknown("profile", "operation(s)", ops, list(cat.operations)) or _unknown("profile", "tier(s)", tiers, known):
        return 2
    if args.instructions and not valgrind_available():
        print("audiobench profile: --instructions needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    try:
        with console.status("profiling") as status:
            doc = run_profile(
                cat,
                reg,
                args.suite,
                ops,
                tiers,
                args.instructions,
                args.budget_ms,
                on_step=lambda s: status.update(f"profiling: {s}"),
            )
    except ProfilerError as e:
        print(f"audiobench profile: {e}", file=sys.stderr)
        return 1
    path = save(doc, args.out_dir)
    if args.format == "json":
        print(json.dumps({"profile_file": str(path), "entries": len(doc["entries"])}))
    else:
        print_profile(doc)
        print(f"wrote {path} ({len(doc['entries'])} entries, {doc['duration_s']:.0f} s)")
    return 0


def cmd_inputs(args: argparse.Namespace) -> int:
    """``audiobench inputs``: the suite's inputs as raw files and a manifest (criterion, the profiler)."""
    from audiobench.inputs import export

    path = export(_catalogue(args), args.suite, args.out_dir)
    print(f"wrote {path}")
    return 0


def _tool_dirs(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """criterion's and asv's result directories: as named; unnamed, the checkout's own when
    --data-dir is the checkout's too, else none (a user's runs are not mixed with this
    checkout's benches)."""
    default = args.data_dir == DATA_DIR
    criterion = args.criterion_dir or (CRITERION_DIR if default else None)
    asv = args.asv_results or (ASV_RESULTS if default else None)
    return criterion, asv


def _collect(args: argparse.Namespace, out_dir: Path) -> Path | None:
    """Collect every tool's results into the tidy table in ``out_dir``; None (message printed) on bad input."""
    from audiobench.collect import CollectError, write_results

    try:
        return write_results(args.data_dir, *_tool_dirs(args), out_dir)
    except CollectError as e:
        print(f"audiobench: {e}", file=sys.stderr)
        return None


def _warn_skipped(meta: dict[str, Any]) -> None:
    """One stderr line per input file the table was made without (the report lists them too)."""
    for source in meta.get("sources", []):
        for s in source.get("skipped", []):
            print(f"audiobench: warning: skipped {s['path']}: {s['problem']}", file=sys.stderr)


def cmd_collect(args: argparse.Namespace) -> int:
    """``audiobench collect``: every tool's results into ``results.csv`` and its metadata."""
    path = _collect(args, args.out_dir)
    if path is None:
        return 2
    from audiobench.collect import schema

    df, meta = schema.read(args.out_dir)
    print(f"wrote {path} ({len(df)} rows)")
    for s in meta["sources"]:
        status = "found" if s["found"] else "missing"
        print(f"  {s['source']:<17} {status}: {s.get('rows', 0)} rows. {s.get('note', '')}")
    _warn_skipped(meta)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``audiobench report``: collect (unless ``--no-collect``), then render Markdown and HTML."""
    from audiobench.collect import schema
    from audiobench.report import render
    from audiobench.targets import TargetsError
    from audiobench.targets import load as load_targets

    if args.targets is not None:
        # Named on the command line: a missing or broken file is a mistake to report, not a
        # section to leave unassessed (the default file only gets a note in the report).
        try:
            load_targets(args.targets, args.catalogue)
        except TargetsError as e:
            print(f"audiobench report: {e}", file=sys.stderr)
            return 2
    results = args.out_dir / "data"  # the table beside the report it made (reports/data by default)
    if not args.no_collect and _collect(args, results) is None:
        return 2
    try:
        md, html = render(results, args.out_dir, args.targets or TARGETS)
        _, meta = schema.read(results)
    except (schema.ResultsError, ValueError) as e:
        print(f"audiobench report: {e}", file=sys.stderr)
        return 2
    print(f"wrote {md}\n      {html}\n      {args.out_dir / 'figures'}/*.svg")
    _warn_skipped(meta)
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    """``audiobench env``: the environment fingerprint stored with every result."""
    from audiobench.environment import fingerprint

    fp = fingerprint()
    if args.format == "json":
        print(json.dumps(fp, indent=2))
        return 0
    for key, value in fp.items():
        if isinstance(value, dict):
            for k, v in value.items():
                print(f"{key}.{k}: {' '.join(v) if isinstance(v, list) else v}")
        else:
            print(f"{key}: {value}")
    return 0


def _result_sources(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--data-dir",
        type=Path,
        default=DATA_DIR,
        help=f"runs/ (or run files themselves, as `run --out-dir` wrote them), profiles/, compare/, "
        f"pytest-benchmark*.json (default {DATA_DIR}); never written to",
    )
    s.add_argument(
        "--criterion-dir",
        type=Path,
        help=f"criterion's output directory (default {CRITERION_DIR} with the default --data-dir, else not read)",
    )
    s.add_argument(
        "--asv-results",
        type=Path,
        help=f"asv's results_dir (default {ASV_RESULTS} with the default --data-dir, else not read)",
    )


def _add_impl(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--impl",
        action="append",
        metavar="MODULE:CALLABLE",
        help="add the tiers a plugin callable returns (repeatable; installed audiobench.tiers plugins always load)",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    import audiobench

    p = argparse.ArgumentParser(
        prog="audiobench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"audiobench {audiobench.__version__}")
    p.add_argument("--catalogue", type=Path, default=None, help="catalogue TOML (default: benchmarks/catalogue.toml)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("list", help="print the registry: every (operation, variant, tier) and the peers")
    options.add_selection(s, bench="op/variant tier")
    s.add_argument("--no-peers", action="store_true", help="leave out peers (implementations not output-matched)")
    options.add_format(s, "a table")
    _add_impl(s)
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("smoke", help="run every entry once on the quick sizes, check parity, write smoke.json")
    s.add_argument("--data-dir", type=Path, default=DATA_DIR, help=f"where smoke.json is written (default {DATA_DIR})")
    s.add_argument("--ops", "--op", dest="ops", metavar="OPS", help="comma-separated operations (default: all)")
    _add_impl(s)
    s.set_defaults(func=cmd_smoke)

    s = sub.add_parser("run", help="interleaved runner: medians with CIs and paired ratios, written to a run file")
    options.add_suite(s)
    options.add_selection(s)
    s.add_argument("--audio", type=Path, help="your own audio file for resample, vad, pipeline and convert")
    s.add_argument("--time-budget", type=float, help="seconds for the whole run (default: 110 quick, 1800 full)")
    s.add_argument("--no-cold", action="store_true", help="skip the cold first-call subprocesses")
    options.add_out_dir(s, DATA_DIR / "runs", "where the run file is written")
    options.add_format(s, "per-case tables and the summary")
    _add_impl(s)
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("profile", help="stage breakdown per tier: time, allocations, instructions; PyO3 boundary")
    options.add_suite(s, "case sizes to profile")
    options.add_selection(
        s,
        tiers_default="python, python-best, python-pure, rust-json, rust-fast, rust-direct, rust-direct-alloc",
        bench=None,
    )
    s.add_argument("--instructions", action="store_true", help="count instructions per stage under callgrind")
    s.add_argument("--budget-ms", type=int, default=250, help="time per staged measurement (default 250)")
    options.add_out_dir(s, DATA_DIR / "profiles", "where the profile file is written")
    options.add_format(s, "stage tables")
    _add_impl(s)
    s.set_defaults(func=cmd_profile)

    s = sub.add_parser("inputs", help="write the suite's inputs as raw files for the criterion benches")
    options.add_suite(s, "the inputs of which sizes")
    options.add_out_dir(s, Path("target/audiobench-inputs"), "where the inputs and manifest.json go", "--out")
    s.set_defaults(func=cmd_inputs)

    s = sub.add_parser("collect", help="merge every tool's results into reports/data/results.csv (tidy table)")
    _result_sources(s)
    options.add_out_dir(s, DATA_DIR, "where results.csv and results.meta.json go")
    s.set_defaults(func=cmd_collect)

    s = sub.add_parser("report", help="collect, then render reports/report.md, .html and figures from the table")
    _result_sources(s)
    options.add_out_dir(s, OUT_DIR, "where report.md, report.html, figures/ and data/results.csv go")
    s.add_argument("--targets", type=Path, help=f"spec targets to assess (default {TARGETS})")
    s.add_argument("--no-collect", action="store_true", help="render the existing results.csv as it is")
    s.set_defaults(func=cmd_report)

    compare_cli.register(sub)
    gate_cli.register(sub)
    stream_cli.register(sub)

    s = sub.add_parser("env", help="print the environment fingerprint recorded with results")
    options.add_format(s, "key: value lines")
    s.set_defaults(func=cmd_env)
    return p


INTERRUPTED = 130  # the shell's code for a command ended by SIGINT (128 + 2)


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv``; returns the exit code (0 ok, 1 a check failed, 2 bad input, 130 interrupted)."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CatalogueError, PluginError) as e:
        print(f"audiobench: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C is a request, not a crash: no traceback. Files are written whole or not at all,
        # so whatever was written before is intact and nothing of this command is half there.
        done = (
            "no run file was written"
            if args.command == "run"
            else "files it finished are complete, none is half-written"
        )
        print(f"audiobench {args.command}: interrupted; {done}", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`audiobench gate | head`): not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
