"""``audiobench report`` on damaged result files: every bad input either stops the command with
exit code 2, naming the file and what is wrong (and leaves the previous results and report
byte-for-byte as they were), or is skipped with a warning on stderr and listed in the report.

Each bad file is a copy of a real fixture (tests/fixtures, written by the tools themselves),
damaged the way it happens: cut short by a killed writer, emptied, copied from elsewhere,
written by another version.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from audiobench.cli import main
from tests.damage import as_list, cut_short, drop_stats, edited, emptied, schema, text_median

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN = Path("data/runs/20261121T174757Z-4867247c3406.json")
PROFILE = Path("data/profiles/20261121T185423Z-be188b9e4806.json")
PYTEST_BENCHMARK = Path("data/pytest-benchmark.json")
ASV_RESULT = Path("asv/vm/529a3589-existing-py_work_main_.venv_bin_python.json")
ASV_MACHINE = Path("asv/vm/machine.json")
ASV_BENCHMARKS = Path("asv/benchmarks.json")
CRITERION_NEW = Path("criterion/convert_f32_i16/rust-fast/1M/new")
CRITERION_INPUTS = Path("criterion/audiobench-inputs.json")
RESULTS_CSV = Path("out/data/results.csv")
RESULTS_META = Path("out/data/results.meta.json")

# A damage: (workspace) → (the file the message must name, what it must say is wrong).
Damage = Callable[[Path], tuple[Path, str]]


# -- ways to damage a copy of a real file -----------------------------------------------------------


def _other_machine(doc: dict[str, Any]) -> None:
    doc["params"].update(machine="ci-runner", cpu="AMD EPYC 7763 64-Core Processor", num_cpu="4")


# -- bad inputs that stop the command ---------------------------------------------------------------


def run_empty(ws: Path) -> tuple[Path, str]:
    emptied(ws / RUN)
    return ws / RUN, "empty file"


def run_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / RUN)
    return ws / RUN, "truncated"


def run_a_list(ws: Path) -> tuple[Path, str]:
    edited(ws / RUN, as_list)
    return ws / RUN, "a JSON list, not an object"


def run_other_schema_version(ws: Path) -> tuple[Path, str]:
    edited(ws / RUN, schema("audiobench.run/3"))
    return ws / RUN, "schema 'audiobench.run/3', expected 'audiobench.run/2'"


def run_missing_key(ws: Path) -> tuple[Path, str]:
    edited(ws / RUN, drop_stats)
    return ws / RUN, "cases[0].rows[0].stats_s is missing"


def run_text_for_a_number(ws: Path) -> tuple[Path, str]:
    edited(ws / RUN, text_median)
    return ws / RUN, "cases[2].rows[0].stats_s.median: expected `float`, got `str`"


def run_id_duplicated(ws: Path) -> tuple[Path, str]:
    """A run file copied under another name: both carry one run id."""
    copy = ws / RUN.with_name("20261121T180000Z-4867247c3406.json")
    shutil.copyfile(ws / RUN, copy)
    return copy, f"run id '20261121T174757Z-4867247c3406' is also the run id of {ws / RUN}"


def profile_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / PROFILE)
    return ws / PROFILE, "truncated"


def profile_other_schema_version(ws: Path) -> tuple[Path, str]:
    edited(ws / PROFILE, schema("audiobench.profile/0"))
    return ws / PROFILE, "schema 'audiobench.profile/0', expected 'audiobench.profile/1'"


def pytest_benchmark_a_list(ws: Path) -> tuple[Path, str]:
    edited(ws / PYTEST_BENCHMARK, as_list)
    return ws / PYTEST_BENCHMARK, "not a pytest-benchmark JSON file"


def asv_other_format_version(ws: Path) -> tuple[Path, str]:
    edited(ws / ASV_RESULT, lambda doc: doc.update(version=1))
    return ws / ASV_RESULT, "not an asv results file of format version 2 (found 1)"


def criterion_estimates_a_list(ws: Path) -> tuple[Path, str]:
    edited(ws / CRITERION_NEW / "estimates.json", as_list)
    return ws / CRITERION_NEW / "estimates.json", "a JSON list, not an object"


def criterion_inputs_other_schema_version(ws: Path) -> tuple[Path, str]:
    edited(ws / CRITERION_INPUTS, schema("audiobench.criterion-inputs/2"))
    return ws / CRITERION_INPUTS, "schema 'audiobench.criterion-inputs/2', expected 'audiobench.criterion-inputs/1'"


REFUSED: dict[str, Damage] = {
    f.__name__: f
    for f in (
        run_empty,
        run_truncated,
        run_a_list,
        run_other_schema_version,
        run_missing_key,
        run_text_for_a_number,
        run_id_duplicated,
        profile_truncated,
        profile_other_schema_version,
        pytest_benchmark_a_list,
        asv_other_format_version,
        criterion_estimates_a_list,
        criterion_inputs_other_schema_version,
    )
}


# -- the same with --no-collect: the table itself is the input ---------------------------------------


def results_meta_missing(ws: Path) -> tuple[Path, str]:
    (ws / RESULTS_META).unlink()
    return ws / RESULTS_META, "no such file"


def results_meta_empty(ws: Path) -> tuple[Path, str]:
    emptied(ws / RESULTS_META)
    return ws / RESULTS_META, "empty file"


def results_meta_other_schema_version(ws: Path) -> tuple[Path, str]:
    edited(ws / RESULTS_META, schema("audiobench.results/0"))
    return ws / RESULTS_META, "schema 'audiobench.results/0', expected 'audiobench.results/1'"


def results_csv_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / RESULTS_CSV)
    return ws / RESULTS_CSV, "not the table results.meta.json describes"


def results_csv_missing(ws: Path) -> tuple[Path, str]:
    (ws / RESULTS_CSV).unlink()
    return ws / RESULTS_CSV, "cannot be read"


REFUSED_TABLE: dict[str, Damage] = {
    f.__name__: f
    for f in (
        results_meta_missing,
        results_meta_empty,
        results_meta_other_schema_version,
        results_csv_truncated,
        results_csv_missing,
    )
}


# -- bad inputs skipped with a warning: the rest still makes a report -------------------------------


def criterion_estimates_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / CRITERION_NEW / "estimates.json")
    return ws / CRITERION_NEW / "estimates.json", "truncated"


def criterion_estimates_not_written_yet(ws: Path) -> tuple[Path, str]:
    (ws / CRITERION_NEW / "estimates.json").unlink()
    return ws / CRITERION_NEW / "estimates.json", "no such file"


def criterion_sample_empty(ws: Path) -> tuple[Path, str]:
    emptied(ws / CRITERION_NEW / "sample.json")
    return ws / CRITERION_NEW / "sample.json", "empty file"


def criterion_inputs_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / CRITERION_INPUTS)
    return ws / CRITERION_INPUTS, "truncated"


def asv_results_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / ASV_RESULT)
    return ws / ASV_RESULT, "truncated"


def asv_results_empty(ws: Path) -> tuple[Path, str]:
    emptied(ws / ASV_RESULT)
    return ws / ASV_RESULT, "empty file"


def asv_results_from_another_machine(ws: Path) -> tuple[Path, str]:
    """Another machine's results file copied into this machine's directory."""
    copy = ws / ASV_RESULT.with_name("529a3589-existing-py_ci.json")
    shutil.copyfile(ws / ASV_RESULT, copy)
    edited(copy, _other_machine)
    return copy, "measured on another machine than vm/: machine 'ci-runner'"


def asv_machine_directory_of_another_machine(ws: Path) -> tuple[Path, str]:
    """A whole machine directory copied in under another name: its machine.json says whose it is."""
    shutil.copytree(ws / ASV_MACHINE.parent, ws / "asv" / "ci-runner")
    return ws / "asv" / "ci-runner" / "machine.json", "names machine 'vm' but is in the directory ci-runner/"


def asv_machine_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / ASV_MACHINE)
    return ws / ASV_MACHINE, "truncated"


def asv_benchmarks_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / ASV_BENCHMARKS)
    return ws / ASV_BENCHMARKS, "all 2 asv results files skipped"


def pytest_benchmark_truncated(ws: Path) -> tuple[Path, str]:
    cut_short(ws / PYTEST_BENCHMARK)
    return ws / PYTEST_BENCHMARK, "truncated"


def pytest_benchmark_empty(ws: Path) -> tuple[Path, str]:
    emptied(ws / PYTEST_BENCHMARK)
    return ws / PYTEST_BENCHMARK, "empty file"


SKIPPED: dict[str, Damage] = {
    f.__name__: f
    for f in (
        criterion_estimates_truncated,
        criterion_estimates_not_written_yet,
        criterion_sample_empty,
        criterion_inputs_truncated,
        asv_results_truncated,
        asv_results_empty,
        asv_results_from_another_machine,
        asv_machine_directory_of_another_machine,
        asv_machine_truncated,
        asv_benchmarks_truncated,
        pytest_benchmark_truncated,
        pytest_benchmark_empty,
    )
}


# -- the workspace: real results and the report made from them --------------------------------------


def report(ws: Path, *extra: str) -> int:
    args = ["--data-dir", ws / "data", "--criterion-dir", ws / "criterion", "--asv-results", ws / "asv"]
    return main(["report", *map(str, args), "--out-dir", str(ws / "out"), *extra])


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures, and results.csv + report.md/html made from them by a good run."""
    ws = tmp_path_factory.mktemp("reported") / "ws"
    shutil.copytree(FIXTURES, ws)
    assert report(ws) == 0
    return ws


@pytest.fixture
def ws(reported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(reported, copy)
    capsys.readouterr()
    return copy


def test_a_good_report_lists_no_skipped_inputs(reported: Path) -> None:
    for page in ("report.md", "report.html"):
        assert "Skipped inputs: none" in (reported / "out" / page).read_text(encoding="utf-8")


# -- the cases --------------------------------------------------------------------------------------


def assert_refused(ws: Path, damage: Damage, capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    bad, problem = damage(ws)
    before = files(ws)
    code = report(ws, *extra)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert f"{bad}: " in err and problem in err, err
    assert "Traceback" not in err and "wrote" not in out
    assert files(ws) == before, "a refused report must leave the earlier results and report as they were"


@pytest.mark.parametrize("damage", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_exit_2_naming_the_file(ws: Path, damage: Damage, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(ws, damage, capsys)


@pytest.mark.parametrize("damage", REFUSED_TABLE.values(), ids=REFUSED_TABLE.keys())
def test_damaged_table_refused_without_collecting(ws: Path, damage: Damage, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(ws, damage, capsys, "--no-collect")


def test_named_targets_file_missing_is_refused(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def missing_targets(ws: Path) -> tuple[Path, str]:
        return ws / "targets.toml", "no such file"

    assert_refused(ws, missing_targets, capsys, "--targets", str(ws / "targets.toml"))


@pytest.mark.parametrize("damage", SKIPPED.values(), ids=SKIPPED.keys())
def test_skipped_with_a_warning_and_listed_in_the_report(
    ws: Path, damage: Damage, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, problem = damage(ws)
    code = report(ws)
    _, err = capsys.readouterr()
    assert code == 0, err
    warning = next(line for line in err.splitlines() if "warning: skipped" in line)
    assert f"skipped {bad}: " in warning and problem in warning
    meta = json.loads((ws / RESULTS_META).read_text(encoding="utf-8"))
    skipped = [s for source in meta["sources"] for s in source["skipped"]]
    assert [s["path"] for s in skipped] == [str(bad)]
    md = (ws / "out" / "report.md").read_text(encoding="utf-8")
    html = (ws / "out" / "report.html").read_text(encoding="utf-8")
    assert "**Skipped inputs**" in md and "<caption>Skipped inputs</caption>" in html
    for page in (md, html):
        assert str(bad) in page and "input files skipped" in page
    # The partial report is still a whole report: every other source is there.
    found = {s["source"] for s in meta["sources"] if s["found"]}
    assert found >= {"runner", "profiler"} and len(found) >= 4


def test_an_interrupted_write_left_behind_is_ignored(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run file's temporary twin, cut short (its writer was killed before the rename), is not a
    result: the report reads the real files and mentions the leftover."""
    leftover = ws / RUN.parent / f".{RUN.name}.k3j9x2.tmp"
    shutil.copyfile(ws / RUN, leftover)
    cut_short(leftover)
    assert report(ws) == 0
    _, err = capsys.readouterr()
    assert "warning" not in err
    meta = json.loads((ws / RESULTS_META).read_text(encoding="utf-8"))
    runner = next(s for s in meta["sources"] if s["source"] == "runner")
    assert runner["files"] == 1 and leftover.name in runner["note"]


def test_another_machines_asv_results_in_their_own_directory_stay_out_of_the_history(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Results filed properly under another machine are not bad input, but not this machine's
    history either: the history is the machine that measured last."""
    other = ws / "asv" / "ci-runner"
    shutil.copytree(ws / ASV_MACHINE.parent, other)
    edited(other / "machine.json", lambda doc: doc.update(machine="ci-runner"))

    def earlier_on_ci(doc: dict[str, Any]) -> None:
        doc["params"]["machine"] = "ci-runner"
        started = doc["result_columns"].index("started_at")
        for columns in doc["results"].values():
            columns[started] -= 86_400_000  # a day earlier, in asv's milliseconds

    for results in other.glob("*-*.json"):
        edited(results, earlier_on_ci)
    assert report(ws) == 0
    _, err = capsys.readouterr()
    assert "warning" not in err
    md = (ws / "out" / "report.md").read_text(encoding="utf-8")
    history = md.split("## History over commits (asv)", 1)[1].split("\n## ", 1)[0]
    assert "Machine `vm` only; asv results of ci-runner left out." in history
