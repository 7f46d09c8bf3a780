"""The two builds of a comparison: a git ref checked out and built, or the working tree as it is.

A ref is checked out (``git worktree``, detached) at a fixed path per side —
``target/compare/trees/base`` and ``…/head`` — and its extension is built there with maturin
into a cargo target dir of that side's own, ``target/compare/cargo-base`` / ``cargo-head``
(:func:`cargo_dir`). Fixed paths and a target dir per side make a one-commit difference compile
incrementally (cargo keys a workspace crate's artifacts by its path; the dependencies are reused
across every comparison). Each target dir is seeded once from the checkout's ``target/release``,
so the first comparison on a machine does not compile the dependencies again.

Why not the checkout's own ``target/``: cargo writes the final library of the last build to one
place per target dir (``target/release/lib_rust.so``), and maturin packages that file; a BASE
built there makes the next no-op ``maturin develop`` of the checkout install BASE's library
(seen happen). The built ``.so`` is placed in the tree's ``audiobench/`` like
``maturin develop`` places it, so a worker importing the tree gets that build's Python code and
extension together. A stamp file records which commit a tree's extension was built from; a tree
already built at that commit is reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKING_TREE = "working tree"
STAMP = ".audiobench-compare-built"


class BuildError(RuntimeError):
    """A ref that does not resolve, a checkout or build that failed; the message says which."""


@dataclass(frozen=True)
class Build:
    """One side, ready to import."""

    ref: str
    commit: str
    path: Path
    dirty: bool
    build_s: float
    reused: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the path as a string)."""
        return {
            "ref": self.ref,
            "commit": self.commit,
            "path": str(self.path),
            "dirty": self.dirty,
            "build_s": self.build_s,
            "reused": self.reused,
        }


def _git(repo: Path, *args: str, check: bool = True) -> str:
    res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        raise BuildError(f"git {' '.join(args)}: {res.stderr.strip() or res.stdout.strip()}")
    return res.stdout.strip()


def resolve(repo: Path, ref: str) -> str:
    """The commit ``ref`` names in ``repo`` (raises :class:`BuildError` naming the ref)."""
    res = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0 or not res.stdout.strip():
        shallow = _git(repo, "rev-parse", "--is-shallow-repository", check=False) == "true"
        hint = " (this clone is shallow: fetch more history)" if shallow else ""
        raise BuildError(f"{ref!r} is not a commit in {repo}{hint}")
    return res.stdout.strip()


def _extension(tree: Path) -> Path | None:
    found = sorted((tree / "audiobench").glob("_rust.*.so"))
    return found[0] if found else None


def working_tree(repo: Path) -> Build:
    """The checkout as it is: its extension must be built and newer than every Rust source."""
    so = _extension(repo)
    if so is None:
        raise BuildError(f"{repo}: no built extension in audiobench/ (run `make build`)")
    built = so.stat().st_mtime
    # the load generator (rust_impls/loadgen) is no part of the extension
    loadgen = repo / "rust_impls" / "loadgen"
    sources = [p for p in (repo / "rust_impls").rglob("*") if p.suffix in (".rs", ".toml") and loadgen not in p.parents]
    stale = [
        p for p in [*sources, repo / "Cargo.toml", repo / "Cargo.lock"] if p.exists() and p.stat().st_mtime > built
    ]
    if stale:
        raise BuildError(f"{so.name} is older than {stale[0].relative_to(repo)} (run `make build` first)")
    dirty = bool(_git(repo, "status", "--porcelain", "--untracked-files=no"))
    return Build(WORKING_TREE, _git(repo, "rev-parse", "HEAD"), repo, dirty, 0.0, True)


def _seed_target(repo: Path, cargo: Path) -> None:
    """First use: copy the checkout's release artifacts, so dependencies are not compiled again."""
    release = repo / "target" / "release"
    if cargo.exists() or not release.is_dir():
        return
    cargo.mkdir(parents=True)
    subprocess.run(["cp", "-a", str(release), str(cargo / "release")], check=True)
    # The checkout's final libraries are its own; never let a comparison package one of them.
    for lib in (cargo / "release").glob("*.so"):
        lib.unlink()


def _checkout(repo: Path, path: Path, commit: str) -> None:
    if path.exists() and (path / ".git").exists():
        _git(path, "checkout", "--quiet", "--force", "--detach", commit)
        return
    if path.exists():
        shutil.rmtree(path)
    _git(repo, "worktree", "prune")
    path.parent.mkdir(parents=True, exist_ok=True)
    _git(repo, "worktree", "add", "--quiet", "--force", "--detach", str(path), commit)


def cargo_dir(work: Path, side: str) -> Path:
    """The cargo target dir of one side. One per side, never shared: cargo packages the library
    it last linked into ``release/``, and a build with nothing to recompile links nothing — so a
    tree whose sources match its previous build would package whatever the *other* tree built
    last (seen: a BASE packaged with HEAD's patched kernel, 13-32 % slower)."""
    return work / f"cargo-{side}"


def build_ref(repo: Path, ref: str, side: str, log: Path, *, work: Path | None = None) -> Build:
    """Check ``ref`` out at ``<work>/trees/<side>`` and build its extension there (reused when
    that tree was built at the same commit). The build's output goes to ``log``."""
    commit = resolve(repo, ref)
    work = work or repo / "target" / "compare"
    tree = work / "trees" / side
    stamp = tree / STAMP
    built = stamp.exists() and stamp.read_text().strip() == commit and _extension(tree) is not None
    if built and _git(tree, "rev-parse", "HEAD", check=False) == commit:
        return Build(ref, commit, tree, False, 0.0, True)
    _checkout(repo, tree, commit)
    stamp.unlink(missing_ok=True)
    for old in (tree / "audiobench").glob("_rust.*.so"):
        old.unlink()
    cargo = cargo_dir(work, side)
    _seed_target(repo, cargo)
    wheels = work / "wheels" / side
    shutil.rmtree(wheels, ignore_errors=True)
    maturin = shutil.which("maturin", path=str(Path(sys.executable).parent)) or shutil.which("maturin")
    if maturin is None:
        raise BuildError("maturin is not installed (make setup)")
    env = {**os.environ, "CARGO_TARGET_DIR": str(cargo)}
    env.pop("VIRTUAL_ENV", None)
    t0 = time.perf_counter()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        res = subprocess.run(
            [maturin, "build", "--release", "--out", str(wheels), "--interpreter", sys.executable],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BuildError(f"building {ref} ({commit[:12]}) failed (exit {res.returncode}); log {log}:\n{tail}")
    wheel = next(iter(sorted(wheels.glob("*.whl"))), None)
    if wheel is None:
        raise BuildError(f"building {ref}: maturin wrote no wheel to {wheels}")
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.startswith("audiobench/_rust.") and n.endswith(".so")]
        if len(names) != 1:
            raise BuildError(f"{wheel}: expected one audiobench/_rust.*.so, found {names}")
        (tree / names[0]).write_bytes(z.read(names[0]))
    stamp.write_text(commit + "\n")
    return Build(ref, commit, tree, False, seconds, False)
