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
_POLYPHASE = {"low": 59.0, "medium": 77.0, "high": 117.0}  # one polyphase filter behind all Rust tiers
SNR_FLOORS_DB: dict[str, dict[str, float]] = {
    "python": _SOXR,
    "python-best": _SOXR,
    "python-pure": {"low": 27.0, "medium": 58.0, "high": 80.0},
    "rust-json": _POLYPHASE,
    "rust-fast": _POLYPHASE,
    "rust-direct": _POLYPHASE,
    "rust-direct-mt": _POLYPHASE,  # the same kernel over ranges of the output, bit-identical
}
PIPELINE_FLOORS_DB: dict[str, float] = {
    "python": 70.0,
    "python-best": 70.0,
    "python-pure": 75.0,
    "rust-json": 78.0,
    "rust-fast": 78.0,
    "rust-direct": 78.0,
    "rust-direct-mt": 78.0,
}


def _interior_snr_db(
    output: npt.ArrayLike, reference: npt.ArrayLike, edge_seconds: float, band_hz: float | None
) -> float:
    """SNR in dB of ``output`` against ``reference`` (same shape, 16 kHz), interior samples only,
    both limited to ``band_hz`` first if given.

    Raises:
        ValueError: shapes differ, or the clip is too short to drop the edges.
    """
    out = np.asarray(output, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if out.shape != ref.shape:
        raise ValueError(f"output shape {out.shape} differs from the reference's {ref.shape}")
    edge = int(edge_seconds * OUTPUT_RATE)
    if ref.shape[-1] <= 2 * edge:
        raise ValueError(f"clip of {ref.shape[-1]} samples is too short to drop {edge} at each edge")
    if band_hz is not None:
        out, ref = _band(out, band_hz, OUTPUT_RATE), _band(ref, band_hz, OUTPUT_RATE)
    s = ref[..., edge:-edge]
    e = out[..., edge:-edge] - s
    noise = float(np.sum(e * e))
    signal = float(np.sum(s * s))
    if noise == 0.0:
        return float("inf")
    return float("-inf") if signal == 0.0 else 10.0 * float(np.log10(signal / noise))


def snr_db(output: npt.ArrayLike, truth: npt.ArrayLike, edge_seconds: float = EDGE_SECONDS) -> float:
    """SNR in dB of ``output`` against ``truth`` (same shape), interior samples only."""
    return _interior_snr_db(output, truth, edge_seconds, None)


# --- tiers against each other, on audio without an analytic truth (a user's file) ----------------

BAND_HZ = 6_400.0
"""The band the floors were measured in: the multi-sine's tones lie between 60 Hz and 6.4 kHz."""


def _band(x: npt.NDArray[np.float64], hz: float, rate: float) -> npt.NDArray[np.float64]:
    spectrum = np.fft.rfft(x, axis=-1)
    spectrum[..., np.fft.rfftfreq(x.shape[-1], 1.0 / rate) > hz] = 0
    band: npt.NDArray[np.float64] = np.fft.irfft(spectrum, n=x.shape[-1], axis=-1)
    return band


def band_snr_db(output: npt.ArrayLike, reference: npt.ArrayLike, edge_seconds: float = EDGE_SECONDS) -> float:
    """SNR in dB of ``output`` against another tier's ``reference`` (same shape, 16 kHz) below
    :data:`BAND_HZ`, interior samples only: where both resamplers are specified, so two correct
    ones agree there to within their floors (:func:`mutual_floor_db`) whatever the input."""
    return _interior_snr_db(output, reference, edge_seconds, BAND_HZ)


def mutual_floor_db(tier: str, reference_tier: str, preset: str) -> float:
    """The least SNR two tiers can have against each other if each meets its own floor against
    the truth: their errors add at worst in amplitude, so
    ``−20·log10(10^(−F_a/20) + 10^(−F_b/20))`` (e.g. rust-direct high 117 dB and python 72 dB
    give 72.0 dB)."""
    fa, fb = SNR_FLOORS_DB[tier][preset], SNR_FLOORS_DB[reference_tier][preset]
    return float(-20.0 * np.log10(10.0 ** (-fa / 20.0) + 10.0 ** (-fb / 20.0)))
