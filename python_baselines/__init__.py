"""Python implementations of the audiobench operations, one module per tier.

* :mod:`python_baselines.standard` — tier ``python``: the study's baseline (librosa resampling,
  vectorized numpy VAD and conversion, stdlib ``base64`` + ``bytearray``).
* :mod:`python_baselines.pure` — tier ``python-pure``: plain loops over lists, no numpy in the
  kernels (inputs arrive as lists; converting numpy arrays to lists is the caller's job).
* :mod:`python_baselines.best` — tier ``python-best``: the fastest Python-ecosystem choice
  measured (soxr called directly, numpy with preallocated ``out=``, pybase64).
* :mod:`python_baselines.peers` — algorithms that compute something different (webrtcvad);
  reported beside the tiers, never compared as matched.

Every tier exposes the same call shapes as the Rust tiers:

* ``resample(audio, preset) -> (channels, ceil(n*160/441)) float32``
* ``vad(audio, sample_rate=44100, threshold=0.02) -> (energies float32, flags bool, speech_ratio)``
* ``convert(x, variant) -> array``
* ``pipeline(audio, sample_rate=44100, threshold=0.02) -> (int16 (channels, m), flags, speech_ratio)``
* a chunk-buffer class with ``feed(chunks, owners, call_ids)``, ``take(call_id) -> bytes`` and a
  ``reallocations`` counter.

This package imports nothing from the ``audiobench`` harness.
"""

from python_baselines.semantics import (
    DEFAULT_THRESHOLD,
    INPUT_RATE,
    OUTPUT_RATE,
    frame_len,
    output_frames,
)

__all__ = ["DEFAULT_THRESHOLD", "INPUT_RATE", "OUTPUT_RATE", "frame_len", "output_frames"]
