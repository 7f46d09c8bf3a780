"""The measurement suites stay wired to the registry: asv discovers its benchmarks, the
pytest-benchmark suite has one benchmark per registry entry and size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audiobench.catalogue import Catalogue
from audiobench.tiers import Registry

ROOT = Path(__file__).resolve().parents[1]


def test_pytest_benchmark_suite_covers_every_single_thread_entry(reg: Registry, catalogue: Catalogue) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "benchmarks/pytest_suite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AUDIOBENCH_SUITE": "quick"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    ids = {line.split("[", 1)[1].rstrip("]") for line in out.stdout.splitlines() if "::test_registry[" in line}
    expected = set()
    # Multi-threaded tiers are measured by the runner alone (it places their workers).
    for impl in reg.entries(peers=True):
        if impl.tier in catalogue.tier_specs and catalogue.tier_specs[impl.tier].parallel:
            continue
        spec = catalogue.operation(impl.op)
        for size in spec.sizes_for("pure" if impl.tier == "python-pure" else "quick"):
            expected.add(f"{impl.op}/{impl.variant}/{impl.tier}/{size.label}")
    assert ids == expected


def test_asv_discovers_the_suite(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "asv", "check", "-E", "existing:same"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No problems found" in out.stdout


def test_asv_names_map_back_to_their_operation(catalogue: Catalogue) -> None:
    from audiobench.collect.asv import _operation
    from benchmarks._suite import class_name

    for op in catalogue.operations:
        assert _operation(f"bench_operations.{class_name(op)}.time_{op}") == op
    assert _operation("bench_b64_buffer.B64Buffer.track_reallocations") == "b64_buffer"  # suites before generation


def test_asv_runs_the_quick_sizes_when_asked(catalogue: Catalogue) -> None:
    """``AUDIOBENCH_SUITE=quick`` (make asv-history): the asv parameters are the quick sizes and
    the pure ones, as for pytest-benchmark and criterion; anything else is refused. No class
    has a ``peakmem_`` benchmark (peak RSS measures the set-up, not the call)."""
    code = (
        "import json; from benchmarks import _suite, bench_operations as b;"
        "print(json.dumps({op: [_suite.params(op)[0][2], [m for m in vars(getattr(b, _suite.class_name(op)))"
        " if m.startswith('peakmem')]] for op, _ in _suite.operations()}))"
    )

    def sizes(suite: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "AUDIOBENCH_SUITE": suite}
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
        )

    quick = sizes("quick")
    assert quick.returncode == 0, quick.stderr
    for op, (labels, peakmem) in json.loads(quick.stdout).items():
        spec = catalogue.operation(op)
        expected = [s.label for s in spec.sizes_for("quick")]
        expected += [s.label for s in spec.sizes_for("pure") if s.label not in expected]
        assert labels == expected and peakmem == [], op
    bad = sizes("fast")
    assert bad.returncode != 0 and "AUDIOBENCH_SUITE='fast'" in bad.stderr
