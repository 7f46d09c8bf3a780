"""pipeline: VAD → resample (``high``) → f32→i16 on stereo 44.1 kHz, one call.

Semantics (ARCHITECTURE.md): returns int16 planar audio at 16 kHz and the VAD flags. Flags
identical to the ``python`` tier's VAD on the same input; the audio's SNR against the analytic
truth at or above the tier's floor (:data:`audiobench.quality.PIPELINE_FLOORS_DB`), judged on
the multi-sine by the smoke pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from audiobench import parity, signals
from audiobench.cases import AudioCase, Case, PipelineOutput, VadOutput, as_audio
from audiobench.catalogue import Size
from audiobench.operations.base import ArraySpec, Operation
from audiobench.operations.resample import resampling_refusal
from audiobench.staging import Clock, Staged
from audiobench.threads import parallel_thread_count
from audiobench.tiers.registry import Impl, Run, parallel_threads, rust_json_threads
from audiobench.user_audio import UserAudio
from python_baselines.semantics import DEFAULT_THRESHOLD, frame_len


def _python(case: Case) -> Run:
    from python_baselines import standard

    a = as_audio(case)
    return lambda: standard.pipeline(a.audio, a.sample_rate)


def _pure(case: Case) -> Run:
    from python_baselines import pure

    a = as_audio(case)
    audio, resampler = a.as_lists(), pure.Resampler("high")
    return lambda: pure.pipeline(audio, a.sample_rate, DEFAULT_THRESHOLD, resampler)


def _best(case: Case) -> Run:
    from python_baselines import best

    a = as_audio(case)
    pipe = best.Pipeline(a.channels, a.frames, a.sample_rate)
    return lambda: pipe(a.audio)


def _rust_json(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    return lambda: _rust.json_pipeline(a.audio, a.sample_rate)


def _rust_fast(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    pipe = _rust.FastPipeline(a.channels, a.sample_rate)
    return lambda: pipe.process(a.audio)


def _into(case: Case, pipe: Any) -> Run:
    """A call of ``pipe.process_into`` writing into outputs made here, untimed."""
    from audiobench import _rust

    a = as_audio(case)
    out = np.empty((a.channels, signals.output_frames(a.frames)), dtype=np.int16)
    flags = np.empty(_rust.vad_frame_count(a.frames, a.sample_rate), dtype=np.bool_)

    def run() -> Any:
        ratio = pipe.process_into(a.audio, out, flags)
        return out, flags, ratio

    return run


def _rust_direct(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    return _into(case, _rust.Pipeline(a.channels, a.sample_rate))


def _rust_direct_mt(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    return _into(case, _rust.ParallelPipeline(a.channels, parallel_thread_count(), a.sample_rate))


def _staged(tier: str, case: AudioCase) -> Staged | None:
    from python_baselines import best, pure, standard

    audio, rate = case.audio, case.sample_rate
    if tier == "python":

        def seq(c: Clock) -> None:
            c.step("VAD (numpy)", standard.vad, audio, rate)
            y = c.step("resample (librosa soxr_hq)", standard.resample, audio, "high")
            c.step("f32 → i16 (numpy)", standard.convert, y, "f32_i16")

        return Staged(lambda: standard.pipeline(audio, rate), seq)
    if tier == "python-best":
        p = best.Pipeline(case.channels, case.frames, rate)

        def seq_best(c: Clock) -> None:
            c.step("VAD (numpy out=)", p.vad, audio)
            y = c.step("resample (soxr HQ)", best.resample, audio, "high")
            c.step("f32 → i16 (numpy out=)", lambda: p.converter(y.reshape(-1)).reshape(p.shape))

        return Staged(lambda: p(audio), seq_best)
    if tier == "python-pure":
        lists = case.as_lists()
        r = pure.Resampler("high")

        def seq_pure(c: Clock) -> None:
            c.step("VAD (loops)", pure.vad, lists, rate)
            y = c.step("resample (loops)", r, lists)
            c.step("f32 → i16 (loops)", pure.to_i16_planar, y)

        return Staged(lambda: pure.pipeline(lists, rate, DEFAULT_THRESHOLD, r), seq_pure)
    return None


class Pipeline(Operation):
    name = "pipeline"
    takes_user_audio = True
    report_metrics = (("snr_db", "int16 SNR dB"),)

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        if signal == "multisine":
            return self._multisine(size.seconds, seed)
        return AudioCase(signals.speech_like(size.seconds, 2, seed), signals.INPUT_RATE)

    @staticmethod
    def _multisine(seconds: float, seed: int) -> AudioCase:
        ms = signals.multisine(seconds, 2, seed)
        return AudioCase(ms.audio, signals.INPUT_RATE, ms.truth)

    def normalize(self, variant: str, raw: Any) -> Any:
        audio, flags, ratio = raw
        return PipelineOutput(np.asarray(audio, dtype=np.int16), np.asarray(flags, dtype=np.bool_), float(ratio))

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        a = as_audio(case)
        count = a.frames // frame_len(a.sample_rate)
        return [((a.channels, signals.output_frames(a.frames)), np.int16), ((count,), np.bool_)]

    def reference(self, variant: str, case: Case) -> tuple[str, str] | None:
        return ("vad", "default")  # the flags are the python tier's VAD on the same input

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        ref_flags = ref.flags if isinstance(ref, PipelineOutput | VadOutput) else np.asarray(ref)
        return parity.check_pipeline_flags(out, ref_flags, as_audio(case))

    def quality_case(self, case: Case, seed: int) -> Case | None:
        return self._multisine(as_audio(case).seconds, seed)

    def check_quality(self, tier: str, out: Any, case: Case) -> parity.Verdict:
        return parity.check_pipeline_audio(out, as_audio(case), tier)

    def user_refusal(self, user: UserAudio) -> str | None:
        return resampling_refusal(self.name, user)

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        return _staged(tier, as_audio(case))

    def impls(self) -> list[Impl]:
        v, json_threads = "default", rust_json_threads()
        return [
            Impl(self.name, v, "python", _python, "numpy VAD → librosa soxr_hq → numpy i16", "allocating"),
            Impl(self.name, v, "python-pure", _pure, "list loops end to end", "allocating"),
            Impl(self.name, v, "python-best", _best, "numpy out= VAD → soxr HQ → numpy out= i16", "preallocated"),
            Impl(
                self.name,
                v,
                "rust-json",
                _rust_json,
                "3 JSON nodes chained on the executor",
                "allocating",
                threads=json_threads,
            ),
            Impl(self.name, v, "rust-fast", _rust_fast, "3 FastAudioNodes chained", "allocating"),
            Impl(self.name, v, "rust-direct", _rust_direct, "fused Pipeline.process_into", "preallocated"),
            Impl(
                self.name,
                v,
                "rust-direct-mt",
                _rust_direct_mt,
                "ParallelPipeline.process_into: resample → int16 split across the CPUs",
                "preallocated",
                threads=parallel_threads(),
            ),
        ]


SPEC = Pipeline()
