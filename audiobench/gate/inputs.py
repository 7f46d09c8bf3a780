"""The gate's inputs: run files and profile files, found, read and checked before anything is judged.

Every problem is an :class:`InputError` naming the file and what is wrong with it (the command
turns it into exit code 2): a gate that crashes on a truncated file, or quietly skips it, cannot
be trusted in CI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiobench.documents import read_versioned
from audiobench.runner import runfile

RUN_SCHEMA = runfile.READABLE
PROFILE_SCHEMA = "audiobench.profile/1"
RUNS_DIR = runfile.RUNS_DIR
PROFILES_DIR = Path("reports/data/profiles")


class InputError(ValueError):
    """A run, profile or baseline file is missing, unreadable or malformed; the message names it."""


@dataclass(frozen=True)
class Loaded:
    path: Path
    doc: dict[str, Any]


def _need(doc: Any, key: str, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    if not isinstance(doc, dict) or key not in doc:
        raise InputError(f"{path}: {where}{key} is missing")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise InputError(f"{path}: {where}{key} has the wrong type ({type(value).__name__})")
    return value


def _positive_numbers(xs: Any, path: Path, where: str) -> None:
    if not isinstance(xs, list) or not xs:
        raise InputError(f"{path}: {where} must be a non-empty list of numbers")
    for x in xs:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or x <= 0:
            raise InputError(f"{path}: {where} holds {x!r}, not a positive number")


def check_run(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    """Check the parts of a run document the gate reads; returns it unchanged."""
    _need(doc, "run_id", str, path, "")
    _need(doc, "suite", str, path, "")
    env = _need(doc, "environment", dict, path, "")
    _need(env, "machine_id", str, path, "environment.")
    for i, case in enumerate(_need(doc, "cases", list, path, "")):
        where = f"cases[{i}]."
        for k in ("op", "variant", "size", "input_checksum"):
            _need(case, k, str, path, where)
        rows = _need(case, "rows", list, path, where)
        n = None
        for j, row in enumerate(rows):
            w = f"{where}rows[{j}]."
            _need(row, "row", str, path, w)
            _need(row, "unit", str, path, w)
            _need(row, "unit_median", (int, float), path, w)
            _positive_numbers(_need(row, "samples_s", list, path, w), path, f"{w}samples_s")
            _need(_need(row, "stats_s", dict, path, w), "median", (int, float), path, f"{w}stats_s.")
            ci = _need(row, "unit_ci", list, path, w)
            if len(ci) != 2 or not all(isinstance(x, int | float) and math.isfinite(x) for x in ci):
                raise InputError(f"{path}: {w}unit_ci must be two numbers")
            if n is not None and len(row["samples_s"]) != n:
                raise InputError(f"{path}: {w}samples_s has {len(row['samples_s'])} rounds, the case has {n}")
            n = len(row["samples_s"])
        for j, r in enumerate(_need(case, "ratios", list, path, where)):
            w = f"{where}ratios[{j}]."
            _need(r, "a", str, path, w)
            _need(r, "b", str, path, w)
            for k in ("median", "ci_low", "ci_high"):
                _need(r, k, (int, float), path, w)
    return doc


def check_profile(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    _need(doc, "environment", dict, path, "")
    _need(doc, "created", str, path, "")
    for i, e in enumerate(_need(doc, "entries", list, path, "")):
        where = f"entries[{i}]."
        for k in ("op", "variant", "size", "tier", "side"):
            _need(e, k, str, path, where)
        if e["side"] != "native":
            continue
        for j, st in enumerate(_need(e, "stages", list, path, where)):
            w = f"{where}stages[{j}]."
            _need(st, "name", str, path, w)
            for k in ("allocs", "alloc_bytes"):
                _need(st, k, (int, float), path, w)
    return doc


def read_run(path: Path) -> Loaded:
    doc = read_versioned(path, RUN_SCHEMA, InputError)
    return Loaded(path, check_run(doc, path))


def read_profile(path: Path) -> Loaded:
    doc = read_versioned(path, PROFILE_SCHEMA, InputError)
    return Loaded(path, check_profile(doc, path))


def _files(directory: Path) -> list[Path]:
    """Result files, oldest first (names start with a UTC timestamp)."""
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))


def resolve_run(spec: str | None, runs_dir: Path) -> Path:
    """``spec`` is a path, a run id (file stem in ``runs_dir``) or None for the newest run."""
    if spec is None:
        files = _files(runs_dir)
        if not files:
            raise InputError(f"{runs_dir}: no run files (run `audiobench run` first, or pass --run)")
        return files[-1]
    p = Path(spec)
    if p.suffix == ".json" or p.exists():
        if not p.is_file():
            raise InputError(f"{p}: no such run file")
        return p
    candidate = runs_dir / f"{spec}.json"
    if not candidate.exists():
        raise InputError(f"{candidate}: no such run (--run/--baseline take a run id or a path)")
    return candidate


def read_runs_dir(runs_dir: Path) -> list[Loaded]:
    """Every run file in ``runs_dir``, oldest name first, each read and checked.

    The gate reads them all whenever it picks the run or the baseline itself: a file it cannot
    read might have been the one to pick (its suite, machine and id are inside it), and two files
    with one run id (a copied file) leave "that run" ambiguous. Either is an :class:`InputError`.
    """
    runs = [read_run(p) for p in _files(runs_dir)]
    seen: dict[str, Path] = {}
    for run in runs:
        run_id = run.doc["run_id"]
        if run_id in seen:
            raise InputError(f"{run.path}: run id {run_id!r} is also the run id of {seen[run_id]} (a copied run file?)")
        seen[run_id] = run.path
    return runs


def machine(env: dict[str, Any]) -> dict[str, Any]:
    """The facts that make wall times comparable: the machine and what its CPU can run.

    The SIMD *capability* (flags), not the path a run took: a path that changed on the same
    hardware (a dispatch bug, ``AUDIOBENCH_SIMD=baseline``) is a change in the code under test,
    which is exactly what the gate must compare, not a reason to refuse.
    """
    cpu = mapping(env.get("cpu"))
    flags = cpu.get("simd_flags") or []
    return {
        "machine_id": env.get("machine_id"),
        "cpu": cpu.get("model"),
        "simd_capability": simd_capability(flags),
    }


def mapping(x: Any) -> dict[str, Any]:
    """``x`` if it is a JSON object, else an empty one (optional parts of a fingerprint)."""
    return x if isinstance(x, dict) else {}


def simd_capability(flags: list[str]) -> str:
    """The best kernel path the CPU supports (the extension dispatches AVX2+FMA or baseline)."""
    return "avx2+fma" if {"avx2", "fma"} <= set(flags) else "baseline"


def simd_path(env: dict[str, Any]) -> str | None:
    path = mapping(env.get("rust")).get("simd_path")
    return str(path) if path is not None else None


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [f"{k} {a.get(k)!r} ≠ {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def find_baseline_run(current: Loaded, runs: list[Loaded]) -> Loaded | None:
    """The newest run older than ``current`` with the same suite and machine fingerprint, among
    ``runs`` (:func:`read_runs_dir`: every one read, so none unreadable is passed over)."""
    me = machine(current.doc["environment"])
    run_id = current.doc["run_id"]
    for cand in reversed(runs):
        if cand.path.resolve() == current.path.resolve() or cand.doc["run_id"] >= run_id:
            continue
        if cand.doc["suite"] == current.doc["suite"] and machine(cand.doc["environment"]) == me:
            return cand
    return None


def find_profile(spec: Path | None, profiles_dir: Path) -> Loaded | None:
    """The named profile, or the newest one with instruction counts (None if there is none)."""
    if spec is not None:
        return read_profile(spec)
    for path in reversed(_files(profiles_dir)):
        prof = read_profile(path)
        if prof.doc.get("instructions") == "measured":
            return prof
    return None
