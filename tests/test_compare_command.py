"""``audiobench compare`` for real, small: HEAD's commit built in its own tree, measured against
the working tree in the same rounds, the compare file and the summary. Asserts what was
measured and how, never how fast."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from audiobench.documents import compare as comparefile

ROOT = Path(__file__).resolve().parents[1]


def audiobench(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audiobench", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_head_against_the_working_tree(tmp_path: Path) -> None:
    out = tmp_path / "compare"
    args = ("--ops", "vad", "--tiers", "rust-direct", "--time-budget", "3", "--processes", "2", "--no-remeasure")
    res = audiobench("compare", "HEAD", *args, "--out-dir", str(out))
    assert res.returncode in (0, 1), res.stderr
    (path,) = out.glob("*.json")
    doc = comparefile.read(path)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert doc.base.commit == head.strip() and doc.base.ref == "HEAD" and doc.head.ref == "working tree"
    assert doc.base.worker["package"] == str(ROOT / "target" / "compare" / "trees" / "base" / "audiobench")
    assert doc.head.worker["package"] == str(ROOT / "audiobench")
    assert {it.subject for it in doc.items} == {"vad/default frame rust-direct", "vad/default 1s rust-direct"}
    for it in doc.items:
        assert {r.pair for r in it.rounds} == {0, 1} and it.same_output
        assert {r.first for r in it.rounds} <= {"base", "head"}
    assert set(doc.interference["idle"]) == {"base", "head"}
    assert doc.settings["worker_cpu"] != doc.settings["driver_cpu"] or doc.settings["worker_cpu"] is None
    assert "### audiobench compare:" in res.stdout and "BASE `HEAD`" in res.stdout
    assert f"wrote {path}" in res.stderr


def test_a_ref_that_is_not_a_commit_exits_2_naming_it(tmp_path: Path) -> None:
    res = audiobench("compare", "no-such-ref-here", "--out-dir", str(tmp_path))
    assert res.returncode == 2 and "'no-such-ref-here' is not a commit" in res.stderr
    assert "Traceback" not in res.stderr and not list(tmp_path.iterdir())


def test_unknown_operations_and_tiers_exit_2(tmp_path: Path) -> None:
    res = audiobench("compare", "HEAD", "--ops", "vda", "--out-dir", str(tmp_path))
    assert res.returncode == 2 and "vda" in res.stderr
    res = audiobench("compare", "HEAD", "--tiers", "rust-turbo", "--out-dir", str(tmp_path))
    assert res.returncode == 2 and "rust-turbo" in res.stderr
    res = audiobench("compare", "HEAD", "--remeasure-budget", "-1", "--out-dir", str(tmp_path))
    assert res.returncode == 2 and "--remeasure-budget" in res.stderr and not list(tmp_path.iterdir())


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def test_each_side_packages_its_own_build_even_when_nothing_recompiles(tmp_path: Path) -> None:
    """BASE at HEAD, HEAD at a commit whose kernel differs, then BASE built again with nothing to
    recompile: BASE's library must still be its own. (With one cargo target dir for both sides
    the last build cargo linked — HEAD's — was packaged as BASE's.)"""
    from audiobench.compare import trees
    from audiobench.gate import trials

    scratch = tmp_path / "scratch"
    git("worktree", "add", "--quiet", "--detach", str(scratch), "HEAD")
    work = tmp_path / "compare"
    try:
        kernel = scratch / trials.KERNEL_FILE
        kernel.write_text(kernel.read_text().replace(trials.ANCHOR, trials.SPIN.replace("DIV", "30")))
        ident = ("-c", "user.name=test", "-c", "user.email=test@audiobench.invalid")
        git(*ident, "commit", "--quiet", "--all", "--message", "test: another kernel", cwd=scratch)
        changed = git("rev-parse", "HEAD", cwd=scratch)

        def library(b: trees.Build) -> str:
            (so,) = (b.path / "audiobench").glob("_rust.*.so")
            return hashlib.sha256(so.read_bytes()).hexdigest()

        base = trees.build_ref(ROOT, "HEAD", "base", work / "base.log", work=work)
        head = trees.build_ref(ROOT, changed, "head", work / "head.log", work=work)
        assert library(base) != library(head)
        (base.path / trees.STAMP).unlink()  # the next build runs maturin, and cargo has nothing to do
        again = trees.build_ref(ROOT, "HEAD", "base", work / "again.log", work=work)
        assert not again.reused and library(again) == library(base)
    finally:
        for tree in (scratch, work / "trees" / "base", work / "trees" / "head"):
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        git("worktree", "prune")
