"""Deterministic counters (callgrind instructions, allocations, bytes) and their committed baseline.

A profile run with ``--instructions`` counts every native stage exactly, and the counts repeat
run to run, so they are compared without statistics. The baseline file
(``benchmarks/baselines/counters.json``, schema ``audiobench.counters/1``) keeps, per (operation,
variant, size, tier, stage), the three counters plus the facts that decide whether two sets of
counts can be compared at all:

* ``simd_capability`` — what the CPU can run (from its flags). The path a profile *took* is
  recorded too but is not a comparability fact: on the same hardware a different path is the
  code's doing (broken dispatch, ``AUDIOBENCH_SIMD=baseline``) and must show up as a change;
* ``valgrind_limit`` — the path callgrind ran when it is narrower than the one valgrind is
  expected to run: the native path, but at most AVX2 (``null`` when they agree). valgrind hides
  AVX-512, so on an AVX-512 CPU every kernel is counted on its AVX2 body, as on an AVX2 CPU:
  those counts describe the same code and compare. Counted below that (a valgrind without AVX2),
  they describe valgrind, not the code;
* ``rustc``, ``target``, ``build_profile`` — a different compiler or profile changes the counts
  for reasons that are not a regression of this code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audiobench import verdict
from audiobench.documents import counters as counter_doc
from audiobench.gate.checks import Check, Findings
from audiobench.gate.inputs import InputError, Loaded, differences, mapping, simd_capability
from audiobench.targets import COUNTERS, Counters

SCHEMA = counter_doc.SCHEMA
DEFAULT_BASELINE = Path(__file__).resolve().parents[2] / "benchmarks" / "baselines" / "counters.json"
E2E = "(whole call)"
COMPARABILITY = ("simd_capability", "valgrind_limit", "rustc", "target", "build_profile")

Key = tuple[str, str, str, str, str]


# Paths narrowest first, and the widest one valgrind runs (it hides AVX-512 from the program).
PATHS = ("baseline", "avx2+fma", "avx512")
VALGRIND_WIDEST = "avx2+fma"


def _valgrind_limit(native: str | None, callgrind: str | None) -> str | None:
    """The callgrind path when narrower than expected (see the module docstring), else None."""
    if native not in PATHS or callgrind not in PATHS:
        return None if callgrind == native else callgrind
    expected = PATHS[min(PATHS.index(native), PATHS.index(VALGRIND_WIDEST))]
    return None if callgrind == expected else callgrind


def facts(doc: dict[str, Any]) -> dict[str, Any]:
    """Comparability facts of a profile document (see the module docstring)."""
    env = doc["environment"]
    rust, cpu, paths = mapping(env.get("rust")), mapping(env.get("cpu")), mapping(doc.get("simd_path"))
    native, callgrind = paths.get("native"), paths.get("callgrind")
    return {
        "simd_capability": simd_capability(cpu.get("simd_flags") or []),
        "valgrind_limit": _valgrind_limit(native, callgrind),
        "rustc": rust.get("rustc"),
        "target": rust.get("target"),
        "build_profile": rust.get("profile"),
        "simd_path_native": native,
        "simd_path_callgrind": callgrind,
    }


def _native(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (e for e in doc["entries"] if e["side"] == "native")


def extract(profile: Loaded) -> dict[str, Any]:
    """The counters document of a profile with instruction counts."""
    doc = profile.doc
    if doc.get("instructions") != "measured":
        raise InputError(f"{profile.path}: has no instruction counts (profile with --instructions)")
    entries: list[dict[str, Any]] = []
    seen: set[Key] = set()
    for e in _native(doc):
        base = {k: e[k] for k in ("op", "variant", "size", "tier")}
        counts = e.get("e2e_counts") or {}
        stages = [
            {
                "stage": E2E,
                "parent": None,
                "instructions": e.get("e2e_instructions"),
                "allocs": counts.get("allocs"),
                "alloc_bytes": counts.get("alloc_bytes"),
                "repeatable": counts.get("counts_repeatable", True),
            }
        ]
        stages += [
            {
                "stage": st["name"],
                "parent": st.get("parent"),
                "instructions": st.get("instructions"),
                "allocs": st["allocs"],
                "alloc_bytes": st["alloc_bytes"],
                "repeatable": st.get("counts_repeatable", True),
            }
            for st in e["stages"]
        ]
        for st in stages:
            key = (base["op"], base["variant"], base["size"], base["tier"], st["stage"])
            if key in seen:
                raise InputError(f"{profile.path}: stage {'/'.join(key)} appears twice")
            seen.add(key)
            entries.append({**base, "input_checksum": e.get("input_checksum"), **st})
    git = doc["environment"].get("git") or {}
    return {
        "schema": SCHEMA,
        "source": profile.path.name,
        "created": doc["created"],
        "commit": git.get("commit"),
        "suite": doc.get("suite"),
        "facts": facts(doc),
        "entries": entries,
    }


def save_baseline(profile: Loaded, path: Path) -> Path:
    """Write the profile's instruction and allocation counts as the counter baseline at ``path``."""
    return counter_doc.write(extract(profile), path)


def read_baseline(path: Path) -> dict[str, Any]:
    """The counter baseline at ``path``; :class:`InputError` names the file and the field."""
    return counter_doc.read(path, InputError)


def _index(doc: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(e["op"], e["variant"], e["size"], e["tier"], e["stage"]): e for e in doc["entries"]}


def counter_checks(baseline: dict[str, Any], current: dict[str, Any], cfg: Counters) -> Findings:
    """Compare the current counters document with the baseline one."""
    out = Findings()
    why = differences(
        {k: baseline["facts"].get(k) for k in COMPARABILITY}, {k: current["facts"].get(k) for k in COMPARABILITY}
    )
    label = f"baseline {baseline.get('source')} (commit {str(baseline.get('commit'))[:12]})"
    if why:
        out.skip("counter", f"not comparable with {label}: {'; '.join(why)}", blocks_strict=True)
        return out
    paths = baseline["facts"].get("simd_path_callgrind"), current["facts"].get("simd_path_callgrind")
    if paths[0] != paths[1]:
        out.notes.append(
            f"kernels took the {paths[1]} path under callgrind where the counter baseline took {paths[0]}, "
            "on the same hardware capability: the counts are compared, the difference is the code's"
        )
    base = _index(baseline)
    cur = _index(current)
    seen_tiers = {k[3] for k in cur}
    for tier in cfg.tiers:
        if tier not in seen_tiers:
            out.skip("counter", "tier has no native entries in the current profile", items=[tier])
    for key, c in cur.items():
        if key[3] not in cfg.tiers:
            continue
        b = base.get(key)
        if b is None:
            out.skip("counter", "stage not in the counter baseline (new)", len(COUNTERS))
            continue
        if b.get("input_checksum") != c.get("input_checksum"):
            out.skip("counter", "different input bytes than the counter baseline", len(COUNTERS), blocks_strict=True)
            continue
        where = f"{key[0]}/{key[1]} {key[2]} {key[3]} · {key[4]}"
        for name in COUNTERS:
            bv, cv = b.get(name), c.get(name)
            if bv is None or cv is None:
                out.skip("counter", "not counted for this stage (e.g. executor hand-offs)", items=[name])
                continue
            if name != "instructions" and not (b.get("repeatable", True) and c.get("repeatable", True)):
                out.skip("counter", "marked not repeatable (a thread race decides who frees)", items=[name])
                continue
            tol = cfg.tolerances[name]
            v = verdict.counter(float(bv), float(cv), tol.relative, tol.absolute, name)
            out.checks.append(Check("counter", name, where, cfg.enforce, v))
    gone = sum(1 for k in base if k not in cur and k[3] in cfg.tiers)
    if gone:
        out.skip("counter", "baseline stage not in the current profile (not profiled this time)", gone * len(COUNTERS))
    return out
