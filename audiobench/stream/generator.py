"""Running a load generator: the Rust one (``rust_impls/loadgen``, binary ``audiobench-loadgen``,
built on first use like the native profiler) or the Python one (:mod:`audiobench.stream.load`).

Both take the same arguments and write the same raw record; :func:`run` returns its summary.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from audiobench.stream.load import read_record, summary
from audiobench.stream.names import GENERATORS

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "release" / "audiobench-loadgen"


class GeneratorError(RuntimeError):
    """A load generator could not be built, failed or overran; the message says which and why."""


def ensure_binary() -> Path:
    """Build the Rust generator (release) if it is missing or older than its sources."""
    sources = [*(ROOT / "rust_impls" / "loadgen").rglob("*.rs"), ROOT / "rust_impls" / "loadgen" / "Cargo.toml"]
    if not BINARY.exists() or any(f.stat().st_mtime > BINARY.stat().st_mtime for f in sources):
        proc = subprocess.run(
            ["cargo", "build", "--release", "-p", "audiobench-loadgen"], cwd=ROOT, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise GeneratorError(f"cargo build -p audiobench-loadgen failed:\n{proc.stderr[-2000:]}")
    return BINARY


def command(kind: str, args: list[str]) -> list[str]:
    """The argv of generator ``kind`` (:data:`GENERATORS`) with its arguments."""
    if kind == "rust":
        return [str(ensure_binary()), *args]
    if kind == "python":
        return [sys.executable, "-m", "audiobench.stream.load", *args]
    raise ValueError(f"unknown load generator {kind!r} (known: {', '.join(GENERATORS)})")


def run(
    kind: str,
    port: int,
    calls: int,
    chunk_ms: int,
    duration_s: float,
    *,
    sample_rate: int = 16_000,
    end_spread: float = 0.0,
    seed: int = 0,
    cpu: int | None = None,
    timeout_s: float = 600.0,
) -> dict[str, Any]:
    """One step's load against the server on ``port``; returns :func:`~audiobench.stream.load.summary`.

    Raises :class:`GeneratorError` when the generator fails (exit code and stderr) or overruns."""
    with tempfile.TemporaryDirectory(prefix="audiobench-stream-") as tmp:
        out = Path(tmp) / "record.json"
        args = ["--port", str(port), "--calls", str(calls), "--chunk-ms", str(chunk_ms)]
        args += ["--duration", str(duration_s), "--sample-rate", str(sample_rate), "--seed", str(seed)]
        args += ["--end-spread", str(end_spread), "--out", str(out)]
        args += ["--cpu", str(cpu)] if cpu is not None else []
        try:
            proc = subprocess.run(command(kind, args), capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise GeneratorError(f"{kind} load generator, {calls} calls: overran {timeout_s:g} s") from None
        if proc.returncode != 0:
            raise GeneratorError(f"{kind} load generator, {calls} calls: exit {proc.returncode}: {proc.stderr[-2000:]}")
        return summary(read_record(out), calls, chunk_ms, duration_s)
