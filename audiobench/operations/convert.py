"""convert: sample-format conversion of a 1-D array (``f32_i16``, ``i16_f32``, ``f32_i32``, ``i16_i32``).

Semantics (ARCHITECTURE.md): ``f32_i16`` trunc(clamp(x·32768, −32768, 32767)); ``i16_f32`` x/32768;
``f32_i32`` trunc(clamp(x·2³¹, −2³¹, 2³¹−1)) with 1.0 → 2147483647; ``i16_i32`` x·65536.
Bit-exact across tiers.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from audiobench import parity, signals
from audiobench.cases import Case, SamplesCase, as_samples
from audiobench.catalogue import Size
from audiobench.operations.base import ArraySpec, Operation
from audiobench.staging import Clock, Staged
from audiobench.tiers.registry import Impl, Run, rust_json_threads
from audiobench.user_audio import UserAudio

OUTPUT_DTYPES: dict[str, Any] = {"f32_i16": np.int16, "i16_f32": np.float32, "f32_i32": np.int32, "i16_i32": np.int32}
"""Output dtype per variant."""


def _python(case: Case, variant: str) -> Run:
    from python_baselines import standard

    x = as_samples(case).x
    return lambda: standard.convert(x, variant)


def _pure(case: Case, variant: str) -> Run:
    from python_baselines import pure

    x = as_samples(case).x.tolist()
    return lambda: pure.convert(x, variant)


def _best(case: Case, variant: str) -> Run:
    from python_baselines import best

    x = as_samples(case).x
    converter = best.Converter(variant, x.shape[0])
    return lambda: converter(x)


def _rust_json(case: Case, variant: str) -> Run:
    from audiobench import _rust

    x = as_samples(case).x
    return lambda: _rust.json_convert(x, variant)


def _rust_fast(case: Case, variant: str) -> Run:
    from audiobench import _rust

    node = _rust.FastConvertNode(variant)
    x = as_samples(case).x
    return lambda: node.process(x)


def _rust_direct(case: Case, variant: str) -> Run:
    from audiobench import _rust

    x = as_samples(case).x
    out = np.empty(x.shape[0], dtype=OUTPUT_DTYPES[variant])

    def run() -> Any:
        _rust.convert_into(x, out, variant)
        return out

    return run


def _staged_python(variant: str, x: Any) -> Staged:
    from python_baselines import standard

    f32 = np.float32

    # `temporary * scalar` reuses the temporary's buffer (numpy's temporary elision), so
    # those steps run in place here too; a named intermediate would allocate instead.
    def seq(c: Clock) -> None:
        if variant == "f32_i16":
            y = c.step("scale (x · 32768, new array)", np.multiply, x, f32(32768.0))
            y = c.step("clip (new array)", np.clip, y, -32768.0, 32767.0)
            c.step("cast to int16 (new array)", y.astype, np.int16)
        elif variant == "i16_f32":
            y = c.step("cast to float32 (new array)", x.astype, np.float32)
            c.step("divide by 32768 (in place, elided temporary)", np.divide, y, f32(32768.0), y)
        elif variant == "f32_i32":
            y = c.step("cast to float64 (new array)", x.astype, np.float64)
            c.step("scale (x · 2^31, in place, elided temporary)", np.multiply, y, 2147483648.0, y)
            y = c.step("clip (new array)", np.clip, y, -2147483648.0, 2147483647.0)
            c.step("cast to int32 (new array)", y.astype, np.int32)
        else:
            y = c.step("cast to int32 (new array)", x.astype, np.int32)
            c.step("multiply by 65536 (in place, elided temporary)", np.multiply, y, np.int32(65536), y)

    return Staged(lambda: standard.convert(x, variant), seq)


def _staged_best(variant: str, x: Any) -> Staged:
    from python_baselines import best

    conv = best.Converter(variant, x.shape[0])
    out, s32, s64 = conv.out, conv.scratch32, conv.scratch64
    f32 = np.float32

    def seq(c: Clock) -> None:
        if variant == "f32_i16":
            c.step("scale into scratch (out=)", np.multiply, x, f32(32768.0), s32)
            c.step("clip in place (out=)", np.clip, s32, -32768.0, 32767.0, s32)
            c.step("cast into output (copyto)", np.copyto, out, s32, "unsafe")
        elif variant == "i16_f32":
            c.step("multiply into output (out=)", np.multiply, x, f32(1.0 / 32768.0), out)
        elif variant == "f32_i32":
            c.step("scale into float64 scratch (out=)", lambda: np.multiply(x, 2147483648.0, out=s64, dtype=np.float64))
            c.step("clip in place (out=)", np.clip, s64, -2147483648.0, 2147483647.0, s64)
            c.step("cast into output (copyto)", np.copyto, out, s64, "unsafe")
        else:
            c.step("shift into output (out=, dtype=int32)", lambda: np.left_shift(x, 16, out=out, dtype=np.int32))

    return Staged(lambda: conv(x), seq)


def _staged_pure(variant: str, x: Any) -> Staged:
    from python_baselines import pure

    xs = x.tolist()
    step = "list comprehension over Python numbers"
    return Staged(
        lambda: pure.convert(xs, variant),
        lambda c: c.step(step, pure.convert, xs, variant),
        [(step, "input preparation: ndarray.tolist() (untimed by the suites)", x.tolist)],
    )


class Convert(Operation):
    name = "convert"
    memory_bound = True
    takes_user_audio = True
    cold_variant = "f32_i16"

    def build_case(self, variant: str, size: Size, seed: int, signal: str) -> Case:
        return SamplesCase(signals.convert_input(variant, size.samples, seed))

    def normalize(self, variant: str, raw: Any) -> Any:
        return np.asarray(raw, dtype=OUTPUT_DTYPES[variant])

    def outputs(self, variant: str, case: Case) -> list[ArraySpec]:
        return [((as_samples(case).x.shape[0],), OUTPUT_DTYPES[variant])]

    def check(self, variant: str, tier: str, case: Case, out: Any, ref: Any) -> parity.Verdict:
        return parity.check_convert(out, ref)

    def user_cases(self, user: UserAudio, variants: tuple[str, ...]) -> list[tuple[str, Case]]:
        """The file's samples, channels one after another; int16 inputs are its float samples
        scaled by 32768, clipped (the ``f32_i16`` rule)."""
        flat = np.ascontiguousarray(user.audio.reshape(-1))
        out: list[tuple[str, Case]] = []
        for v in variants:
            x = flat if v.startswith("f32") else np.clip(flat * np.float32(32768.0), -32768, 32767).astype(np.int16)
            x.setflags(write=False)
            out.append((v, SamplesCase(x)))
        return out

    def staged(self, variant: str, tier: str, case: Case) -> Staged | None:
        x = as_samples(case).x
        build = {"python": _staged_python, "python-best": _staged_best, "python-pure": _staged_pure}.get(tier)
        return build(variant, x) if build else None

    def impls(self) -> list[Impl]:
        from python_baselines.semantics import CONVERSIONS

        json_threads = rust_json_threads()
        out: list[Impl] = []
        for v in CONVERSIONS:
            out += [
                Impl(self.name, v, "python", partial(_python, variant=v), "numpy expression", "allocating"),
                Impl(self.name, v, "python-pure", partial(_pure, variant=v), "list comprehension", "allocating"),
                Impl(self.name, v, "python-best", partial(_best, variant=v), "numpy ufuncs with out=", "preallocated"),
                Impl(
                    self.name,
                    v,
                    "rust-json",
                    partial(_rust_json, variant=v),
                    "AudioFormatConverter node, JSON arrays, tokio task",
                    "allocating",
                    threads=json_threads,
                ),
                Impl(
                    self.name,
                    v,
                    "rust-fast",
                    partial(_rust_fast, variant=v),
                    "FastConvertNode over Arc<Vec>",
                    "allocating",
                ),
                Impl(
                    self.name,
                    v,
                    "rust-direct",
                    partial(_rust_direct, variant=v),
                    "convert_into, runtime-dispatched SIMD",
                    "preallocated",
                ),
            ]
        return out


SPEC = Convert()
