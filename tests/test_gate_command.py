"""``audiobench gate`` end to end on small synthetic run, profile and baseline documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiobench.gate import counters
from audiobench.gate.cli import main
from audiobench.stats import paired_ratio, summarize

AVX2_FLAGS = ["avx", "avx2", "fma", "sse2", "sse4_2"]
TARGETS = Path(__file__).resolve().parents[1] / "benchmarks" / "targets.toml"

# op → (size label, size spec, unit, seconds → unit)
CASES: dict[str, tuple[str, dict[str, Any], str, float]] = {
    "convert": ("1M", {"kind": "samples", "samples": 1_000_000}, "µs per 1M samples", 1e6),
    "vad": ("frame", {"kind": "frame", "threads": 1}, "µs per frame", 1e6),
    "resample": ("1s", {"kind": "seconds", "seconds": 1.0, "threads": 1}, "ms per s of audio", 1e3),
}
# seconds per call of each row, roughly what the runner measures
TIMES = {
    ("convert", "rust-direct"): 290e-6,
    ("convert", "rust-fast"): 700e-6,
    ("convert", "python"): 1100e-6,
    ("vad", "rust-direct"): 0.75e-6,
    ("vad", "rust-fast"): 0.9e-6,
    ("vad", "python"): 21e-6,
    ("resample", "rust-direct"): 0.35e-3,
    ("resample", "rust-fast"): 0.4e-3,
    ("resample", "python"): 0.8e-3,
}


def environment(machine: str = "m1", simd: str = "avx2+fma", rustc: str = "rustc 1.95.0") -> dict[str, Any]:
    return {
        "machine_id": machine,
        "cpu": {"model": "Test CPU", "logical_cores": 2, "simd_flags": AVX2_FLAGS},
        "python": "3.11.7",
        "rust": {"profile": "release", "rustc": rustc, "target": "x86_64-unknown-linux-gnu", "simd_path": simd},
        "git": {"commit": "0" * 40, "dirty": False},
    }


def case(
    op: str, variant: str, seed: int, slower: dict[str, float] | None = None, cv: float = 0.03, n: int = 15
) -> dict[str, Any]:
    """One runner case with seeded per-round samples for the rows of ``TIMES``."""
    size, spec, unit, scale = CASES[op]
    rng = np.random.default_rng(seed)
    drift = rng.lognormal(0.0, cv, n)  # shared by every row of a round, as in the runner
    samples = {
        tier: (t * (slower or {}).get(tier, 1.0) * drift * rng.lognormal(0.0, cv, n)).tolist()
        for (o, tier), t in TIMES.items()
        if o == op
    }
    rows = []
    for tier, x in samples.items():
        s = summarize(x)
        rows.append(
            {
                "row": tier,
                "kind": "tier",
                "calls_per_round": 10,
                "samples_s": x,
                "stats_s": s.as_dict(),
                "unit": unit,
                "unit_median": s.median * scale,
                "unit_ci": [s.ci_low * scale, s.ci_high * scale],
            }
        )
    ratios = [paired_ratio(a, samples[a], b, samples[b]).as_dict() for a in samples for b in samples if a != b]
    return {
        "op": op,
        "variant": variant,
        "size": size,
        "size_spec": spec,
        "source": "generated",
        "input_checksum": f"{op}-{variant}",
        "rounds": n,
        "rows": rows,
        "ratios": ratios,
    }


def run_doc(run_id: str, cases: list[dict[str, Any]], suite: str = "quick", **env: Any) -> dict[str, Any]:
    return {
        "schema": "audiobench.run/2",
        "run_id": run_id,
        "suite": suite,
        "seed": 20251027,
        "settings": {"round_seconds": 0.015},
        "environment": environment(**env),
        "cases": cases,
    }


def standard_cases(seed: int, slower: dict[str, float] | None = None) -> list[dict[str, Any]]:
    return [
        case("convert", "f32_i16", seed, slower),
        case("vad", "default", seed + 1),
        case("resample", "high", seed + 2),
    ]


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def profile_doc(kernel: float = 1_218_828.0, simd: str = "avx2+fma", rustc: str = "rustc 1.95.0") -> dict[str, Any]:
    """A native profile entry with callgrind counts (rust-direct convert and rust-fast convert)."""

    def stage(name: str, instructions: float | None, allocs: int, nbytes: int) -> dict[str, Any]:
        return {
            "name": name,
            "parent": None,
            "kind": "stage",
            "samples_ns": [1.0],
            "allocs": allocs,
            "deallocs": 0,
            "reallocs": 0,
            "alloc_bytes": nbytes,
            "counts_repeatable": True,
            "instructions": instructions,
        }

    def entry(tier: str, stages: list[dict[str, Any]]) -> dict[str, Any]:
        instr = [s["instructions"] for s in stages]
        return {
            "op": "convert",
            "variant": "f32_i16",
            "size": "1M",
            "tier": tier,
            "side": "native",
            "input_checksum": "abc",
            "stages": stages,
            "e2e_instructions": sum(instr) + 2,
            "e2e_counts": {
                "allocs": sum(s["allocs"] for s in stages),
                "deallocs": 0,
                "alloc_bytes": sum(s["alloc_bytes"] for s in stages),
                "counts_repeatable": True,
            },
        }

    return {
        "schema": "audiobench.profile/1",
        "created": "2026-11-21T18:54:23+00:00",
        "suite": "quick",
        "environment": environment(simd=simd, rustc=rustc),
        "simd_path": {"native": simd, "callgrind": simd},
        "instructions": "measured",
        "entries": [
            entry("rust-direct", [stage("kernel into preallocated output", kernel, 0, 0)]),
            entry(
                "rust-fast",
                [
                    stage("copy input view → Vec", 440_529.0, 1, 4_000_000),
                    stage("wrap Vec → Arc → AudioData", 88.0, 1, 40),
                    stage("process_audio", kernel + 2_000_775, 2, 2_000_040),
                ],
            ),
            {"op": "convert", "variant": "f32_i16", "size": "1M", "tier": "python", "side": "python", "stages": []},
        ],
    }


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    d = {k: tmp_path / k for k in ("runs", "profiles", "baselines")}
    for p in d.values():
        p.mkdir()
    d["targets"] = tmp_path / "targets-history-enforced.toml"
    d["targets"].write_text(history_enforced(TARGETS.read_text(encoding="utf-8")), encoding="utf-8")
    return d


def history_enforced(text: str) -> str:
    """The committed targets with the stored-run wall-time check enforced on the Rust tiers, as a
    project that trusts its machine's run-to-run spread may set it (the committed file reports it
    only): these tests exercise that check's mechanics."""
    section = text.split("[regression.wall_time]\n", 1)[1].split("\n\n", 1)[0]
    enforced = section.replace("enforce_tiers = []", 'enforce_tiers = ["rust-direct", "rust-fast"]').replace(
        'report_tiers = ["rust-direct", "rust-fast", ', "report_tiers = ["
    )
    assert enforced != section
    return text.replace(section, enforced)


def gate(dirs: dict[str, Path], *args: str, counters_on: bool = False) -> list[str]:
    argv = ["--runs-dir", str(dirs["runs"]), "--profiles-dir", str(dirs["profiles"]), "--no-remeasure", *args]
    if "--targets" not in args:
        argv += ["--targets", str(dirs["targets"])]
    if not counters_on and "--checks" not in args:
        argv += ["--checks", "absolute,speedup,wall-time"]
    return argv


def run_gate(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def with_counter_baseline(dirs: dict[str, Path], profile: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> Path:
    """Write ``profile`` and extract a counters baseline from it with the command itself."""
    p = write(dirs["baselines"] / "source-profile.json", profile)
    out = dirs["baselines"] / "counters.json"
    code, stdout, _ = run_gate(capsys, ["--profile", str(p), "--save-counter-baseline", str(out)])
    assert code == 0 and str(out) in stdout
    return out


def section(md: str, title: str) -> str:
    """The Markdown between ``### title`` and the next section (or the folded reported-only one)."""
    body = md.split(f"### {title}", 1)[1]
    return body.split("###", 1)[0].split("<details>", 1)[0]


# --- pass / fail -----------------------------------------------------------------------------------


def test_passes_without_a_baseline_and_says_what_it_skipped(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    code, out, _ = run_gate(capsys, gate(dirs, counters_on=True))
    assert code == 0, out
    assert out.startswith("## audiobench gate: ✅ PASS")
    assert "not evaluated: no baseline" in out
    assert "no profile with instruction counts" in out
    # the convert spec target is reported as failing (enforce = false), not hidden
    assert "Reported, not enforced" in out and "convert/f32_i16 1M rust-direct" in out


def test_aa_runs_pass_the_wall_time_check(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", standard_cases(50)))
    code, out, _ = run_gate(capsys, gate(dirs, "--format", "json"))
    doc = json.loads(out)
    assert code == 0 and doc["result"] == "pass"
    assert doc["baseline"]["run_id"] == "20260101T000000Z-aaaa"  # found: same suite and machine, earlier
    wall = [c for c in doc["checks"] if c["kind"] == "wall_time"]
    # 3 cases × 3 rows: rust-direct and rust-fast gated, python reported
    assert len(wall) == 3 * 3 and all(c["outcome"] == "pass" for c in wall)
    assert {c["enforce"] for c in wall} == {True, False}


def test_the_committed_targets_report_history_and_never_fail_on_it(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs are two processes at two times: the committed targets show the comparison and
    leave wall-time enforcement to the paired check (--baseline-ref / --compare)."""
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    slow = standard_cases(50, slower={"rust-direct": 2.0})
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", slow))
    argv = gate(dirs, "--targets", str(TARGETS), "--checks", "wall-time,paired", "--format", "json")
    code, out, _ = run_gate(capsys, argv)
    doc = json.loads(out)
    wall = [c for c in doc["checks"] if c["kind"] == "wall_time"]
    assert code == 0 and wall and not any(c["enforce"] for c in wall)
    assert any(c["outcome"] == "fail" and "rust-direct" in c["subject"] for c in wall)  # shown, not hidden
    assert any("no baseline build" in s["why"] for s in doc["skipped"] if s["kind"] == "paired")


def test_a_2x_regression_fails_and_is_named(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    slow = standard_cases(50, slower={"rust-direct": 2.0})
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", slow))
    code, out, _ = run_gate(capsys, gate(dirs))
    assert code == 1
    assert out.startswith("## audiobench gate: ❌ FAIL")
    failed = section(out, "Failed")
    assert "wall time against an earlier run" in failed and "convert/f32_i16 1M rust-direct" in failed
    assert "rust-fast" not in failed  # unchanged rows stay green


def test_explicit_baseline_and_run_ids(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    slow = standard_cases(50, slower={"rust-direct": 2.0})
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", slow))
    write(dirs["runs"] / "20260103T000000Z-cccc.json", run_doc("20260103T000000Z-cccc", standard_cases(9)))
    args = ("--run", "20260102T000000Z-bbbb", "--baseline", "20260101T000000Z-aaaa")
    assert run_gate(capsys, gate(dirs, *args))[0] == 1
    args = ("--run", "20260103T000000Z-cccc", "--baseline", str(dirs["runs"] / "20260101T000000Z-aaaa.json"))
    assert run_gate(capsys, gate(dirs, *args))[0] == 0


def test_default_baseline_skips_other_machines_and_suites(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    write(dirs["runs"] / "20260102T000000Z-full.json", run_doc("20260102T000000Z-full", [], suite="full"))
    write(dirs["runs"] / "20260103T000000Z-else.json", run_doc("20260103T000000Z-else", [], machine="m2"))
    write(dirs["runs"] / "20260104T000000Z-cccc.json", run_doc("20260104T000000Z-cccc", standard_cases(9)))
    doc = json.loads(run_gate(capsys, gate(dirs, "--format", "json"))[1])
    assert doc["baseline"]["run_id"] == "20260101T000000Z-aaaa"


# --- refusals and comparability --------------------------------------------------------------------


def test_refuses_wall_time_across_machines_but_still_compares_counters(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    slow = standard_cases(50, slower={"rust-direct": 1.6})  # a regression, were the runs comparable
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", slow, machine="other"))
    write(dirs["profiles"] / "20260102T000000Z-bbbb.json", profile_doc())
    cb = with_counter_baseline(dirs, profile_doc(), capsys)
    argv = gate(dirs, "--baseline", str(base), "--counter-baseline", str(cb), "--format", "json", counters_on=True)
    code, out, _ = run_gate(capsys, argv)
    doc = json.loads(out)
    assert code == 0  # refusing is not failing (unless --strict)
    refused = [s for s in doc["skipped"] if s["kind"] == "wall_time"]
    assert refused and "another machine" in refused[0]["why"] and "machine_id" in refused[0]["why"]
    assert not [c for c in doc["checks"] if c["kind"] == "wall_time"]
    assert [c for c in doc["checks"] if c["kind"] == "counter"]
    assert run_gate(capsys, [*argv, "--strict"])[0] == 1


def test_counters_not_comparable_are_reported_not_failed(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    write(dirs["profiles"] / "p.json", profile_doc(kernel=3_000_000.0, rustc="rustc 1.96.0"))
    cb = with_counter_baseline(dirs, profile_doc(), capsys)
    argv = gate(dirs, "--counter-baseline", str(cb), "--checks", "counters")
    code, out, err = run_gate(capsys, argv)
    assert code == 0 and "PASS with warnings" in out and "--strict" in err
    assert "not comparable" in out and "rustc" in out
    assert run_gate(capsys, [*argv, "--strict"])[0] == 1


def test_counter_regression_fails(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    cb = with_counter_baseline(dirs, profile_doc(), capsys)
    write(dirs["profiles"] / "same.json", profile_doc())
    argv = gate(dirs, "--counter-baseline", str(cb), "--checks", "counters", "--format", "json")
    doc = json.loads(run_gate(capsys, argv)[1])
    assert doc["result"] == "pass" and doc["counts"]["counter"]["enforced"] == {"pass": 18}
    write(dirs["profiles"] / "z-slower.json", profile_doc(kernel=1.5 * 1_218_828))
    code, out, _ = run_gate(capsys, gate(dirs, "--counter-baseline", str(cb), "--checks", "counters"))
    assert code == 1
    failed = section(out, "Failed")
    assert "rust-direct · kernel into preallocated output" in failed and "instructions" in failed
    assert "allocs" not in failed  # allocation counts did not change


def test_a_simd_path_change_on_the_same_hardware_is_compared(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """AUDIOBENCH_SIMD=baseline (or broken dispatch) changes the code that runs, not the machine:
    the gate compares and catches it instead of calling the runs incomparable."""
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    slow = standard_cases(50, slower={"rust-direct": 1.6, "rust-fast": 1.3})
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", run_doc("20260102T000000Z-bbbb", slow, simd="baseline"))
    cb = with_counter_baseline(dirs, profile_doc(), capsys)
    write(dirs["profiles"] / "p.json", profile_doc(kernel=2_400_000.0, simd="baseline"))
    code, out, _ = run_gate(capsys, gate(dirs, "--counter-baseline", str(cb), counters_on=True))
    assert code == 1
    assert "SIMD path changed avx2+fma → baseline" in out and "took the baseline path" in out
    failed = section(out, "Failed")
    assert "wall time against an earlier run" in failed and "counter regression" in failed


def test_strict_turns_inconclusive_into_failure(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A rust-direct VAD whose CI straddles the 50 µs spec target is inconclusive."""
    c = case("vad", "default", 3, cv=0.2, n=8)
    c["rows"] = [r for r in c["rows"] if r["row"] == "rust-direct"]
    c["ratios"] = []
    c["rows"][0]["unit_median"], c["rows"][0]["unit_ci"] = 50.5, [45.0, 56.0]
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", [c]))
    code, out, err = run_gate(capsys, gate(dirs))
    assert code == 0 and "PASS with warnings" in out and "passed with warnings" in err
    assert "### Inconclusive" in out and "vad/default frame rust-direct" in out
    code, out, _ = run_gate(capsys, gate(dirs, "--strict"))
    assert code == 1 and "❌ FAIL" in out


# --- bad input: exit 2, the file named, no traceback -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "audiobench.run/2", "run_id": ', "not readable JSON"),
        ('{"schema": "audiobench.smoke/1"}', "schema 'audiobench.smoke/1'"),
        ('{"schema": "audiobench.run/2", "run_id": "x", "suite": "quick", "environment": {}}', "machine_id"),
    ],
)
def test_corrupt_run_file_exits_2_naming_it(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = dirs["runs"] / "20260101T000000Z-corrupt.json"
    bad.write_text(content, encoding="utf-8")
    code, out, err = run_gate(capsys, gate(dirs))
    assert code == 2 and out == ""
    assert str(bad) in err and message in err and "Traceback" not in err


def test_malformed_samples_are_named(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_doc("20260101T000000Z-aaaa", standard_cases(1))
    doc["cases"][1]["rows"][0]["samples_s"][3] = "fast"
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", doc)
    code, _, err = run_gate(capsys, gate(dirs))
    assert code == 2 and "cases[1].rows[0].samples_s" in err


def test_bad_profile_baseline_and_targets_exit_2(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    broken = dirs["profiles"] / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run_gate(capsys, gate(dirs, counters_on=True))
    assert code == 2 and str(broken) in err
    broken.unlink()
    write(dirs["profiles"] / "p.json", profile_doc())
    cb = dirs["baselines"] / "counters.json"
    cb.write_text('{"schema": "audiobench.counters/1", "facts": {}, "entries": [{"op": "convert"}]}', encoding="utf-8")
    code, _, err = run_gate(capsys, gate(dirs, "--counter-baseline", str(cb), counters_on=True))
    assert code == 2 and str(cb) in err and "entries[0]" in err
    missing = dirs["baselines"] / "missing.json"
    code, _, err = run_gate(capsys, gate(dirs, "--counter-baseline", str(missing)))
    assert code == 2 and str(missing) in err  # named on the command line: checked even when counters are not
    targets = dirs["baselines"] / "targets.toml"
    targets.write_text(TARGETS.read_text(encoding="utf-8").replace("min_effect = 0.30", "min_effect = -1"))
    code, _, err = run_gate(capsys, gate(dirs, "--targets", str(targets)))
    assert code == 2 and str(targets) in err and "regression.wall_time.min_effect" in err


def test_usage_errors_exit_2(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_gate(capsys, gate(dirs))[0] == 2  # no run files at all
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", standard_cases(1)))
    code, _, err = run_gate(capsys, gate(dirs, "--run", "20250101T000000Z-nope"))
    assert code == 2 and "20250101T000000Z-nope" in err
    code, _, err = run_gate(capsys, gate(dirs, "--checks", "speed"))
    assert code == 2 and "--checks" in err
    code, _, err = run_gate(capsys, gate(dirs, "--baseline", "20260101T000000Z-aaaa"))
    assert code == 2 and "the run itself" in err
    with pytest.raises(SystemExit) as e:
        main(["--format", "html"])
    assert e.value.code == 2


# --- output ----------------------------------------------------------------------------------------


def test_markdown_stays_pr_comment_sized(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Many failures: tables are capped, the rest counted; JSON keeps every check."""
    cases = []
    for i, variant in enumerate(("f32_i16", "i16_f32", "f32_i32", "i16_i32")):
        for size in range(6):
            c = case("convert", variant, 100 + 10 * i + size)
            c["size"] = f"{size}"
            cases.append(c)
    base = run_doc("20260101T000000Z-aaaa", cases)
    slow = copy.deepcopy(base)
    slow["run_id"] = "20260102T000000Z-bbbb"
    for c in slow["cases"]:
        for r in c["rows"]:
            r["samples_s"] = [3 * x for x in r["samples_s"]]
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", base)
    write(dirs["runs"] / "20260102T000000Z-bbbb.json", slow)
    code, out, _ = run_gate(capsys, gate(dirs, "--checks", "wall-time"))
    assert code == 1
    assert len(out) < 6000 and len(out.splitlines()) < 50
    assert "more (`--format json` lists every check)" in out
    doc = json.loads(run_gate(capsys, gate(dirs, "--checks", "wall-time", "--format", "json"))[1])
    assert doc["counts"]["wall_time"]["enforced"]["fail"] == 48


@pytest.mark.parametrize(
    ("native", "callgrind", "limit"),
    [
        ("avx2+fma", "avx2+fma", None),
        ("avx512", "avx2+fma", None),  # valgrind hides AVX-512: the AVX2 bodies, as on an AVX2 CPU
        ("avx2+fma", "baseline", "baseline"),  # a valgrind without AVX2 counts other code
        ("avx512", "baseline", "baseline"),
        ("baseline", "baseline", None),
    ],
)
def test_valgrind_limits_only_what_it_should_run(native: str, callgrind: str, limit: str | None) -> None:
    doc = {"environment": {"rust": {}, "cpu": {}}, "simd_path": {"native": native, "callgrind": callgrind}}
    assert counters.facts(doc)["valgrind_limit"] == limit


def test_committed_counter_baseline_is_readable_and_complete() -> None:
    doc = counters.read_baseline(counters.DEFAULT_BASELINE)
    assert doc["facts"]["simd_capability"] == "avx2+fma" and doc["facts"]["valgrind_limit"] is None
    kernels = [e for e in doc["entries"] if e["tier"] == "rust-direct" and e["op"] == "convert"]
    assert kernels and all(isinstance(e["instructions"], float | int) for e in kernels)
    assert {e["variant"] for e in kernels} == {"f32_i16", "i16_f32", "f32_i32", "i16_i32"}


def test_a_run_on_a_users_file_is_not_judged_by_the_catalogues_targets(
    dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # 20 channels of the user's audio: 10× the catalogue's stereo time per second, far past the
    # resample target and the speed-up minimums, which are defined on the catalogue's inputs.
    cases = standard_cases(7, slower={"rust-direct": 10.0})
    for c in cases:
        c["source"] = "/home/me/speech-20ch.wav"
    write(dirs["runs"] / "20260101T000000Z-aaaa.json", run_doc("20260101T000000Z-aaaa", cases))
    code, out, _ = run_gate(capsys, gate(dirs, "--checks", "absolute,speedup"))
    assert code == 0, out
    assert "measured on a user's audio file" in out and "/home/me/speech-20ch.wav" in out
    assert "spec target `resample-spec`" not in out


def test_counters_alone_need_no_run_file(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A profile against a counter baseline is a check of its own (the gate trials make one per
    scratch commit, in a tree with no runs)."""
    cb = with_counter_baseline(dirs, profile_doc(), capsys)
    write(dirs["profiles"] / "p.json", profile_doc(kernel=2_400_000.0))
    code, out, _ = run_gate(capsys, gate(dirs, "--checks", "counters", "--counter-baseline", str(cb)))
    assert code == 1 and "counter regression" in out and "Run `" not in out
