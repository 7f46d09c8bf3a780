"""Adding an operation is a small, local change: prove it on a scratch clone.

``python -m tests.new_operation.check`` clones the committed repository into a temporary
directory, adds ``gain`` (float32 samples times a constant) at every tier by writing the files
under ``files/`` and the two edits below, and checks that

* the change touches at most :data:`MAX_FILES` files (``git status`` of the clone), and
* with nothing else changed, ``gain`` is listed, run (all six tiers, parity-checked),
  profiled (Python, PyO3 and native stages) and reported.

The clone builds its own extension and profiler (a release build, a few minutes), so this runs
in CI (``make test-extend``), not in ``make test``. Exit 0 when every check holds, 1 otherwise,
each failure named.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
MAX_FILES = 6
TIERS = ("python", "python-pure", "python-best", "rust-json", "rust-fast", "rust-direct")

CATALOGUE_ENTRY = """
[operations.gain]
variants = ["default"]
signal = "speech"
size_kind = "samples"
title = "Gain (x · 0.5)"
unit = "µs per 1M samples"
quick = [1000000]
full = [1000000]
pure = [100000]
"""
EDITS = {
    "rust_impls/core/src/direct/mod.rs": [
        ("pub mod convert;\n", "pub mod convert;\npub mod gain;\n"),
        ("&[convert::KERNEL]", "&[convert::KERNEL, gain::KERNEL]"),
    ],
}


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def add_gain(clone: Path) -> list[str]:
    """Write the operation into ``clone``; returns the files git sees changed or added."""
    for src in FILES.rglob("*"):
        if src.is_file():
            dst = clone / src.relative_to(FILES)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    with (clone / "benchmarks" / "catalogue.toml").open("a", encoding="utf-8") as f:
        f.write(CATALOGUE_ENTRY)
    for rel, edits in EDITS.items():
        path = clone / rel
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            if old not in text:
                raise SystemExit(f"{rel}: cannot apply the edit: {old!r} not found")
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    status = _run(["git", "status", "--porcelain", "--untracked-files=all"], clone)
    return sorted(line[3:] for line in status.splitlines())


def build(clone: Path, env: dict[str, str]) -> None:
    """The clone's extension, unpacked beside its package (as `maturin develop` leaves it), and
    its native profiler."""
    dist = clone / "dist"
    _run([sys.executable, "-m", "maturin", "build", "--release", "--quiet", "-o", str(dist)], clone, env)
    wheel = next(dist.glob("audiobench-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith("audiobench/_rust") and name.endswith(".so"):
                (clone / name).write_bytes(z.read(name))
    _run(["cargo", "build", "--release", "--quiet", "-p", "audiobench-profiles"], clone, env)


def exercise(clone: Path, env: dict[str, str]) -> list[str]:
    """List, run, profile and report gain in the clone; returns the failed checks."""
    failed: list[str] = []
    ab = [sys.executable, "-m", "audiobench"]
    listed = json.loads(_run([*ab, "list", "--op", "gain", "--format", "json"], clone, env))
    if sorted(r["tier"] for r in listed) != sorted(TIERS):
        failed.append(f"list: gain tiers {sorted(r['tier'] for r in listed)}")
    data = clone / "reports" / "data"
    _run([*ab, "run", "--ops", "gain", "--no-cold", "--time-budget", "4", "--out-dir", str(data / "runs")], clone, env)
    run = json.loads(next((data / "runs").glob("*.json")).read_text())
    rows = {r["row"]: r for c in run["cases"] for r in c["rows"]}
    for tier in TIERS:
        parity = (rows.get(tier) or {}).get("parity") or {}
        if parity.get("ok") is not True:
            failed.append(f"run: {tier} parity {parity or 'missing'}")
    _run([*ab, "profile", "--ops", "gain", "--budget-ms", "30", "--out-dir", str(data / "profiles")], clone, env)
    profile = json.loads(next((data / "profiles").glob("*.json")).read_text())
    sides = {(e["tier"], e["side"]) for e in profile["entries"]}
    wanted = {(t, "python") for t in TIERS[:3]} | {(t, s) for t in TIERS[3:] for s in ("native", "pyo3")}
    if not wanted <= sides:
        failed.append(f"profile: missing {sorted(wanted - sides)}")
    none = clone / "none"
    _run(
        [*ab, "report", "--data-dir", str(data), "--criterion-dir", str(none), "--asv-results", str(none),
         "--out-dir", str(clone / "reports")],
        clone,
        env,
    )  # fmt: skip
    md = (clone / "reports" / "report.md").read_text(encoding="utf-8")
    if "Gain (x · 0.5)" not in md or "stages-gain" not in (clone / "reports" / "report.html").read_text():
        failed.append("report: no gain section or no gain stage breakdown")
    return failed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    args = p.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="audiobench-new-operation-"))
    work.mkdir(parents=True, exist_ok=True)
    clone = work / "clone"
    try:
        _run(["git", "clone", "--quiet", str(ROOT), str(clone)], work)
        touched = add_gain(clone)
        print(f"gain touches {len(touched)} files:", *touched, sep="\n  ")
        failed = [f"{len(touched)} files touched, more than {MAX_FILES}"] if len(touched) > MAX_FILES else []
        env = {**os.environ, "PYTHONPATH": str(clone), "CARGO_TARGET_DIR": str(clone / "target")}
        env.pop("AUDIOBENCH_CATALOGUE", None)
        build(clone, env)
        failed += exercise(clone, env)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    for f in failed:
        print(f"FAILED {f}", file=sys.stderr)
    print("gain added end to end" if not failed else f"{len(failed)} checks failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
