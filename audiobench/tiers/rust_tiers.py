"""Registry entries for the Rust tiers (`rust-json`, `rust-fast`, `rust-direct`)."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from audiobench import _rust
from audiobench.cases import CONVERT_OUTPUT, Case, StreamCase, as_audio, as_samples
from audiobench.tiers.registry import Impl, Run
from audiobench.tiers.streams import FEED_THREADS, Part, Session, stream_runner
from python_baselines.semantics import CONVERSIONS, PRESETS, output_frames

JSON_THREADS = (_rust.JSON_THREAD_NAME,)
"""The rust-json tier runs its nodes on the executor's worker thread."""

# --- convert ------------------------------------------------------------------------------


def _convert_direct(case: Case, variant: str) -> Run:
    x = as_samples(case).x
    out = np.empty(x.shape[0], dtype=CONVERT_OUTPUT[variant])

    def run() -> Any:
        _rust.convert_into(x, out, variant)
        return out

    return run


def _convert_fast(case: Case, variant: str) -> Run:
    node = _rust.FastConvertNode(variant)
    x = as_samples(case).x
    return lambda: node.process(x)


def _convert_json(case: Case, variant: str) -> Run:
    x = as_samples(case).x
    return lambda: _rust.json_convert(x, variant)


# --- resample -----------------------------------------------------------------------------


def _resample_direct(case: Case, preset: str) -> Run:
    a = as_audio(case)
    resampler = _rust.Resampler(preset, a.channels)
    out = np.empty((a.channels, output_frames(a.frames)), dtype=np.float32)

    def run() -> Any:
        resampler.process_into(a.audio, out)
        return out

    return run


def _resample_fast(case: Case, preset: str) -> Run:
    a = as_audio(case)
    node = _rust.FastResampleNode(preset, a.channels)
    return lambda: node.process(a.audio)


def _resample_json(case: Case, preset: str) -> Run:
    a = as_audio(case)
    return lambda: _rust.json_resample(a.audio, preset)


# --- vad ----------------------------------------------------------------------------------


def _vad_direct(case: Case) -> Run:
    a = as_audio(case)
    count = _rust.vad_frame_count(a.frames, a.sample_rate)
    energies = np.empty(count, dtype=np.float32)
    flags = np.empty(count, dtype=np.bool_)

    def run() -> Any:
        ratio = _rust.vad_into(a.audio, energies, flags, a.sample_rate)
        return energies, flags, ratio

    return run


def _vad_fast(case: Case) -> Run:
    a = as_audio(case)
    node = _rust.FastVadNode(a.sample_rate)
    return lambda: node.process(a.audio)


def _vad_json(case: Case) -> Run:
    a = as_audio(case)
    return lambda: _rust.json_vad(a.audio, a.sample_rate)


# --- pipeline -----------------------------------------------------------------------------


def _pipeline_direct(case: Case) -> Run:
    a = as_audio(case)
    pipe = _rust.Pipeline(a.channels, a.sample_rate)
    out = np.empty((a.channels, output_frames(a.frames)), dtype=np.int16)
    flags = np.empty(_rust.vad_frame_count(a.frames, a.sample_rate), dtype=np.bool_)

    def run() -> Any:
        ratio = pipe.process_into(a.audio, out, flags)
        return out, flags, ratio

    return run


def _pipeline_fast(case: Case) -> Run:
    a = as_audio(case)
    pipe = _rust.FastPipeline(a.channels, a.sample_rate)
    return lambda: pipe.process(a.audio)


def _pipeline_json(case: Case) -> Run:
    a = as_audio(case)
    return lambda: _rust.json_pipeline(a.audio, a.sample_rate)


# --- b64_buffer ---------------------------------------------------------------------------


class _PerChunk:
    """Adapter giving a per-chunk Rust buffer manager the session interface (a Python loop)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def feed(self, chunks: Any, owners: Any, call_ids: Any) -> None:
        add = self.inner.add_chunk
        for chunk, owner in zip(chunks, owners, strict=True):
            add(call_ids[owner], chunk)

    def take(self, call_id: str) -> Any:
        return self.inner.take(call_id)

    @property
    def reallocations(self) -> int:
        return int(self.inner.reallocations)


class _DirectStream:
    """rust-direct: one `b64_decode_stream_into` call per thread part, into buffers made in
    prepare (one per call, sized to the stream's per-call capacity)."""

    reallocations = 0

    def __init__(self, case: StreamCase) -> None:
        cap = case.stream.capacity_per_call
        self.outs = {cid: np.empty(cap, dtype=np.uint8) for cid in case.stream.call_ids}
        self.lengths: dict[str, int] = {}

    def feed_part(self, part: Part, owners: np.ndarray[Any, Any]) -> None:
        outs = [self.outs[cid] for cid in part.call_ids]
        lens = _rust.b64_decode_stream_into(list(part.chunks), owners, list(part.call_ids), outs)
        self.lengths.update(zip(part.call_ids, (int(n) for n in lens), strict=True))

    def take(self, call_id: str) -> Any:
        return self.outs[call_id][: self.lengths.pop(call_id)]


def _b64_direct(case: Case) -> Run:
    assert isinstance(case, StreamCase)
    session = _DirectStream(case)
    owner_arrays: dict[int, np.ndarray[Any, Any]] = {}

    def feed(s: Session, part: Part) -> None:
        owners = owner_arrays.get(id(part))
        if owners is None:  # first run only: the owners array is then reused
            owners = owner_arrays[id(part)] = np.asarray(part.owners, dtype=np.uint32)
        session.feed_part(part, owners)

    # The direct tier writes into the same preallocated buffers every run.
    return stream_runner(lambda _: session, feed)(case)  # type: ignore[arg-type,return-value]


def impls() -> list[Impl]:
    out: list[Impl] = []
    for variant in CONVERSIONS:
        out += [
            Impl(
                "convert",
                variant,
                "rust-json",
                partial(_convert_json, variant=variant),
                "AudioFormatConverter node, JSON arrays, tokio task",
                "allocating",
                threads=JSON_THREADS,
            ),
            Impl(
                "convert",
                variant,
                "rust-fast",
                partial(_convert_fast, variant=variant),
                "FastConvertNode over Arc<Vec>",
                "allocating",
            ),
            Impl(
                "convert",
                variant,
                "rust-direct",
                partial(_convert_direct, variant=variant),
                "convert_into, runtime-dispatched SIMD",
                "preallocated",
            ),
        ]
    for preset in PRESETS:
        out += [
            Impl(
                "resample",
                preset,
                "rust-json",
                partial(_resample_json, preset=preset),
                "AudioResampler node (rubato), JSON arrays, tokio task",
                "allocating",
                threads=JSON_THREADS,
            ),
            Impl(
                "resample",
                preset,
                "rust-fast",
                partial(_resample_fast, preset=preset),
                "FastResampleNode (rubato) over Arc<Vec>",
                "allocating",
            ),
            Impl(
                "resample",
                preset,
                "rust-direct",
                partial(_resample_direct, preset=preset),
                "Resampler.process_into (rubato)",
                "preallocated",
            ),
        ]
    out += [
        Impl(
            "vad",
            "default",
            "rust-json",
            _vad_json,
            "VoiceActivityDetector node, JSON arrays, tokio task",
            "allocating",
            threads=JSON_THREADS,
        ),
        Impl("vad", "default", "rust-fast", _vad_fast, "FastVadNode over Arc<Vec>", "allocating"),
        Impl("vad", "default", "rust-direct", _vad_direct, "vad_into, runtime-dispatched SIMD", "preallocated"),
        Impl(
            "b64_buffer",
            "default",
            "rust-json",
            stream_runner(lambda c: _PerChunk(_rust.JsonChunkBuffer(c.stream.capacity_per_call))),
            "AudioChunkBuffer node, one JSON message per chunk",
            "preallocated",
            threads=(*JSON_THREADS, FEED_THREADS),
        ),
        Impl(
            "b64_buffer",
            "default",
            "rust-fast",
            stream_runner(lambda c: _PerChunk(_rust.AudioProcessor(c.stream.capacity_per_call))),
            "AudioProcessor.add_chunk per chunk (base64-simd)",
            "preallocated",
            threads=(FEED_THREADS,),
        ),
        Impl(
            "b64_buffer",
            "default",
            "rust-direct",
            _b64_direct,
            "b64_decode_stream_into, one call per thread",
            "preallocated",
            threads=(FEED_THREADS,),
        ),
        Impl(
            "pipeline",
            "default",
            "rust-json",
            _pipeline_json,
            "3 JSON nodes chained on the executor",
            "allocating",
            threads=JSON_THREADS,
        ),
        Impl("pipeline", "default", "rust-fast", _pipeline_fast, "3 FastAudioNodes chained", "allocating"),
        Impl("pipeline", "default", "rust-direct", _pipeline_direct, "fused Pipeline.process_into", "preallocated"),
    ]
    return out
