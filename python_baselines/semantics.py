"""Definitions every tier must agree on, in integer arithmetic so no language rounds differently."""

INPUT_RATE = 44_100
OUTPUT_RATE = 16_000
DEFAULT_THRESHOLD = 0.02
CONVERSIONS = ("f32_i16", "i16_f32", "f32_i32", "i16_i32")
PRESETS = ("low", "medium", "high")


def output_frames(frames: int) -> int:
    """Resampled length per channel: ``ceil(frames · 160/441)``."""
    return -(-frames * 160 // 441)


def frame_len(sample_rate: int) -> int:
    """VAD frame length: ``round(sample_rate · 0.030)``, halves rounded up (1323 at 44.1 kHz)."""
    return (sample_rate * 3 + 50) // 100


def check_variant(variant: str) -> str:
    if variant not in CONVERSIONS:
        raise ValueError(f"unknown conversion {variant!r} (expected one of {', '.join(CONVERSIONS)})")
    return variant


def check_preset(preset: str) -> str:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r} (expected low, medium or high)")
    return preset
