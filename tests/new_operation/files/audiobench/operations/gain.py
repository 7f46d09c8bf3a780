"""gain: float32 samples multiplied by a constant, ``y = x · gain`` (bit-exact across tiers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from audiobench import parity, signals
from audiobench.cases import Case, SamplesCase, as_samples
from audiobench.catalogue import Size
from audiobench.operations.base import ArraySpec, Operation
from audiobench.tiers.registry import Impl, Run, rust_json_threads

GAIN = 0.5


def _python(case: Case) -> Run:
    from python_baselines import gain

    x = as_samples(case).x
    return lambda: gain.gain(x, GAIN)


def _pure(case: Case) -> Run:
    from python_baselines import gain

    x = as_samples(case).x.tolist()
    return lambda: gain.gain_pure(x, GAIN)


def _best(case: Case) -> Run:
    from python_baselines import gain

    x = as_samples(case).x
    g = gain.Gain(GAIN, x.shape[0])
    return lambda: g(x)


def _rust_direct(case: Case) -> Run:
    from audiobench import _rust

    x = as_samples(case).x
    k = _rust.Kernel("gain", "default", {"gain": GAIN})
    out = np.empty(x.shape[0], dtype=np.float32)

    def run() -> Any:
        k.process_into(x, out)
        return out

    return run


def _rust_fast(case: Case) -> Run:
    from audiobench import _rust

    x = as_samples(case).x
    node = _rust.FastKernelNode("gain", "default", {"gain": GAIN})
    return lambda: node.process(x)


def _rust_json(case: Case) -> Run:
    from audiobench import _rust

    x = as_samples(case).x
    return lambda: _rust.json_kernel("gain", "default", x, {"gain": GAIN})


class Gain(Operation):
    name = "gain"

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        return SamplesCase(signals.convert_input("f32_i16", size.samples, seed))

    def normalize(self, variant: str, raw: Any) -> Any:
        return np.asarray(raw, dtype=np.float32)

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        return [((as_samples(case).x.shape[0],), np.float32)]

    def kernel_params(self, variant: str) -> dict[str, float | int | str | bool]:
        return {"gain": GAIN}

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        return parity.check_convert(out, ref)  # bit-exact

    def impls(self) -> list[Impl]:
        v = "default"
        return [
            Impl(self.name, v, "python", _python, "numpy x * gain", "allocating"),
            Impl(self.name, v, "python-pure", _pure, "list comprehension", "allocating"),
            Impl(self.name, v, "python-best", _best, "numpy multiply out=", "preallocated"),
            Impl(self.name, v, "rust-json", _rust_json, "AudioGain node", "allocating", threads=rust_json_threads()),
            Impl(self.name, v, "rust-fast", _rust_fast, "FastGainNode", "allocating"),
            Impl(self.name, v, "rust-direct", _rust_direct, "Kernel.process_into", "preallocated"),
        ]


SPEC = Gain()
