"""audiobench: settle whether an audio path should move from Python to Rust.

The same operations (resample, VAD, sample-format conversion, base64 chunk buffering, a small
pipeline) at matched tiers — Python baselines and three Rust tiers — checked for equal output
before their speed is compared. See README.md for the commands.
"""

__version__ = "0.1.0"
