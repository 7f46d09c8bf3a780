"""Resampling quality: SNR against the analytic truth, and the floors each tier must meet.

The truth is the multi-sine synthesised directly at 16 kHz (:func:`audiobench.signals.multisine`),
so the SNR measures the resampler alone — passband ripple, aliasing of the tones, misalignment —
not a comparison with another implementation. The first and last :data:`EDGE_SECONDS` are
excluded: every tier zero-pads outside the clip, and the filter ramps there are not errors.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EDGE_SECONDS = 0.025
OUTPUT_RATE = 16_000

# Floors in dB (what the parity tests assert): about 2.5 dB under the worst SNR measured over
# 12 seeds × {1, 2.5, 5} s of the multi-sine (1 s only for the pure tier); the README lists the
# measured min/median/max beside them. The pipeline converts to int16 after the `high`
# resampler, so truncation to 16 bits (~81 dB at this signal level) caps its floors.
_SOXR = {"low": 15.0, "medium": 53.0, "high": 72.0}  # python (librosa) and python-best share soxr
_RUBATO = {"low": 44.0, "medium": 59.0, "high": 118.0}  # one rubato resampler behind all Rust tiers
SNR_FLOORS_DB: dict[str, dict[str, float]] = {
    "python": _SOXR,
    "python-best": _SOXR,
    "python-pure": {"low": 27.0, "medium": 58.0, "high": 80.0},
    "rust-json": _RUBATO,
    "rust-fast": _RUBATO,
    "rust-direct": _RUBATO,
}
PIPELINE_FLOORS_DB: dict[str, float] = {
    "python": 70.0,
    "python-best": 70.0,
    "python-pure": 75.0,
    "rust-json": 78.0,
    "rust-fast": 78.0,
    "rust-direct": 78.0,
}


def snr_db(output: npt.ArrayLike, truth: npt.ArrayLike, edge_seconds: float = EDGE_SECONDS) -> float:
    """SNR in dB of ``output`` against ``truth`` (same shape), interior samples only."""
    out = np.asarray(output, dtype=np.float64)
    ref = np.asarray(truth, dtype=np.float64)
    if out.shape != ref.shape:
        raise ValueError(f"output shape {out.shape} differs from truth shape {ref.shape}")
    edge = int(edge_seconds * OUTPUT_RATE)
    if ref.shape[-1] <= 2 * edge:
        raise ValueError(f"clip of {ref.shape[-1]} samples is too short to drop {edge} at each edge")
    s = ref[..., edge:-edge]
    e = out[..., edge:-edge] - s
    noise = float(np.sum(e * e))
    signal = float(np.sum(s * s))
    return float("inf") if noise == 0.0 else 10.0 * float(np.log10(signal / noise))
