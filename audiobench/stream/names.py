"""The streaming benchmark's names, importable without the server's, the sinks' or the
generators' dependencies (the ``audiobench`` parser lists them in its help)."""

TIERS = ("python", "python-best", "rust-fast", "rust-fast-per-call")
"""Streaming tiers in report order (:mod:`audiobench.stream.sinks` says what each runs)."""
GENERATORS = ("rust", "python")
"""Load generators: the measuring one first (:mod:`audiobench.stream.generator`)."""
