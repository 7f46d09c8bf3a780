"""Two tiers of your own for audiobench's ``convert``, registered through an entry point.

``byo-python`` converts with numpy in one expression per variant; ``byo-rust`` calls this
package's own PyO3 function for ``f32_i16``. ``tiers()`` is the plugin callable
(``[project.entry-points."audiobench.tiers"]`` in pyproject.toml): it returns audiobench
registry entries, each a ``prepare(case)`` that does the untimed set-up and returns the call to
time, as audiobench's built-in tiers do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

VARIANTS = ("f32_i16", "i16_f32", "f32_i32", "i16_i32")


def convert(x: np.ndarray, variant: str) -> np.ndarray:
    """audiobench's conversions (its ARCHITECTURE.md): float → int scale, clamp and truncate;
    int → float divide; int16 → int32 shift by 16 bits."""
    if variant == "f32_i16":
        return np.clip(x * np.float32(32768.0), -32768.0, 32767.0).astype(np.int16)
    if variant == "i16_f32":
        return x.astype(np.float32) / np.float32(32768.0)
    if variant == "f32_i32":
        # float32 cannot hold 2^31 − 1: scale and clamp in float64
        return np.clip(x.astype(np.float64) * 2147483648.0, -2147483648.0, 2147483647.0).astype(np.int32)
    return x.astype(np.int32) << 16


def _prepare_python(case: Any, variant: str) -> Callable[[], Any]:
    x = case.x
    return lambda: convert(x, variant)


def _prepare_rust(case: Any) -> Callable[[], Any]:
    from byo_tier import _native

    x = case.x
    out = np.empty(x.shape[0], dtype=np.int16)

    def run() -> Any:
        _native.f32_to_i16_into(x, out)
        return out

    return run


def tiers() -> list[Any]:
    """The plugin callable: audiobench registry entries for this package's two tiers."""
    from audiobench.tiers.registry import Impl

    out = [
        Impl("convert", v, "byo-python", partial(_prepare_python, variant=v), "numpy, one expression", "allocating")
        for v in VARIANTS
    ]
    out.append(Impl("convert", "f32_i16", "byo-rust", _prepare_rust, "own PyO3 loop into out", "preallocated"))
    return out
