"""Gain at the Python tiers: ``y = x · gain`` on float32 samples (one float32 rounding)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def gain(x: npt.NDArray[np.float32], g: float) -> npt.NDArray[np.float32]:
    """python: a numpy expression (a new array per call)."""
    return x * np.float32(g)


def gain_pure(x: Sequence[float], g: float) -> list[float]:
    """python-pure: a list comprehension, each product rounded to float32 as the other tiers do."""
    import struct

    f = struct.Struct("f")
    return [f.unpack(f.pack(v * f.unpack(f.pack(g))[0]))[0] for v in x]


class Gain:
    """python-best: numpy with a preallocated output (``out=``) for inputs of length ``n``."""

    def __init__(self, g: float, n: int) -> None:
        self.g = np.float32(g)
        self.out = np.empty(n, dtype=np.float32)

    def __call__(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return np.multiply(x, self.g, out=self.out)
