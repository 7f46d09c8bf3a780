"""vad: energy voice-activity detection on 30 ms frames.

Semantics (ARCHITECTURE.md): mono = mean over channels; non-overlapping frames of
round(sr·0.030) samples, the last partial frame dropped; energy = sqrt(mean(mono²)) (a true
RMS); speech = energy > threshold (0.02). Flags identical across tiers, energies within 1e-5
relative, the same speech ratio; the ``python`` tier's output is the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from audiobench import parity, signals
from audiobench.cases import AudioCase, Case, VadOutput, as_audio
from audiobench.catalogue import Size
from audiobench.operations.base import ArraySpec, Operation
from audiobench.staging import Clock, Staged
from audiobench.tiers.registry import Impl, Run, rust_json_threads
from audiobench.user_audio import UserAudio
from python_baselines.semantics import DEFAULT_THRESHOLD, frame_len

FRAME_AT = 4
"""The single-frame case is the 5th frame of one second of speech (past the onset ramp)."""


def _python(case: Case) -> Run:
    from python_baselines import standard

    a = as_audio(case)
    return lambda: standard.vad(a.audio, a.sample_rate)


def _pure(case: Case) -> Run:
    from python_baselines import pure

    a = as_audio(case)
    audio = a.as_lists()
    return lambda: pure.vad(audio, a.sample_rate)


def _best(case: Case) -> Run:
    from python_baselines import best

    a = as_audio(case)
    vad = best.Vad(a.channels, a.frames, a.sample_rate)
    return lambda: vad(a.audio)


def _rust_json(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    return lambda: _rust.json_vad(a.audio, a.sample_rate)


def _rust_fast(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    node = _rust.FastVadNode(a.sample_rate)
    return lambda: node.process(a.audio)


def _rust_direct(case: Case) -> Run:
    from audiobench import _rust

    a = as_audio(case)
    count = _rust.vad_frame_count(a.frames, a.sample_rate)
    energies = np.empty(count, dtype=np.float32)
    flags = np.empty(count, dtype=np.bool_)

    def run() -> Any:
        ratio = _rust.vad_into(a.audio, energies, flags, a.sample_rate)
        return energies, flags, ratio

    return run


def _webrtc(case: Case) -> Run:
    from python_baselines import peers

    a = as_audio(case)
    frames = peers.prepare_webrtc_input(a.audio, a.sample_rate)
    vad = peers.WebRtcVad()
    return lambda: vad(frames)


def _staged_python(case: AudioCase) -> Staged:
    from python_baselines import standard

    audio, rate = case.audio, case.sample_rate
    flen = frame_len(rate)

    def seq(c: Clock) -> None:
        mono = c.step("mono mix (mean over channels)", audio.mean, 0)
        count = mono.shape[0] // flen
        frames = c.step("frame view (reshape)", lambda: mono[: count * flen].reshape(count, flen))
        sq = c.step("square (new array)", np.square, frames)
        ms = c.step("mean over each frame", np.mean, sq, 1)
        energies = c.step("sqrt (new array)", np.sqrt, ms)
        flags = c.step("threshold", np.greater, energies, np.float32(DEFAULT_THRESHOLD))
        c.step("speech ratio", lambda: float(flags.mean()) if count else 0.0)

    return Staged(lambda: standard.vad(audio, rate), seq)


def _staged_best(case: AudioCase) -> Staged | None:
    from python_baselines import best

    if case.channels != 2:
        return None
    audio, rate = case.audio, case.sample_rate
    flen = frame_len(rate)
    v = best.Vad(case.channels, case.frames, rate)
    mono, e, flags, count = v.mono, v.energies, v.flags, v.count

    def seq(c: Clock) -> None:
        c.step(
            "mono mix into scratch (add, divide)",
            lambda: (np.add(audio[0], audio[1], out=mono), np.divide(mono, np.float32(2), out=mono)),
        )
        frames = mono[: count * flen].reshape(count, flen)
        c.step("frame energies (einsum, out=)", lambda: np.einsum("ij,ij->i", frames, frames, out=e))
        c.step("mean and sqrt in place", lambda: (np.divide(e, np.float32(flen), out=e), np.sqrt(e, out=e)))
        c.step("threshold and ratio", lambda: (np.greater(e, v.threshold, out=flags), np.count_nonzero(flags)))

    return Staged(lambda: v(audio), seq)


def _staged_pure(case: AudioCase) -> Staged:
    from python_baselines import pure

    audio, rate = case.audio, case.sample_rate
    lists = case.as_lists()
    step = "frame loop over Python numbers"
    return Staged(
        lambda: pure.vad(lists, rate),
        lambda c: c.step(step, pure.vad, lists, rate),
        [(step, "input preparation: ndarray.tolist() (untimed by the suites)", audio.tolist)],
    )


def frame_refusal(op: str, user: UserAudio) -> str | None:
    """Why framing cannot use the user's file: its rate gives an empty 30 ms frame, or it is
    shorter than one frame (every tier would return zero frames: a time per frame of nothing)."""
    frame = frame_len(user.sample_rate)
    if frame == 0:
        return f"{op} cannot frame {user.sample_rate} Hz audio: a 30 ms frame holds no sample"
    if user.frames < frame:
        return (
            f"{op} needs at least one 30 ms frame ({frame} samples at {user.sample_rate} Hz), "
            f"the file holds {user.frames}"
        )
    return None


class Vad(Operation):
    name = "vad"
    memory_bound = True
    takes_user_audio = True

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        if size.kind == "frame":
            flen = frame_len(signals.INPUT_RATE)
            speech = signals.speech_like(1.0, 2, seed)
            audio = np.ascontiguousarray(speech[:, FRAME_AT * flen : (FRAME_AT + 1) * flen])
            audio.setflags(write=False)
            return AudioCase(audio, signals.INPUT_RATE)
        return AudioCase(signals.speech_like(size.seconds, 2, seed), signals.INPUT_RATE)

    def normalize(self, variant: str, raw: Any) -> Any:
        energies, flags, ratio = raw
        return VadOutput(np.asarray(energies, dtype=np.float32), np.asarray(flags, dtype=np.bool_), float(ratio))

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        a = as_audio(case)
        count = a.frames // frame_len(a.sample_rate)
        return [((count,), np.float32), ((count,), np.bool_)]

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        return parity.check_vad(out, ref)

    def user_refusal(self, user: UserAudio) -> str | None:
        return frame_refusal(self.name, user)

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        a = as_audio(case)
        if tier == "python":
            return _staged_python(a)
        if tier == "python-best":
            return _staged_best(a)
        return _staged_pure(a) if tier == "python-pure" else None

    def impls(self) -> list[Impl]:
        v, json_threads = "default", rust_json_threads()
        return [
            Impl(self.name, v, "python", _python, "numpy mean/reshape/sqrt", "allocating"),
            Impl(self.name, v, "python-pure", _pure, "list loops", "allocating"),
            Impl(self.name, v, "python-best", _best, "numpy out= + einsum energies", "preallocated"),
            Impl(
                self.name,
                v,
                "rust-json",
                _rust_json,
                "VoiceActivityDetector node, JSON arrays, tokio task",
                "allocating",
                threads=json_threads,
            ),
            Impl(self.name, v, "rust-fast", _rust_fast, "FastVadNode over Arc<Vec>", "allocating"),
            Impl(self.name, v, "rust-direct", _rust_direct, "vad_into, runtime-dispatched SIMD", "preallocated"),
            Impl(
                self.name,
                v,
                "webrtcvad",
                _webrtc,
                "webrtcvad mode 2 on 16 kHz int16 (mono mix + soxr done in prepare); not output-matched",
                "allocating",
                matched=False,
            ),
        ]


SPEC = Vad()
