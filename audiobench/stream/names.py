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


def check_work(work: str, sample_rate: int) -> None:
    """``ValueError`` for a work or a rate not known, or the pipeline on audio that is not
    44.1 kHz (the only rate it resamples)."""
    if work not in WORKS:
        raise ValueError(f"unknown work {work!r} (known: {', '.join(WORKS)})")
    if sample_rate not in SAMPLE_RATES:
        raise ValueError(f"sample rate {sample_rate} Hz is not one of {', '.join(map(str, SAMPLE_RATES))}")
    if work == "pipeline" and sample_rate != 44_100:
        raise ValueError(f"the pipeline resamples 44.1 kHz audio, not {sample_rate} Hz (--sample-rate 44100)")


def default_rate(work: str) -> int:
    """The PCM rate a work streams unless told: 44.1 kHz for the pipeline, else 16 kHz."""
    return 44_100 if work == "pipeline" else 16_000
