"""Output parity: does a tier compute the same thing as the baseline?

Rules (ARCHITECTURE.md): conversions bit-exact; VAD flags identical and energies within 1e-5
relative; resampling at or above the tier's SNR floor against the analytic truth, with the exact
output length; base64 buffers byte-identical; the pipeline's flags identical and its audio above
the pipeline floor. The reference for flags and energies is the ``python`` tier on the same case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audiobench.cases import AudioCase, B64Output, PipelineOutput, StreamCase, VadOutput
from audiobench.quality import (
    EDGE_SECONDS,
    OUTPUT_RATE,
    PIPELINE_FLOORS_DB,
    SNR_FLOORS_DB,
    band_snr_db,
    mutual_floor_db,
    snr_db,
)
from audiobench.signals import output_frames

ENERGY_RTOL = 1e-5


@dataclass
class Verdict:
    """Whether one output matched, why not, and what was measured on the way."""

    ok: bool
    detail: str
    metrics: dict[str, float] = field(default_factory=dict)


def _bits(out: np.ndarray, ref: np.ndarray) -> Verdict:
    if out.dtype != ref.dtype or out.shape != ref.shape:
        return Verdict(False, f"got {out.dtype}{list(out.shape)}, expected {ref.dtype}{list(ref.shape)}")
    diff = int(np.count_nonzero(out.view(np.uint8) != ref.view(np.uint8)))
    if diff:
        first = int(np.flatnonzero(out != ref)[0]) if np.any(out != ref) else -1
        return Verdict(
            False, f"{diff} differing bytes; first differing sample {first}: {out.flat[first]!r} vs {ref.flat[first]!r}"
        )
    return Verdict(True, "bit-exact")


def _flags(out: np.ndarray, ref: np.ndarray) -> str | None:
    if out.shape != ref.shape:
        return f"{out.shape[0]} flags, expected {ref.shape[0]}"
    bad = np.flatnonzero(out != ref)
    return f"{bad.size} flags differ (first at frame {int(bad[0])})" if bad.size else None


def check_convert(out: np.ndarray, ref: np.ndarray) -> Verdict:
    """Bit-exact: same dtype, shape and bytes (the first differing sample named)."""
    return _bits(out, ref)


def check_vad(out: VadOutput, ref: VadOutput) -> Verdict:
    """Flags identical, energies within 1e-5 relative (:data:`ENERGY_RTOL`), the same speech ratio."""
    problem = _flags(out.flags, ref.flags)
    if problem:
        return Verdict(False, problem)
    e, r = out.energies.astype(np.float64), ref.energies.astype(np.float64)
    rel = float(np.max(np.abs(e - r) / np.maximum(np.abs(r), 1e-30))) if r.size else 0.0
    if not rel <= ENERGY_RTOL:
        return Verdict(False, f"energies differ by {rel:.2e} relative (limit {ENERGY_RTOL:g})", {"energy_rel": rel})
    if out.speech_ratio != ref.speech_ratio:
        return Verdict(False, f"speech ratio {out.speech_ratio} vs {ref.speech_ratio}")
    # The share of frames flagged as speech: the number a reader checks first on speech audio.
    return Verdict(
        True, f"flags identical, energies within {rel:.1e}", {"energy_rel": rel, "speech_ratio": out.speech_ratio}
    )


def check_resample(out: np.ndarray, case: AudioCase, tier: str, preset: str, ref: np.ndarray | None = None) -> Verdict:
    """Exact length, then quality: against the analytic truth where the input has one (the
    catalogue's multi-sine), else against the ``python`` tier's output ``ref`` (a user's file):
    below 6.4 kHz, where the floors were measured, two correct resamplers agree to within
    :func:`~audiobench.quality.mutual_floor_db`. Clips of 50 ms or less are length only: their
    output is the resamplers' edge ramps, which differ by design."""
    expected = (case.channels, output_frames(case.frames))
    if out.shape != expected:
        return Verdict(False, f"shape {out.shape}, expected {expected}")
    if case.truth is None:
        return _check_against_tier(out, case, tier, preset, ref)
    snr = snr_db(out, case.truth)
    floor = SNR_FLOORS_DB[tier][preset]
    ok = snr >= floor
    return Verdict(ok, f"SNR {snr:.1f} dB {'≥' if ok else '<'} floor {floor:g} dB", {"snr_db": snr})


def _check_against_tier(out: np.ndarray, case: AudioCase, tier: str, preset: str, ref: np.ndarray | None) -> Verdict:
    if ref is None or tier == "python":
        return Verdict(True, "shape ok (the reference tier itself, or no reference in this run)")
    if out.shape[-1] <= 2 * int(EDGE_SECONDS * OUTPUT_RATE):
        return Verdict(True, "shape ok (a clip of 50 ms or less is all filter edge: values differ by design)")
    snr = band_snr_db(out, ref)
    floor = mutual_floor_db(tier, "python", preset)
    # Run files hold finite numbers only: an exact match (inf) or no content above 8 kHz (−inf)
    # is said in the detail instead.
    metrics = {"mutual_snr_db": snr} if np.isfinite(snr) else {}
    ok = snr >= floor
    sign = "≥" if ok else "<"
    return Verdict(ok, f"below 6.4 kHz SNR {snr:.1f} dB against python {sign} floor {floor:.1f} dB", metrics)


def check_b64(out: B64Output, case: StreamCase) -> Verdict:
    """Every call's bytes identical to what was encoded; the reallocation count kept as a metric."""
    expected = case.stream.expected
    if set(out.buffers) != set(expected):
        return Verdict(False, f"calls {sorted(out.buffers)} but expected {sorted(expected)}")
    bad = [cid for cid in expected if out.buffers[cid] != expected[cid]]
    if bad:
        cid = bad[0]
        return Verdict(False, f"{len(bad)} calls differ; {cid}: {len(out.buffers[cid])} bytes vs {len(expected[cid])}")
    metrics = {} if out.reallocations is None else {"reallocations": float(out.reallocations)}
    return Verdict(True, f"{len(expected)} calls byte-identical", metrics)


def check_pipeline_flags(out: PipelineOutput, ref_flags: np.ndarray, case: AudioCase) -> Verdict:
    """The pipeline's int16 audio of the expected shape, its flags identical to the python VAD's."""
    expected = (case.channels, output_frames(case.frames))
    if out.audio.shape != expected or out.audio.dtype != np.int16:
        return Verdict(False, f"audio {out.audio.dtype}{list(out.audio.shape)}, expected int16{list(expected)}")
    problem = _flags(out.flags, ref_flags)
    return Verdict(problem is None, problem or "flags identical, shape ok")


def check_pipeline_audio(out: PipelineOutput, case: AudioCase, tier: str) -> Verdict:
    """The pipeline's int16 audio (÷ 32768) at or above the tier's SNR floor against the
    multi-sine's truth (:data:`~audiobench.quality.PIPELINE_FLOORS_DB`)."""
    assert case.truth is not None, "pipeline audio parity needs the multi-sine"
    snr = snr_db(out.audio.astype(np.float64) / 32768.0, case.truth)
    floor = PIPELINE_FLOORS_DB[tier]
    ok = snr >= floor
    return Verdict(ok, f"int16 audio SNR {snr:.1f} dB {'≥' if ok else '<'} floor {floor:g} dB", {"snr_db": snr})
