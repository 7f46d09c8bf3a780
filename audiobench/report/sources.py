"""Which result sources exist, and loading the ones the report reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiobench.documents import read_versioned
from audiobench.runner import runfile
from audiobench.smoke import SCHEMA as SMOKE_SCHEMA


class ReportInputError(ValueError):
    """A result file exists but cannot be used; the message names it and says why."""


@dataclass
class Source:
    name: str
    path: str
    status: str

    @property
    def found(self) -> bool:
        return self.status.startswith("found")


def load_smoke(path: Path) -> dict[str, Any] | None:
    return read_versioned(path, SMOKE_SCHEMA, ReportInputError) if path.exists() else None


def load_latest_run(runs_dir: Path) -> tuple[dict[str, Any] | None, Path | None]:
    path = runfile.latest(runs_dir)
    if path is None:
        return None, None
    try:
        return runfile.read(path), path
    except runfile.RunFileError as e:
        raise ReportInputError(str(e)) from None


def _count(path: Path, pattern: str) -> int:
    return sum(1 for _ in path.glob(pattern)) if path.is_dir() else 0


def survey(
    data_dir: Path, smoke: dict[str, Any] | None, run: dict[str, Any] | None, run_path: Path | None
) -> list[Source]:
    """Every source the report knows, found or not."""
    criterion = Path("target/criterion")
    n_criterion = _count(criterion, "*/*/*/new/estimates.json")
    asv_results = Path(".asv/results")
    n_asv = _count(asv_results, "*/*.json") - _count(asv_results, "*/machine.json")
    pytest_bench = data_dir / "pytest-benchmark.json"
    return [
        Source(
            "interleaved runner (`audiobench run`)",
            str(run_path or data_dir / "runs"),
            f"found: {len(run['cases'])} cases, {run['created']}" if run else "not measured",
        ),
        Source("criterion", str(criterion), f"found: {n_criterion} benchmarks" if n_criterion else "not measured"),
        Source("asv", str(asv_results), f"found: {n_asv} result files" if n_asv > 0 else "not measured"),
        Source("pytest-benchmark", str(pytest_bench), "found" if pytest_bench.exists() else "not measured"),
        Source(
            "stage profiler (`audiobench profile`)",
            str(data_dir / "profiles"),
            f"found: {n_profiles} profile files"
            if (n_profiles := _count(data_dir / "profiles", "*.json"))
            else "not measured",
        ),
        Source(
            "smoke pass (`audiobench smoke`)",
            str(data_dir / "smoke.json"),
            f"found: {len(smoke['rows'])} rows, {smoke['created']}" if smoke else "not run",
        ),
    ]
