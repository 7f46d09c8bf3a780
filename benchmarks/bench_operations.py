"""asv: one class per catalogue operation, every tier × variant × size, generated from the catalogue.

Each class is named after its operation in CamelCase (``b64_buffer`` → ``B64Buffer``) and has
``time_<op>``; stream operations also ``track_reallocations``. There is no ``peakmem_<op>``: asv's
peak memory is the benchmark process's peak RSS, which the inputs and set-up dominate (140 MB for
every tier of resample 10 s), so it could not show what one call holds; the profiler's counting
allocator does (allocations and bytes per call and stage). A tier or size the installed
audiobench lacks raises ``NotImplementedError`` in ``setup``: asv records it as skipped.
``AUDIOBENCH_SUITE=quick`` (as for criterion and pytest-benchmark) runs the quick sizes with
fewer repeats, for history over several commits in minutes.
"""

from __future__ import annotations

from typing import Any

from benchmarks import _suite


def _make(op: str, stream: bool) -> type:
    # The bases live in _suite: a base class in this module's namespace would be discovered as
    # a benchmark of its own (without params).
    base: type = _suite.StreamBenchmark if stream else _suite.OperationBenchmark
    values, names = _suite.params(op)

    def time(self: Any, variant: str, tier: str, size: str) -> None:
        self.run()

    body = {
        "op": op,
        "params": values,
        "param_names": names,
        f"time_{op}": time,
        "__module__": __name__,
        "__doc__": f"asv: {op} at every tier and catalogue size.",
    }
    if stream:
        count = _suite.counted_reallocations
        body["track_reallocations"] = lambda self, variant, tier, size: count(self, variant, tier, size)
        body["track_reallocations"].unit = "reallocations"
    return type(_suite.class_name(op), (base,), body)


for _op, _stream in _suite.operations():
    globals()[_suite.class_name(_op)] = _make(_op, _stream)
