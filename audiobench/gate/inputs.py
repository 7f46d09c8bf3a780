"""The gate's inputs: run files and profile files, found, read and checked before anything is judged.

Every problem is an :class:`InputError` naming the file and what is wrong with it (the command
turns it into exit code 2): a gate that crashes on a truncated file, or quietly skips it, cannot
be trusted in CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiobench.documents import profile as profile_doc
from audiobench.documents import run as run_doc

RUNS_DIR = run_doc.RUNS_DIR
PROFILES_DIR = profile_doc.PROFILES_DIR


class InputError(ValueError):
    """A run, profile or baseline file is missing, unreadable or malformed; the message names it."""


@dataclass(frozen=True)
class Loaded:
    path: Path
    doc: dict[str, Any]


def read_run(path: Path) -> Loaded:
    """A run file through the one reader (:func:`audiobench.documents.run.read`); :class:`InputError` on any problem."""
    return Loaded(path, run_doc.read(path, InputError))


def read_profile(path: Path) -> Loaded:
    """A profile file through the one reader; :class:`InputError` on any problem."""
    return Loaded(path, profile_doc.read(path, InputError))


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
    """The SIMD path the extension dispatched to, from an environment fingerprint (None if not recorded)."""
    path = mapping(env.get("rust")).get("simd_path")
    return str(path) if path is not None else None


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The keys on which two mappings differ, each as ``key a ≠ b``."""
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
