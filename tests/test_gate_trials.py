"""The gate trials' plumbing without measuring: the scratch commits are real commits of the
patched kernel, asv's table is read as asv prints it, detections and false failures are counted
per tool, and a summary is judged again from its compare files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from audiobench.documents import compare as comparefile
from audiobench.gate import trials
from tests.test_compare import compare_doc

ASV_OUTPUT = """
| Change   | Before [6dc177b6] <main>   | After [46b26382] <audiobench-trials/memory>   |   Ratio | Benchmark (Parameter)                                                 |
|----------|----------------------------|-----------------------------------------------|---------|-----------------------------------------------------------------------|
| +        | 79.5±2μs                   | 133±10μs                                      |    1.68 | bench_operations.Convert.time_convert('f32_i16', 'rust-direct', '1M') |
| -        | 156±1μs                    | 131±2μs                                       |    0.84 | bench_operations.Convert.time_convert('f32_i16', 'rust-fast', '100000') |

SOME BENCHMARKS HAVE CHANGED SIGNIFICANTLY.
PERFORMANCE DECREASED.
"""  # noqa: E501


def test_asvs_changes_table_is_read_as_asv_prints_it() -> None:
    failed, rows = trials.parse_asv(ASV_OUTPUT)
    assert failed == ["convert/f32_i16 1M rust-direct"]
    assert rows["convert/f32_i16 100000 rust-fast"] == {
        "change": "-",
        "before": "156±1μs",
        "after": "131±2μs",
        "ratio": "0.84",
    }
    assert trials.parse_asv("BENCHMARKS NOT SIGNIFICANTLY CHANGED.\n") == ([], {})


def git(repo: Path, *args: str) -> str:
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    return subprocess.run(["git", "-C", str(repo), *ident, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    kernel = r / trials.KERNEL_FILE
    kernel.parent.mkdir(parents=True)
    kernel.write_text(f"// convert\n{trials.ANCHOR}\n", encoding="utf-8")
    git(r.parent, "init", "--quiet", str(r))
    git(r, "add", ".")
    git(r, "commit", "--quiet", "-m", "base")
    return r


@pytest.mark.parametrize("kind", ["slow5", "slow10", "memory"])
def test_each_injected_kind_is_a_real_commit_of_the_patched_kernel(repo: Path, kind: str) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    commit = trials.scratch_commit(repo, base, kind, repo.parent / "work")
    assert git(repo, "rev-parse", f"refs/audiobench-trials/{kind}").strip() == commit
    assert git(repo, "rev-parse", f"{commit}~1").strip() == base
    patched = git(repo, "show", f"{commit}:{trials.KERNEL_FILE}")
    div = trials.PATCHES[kind][2]
    assert "gate trial" in patched and str(div) in patched and "DIV" not in patched
    assert trials.ANCHOR not in patched
    assert git(repo, "rev-parse", "HEAD").strip() == base  # the checkout is left alone
    assert not git(repo, "branch", "--list", "*trial*").strip()  # no branch created


def test_the_aa_kind_is_a_second_commit_of_the_same_tree(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    commit = trials.scratch_commit(repo, base, "aa", repo.parent / "work")
    assert commit != base and git(repo, "rev-parse", f"{commit}^{{tree}}") == git(repo, "rev-parse", "HEAD^{tree}")


def test_a_kernel_that_moved_is_refused(repo: Path) -> None:
    kernel = repo / trials.KERNEL_FILE
    kernel.write_text("// rewritten\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "rewrite")
    with pytest.raises(trials.TrialError, match="has changed"):
        trials.scratch_commit(repo, git(repo, "rev-parse", "HEAD").strip(), "slow5", repo.parent / "work")


def judged(tool: str, failed: list[str], ratios: dict[str, float] | None = None) -> dict[str, Any]:
    return {"tool": tool, "result": "fail" if failed else "pass", "failed": failed, "detail": {"ratios": ratios or {}}}


def test_detections_and_false_failures_are_counted_per_tool() -> None:
    target, other = "convert/f32_i16 1M rust-direct", "convert/i16_i32 100000 rust-direct"
    runs = [
        {"audiobench compare": judged("c", [target], {target: 1.06}), "asv continuous": judged("a", [])},
        {"audiobench compare": judged("c", [target, other], {target: 1.05}), "asv continuous": judged("a", [target])},
        {"audiobench compare": judged("c", [], {target: 1.04})},
    ]
    s = trials.summarize("slow5", runs)
    assert s["audiobench compare"] == {
        "trials": 3,
        "detected": 2,
        "false_failures": 1,
        "trials_failed": 2,
        "interference_flagged": 0,
        "median_ratio_kernel_rows": 1.05,
    }
    assert s["asv continuous"]["trials"] == 2 and s["asv continuous"]["detected"] == 1
    aa = trials.summarize("aa", runs)
    assert aa["audiobench compare"]["detected"] is None and aa["audiobench compare"]["false_failures"] == 2


def test_a_summary_is_judged_again_from_its_compare_files(tmp_path: Path) -> None:
    files = [
        comparefile.write(compare_doc(f"20261130T12000{i}Z-x", factor, seed=i, rows=("rust-direct",)), tmp_path)
        for i, factor in enumerate((1.0, 1.10))
    ]
    summary = {
        "kinds": [
            {
                "kind": "slow10",
                "trials": [
                    {"index": i, "audiobench compare": {**judged("c", []), "detail": {"file": str(f)}}}
                    for i, f in enumerate(files)
                ],
            }
        ]
    }
    doc = trials.rejudge(json.loads(json.dumps(summary)))
    s = doc["kinds"][0]["summary"]["audiobench compare"]
    assert s["trials"] == 2 and s["detected"] == 1 and s["false_failures"] == 0
    assert doc["rule"]["rejudged"] and doc["rule"]["confidence"] == 0.98


def test_every_trial_is_saved_as_it_ends(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of trials stopped part-way (a long one, on a shared machine) keeps every trial
    it finished: the kind's summary so far is handed to ``save`` after each."""
    calls: list[int] = []

    def fake_compare(*args: Any) -> trials.Judged:
        calls.append(len(calls))
        return trials.Judged("audiobench compare", "fail", ["convert/f32_i16 1M rust-direct"], 1.0, {"ratios": {}})

    monkeypatch.setattr(trials, "compare_trial", fake_compare)
    monkeypatch.setattr(trials, "counters", lambda *a: {"result": "pass", "failed": [], "checked": 1})
    saved: list[dict[str, Any]] = []
    doc = trials.run_kind(repo, "slow5", 3, 0, tmp_path / "out" / "slow5", "convert", "rust-direct", 1.0,
                          lambda d: saved.append(json.loads(json.dumps(d))))  # fmt: skip
    assert [len(s["trials"]) for s in saved] == [1, 2, 3]
    assert (
        saved[-1]["summary"]["audiobench compare"]["detected"] == 3 == doc["summary"]["audiobench compare"]["detected"]
    )


def test_a_stale_or_dangling_target_link_is_replaced(tmp_path: Path) -> None:
    tree, old, new = tmp_path / "tree", tmp_path / "cargo", tmp_path / "cargo-base"
    tree.mkdir()
    (tree / "target").symlink_to(old)  # dangling: the shared dir of an earlier layout, deleted
    trials.link_target_dir(tree, new)
    assert (tree / "target").readlink() == new
    trials.link_target_dir(tree, new)  # already right: left as it is
    assert (tree / "target").readlink() == new
