"""Stream files: one schema-versioned JSON per ``audiobench stream`` run.

``reports/data/streams/<UTC timestamp>-<commit>.json``, never overwritten (a taken name gets a
numeric suffix), written atomically when the run is over. One file holds every tier's load steps
and the capacity its bounded search found; times are nanoseconds, as measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from audiobench.atomic import write_json_new
from audiobench.documents import read_versioned
from audiobench.documents.models import validate

SCHEMA = "audiobench.stream/1"
STREAMS_DIR = Path("reports/data/streams")
VERDICTS = ("pass", "fail", "generator-bound")
"""A step passes when p99 latency is under one chunk period with no miss, no lost call and no error
reply; ``generator-bound`` when the load generator could not keep its own schedule (the step says
nothing about the server)."""


class StreamFileError(ValueError):
    """A stream file is missing, unreadable or does not fit its model; the message names it."""


class Quantiles(msgspec.Struct):
    p50: float | None
    p99: float | None
    p999: float | None
    max: float | None


class Load(msgspec.Struct):
    """What the load generator measured (:func:`audiobench.stream.load.summary`)."""

    calls: int
    chunk_ms: int
    duration_s: float
    chunks_sent: int
    chunks_acked: int
    latency_ns: Quantiles
    rtt_ns: dict[str, float | None]
    latency_cdf_ns: list[float]
    misses: int
    send_lag_ns: dict[str, float | None]
    loop_lag_ns: dict[str, float | None]
    generator_cpu_share: float | None
    error_replies: int
    calls_equal: int
    calls_unequal: list[str]
    calls_lost: list[str]


class Server(msgspec.Struct):
    """What the server counted (:meth:`audiobench.stream.server.Server.stats`)."""

    tier: str
    cpu_s: float
    chunks: int
    calls_started: int
    calls_done: int
    calls_dropped: int
    errors: dict[str, int]
    service_ns: dict[str, float | None]
    max_rss_kib: int
    work: str = "buffer"
    """What the server did per call (:data:`audiobench.stream.names.WORKS`)."""
    sample_rate: int = 16_000
    vad_frames: int = 0
    """VAD frames flagged over all calls (work ``vad``, ``pipeline``)."""
    speech_frames: int = 0
    pipelines: int = 0
    """Pipelines run at call end (work ``pipeline``), each timed in ``pipeline_ns`` (p50, max)."""
    pipeline_ns: dict[str, float | None] = msgspec.field(default_factory=dict)


class Step(msgspec.Struct):
    calls: int
    verdict: str
    reasons: list[str]
    load: Load
    server: Server
    cpu_ms_per_call_s: float
    """Server CPU per second of one call's audio, ms: the cost a CPU-based estimate divides by."""


class Capacity(msgspec.Struct):
    calls: int | None
    """Largest call count that passed (None: not even the smallest tried)."""
    first_failing: int | None
    limited_by: str
    """``server`` (a failing step bounds it), ``generator`` (the generator fell behind first),
    ``max_calls`` (the search's ceiling passed), ``steps`` (the step budget ran out) or ``fixed``
    (one step at ``--calls N``, no search)."""
    cpu_estimate_calls: float | None
    """One core divided by the CPU per call measured at the capacity: the study's kind of estimate,
    printed beside the measured capacity."""


class TierResult(msgspec.Struct):
    tier: str
    steps: list[Step]
    capacity: Capacity


class StreamDocument(msgspec.Struct):
    schema: str
    run_id: str
    created: str
    settings: dict[str, Any]
    placement: dict[str, Any]
    environment: dict[str, Any]
    tiers: list[TierResult]


def variant(settings: dict[str, Any]) -> str:
    """The tidy table's variant of a run with these settings: ``40ms``, ``40ms-vad``,
    ``40ms-pipeline-44100Hz`` (work and rate named only when not the defaults, buffer and 16 kHz,
    which files written before either existed had)."""
    work, rate = settings.get("work", "buffer"), settings.get("sample_rate", 16_000)
    name = f"{settings['chunk_ms']}ms" + ("" if work == "buffer" else f"-{work}")
    return name + ("" if rate == 16_000 else f"-{rate}Hz")


def write(doc: dict[str, Any], streams_dir: Path = STREAMS_DIR) -> Path:
    """Check ``doc`` against :class:`StreamDocument` and write it as a new file; returns its path."""
    validate(doc, StreamDocument, streams_dir / f"{doc['run_id']}.json", StreamFileError)
    return write_json_new(streams_dir, doc["run_id"], doc)


def read(path: Path) -> dict[str, Any]:
    """The stream document at ``path``, checked; raises :class:`StreamFileError`."""
    doc = read_versioned(path, SCHEMA, StreamFileError)
    validate(doc, StreamDocument, path, StreamFileError)
    return doc
