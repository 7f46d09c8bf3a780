"""The gate's quality, measured: false failures on unchanged code and detection of real regressions,
judged by ``audiobench compare`` and by ``asv continuous`` on the same two commits.

Kinds (each a BASE commit — this checkout's HEAD — and a HEAD commit):

* ``aa``: HEAD against a commit of the same tree (an empty commit on top), built twice (two
  trees, two builds). Every failure is false.
* ``slow5`` / ``slow10``: a scratch commit that adds a spin of ``n / DIV`` iterations to the
  f32 → i16 conversion kernel (``f32_to_i16_into``, the rust-direct tier's kernel; rust-fast calls
  it too) — about 5 % and 10 % of the kernel's time on this VM's AMD EPYC (the measured ratio
  is in the summary). Real code changes, not edited numbers.
* ``memory``: a scratch commit where that kernel first hands every 128th whole page of the
  caller's output back to the kernel (``madvise(MADV_DONTNEED)``), so writing it takes a page
  fault and a fresh zero page — what a freshly allocated output buffer costs — for a few
  instructions per page and no allocation the counting allocator could see. Instruction and
  allocation counts are compared too (counters against BASE's own profile).

Scratch commits are made in a worktree of their own (``target/gate-trials/scratch``) and kept
under ``refs/audiobench-trials/<kind>`` (no branch is created). Each trial runs
``audiobench compare`` in a subprocess, as CI would; ``--asv-trials`` of them also run
``asv continuous`` (its default factor 1.1 and statistics) on the same two commits. The summary
goes to ``<out>/summary.json`` and ``reports/data/gate-trials.json`` (the report shows it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audiobench.atomic import write_json
from audiobench.compare import judge
from audiobench.compare.trees import cargo_dir
from audiobench.documents import compare as comparefile

KERNEL_FILE = "rust_impls/core/src/direct/convert.rs"
ANCHOR = """pub fn f32_to_i16_into(input: &[f32], out: &mut [i16]) -> Result<()> {
    check_len(input.len(), out.len())?;
    f32_to_i16_dispatch(input, out);
    Ok(())
}"""
SPIN = """pub fn f32_to_i16_into(input: &[f32], out: &mut [i16]) -> Result<()> {
    check_len(input.len(), out.len())?;
    f32_to_i16_dispatch(input, out);
    // gate trial: extra work proportional to the length
    for i in 0..input.len() / DIV {
        std::hint::black_box(i);
    }
    Ok(())
}"""
DONTNEED = """pub fn f32_to_i16_into(input: &[f32], out: &mut [i16]) -> Result<()> {
    check_len(input.len(), out.len())?;
    // gate trial: every DIVth whole page of the output is handed back to the kernel first, so
    // writing it takes a page fault and a fresh zero page, as a newly allocated buffer would
    extern "C" {
        fn madvise(addr: *mut core::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    const PAGE: usize = 4096;
    const MADV_DONTNEED: i32 = 4;
    let first = (out.as_mut_ptr() as usize).div_ceil(PAGE) * PAGE;
    let end = (out.as_mut_ptr() as usize + std::mem::size_of_val(out)) / PAGE * PAGE;
    let mut page = first;
    while page + PAGE <= end {
        unsafe { madvise(page as *mut core::ffi::c_void, PAGE, MADV_DONTNEED) };
        page += DIV * PAGE;
    }
    f32_to_i16_dispatch(input, out);
    Ok(())
}"""
PATCHES = {
    "slow5": ("spin n/{div} iterations in f32_to_i16_into (~5 %)", SPIN, 60),
    "slow10": ("spin n/{div} iterations in f32_to_i16_into (~10 %)", SPIN, 30),
    "memory": ("1 page in {div} of the f32_to_i16_into output dropped (madvise) before it is written", DONTNEED, 128),
}
KINDS = ("aa", *PATCHES)
TARGET_ROWS = ("rust-direct",)
"""The rows whose kernel the injected kinds change: a trial detects when one of their f32_i16
cases fails. rust-fast calls the kernel too (a smaller share of its time): counted apart."""
ASV_BENCH = r"time_convert\('f32_i16', '(rust-direct|rust-fast)'"
TRIALS_JSON = Path("reports/data/gate-trials.json")


class TrialError(RuntimeError):
    """A command a trial depends on failed for a reason other than a verdict."""


def _run(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)


def _git(repo: Path, *args: str) -> str:
    res = _run(["git", "-C", str(repo), *args])
    if res.returncode != 0:
        raise TrialError(f"git {' '.join(args)}: {res.stderr.strip()}")
    return res.stdout.strip()


def scratch_commit(repo: Path, base: str, kind: str, work: Path) -> str:
    """BASE with ``kind``'s patch — for ``aa`` none: a commit of the same tree, so every tool
    sees two commits (asv given one commit twice compares its results with themselves) —
    committed in a worktree of its own; kept under ``refs/audiobench-trials/<kind>``. Returns
    the commit."""
    tree = work / "scratch"
    if not (tree / ".git").exists():
        _git(repo, "worktree", "prune")
        _git(repo, "worktree", "add", "--quiet", "--force", "--detach", str(tree), base)
    _git(tree, "checkout", "--quiet", "--force", "--detach", base)
    ident = ["-c", "user.name=audiobench trials", "-c", "user.email=trials@audiobench.invalid"]
    if kind == "aa":
        _git(tree, *ident, "commit", "--quiet", "--allow-empty", "--message", "gate trial aa: the same tree")
        commit = _git(tree, "rev-parse", "HEAD")
        _git(repo, "update-ref", "refs/audiobench-trials/aa", commit)
        return commit
    what, replacement, div = PATCHES[kind]
    path = tree / KERNEL_FILE
    source = path.read_text(encoding="utf-8")
    if ANCHOR not in source:
        raise TrialError(f"{KERNEL_FILE} at {base[:12]}: the kernel the trials patch has changed; update the patch")
    path.write_text(source.replace(ANCHOR, replacement.replace("DIV", str(div))), encoding="utf-8")
    _git(tree, *ident, "commit", "--quiet", "--all", "--message", f"gate trial {kind}: {what.format(div=div)}")
    commit = _git(tree, "rev-parse", "HEAD")
    _git(repo, "update-ref", f"refs/audiobench-trials/{kind}", commit)
    return commit


@dataclass
class Judged:
    """One trial's verdicts by one tool: the rows it failed, and its own overall result."""

    tool: str
    result: str
    failed: list[str]
    seconds: float
    detail: dict[str, Any]


def compare_trial(base: str, head: str, out: Path, ops: str, tiers: str, budget: float) -> Judged:
    """``audiobench compare BASE HEAD`` in a subprocess — as the gate runs it, with the rows it
    did not pass re-measured (``[remeasure]``) — and the rows it failed."""
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "audiobench", "compare", base, head, "--ops", ops, "--tiers", tiers]
    cmd += ["--time-budget", f"{budget:g}", "--out-dir", str(out), "--format", "json"]
    res = _run(cmd)
    if res.returncode not in (0, 1):
        raise TrialError(f"audiobench compare exited {res.returncode}: {res.stderr.strip()[-2000:]}")
    doc = json.loads(res.stdout)
    failed = [c["subject"] for c in doc["checks"] if c["enforce"] and c["outcome"] == "fail"]
    ratios = {c["subject"]: c["value"] for c in doc["checks"]}
    outcomes = {c["subject"]: c["outcome"] for c in doc["checks"]}
    detail = {"files": doc["files"], "notes": doc["notes"], "ratios": ratios, "outcomes": outcomes}
    return Judged(
        "audiobench compare",
        doc["result"],
        failed,
        time.perf_counter() - t0,
        {**detail, "interference": interference(doc["files"])},
    )


def interference(files: list[str]) -> list[str]:
    """What the compare files' own interference records flag (a worker busy while the other
    measured): a trial's verdict counts only where this is empty."""
    return [f"{Path(f).name}: {flag}" for f in files for flag in judge.interference_flags(comparefile.read(Path(f)))]


def asv_trial(repo: Path, base: str, head: str) -> Judged:
    """``asv continuous BASE HEAD`` on the f32 → i16 conversion rows (default factor and
    statistics); a row marked ``+`` is one asv calls a regression."""
    asv = Path(sys.executable).with_name("asv")
    _run([str(asv), "machine", "--yes"], cwd=repo)
    t0 = time.perf_counter()
    res = _run([str(asv), "continuous", base, head, "-b", ASV_BENCH], cwd=repo)
    if res.returncode not in (0, 1, 2) or "Traceback" in res.stderr:
        raise TrialError(f"asv continuous exited {res.returncode}: {(res.stdout + res.stderr).strip()[-2000:]}")
    failed, rows = parse_asv(res.stdout)
    decreased = "PERFORMANCE DECREASED" in res.stdout
    return Judged(
        "asv continuous",
        "fail" if decreased else "pass",
        failed,
        time.perf_counter() - t0,
        {"exit_code": res.returncode, "rows": rows, "tail": res.stdout.strip().splitlines()[-3:]},
    )


def parse_asv(stdout: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """asv continuous's changes table (``| Change | Before | After | Ratio | Benchmark |``) →
    the conversion rows it marks ``+`` (a regression) and every conversion row it lists."""
    failed, rows = [], {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and "time_convert(" in cells[4]:
            subject = _asv_subject(cells[4])
            rows[subject] = {"change": cells[0], "before": cells[1], "after": cells[2], "ratio": cells[3]}
            if cells[0] == "+":
                failed.append(subject)
    return failed, rows


def _asv_subject(name: str) -> str:
    """``bench_operations.Convert.time_convert('f32_i16', 'rust-direct', '1M')`` →
    ``convert/f32_i16 1M rust-direct`` (the compare's naming)."""
    m = re.search(r"\('([^']+)', '([^']+)', '([^']+)'\)", name)
    return f"convert/{m[1]} {m[3]} {m[2]}" if m else name.strip()


def link_target_dir(tree: Path, cargo: Path) -> None:
    """Point ``<tree>/target`` at ``cargo`` (the side's own cargo dir, where the native
    profiler builds). A link left by an earlier layout may point elsewhere or nowhere —
    ``exists()`` is False for a dangling link, and creating it again would fail."""
    cargo = cargo.absolute()  # a relative target would be read from inside the tree
    link = tree / "target"
    if link.is_symlink() and Path(os.readlink(link)) != cargo:
        link.unlink()
    if not link.is_symlink():
        link.symlink_to(cargo)


def counters(repo: Path, base: str, head: str, out: Path) -> dict[str, Any]:
    """Instruction counts of the kernel in BASE's tree and HEAD's (the compare trees), judged by
    ``audiobench gate --checks counters`` with BASE's profile as the baseline."""
    trees = repo / "target" / "compare" / "trees"
    profiles = {}
    for side in ("base", "head"):
        tree = trees / side
        link_target_dir(tree, cargo_dir(repo / "target" / "compare", side))
        where = out / f"profile-{side}"
        res = _run(
            [sys.executable, "-m", "audiobench", "profile", "--instructions", "--ops", "convert", "--tiers",
             "rust-direct", "--format", "json", "--out-dir", str(where)],
            cwd=tree,
            env={"PYTHONPATH": str(tree)},
        )  # fmt: skip
        if res.returncode != 0:
            raise TrialError(f"profile of {side}: {res.stderr.strip()[-1500:]}")
        profiles[side] = sorted(where.glob("*.json"))[-1]
    baseline = out / "counters-base.json"
    gate = [sys.executable, "-m", "audiobench", "gate"]
    res = _run([*gate, "--profile", str(profiles["base"]), "--save-counter-baseline", str(baseline)])
    if res.returncode != 0:
        raise TrialError(f"saving BASE's counters: {res.stderr.strip()}")
    res = _run(
        [*gate, "--checks", "counters", "--profile", str(profiles["head"]), "--counter-baseline", str(baseline),
         "--format", "json"],
    )  # fmt: skip
    if res.returncode not in (0, 1):
        raise TrialError(f"gate on counters: {res.stderr.strip()[-1500:]}")
    doc = json.loads(res.stdout)
    failed = [f"{c['subject']} {c['name']}" for c in doc["checks"] if c["outcome"] == "fail"]
    return {"result": doc["result"], "failed": failed, "checked": len(doc["checks"])}


def _is_target(subject: str) -> bool:
    return "convert/f32_i16 " in subject and subject.endswith(TARGET_ROWS)


def summarize(kind: str, trials: list[dict[str, Any]]) -> dict[str, Any]:
    """Per tool: trials run, trials that failed the kernel's rows (detections), trials that
    failed any other row (false failures), and the median measured ratio of the kernel's rows."""
    out: dict[str, Any] = {}
    for tool in ("audiobench compare", "asv continuous"):
        mine = [t[tool] for t in trials if tool in t]
        if not mine:
            continue
        hit = sum(1 for j in mine if any(_is_target(s) for s in j["failed"]))
        false = sum(1 for j in mine if any(not _is_target(s) and "f32_i16" not in s for s in j["failed"]))
        out[tool] = {
            "trials": len(mine),
            "detected": hit if kind != "aa" else None,
            "false_failures": false if kind != "aa" else sum(1 for j in mine if j["failed"]),
            "trials_failed": sum(1 for j in mine if j["result"] == "fail"),
        }
        if tool == "audiobench compare":
            out[tool]["interference_flagged"] = sum(1 for j in mine if j["detail"].get("interference"))
        ratios = [r for j in mine for s, r in j["detail"].get("ratios", {}).items() if _is_target(s) and r is not None]
        if ratios:
            ratios.sort()
            out[tool]["median_ratio_kernel_rows"] = ratios[len(ratios) // 2]
    return out


def rejudge(doc: dict[str, Any]) -> dict[str, Any]:
    """The trials' summary with every comparison judged again from its compare file by the current
    rule (``[regression.paired]`` of targets.toml): the files hold every round, so a change of
    rule is re-applied to the same measurements instead of measuring again."""
    from audiobench.targets import load as load_targets

    paired = load_targets().paired
    for kind in doc["kinds"]:
        for t in kind["trials"]:
            j = t["audiobench compare"]
            # a summary written before re-measurement existed names one "file"
            files = j["detail"].get("files") or [j["detail"]["file"]]
            judged = judge.judge([comparefile.read(Path(f)) for f in files], paired)
            j["detail"]["interference"] = interference(files)
            j["failed"] = [x.subject for x in judged if x.enforce and x.verdict.outcome.value == "fail"]
            j["result"] = judge.overall(judged)
            j["detail"]["ratios"] = {x.subject: x.verdict.value for x in judged}
            j["detail"]["outcomes"] = {x.subject: x.verdict.outcome.value for x in judged}
        kind["summary"] = summarize(kind["kind"], kind["trials"])
    doc["rule"] = {
        "threshold": paired.threshold,
        "decide_at": paired.decide_at,
        "confidence": paired.confidence,
        "rejudged": True,
    }
    return doc


def asv_rest(repo: Path, doc: dict[str, Any]) -> dict[str, Any]:
    """Judge with asv continuous every trial of a summary that asv has not judged yet (the same
    two commits each kind compared), so both tools end up with the same trials."""
    for kind in doc["kinds"]:
        for t in kind["trials"]:
            if "asv continuous" not in t:
                t["asv continuous"] = vars(asv_trial(repo, kind["base"], kind["head"]))
                print(f"  {kind['kind']} trial {t['index']:2d}: asv {t['asv continuous']['result']}", flush=True)
        kind["summary"] = summarize(kind["kind"], kind["trials"])
    return doc


def run_kind(
    repo: Path,
    kind: str,
    n: int,
    asv_n: int,
    out: Path,
    ops: str,
    tiers: str,
    budget: float,
    save: Callable[[dict[str, Any]], None] = lambda doc: None,
) -> dict[str, Any]:
    """``n`` trials of ``kind`` (``asv_n`` of them also judged by asv); prints a line per trial and
    hands the kind's document so far to ``save`` after each (a failure later loses nothing)."""
    base = _git(repo, "rev-parse", "HEAD")
    head = scratch_commit(repo, base, kind, out.parent / "work")
    trials: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        t: dict[str, Any] = {"index": i}
        j = compare_trial(base, head, out / "compare", ops, tiers, budget)
        t[j.tool] = vars(j)
        first = f": {j.failed[0]}" if j.failed else ""
        line = f"  {kind} trial {i:2d}: compare {j.result} ({len(j.failed)} failed{first})"
        if i <= asv_n:
            a = asv_trial(repo, base, head)
            t[a.tool] = vars(a)
            line += f"; asv {a.result} ({len(a.failed)} rows +)"
        print(line, flush=True)
        trials.append(t)
        save({"kind": kind, "base": base, "head": head, "trials": trials, "summary": summarize(kind, trials)})
    doc: dict[str, Any] = {
        "kind": kind,
        "base": base,
        "head": head,
        "trials": trials,
        "summary": summarize(kind, trials),
    }
    if kind != "aa":
        doc["patch"] = PATCHES[kind][0].format(div=PATCHES[kind][2])
        try:
            doc["counters"] = counters(repo, base, head, out / f"counters-{kind}")
        except TrialError as e:  # the wall-time trials stand on their own; say what is missing
            doc["counters"] = {"result": "not evaluated", "error": str(e)}
            print(f"  {kind}: counters not evaluated: {e}", flush=True)
    return doc


def main(argv: list[str] | None = None) -> int:
    """``python -m audiobench.gate.trials``: run the trials and write their summary; returns the exit code."""
    p = argparse.ArgumentParser(prog="python -m audiobench.gate.trials", description=__doc__.splitlines()[0])
    # choices are checked below: argparse (3.11) refuses an empty '*' list against choices
    p.add_argument("kinds", nargs="*", metavar="KIND", help=f"{', '.join(KINDS)} or all (default all)")
    p.add_argument(
        "--asv-rest",
        type=Path,
        metavar="SUMMARY",
        help="run asv continuous on every trial of an earlier summary.json it has not judged (rewrites it)",
    )
    p.add_argument(
        "--rejudge",
        type=Path,
        metavar="SUMMARY",
        help="judge the compare files of an earlier summary.json again with the current rule; measure nothing",
    )
    p.add_argument("--trials", type=int, default=20, help="trials per kind (default 20)")
    p.add_argument("--asv-trials", type=int, default=0, help="of those, how many asv continuous also judges")
    p.add_argument("--ops", default="convert", help="operations compared (default convert)")
    p.add_argument("--tiers", default="rust-direct,rust-fast", help="tiers compared (default the enforced ones)")
    p.add_argument("--time-budget", type=float, default=40.0, help="seconds of measuring per compare (default 40)")
    p.add_argument("--out", type=Path, help="work directory (default target/gate-trials/<time>)")
    args = p.parse_args(argv)
    wrong = [k for k in args.kinds if k not in (*KINDS, "all")]
    if wrong:
        p.error(f"unknown kind {', '.join(wrong)} (known: {', '.join(KINDS)}, all)")
    if args.trials < 1 or args.asv_trials < 0:
        p.error("--trials must be at least 1 and --asv-trials at least 0")
    if args.asv_rest is not None:
        try:
            doc = asv_rest(Path.cwd(), json.loads(args.asv_rest.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TrialError) as e:
            print(f"gate trials: {args.asv_rest}: {e}", file=sys.stderr)
            return 2
        print(f"wrote {write_json(args.asv_rest, doc)}")
        return 0
    if args.rejudge is not None:
        try:
            doc = rejudge(json.loads(args.rejudge.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as e:
            print(f"gate trials: {args.rejudge}: {e}", file=sys.stderr)
            return 2
        for kind in doc["kinds"]:
            print(f"{kind['kind']}: {json.dumps(kind['summary'])}")
        print(f"wrote {write_json(TRIALS_JSON, doc)}")
        return 0
    kinds = list(KINDS) if not args.kinds or "all" in args.kinds else list(dict.fromkeys(args.kinds))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path("target/gate-trials") / stamp
    repo = Path.cwd()
    t0 = time.perf_counter()
    results: list[dict[str, Any]] = []

    def document(partial: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "schema": "audiobench.gate-trials/1",
            "created": stamp,
            "ops": args.ops,
            "tiers": args.tiers,
            "time_budget_s": args.time_budget,
            "asv_benchmarks": ASV_BENCH,
            "kinds": [*results, *([partial] if partial else [])],
            "seconds": time.perf_counter() - t0,
            "rule": {"rejudged": False},
        }

    def save(partial: dict[str, Any]) -> None:
        write_json(out / "summary.json", document(partial))

    try:
        for kind in kinds:
            results.append(
                run_kind(
                    repo, kind, args.trials, args.asv_trials, out / kind, args.ops, args.tiers, args.time_budget, save
                )
            )
            print(f"{kind}: {json.dumps(results[-1]['summary'])}", flush=True)
            write_json(out / "summary.json", document())
    except TrialError as e:
        print(f"gate trials: {e} (the trials so far: {out / 'summary.json'})", file=sys.stderr)
        return 2
    print(f"wrote {write_json(TRIALS_JSON, document())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
