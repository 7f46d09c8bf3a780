"""``audiobench gate`` on damaged inputs: every bad run file, baseline, profile, counter baseline
or targets file it would use stops it with exit code 2, naming the file and what is wrong, with
no verdict printed and every file left as it was. A gate that judged around a broken baseline
would pass or fail CI for the wrong reason.

The files are copies of the real fixtures (tests/fixtures: a quick run and an instruction
profile, written by audiobench itself), damaged the way it happens: cut short, emptied, copied,
written by another version, edited.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audiobench.cli import main
from tests.damage import cut_short, drop_stats, edited, schema

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TARGETS = Path(__file__).resolve().parents[1] / "benchmarks" / "targets.toml"
RUN_ID = "20261121T174757Z-4867247c3406"
RUN = Path(f"runs/{RUN_ID}.json")
BASELINE_ID = "20261121T120000Z-4867247c3406"
BASELINE = Path(f"runs/{BASELINE_ID}.json")
PROFILE = Path("profiles/20261121T185423Z-be188b9e4806.json")
COUNTERS = Path("counters.json")

# A damage: (workspace) → (the file the message must name, what it must say, extra arguments).
Damage = Callable[[Path], tuple[Path, str, list[str]]]


# -- ways to damage a copy of a real file -----------------------------------------------------------


def _text_unit_median(doc: dict[str, Any]) -> None:
    doc["cases"][2]["rows"][0]["unit_median"] = "fast"


def _text_sample(doc: dict[str, Any]) -> None:
    doc["cases"][1]["rows"][0]["samples_s"][3] = "fast"


def _text_instructions(doc: dict[str, Any]) -> None:
    doc["entries"][0]["instructions"] = "many"


# -- the run the gate judges ------------------------------------------------------------------------


def run_empty(ws: Path) -> tuple[Path, str, list[str]]:
    (ws / RUN).write_bytes(b"")
    return ws / RUN, "empty file", []


def run_truncated(ws: Path) -> tuple[Path, str, list[str]]:
    cut_short(ws / RUN)
    return ws / RUN, "truncated", []


def run_a_list(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / RUN, lambda doc: [doc])
    return ws / RUN, "a JSON list, not an object", []


def run_other_schema_version(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / RUN, schema("audiobench.run/3"))
    return ws / RUN, "schema 'audiobench.run/3', expected 'audiobench.run/2'", []


def run_missing_key(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / RUN, drop_stats)
    return ws / RUN, "cases[0].rows[0].stats_s is missing", []


def run_text_for_a_number(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / RUN, _text_unit_median)
    return ws / RUN, "cases[2].rows[0].unit_median: expected `float`, got `str`", []


def run_text_among_the_samples(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / RUN, _text_sample)
    return ws / RUN, "cases[1].rows[0].samples_s[3]: expected `float`, got `str`", []


def run_id_duplicated(ws: Path) -> tuple[Path, str, list[str]]:
    """The run copied under another name: which file is "that run" cannot be told."""
    copy = ws / "runs" / "20261121T180000Z-copy.json"
    shutil.copyfile(ws / RUN, copy)
    return copy, f"run id {RUN_ID!r} is also the run id of {ws / RUN}", []


def run_named_but_missing(ws: Path) -> tuple[Path, str, list[str]]:
    return ws / "runs" / "gone.json", "no such run file", ["--run", str(ws / "runs" / "gone.json")]


# -- the wall-time baseline -------------------------------------------------------------------------


def baseline_truncated(ws: Path) -> tuple[Path, str, list[str]]:
    """The earlier run the gate would take as its baseline, cut short."""
    cut_short(ws / BASELINE)
    return ws / BASELINE, "truncated", []


def baseline_other_schema_version(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / BASELINE, schema("audiobench.run/0"))
    return ws / BASELINE, "schema 'audiobench.run/0', expected 'audiobench.run/2'", []


def baseline_named_but_missing(ws: Path) -> tuple[Path, str, list[str]]:
    missing = "20261120T000000Z-4867247c3406"
    return ws / "runs" / f"{missing}.json", "no such run", ["--baseline", missing]


def baseline_a_copy_of_the_run(ws: Path) -> tuple[Path, str, list[str]]:
    copy = ws / "elsewhere" / "baseline.json"
    copy.parent.mkdir()
    shutil.copyfile(ws / RUN, copy)
    return copy, f"the baseline has the run id of the run, {ws / RUN}", ["--baseline", str(copy)]


# -- counters: the profile and the committed baseline -----------------------------------------------


def profile_truncated(ws: Path) -> tuple[Path, str, list[str]]:
    cut_short(ws / PROFILE)
    return ws / PROFILE, "truncated", []


def profile_other_schema_version(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / PROFILE, schema("audiobench.profile/0"))
    return ws / PROFILE, "schema 'audiobench.profile/0', expected 'audiobench.profile/1'", []


def profile_named_but_missing(ws: Path) -> tuple[Path, str, list[str]]:
    missing = ws / "profiles" / "gone.json"
    return missing, "no such file (--profile)", ["--profile", str(missing)]


def counter_baseline_truncated(ws: Path) -> tuple[Path, str, list[str]]:
    cut_short(ws / COUNTERS)
    return ws / COUNTERS, "truncated", []


def counter_baseline_other_schema_version(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / COUNTERS, schema("audiobench.counters/2"))
    return ws / COUNTERS, "schema 'audiobench.counters/2', expected 'audiobench.counters/1'", []


def counter_baseline_text_for_a_number(ws: Path) -> tuple[Path, str, list[str]]:
    edited(ws / COUNTERS, _text_instructions)
    return ws / COUNTERS, "entries[0].instructions: expected `float | null`, got `str`", []


def counter_baseline_named_but_missing(ws: Path) -> tuple[Path, str, list[str]]:
    missing = ws / "baselines" / "counters.json"
    return missing, "no such file (--counter-baseline)", ["--counter-baseline", str(missing)]


# -- targets ---------------------------------------------------------------------------------------


def targets_named_but_missing(ws: Path) -> tuple[Path, str, list[str]]:
    return ws / "targets.toml", "no such file", ["--targets", str(ws / "targets.toml")]


def targets_other_schema_version(ws: Path) -> tuple[Path, str, list[str]]:
    copy = ws / "targets.toml"
    copy.write_text(TARGETS.read_text(encoding="utf-8").replace("schema_version = 1", "schema_version = 2"))
    return copy, "schema_version 2, expected 1", ["--targets", str(copy)]


DAMAGES: dict[str, Damage] = {
    f.__name__: f
    for f in (
        run_empty,
        run_truncated,
        run_a_list,
        run_other_schema_version,
        run_missing_key,
        run_text_for_a_number,
        run_text_among_the_samples,
        run_id_duplicated,
        run_named_but_missing,
        baseline_truncated,
        baseline_other_schema_version,
        baseline_named_but_missing,
        baseline_a_copy_of_the_run,
        profile_truncated,
        profile_other_schema_version,
        profile_named_but_missing,
        counter_baseline_truncated,
        counter_baseline_other_schema_version,
        counter_baseline_text_for_a_number,
        counter_baseline_named_but_missing,
        targets_named_but_missing,
        targets_other_schema_version,
    )
}


# -- the workspace: a run, an earlier run of the same machine, a profile, a counter baseline --------


def gate(ws: Path, *extra: str) -> int:
    dirs = ["--runs-dir", str(ws / "runs"), "--profiles-dir", str(ws / "profiles")]
    return main(["gate", *dirs, "--counter-baseline", str(ws / COUNTERS), "--no-remeasure", *extra])


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("gate") / "ws"
    shutil.copytree(FIXTURES / "data" / "runs", ws / "runs")
    shutil.copytree(FIXTURES / "data" / "profiles", ws / "profiles")
    # An earlier run of the same suite on the same machine: the wall-time baseline the gate picks.
    shutil.copyfile(ws / RUN, ws / BASELINE)
    edited(ws / BASELINE, lambda doc: doc.update(run_id=BASELINE_ID, created="2026-11-21T12:00:00+00:00"))
    assert main(["gate", "--profile", str(ws / PROFILE), "--save-counter-baseline", str(ws / COUNTERS)]) == 0
    return ws


@pytest.fixture
def ws(prepared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(prepared, copy)
    capsys.readouterr()
    return copy


def test_the_undamaged_inputs_are_judged(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = gate(ws, "--format", "json")
    out, err = capsys.readouterr()
    assert code == 0, out + err
    doc = json.loads(out)
    assert doc["run"]["run_id"] == RUN_ID and doc["baseline"]["run_id"] == BASELINE_ID
    kinds = {c["kind"] for c in doc["checks"]}
    assert {"absolute", "speedup", "wall_time", "counter"} <= kinds


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_refused_with_exit_2_naming_the_file(ws: Path, damage: Damage, capsys: pytest.CaptureFixture[str]) -> None:
    bad, problem, extra = damage(ws)
    before = files(ws)
    code = gate(ws, *extra)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert out == "", "no verdict may be printed from bad input"
    assert err.startswith(f"audiobench gate: {bad}: ") and problem in err, err
    assert "Traceback" not in err
    assert files(ws) == before


def test_saving_a_counter_baseline_from_a_broken_profile_keeps_the_old_one(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut_short(ws / PROFILE)
    before = files(ws)
    code = main(["gate", "--profile", str(ws / PROFILE), "--save-counter-baseline", str(ws / COUNTERS)])
    _, err = capsys.readouterr()
    assert code == 2 and f"{ws / PROFILE}: " in err and "truncated" in err
    assert files(ws) == before


def test_an_interrupted_write_left_behind_is_not_a_run(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newer-looking run file's temporary twin, cut short by a killed writer, is ignored: the
    gate judges the newest complete run against its baseline, as without it."""
    leftover = ws / "runs" / ".20261122T000000Z-4867247c3406.json.x7f2k1.tmp"
    shutil.copyfile(ws / RUN, leftover)
    cut_short(leftover)
    code = gate(ws, "--format", "json")
    out, _ = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert doc["run"]["run_id"] == RUN_ID and doc["baseline"]["run_id"] == BASELINE_ID
