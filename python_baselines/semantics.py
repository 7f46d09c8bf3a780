"""Definitions every tier must agree on, in integer arithmetic so no language rounds differently."""

INPUT_RATE = 44_100
OUTPUT_RATE = 16_000
DEFAULT_THRESHOLD = 0.02
CONVERSIONS = ("f32_i16", "i16_f32", "f32_i32", "i16_i32")
PRESETS = ("low", "medium", "high")
MAX_MAGNITUDE = 2.0**64
"""Largest sample magnitude resampling (and so the pipeline) takes, in every tier; NaN and ±inf
are outside too. Rust's FFT resampler panics once its sums overflow (from ~1e32), and a
non-finite sample spreads over a span of its own in each resampler, so no tier could agree."""


def output_frames(frames: int) -> int:
    """Resampled length per channel: ``ceil(frames · 160/441)``."""
    return -(-frames * 160 // 441)


def frame_len(sample_rate: int) -> int:
    """VAD frame length: ``round(sample_rate · 0.030)``, halves rounded up (1323 at 44.1 kHz)."""
    return (sample_rate * 3 + 50) // 100


def check_variant(variant: str) -> str:
    """``variant`` if it is one of :data:`CONVERSIONS`, else ``ValueError`` naming them."""
    if variant not in CONVERSIONS:
        raise ValueError(f"unknown conversion {variant!r} (expected one of {', '.join(CONVERSIONS)})")
    return variant


def check_preset(preset: str) -> str:
    """``preset`` if it is one of :data:`PRESETS`, else ``ValueError`` naming them."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r} (expected low, medium or high)")
    return preset


RESAMPLE_OP = "resampling"
PIPELINE_OP = "the pipeline (resampling)"
"""How a refusal names the operation (:func:`out_of_range`), the same in every tier."""


def out_of_range(op: str, channel: int, frame: int, value: float, count: int) -> ValueError:
    """The refusal of a sample outside :data:`MAX_MAGNITUDE` (same wording in every tier)."""
    return ValueError(
        f"`audio`: sample {frame} of channel {channel} is {value}; {op} takes finite samples of magnitude "
        f"at most 2^64 ({count} sample(s) outside that in all)"
    )
