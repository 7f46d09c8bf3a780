import numpy as np
import numpy.typing as npt

def f32_to_i16_into(x: npt.NDArray[np.float32], out: npt.NDArray[np.int16]) -> None:
    """Convert float32 samples into int16 ``out`` (same length): trunc(clamp(x·32768, −32768, 32767))."""
