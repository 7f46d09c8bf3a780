"""Cold first-call latency: one fresh interpreter per (operation, tier).

Warm rounds hide what a service pays once: importing the tier's libraries (librosa pulls in
scipy and numba lazily on its first call), building objects, and the first call's page faults.
Each measurement runs ``python -m audiobench.runner.cold SPEC`` in a new process and reports,
separately: the import of the modules the catalogue declares for the tier, ``prepare``, the
first call, and a second call for comparison. Generating the input is done before the clock starts and is not counted.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from audiobench.catalogue import Size

TIMEOUT_SECONDS = 180


@dataclass
class ColdResult:
    op: str
    variant: str
    tier: str
    size: str
    import_s: float | None = None
    prepare_s: float | None = None
    first_call_s: float | None = None
    second_call_s: float | None = None
    checksum: str = ""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return asdict(self)


def measure(op: str, variant: str, tier: str, size: Size, seed: int, signal: str) -> ColdResult:
    """Run one cold measurement in a fresh interpreter."""
    spec = {"op": op, "variant": variant, "tier": tier, "size": asdict(size), "seed": seed, "signal": signal}
    result = ColdResult(op, variant, tier, size.label)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "audiobench.runner.cold", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result.error = f"timed out after {TIMEOUT_SECONDS} s"
        return result
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        result.error = f"exit {proc.returncode}: {tail}"
        return result
    try:
        child = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        result.error = f"unparseable child output: {proc.stdout[-200:]!r}"
        return result
    for key in ("import_s", "prepare_s", "first_call_s", "second_call_s", "checksum"):
        setattr(result, key, child[key])
    return result


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    from audiobench import operations
    from audiobench.catalogue import load

    size = Size(**spec["size"])
    op = operations.spec(spec["op"])
    case = op.build_case(spec["variant"], size, spec["seed"], spec["signal"])
    t0 = time.perf_counter()
    for module in load().tier_specs[spec["tier"]].imports:
        importlib.import_module(module)
    t1 = time.perf_counter()
    # Untimed: the operation's other tiers' modules, imported to describe their entries.
    impl = next(i for i in op.impls() if (i.variant, i.tier) == (spec["variant"], spec["tier"]))
    t_found = time.perf_counter()
    run = impl.prepare(case)
    t2 = time.perf_counter()
    run()
    t3 = time.perf_counter()
    run()
    t4 = time.perf_counter()
    return {
        "import_s": t1 - t0,
        "prepare_s": t2 - t_found,
        "first_call_s": t3 - t2,
        "second_call_s": t4 - t3,
        "checksum": case.checksum(),
    }


if __name__ == "__main__":
    print(json.dumps(_child(json.loads(sys.argv[1]))))
