"""A plugin whose one tier is wrong on purpose (rounds where the spec truncates) and a few
plugins that cannot be used, for the refusal tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from audiobench.tiers.registry import Impl


def _rounding(case: Any) -> Any:
    x = case.x
    return lambda: np.clip(np.rint(x * np.float32(32768.0)), -32768, 32767).astype(np.int16)


def tiers() -> list[Impl]:
    return [Impl("convert", "f32_i16", "rounding", _rounding, "rounds instead of truncating", "allocating")]


def unknown_operation() -> list[Impl]:
    return [Impl("gain", "default", "mine", _rounding, "an operation the catalogue lacks", "allocating")]


def taken_name() -> list[Impl]:
    return [Impl("convert", "f32_i16", "rust-direct", _rounding, "a built-in tier's name", "allocating")]


def not_entries() -> int:
    return 3
