"""resample: 44 100 → 16 000 Hz per channel, presets ``low``, ``medium``, ``high``.

Semantics (ARCHITECTURE.md): output length ceil(n·160/441), delay compensated so tiers align
sample for sample; quality is the SNR in dB against the analytic truth (a seeded multi-sine
below 7 kHz synthesised directly at 16 kHz), edges excluded, at or above each tier × preset's
floor (:data:`audiobench.quality.SNR_FLOORS_DB`). On a user's file, against the ``python`` tier.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from audiobench import parity, signals, user_audio
from audiobench.cases import AudioCase, Case, as_audio
from audiobench.catalogue import Size
from audiobench.operations.base import ArraySpec, Operation
from audiobench.staging import Clock, Staged
from audiobench.threads import parallel_thread_count
from audiobench.tiers.registry import Impl, Run, parallel_threads, rust_json_threads
from audiobench.user_audio import UserAudio
from python_baselines.semantics import MAX_MAGNITUDE


def _python(case: Case, preset: str) -> Run:
    from python_baselines import standard

    audio = as_audio(case).audio
    return lambda: standard.resample(audio, preset)


def _pure(case: Case, preset: str) -> Run:
    from python_baselines import pure

    resampler, audio = pure.Resampler(preset), as_audio(case).as_lists()
    return lambda: resampler(audio)


def _best(case: Case, preset: str) -> Run:
    from python_baselines import best

    audio = as_audio(case).audio
    return lambda: best.resample(audio, preset)


def _rust_json(case: Case, preset: str) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    return lambda: _rust.json_resample(a.audio, preset)


def _rust_fast(case: Case, preset: str) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    node = _rust.FastResampleNode(preset, a.channels)
    return lambda: node.process(a.audio)


def _into(case: Case, resampler: Any) -> Run:
    """A call of ``resampler.process_into`` writing into an output made here, untimed."""
    a = as_audio(case)
    out = np.empty((a.channels, signals.output_frames(a.frames)), dtype=np.float32)

    def run() -> Any:
        resampler.process_into(a.audio, out)
        return out

    return run


def _rust_direct(case: Case, preset: str) -> Run:
    from audiobench import _rust

    return _into(case, _rust.Resampler(preset, as_audio(case).channels))


def _rust_direct_mt(case: Case, preset: str) -> Run:
    from audiobench import _rust

    return _into(case, _rust.ParallelResampler(preset, as_audio(case).channels, parallel_thread_count()))


def _staged_python(preset: str, case: AudioCase) -> Staged:
    import librosa
    import soxr

    from python_baselines import standard

    audio, n = case.audio, signals.output_frames(case.frames)
    res_type = standard.RES_TYPES[preset]
    soxr_step = "librosa: soxr per channel (np.apply_along_axis)"

    def seq(c: Clock) -> None:
        c.step("librosa: validate input", librosa.util.valid_audio, audio)
        y = c.step(
            soxr_step,
            lambda: np.apply_along_axis(
                soxr.resample, axis=-1, arr=audio, in_rate=44_100, out_rate=16_000, quality=res_type
            ),
        )
        y = c.step("librosa: fix_length", librosa.util.fix_length, y, size=int(np.ceil(case.frames * 16_000 / 44_100)))
        y = c.step("librosa: match dtype (asarray)", np.asarray, y, audio.dtype)
        c.step("exact output length", lambda: y if y.shape[-1] == n else librosa.util.fix_length(y, size=n))

    parts = [
        (
            soxr_step,
            "soxr.resample per channel, called directly",
            lambda: [soxr.resample(ch, 44_100, 16_000, quality=res_type) for ch in audio],
        )
    ]
    return Staged(lambda: standard.resample(audio, preset), seq, parts)


def _staged_best(preset: str, case: AudioCase) -> Staged:
    import soxr

    from python_baselines import best

    audio, n = case.audio, signals.output_frames(case.frames)
    quality = best.SOXR_QUALITY[preset]

    def seq(c: Clock) -> None:
        y = c.step("soxr.resample on the (frames, channels) view", soxr.resample, audio.T, 44_100, 16_000, quality)
        out = c.step("allocate planar output (zeros)", np.zeros, (audio.shape[0], n), np.float32)
        c.step(
            "transpose copy into output",
            lambda: out.__setitem__((slice(None), slice(0, min(n, y.shape[0]))), y[: min(n, y.shape[0])].T),
        )

    return Staged(lambda: best.resample(audio, preset), seq)


def _staged_pure(preset: str, case: AudioCase) -> Staged:
    from python_baselines import pure

    resampler = pure.Resampler(preset)
    lists = case.as_lists()
    step = "polyphase loop over Python numbers"
    return Staged(
        lambda: resampler(lists),
        lambda c: c.step(step, resampler, lists),
        [(step, "filter table build (done once in prepare)", lambda: pure.Resampler(preset))],
    )


def resampling_refusal(op: str, user: UserAudio) -> str | None:
    """Why a resampling operation cannot take the user's file: its rate is not 44.1 kHz, it has
    more channels than the Rust resampler takes, or a sample beyond the 2^64 domain."""
    if user.sample_rate != signals.INPUT_RATE:
        needed = f"{signals.INPUT_RATE} Hz input (it resamples 44100 → 16000 Hz)"
        return f"{op} needs {needed}, the file is {user.sample_rate} Hz"
    if user.channels > user_audio.RESAMPLE_MAX_CHANNELS:
        limit = f"at most {user_audio.RESAMPLE_MAX_CHANNELS} channels (the Rust resampler's limit)"
        return f"{op} takes {limit}, the file has {user.channels}"
    if user.peak > MAX_MAGNITUDE:
        limit = "samples of magnitude at most 2^64 (every tier refuses more)"
        return f"{op} takes {limit}, the file's largest is {user.peak:g}"
    return None


class Resample(Operation):
    name = "resample"
    takes_user_audio = True
    cold_variant = "high"
    report_metrics = (("snr_db", "SNR dB"),)

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        if signal == "speech":
            return AudioCase(signals.speech_like(size.seconds, 2, seed), signals.INPUT_RATE)
        ms = signals.multisine(size.seconds, 2, seed)
        return AudioCase(ms.audio, signals.INPUT_RATE, ms.truth)

    def normalize(self, variant: str, raw: Any) -> Any:
        return np.asarray(raw, dtype=np.float32)

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        a = as_audio(case)
        return [((a.channels, signals.output_frames(a.frames)), np.float32)]

    def reference(self, variant: str, case: Case) -> tuple[str, str] | None:
        # The multi-sine carries its analytic truth; a user's file is judged against python.
        return None if as_audio(case).truth is not None else (self.name, variant)

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        return parity.check_resample(out, as_audio(case), tier, variant, ref if isinstance(ref, np.ndarray) else None)

    def user_refusal(self, user: UserAudio) -> str | None:
        return resampling_refusal(self.name, user)

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        build = {"python": _staged_python, "python-best": _staged_best, "python-pure": _staged_pure}.get(tier)
        return build(variant, as_audio(case)) if build else None

    def impls(self) -> list[Impl]:
        from python_baselines import best, pure, standard
        from python_baselines.semantics import PRESETS

        json_threads = rust_json_threads()
        mt_threads = parallel_threads()
        out: list[Impl] = []
        for p in PRESETS:
            out += [
                Impl(
                    self.name,
                    p,
                    "python",
                    partial(_python, preset=p),
                    f"librosa.resample res_type={standard.RES_TYPES[p]}",
                    "allocating",
                ),
                Impl(
                    self.name,
                    p,
                    "python-pure",
                    partial(_pure, preset=p),
                    f"Kaiser-windowed sinc, ±{pure.PURE_FILTERS[p][0]} taps, list loops",
                    "allocating",
                ),
                Impl(
                    self.name,
                    p,
                    "python-best",
                    partial(_best, preset=p),
                    f"soxr.resample quality={best.SOXR_QUALITY[p]}",
                    "allocating",
                ),
                Impl(
                    self.name,
                    p,
                    "rust-json",
                    partial(_rust_json, preset=p),
                    "AudioResampler node (polyphase FIR), JSON arrays, tokio task",
                    "allocating",
                    threads=json_threads,
                ),
                Impl(
                    self.name,
                    p,
                    "rust-fast",
                    partial(_rust_fast, preset=p),
                    "FastResampleNode (polyphase FIR) over Arc<Vec>",
                    "allocating",
                ),
                Impl(
                    self.name,
                    p,
                    "rust-direct",
                    partial(_rust_direct, preset=p),
                    "Resampler.process_into (polyphase FIR)",
                    "preallocated",
                ),
                Impl(
                    self.name,
                    p,
                    "rust-direct-mt",
                    partial(_rust_direct_mt, preset=p),
                    "ParallelResampler.process_into: output frames split across the CPUs",
                    "preallocated",
                    threads=mt_threads,
                ),
            ]
        return out


SPEC = Resample()
