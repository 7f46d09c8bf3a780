"""The resampling domain for numpy arrays: what the resample and pipeline tiers refuse.

Every tier refuses the same samples (:data:`~python_baselines.semantics.MAX_MAGNITUDE`) with the
same message, before doing any work; the Rust tiers check in ``direct::resample::check_range``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from python_baselines.semantics import MAX_MAGNITUDE, PIPELINE_OP, RESAMPLE_OP, out_of_range

__all__ = ["PIPELINE_OP", "check_range"]


def check_range(audio: npt.NDArray[np.floating], op: str = RESAMPLE_OP) -> None:
    """Refuse planar ``audio`` (channels, frames) holding NaN, ±inf or a magnitude above
    :data:`MAX_MAGNITUDE`, naming the first such sample by channel and frame.

    Raises:
        ValueError: with the sample, its channel and frame, and how many are outside.
    """
    ok = np.abs(audio) <= MAX_MAGNITUDE  # False for NaN
    if ok.all():
        return
    bad = ~ok.reshape(audio.shape[0], -1)
    channel, frame = divmod(int(np.flatnonzero(bad)[0]), bad.shape[1])
    value = float(audio.reshape(bad.shape)[channel, frame])
    raise out_of_range(op, channel, frame, value, int(bad.sum()))
