"""The streaming benchmark's names, importable without the server's, the sinks' or the
generators' dependencies (the ``audiobench`` parser lists them in its help)."""

TIERS = ("python", "python-best", "rust-fast", "rust-fast-per-call")
"""Streaming tiers in report order (:mod:`audiobench.stream.sinks` says what each runs)."""
GENERATORS = ("rust", "python")
"""Load generators: the measuring one first (:mod:`audiobench.stream.generator`)."""
WORKS = ("buffer", "vad", "pipeline")
"""What the server does with each call (:mod:`audiobench.stream.sinks`): ``buffer`` decodes each
chunk and appends it to the call's buffer; ``vad`` also runs the energy VAD over the 30 ms frames
each chunk completes and acknowledges their flags; ``pipeline`` does that and, at the call's end,
runs the pipeline (VAD → resample 44.1 → 16 kHz → int16) on the call's audio before answering."""
SAMPLE_RATES = (16_000, 44_100)
"""PCM rates a stream may carry, Hz: wideband telephony, and the rate the pipeline resamples from."""
