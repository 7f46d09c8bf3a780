"""Stream files of ``audiobench stream`` (``reports/data/streams/*.json``, ``audiobench.stream/1``) → rows.

Operation ``stream``, variant the chunk period with the work and the rate when they are not the
defaults (``40ms``, ``40ms-vad``, ``40ms-pipeline-44100Hz``), size the step's call count
(``512calls``) or ``capacity`` for the search's result. Per step: per-chunk latency (p50, p99,
p99.9, max, in s), deadline misses, server CPU per call (% of one core), byte equality of every
call (``parity``), the step's verdict, the server's CPU per chunk (``cpu_per_chunk``) and its
handler's own time per chunk (``handler_time``: JSON, the tier's decode and VAD, the ack; p50,
p99) and, with the pipeline, its time per call at call end (``pipeline_time``, p50 and max, in
s). Per tier: the capacity (``max_passing``, ``first_failing``, the CPU-based estimate), with
what limited the search in ``side``, and the latency CDF of the step at capacity
(``latency_cdf``, statistic ``q0.500`` …). The run's settings and the CPUs used are the
source's context, not rows (the newest file's, and the newest file's of each variant under
``variants``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audiobench.collect.common import Collected, CollectError, Row, dirty_note, iso_from_text, result_files
from audiobench.documents import stream as stream_doc

SOURCE = "stream"
MISSING = "no stream files in {dir}; run `audiobench stream --quick` (`make stream-quick`)"
NS = 1e-9
OPERATION = "stream"


def document_rows(path: Path, doc: dict[str, Any]) -> tuple[list[Row], list[str]]:
    """The rows of one stream document."""
    env = doc["environment"]
    variant = stream_doc.variant(doc["settings"])
    base: Row = {
        "operation": OPERATION,
        "variant": variant,
        "source": SOURCE,
        "run_id": doc["run_id"],
        "commit": env.get("git", {}).get("commit"),
        "machine_id": env.get("machine_id"),
        "timestamp": iso_from_text(doc["created"]),
    }
    rows: list[Row] = []
    for result in doc["tiers"]:
        tier = result["tier"]
        for step in result["steps"]:
            key = {**base, "tier": tier, "size": f"{step['calls']}calls"}
            load = step["load"]
            for stat, v in load["latency_ns"].items():
                if v is not None:
                    rows.append({**key, "metric": "latency", "statistic": stat, "value": v * NS, "unit": "s",
                                 "n": load["chunks_acked"]})  # fmt: skip
            rows.append({**key, "metric": "deadline_misses", "statistic": "value", "value": load["misses"],
                         "unit": "count", "n": load["chunks_sent"]})  # fmt: skip
            rows.append({**key, "metric": "cpu_per_call", "statistic": "value",
                         "value": step["cpu_ms_per_call_s"] / 10.0, "unit": "%"})  # fmt: skip
            equal = load["calls_equal"] == step["calls"] and not load["calls_unequal"]
            rows.append({**key, "metric": "parity", "statistic": "value", "value": 1.0 if equal else 0.0,
                         "unit": "flag", "n": step["calls"]})  # fmt: skip
            rows.append({**key, "metric": "stream_verdict", "statistic": step["verdict"], "value": 1.0,
                         "unit": "flag"})  # fmt: skip
            server = step["server"]
            handled = server["chunks"]
            for stat in ("p50", "p99"):
                if (v := server["service_ns"].get(stat)) is not None:
                    rows.append({**key, "metric": "handler_time", "statistic": stat, "value": v * NS, "unit": "s",
                                 "n": handled})  # fmt: skip
            if handled:
                rows.append({**key, "metric": "cpu_per_chunk", "statistic": "value",
                             "value": server["cpu_s"] / handled, "unit": "s", "n": handled})  # fmt: skip
            for stat, v in server.get("pipeline_ns", {}).items():
                if v is not None:
                    rows.append({**key, "metric": "pipeline_time", "statistic": stat, "value": v * NS, "unit": "s",
                                 "n": server["pipelines"]})  # fmt: skip
        cap = result["capacity"]
        key = {**base, "tier": tier, "size": "capacity", "side": cap["limited_by"]}
        for stat, field in (("max_passing", "calls"), ("first_failing", "first_failing"),
                            ("cpu_estimate", "cpu_estimate_calls")):  # fmt: skip
            if cap[field] is not None:
                rows.append({**key, "metric": "capacity", "statistic": stat, "value": cap[field], "unit": "count"})
        at = next((s for s in result["steps"] if s["calls"] == cap["calls"]), None)
        if at is not None:
            cdf = at["load"]["latency_cdf_ns"]
            for i, v in enumerate(cdf):
                level = i / (len(cdf) - 1) if len(cdf) > 1 else 1.0
                rows.append({**base, "tier": tier, "size": f"{at['calls']}calls", "metric": "latency_cdf",
                             "statistic": f"q{level:.3f}", "value": v * NS, "unit": "s"})  # fmt: skip
    return rows, dirty_note(path, env)


def collect(streams_dir: Path) -> Collected:
    """Every stream file in ``streams_dir``; the newest one's settings and CPUs as context."""
    result = Collected(SOURCE, MISSING.format(dir=streams_dir))
    newest: dict[str, tuple[str, dict[str, Any]]] = {}  # variant → (file name, document)

    def rows_noting_newest(path: Path) -> tuple[list[Row], list[str]]:
        try:
            doc = stream_doc.read(path)
        except stream_doc.StreamFileError as e:
            raise CollectError(str(e)) from None
        variant = stream_doc.variant(doc["settings"])
        if variant not in newest or path.name > newest[variant][0]:
            newest[variant] = (path.name, doc)
        return document_rows(path, doc)

    result.add_files(result_files(streams_dir), rows_noting_newest)
    result.note_unfinished_writes(streams_dir)
    if newest:

        def context(name: str, doc: dict[str, Any]) -> dict[str, Any]:
            return {"file": name, "settings": doc["settings"], "placement": doc["placement"]}

        result.context = {
            **context(*max(newest.values(), key=lambda named: named[0])),
            "variants": {v: context(*named) for v, named in sorted(newest.items())},
        }
    return result
