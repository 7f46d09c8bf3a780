"""Driving the native stage profiler (``profiles/``, binary ``audiobench-profile``).

Timing runs start it directly; instruction counts run it under
``valgrind --tool=callgrind --collect-atstart=no``, where it writes one dump per stage (a
callgrind client request) and this module reads each dump's ``totals:`` line back by its label.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audiobench.catalogue import Catalogue, SizeSet
from audiobench.inputs import DEFAULT_ROOT, SCHEMA, catalogue_sha256, export

FORCE_SIMD_ENV = "AUDIOBENCH_SIMD"
"""Forces the baseline kernel bodies (``rust_impls/core/src/simd.rs``); passed on to the profiler."""

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "release" / "audiobench-profile"
NATIVE_SCHEMA = "audiobench.profile-native/1"


class ProfilerError(RuntimeError):
    """The native profiler could not be built or run; the message says what failed."""


def _sources_newer_than(path: Path) -> bool:
    if not path.exists():
        return True
    built = path.stat().st_mtime
    roots = [ROOT / "profiles", ROOT / "rust_impls" / "core" / "src", ROOT / "rust_impls" / "core" / "benches"]
    return any(f.stat().st_mtime > built for r in roots for f in r.rglob("*.rs"))


def ensure_binary() -> Path:
    """Build the profiler (release) if it is missing or older than its sources."""
    if _sources_newer_than(BINARY):
        proc = subprocess.run(
            ["cargo", "build", "--release", "-p", "audiobench-profiles"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ProfilerError(f"cargo build -p audiobench-profiles failed:\n{proc.stderr[-2000:]}")
    return BINARY


def ensure_inputs(cat: Catalogue, suite: SizeSet) -> Path:
    """The suite's exported inputs, written (again) if missing, of another schema, or from
    another seed or catalogue (a stale manifest would feed the profiler other cases or a
    differently shaped document, and with it other counts)."""
    manifest = ROOT / DEFAULT_ROOT / suite / "manifest.json"
    try:
        doc = json.loads(manifest.read_text())
        if (doc["schema"], doc["seed"], doc["catalogue_sha256"]) == (SCHEMA, cat.seed, catalogue_sha256(cat)):
            return manifest
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return export(cat, suite, ROOT / DEFAULT_ROOT)


def _args(suite: str, ops: list[str] | None, tiers: list[str] | None) -> list[str]:
    args = ["--suite", suite]
    if ops:
        args += ["--ops", ",".join(ops)]
    if tiers:
        args += ["--tiers", ",".join(tiers)]
    return args


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    if doc.get("schema") != NATIVE_SCHEMA:
        raise ProfilerError(f"{path}: unexpected schema {doc.get('schema')!r}")
    return doc


def _relative(path: Path) -> str:
    return os.path.relpath(path, ROOT)


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    """A temporary directory for one profiler process, under ``target/`` with a fixed-length name."""
    base = ROOT / "target" / "profile-scratch"
    base.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="run-", dir=base)


def _run(args: list[str], tmp: Path, wrapper: Sequence[str] = ()) -> dict[str, Any]:
    """Run the native profiler (under ``wrapper``, e.g. valgrind) with ``args``; its document.

    Every path the process sees (its own, the catalogue, the inputs, the output) is relative
    to the checkout and of the same length wherever the checkout is: the sizes of the
    allocations made while reading them shape the heap that the counted stages then allocate
    from, and an absolute path once moved instruction counts by up to 16 % between two
    checkouts of the same commit.
    """
    suite = args[args.index("--suite") + 1]
    # The environment is fixed too: its strings sit above the stack, so their total length
    # moves every stack buffer's alignment, and glibc's memcpy takes a different number of
    # instructions for a differently aligned copy (PWD alone made small stages differ by up
    # to 300 instructions between two checkouts). Only the variables the profiler reads pass.
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "AUDIOBENCH_CATALOGUE": "benchmarks/catalogue.toml",
        "AUDIOBENCH_INPUTS": _relative(ROOT / DEFAULT_ROOT / suite),
        "CARGO_TARGET_DIR": "target",
        **{k: v for k, v in os.environ.items() if k == FORCE_SIMD_ENV},
    }
    out = tmp / "native.json"
    if wrapper:
        wrapper = [shutil.which(wrapper[0]) or wrapper[0], *wrapper[1:]]
    cmd = [*wrapper, _relative(ensure_binary()), *args, "--out", _relative(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ProfilerError(f"{' '.join(cmd[: len(wrapper) + 4])} ... failed:\n{proc.stderr[-2000:]}")
    return _load(out)


def run_timing(suite: str, ops: list[str] | None, tiers: list[str] | None, budget_ms: int) -> dict[str, Any]:
    """Run the native profiler's timing pass; returns its document (stage samples in ns)."""
    with scratch_dir() as tmp:
        return _run([*_args(suite, ops, tiers), "--budget-ms", str(budget_ms)], Path(tmp))


def run_case_e2e(suite: str, case_id: str, tier: str, budget_ms: int) -> list[float]:
    """End-to-end samples (ns) of one native call, measured now, for the PyO3 side's reference."""
    args = ["--suite", suite, "--case", case_id, "--tiers", tier, "--e2e-only", "--budget-ms", str(budget_ms)]
    with scratch_dir() as tmp:
        cases = _run(args, Path(tmp))["cases"]
    if not cases:
        raise ProfilerError(f"the native profiler has no case {case_id} at {tier}")
    samples: list[float] = cases[0]["stages"][0]["samples_ns"]
    return samples


def valgrind_available() -> bool:
    """Whether ``valgrind`` is on the PATH (instruction counts need it)."""
    return shutil.which("valgrind") is not None


_DESC = re.compile(r"^desc: Trigger: Client Request: (audiobench#.*)$", re.M)
_TOTALS = re.compile(r"^(?:totals|summary): (\d+)", re.M)
_THREAD = re.compile(r"^thread: (\d+)$", re.M)


def parse_dumps(directory: Path) -> dict[str, int]:
    """Instruction totals (Ir) of the main thread in every callgrind dump, by dump label.

    Callgrind runs with ``--separate-threads=yes``; only thread 1 is read: the profiler runs
    every counted stage on it, and other threads (an idle executor) only add scheduling noise.
    """
    counts: dict[str, int] = {}
    for dump in sorted(directory.glob("callgrind.out*")):
        text = dump.read_text(errors="replace")
        label, total, thread = _DESC.search(text), _TOTALS.search(text), _THREAD.search(text)
        if label and total and (thread is None or thread.group(1) == "1"):
            counts[label.group(1)] = int(total.group(1))
    return counts


def run_instructions(suite: str, ops: list[str] | None, tiers: list[str] | None, iterations: int) -> dict[str, Any]:
    """Run the profiler under callgrind; attach per-iteration instruction counts to each stage."""
    if not valgrind_available():
        raise ProfilerError("valgrind is not installed; instruction counts need `valgrind --tool=callgrind`")
    with tempfile.TemporaryDirectory() as tmp:
        valgrind = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--separate-threads=yes",
            f"--callgrind-out-file={tmp}/callgrind.out.%p",
        ]
        args = [*_args(suite, ops, tiers), "--instructions", "--iterations", str(iterations)]
        doc = _run(args, Path(tmp), valgrind)
        counts = parse_dumps(Path(tmp))
    missing = []
    for case in doc["cases"]:
        for stage in case["stages"]:
            label = stage["dump_label"]
            total = counts.get(label) if label else None
            if label and total is None:
                missing.append(label)
            stage["instructions"] = None if total is None else total / stage["iterations"]
    if missing:
        raise ProfilerError(f"callgrind wrote no dump for {len(missing)} stages, e.g. {missing[0]}")
    return doc
