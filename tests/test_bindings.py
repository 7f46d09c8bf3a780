"""The PyO3 boundary: zero-copy in and out, GIL released, build facts, panics become exceptions.

Hostile arrays and arguments: test_bindings_hostile.py; chunk buffers: test_chunks.py;
threads: test_concurrency.py.
"""

from __future__ import annotations

import base64
import inspect
import pickle
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiobench import _rust
from audiobench.signals import speech_like
from python_baselines.semantics import DEFAULT_THRESHOLD

AUDIO = np.ascontiguousarray(speech_like(1.0, 2, 3))


def test_outputs_are_handed_over_without_copying() -> None:
    # rust-numpy wraps the Rust Vec in a capsule that becomes the array's base.
    y = _rust.convert(AUDIO[0].copy(), "f32_i16")
    assert y.base is not None and type(y.base).__name__ == "PySliceContainer"
    r = _rust.resample(AUDIO, "high")
    assert r.base is not None and r.flags.c_contiguous and r.shape == (2, 16_000)


def test_read_only_inputs_are_accepted() -> None:
    ro = AUDIO.copy()
    ro.setflags(write=False)
    energies, flags, _ = _rust.vad(ro)
    assert energies.shape == flags.shape == (33,)


def test_into_variants_match_allocating_ones() -> None:
    x = AUDIO[0].copy()
    for variant, dtype in (("f32_i16", np.int16), ("f32_i32", np.int32)):
        out = np.empty(x.size, dtype)
        _rust.convert_into(x, out, variant)
        assert np.array_equal(out, _rust.convert(x, variant))
    r = _rust.Resampler("medium", 2)
    out = np.empty((2, _rust.resample_output_frames(AUDIO.shape[1])), np.float32)
    r.process_into(AUDIO, out)
    assert np.array_equal(out, r.process(AUDIO))
    assert r.preset == "medium" and r.channels == 2 and r.delay == 0


def test_exception_classes_are_value_errors() -> None:
    # Bad arguments of every binding are exercised in test_bindings_hostile.py.
    assert issubclass(_rust.Base64DecodeError, _rust.AudioError)
    assert issubclass(_rust.AudioError, ValueError)


EXCEPTIONS = ("AudioError", "Base64DecodeError", "UnknownCallError", "BufferFullError", "JsonNodeError")


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_exception_classes_live_in_the_module_and_pickle(name: str) -> None:
    # A worker process (multiprocessing, concurrent.futures) hands exceptions back pickled:
    # pickle finds a class by its __module__ and __qualname__.
    cls = getattr(_rust, name)
    assert cls.__module__ == "audiobench._rust" and cls.__qualname__ == name
    back = pickle.loads(pickle.dumps(cls("chunk 3 of call a: bad padding")))
    assert type(back) is cls and str(back) == "chunk 3 of call a: bad padding"


def test_an_exception_a_kernel_raises_pickles() -> None:
    buf = _rust.AudioProcessor(64)
    with pytest.raises(_rust.Base64DecodeError) as raised:
        buf.add_chunk("a", b"not base64!")
    back = pickle.loads(pickle.dumps(raised.value))
    assert type(back) is _rust.Base64DecodeError and str(back) == str(raised.value)


def test_add_chunk_vad_appends_like_add_chunk_and_refuses_without_appending() -> None:
    pcm = (np.arange(480 * 3, dtype="<i2") % 200 * 90).astype("<i2").tobytes()  # three 30 ms frames at 16 kHz
    buf = _rust.AudioProcessor(64)
    written, flags = buf.add_chunk_vad("a", base64.b64encode(pcm[:1000]), 16000)
    assert (written, flags.dtype, flags.tolist()) == (1000, np.bool_, [True])  # frame 0 ends at byte 960
    with pytest.raises(_rust.AudioError, match="sample rate"):
        buf.add_chunk_vad("a", base64.b64encode(pcm[1000:]), 0)
    with pytest.raises(_rust.Base64DecodeError):
        buf.add_chunk_vad("a", b"not base64!", 16000)
    assert buf.buffered("a") == 1000  # neither refusal appended anything
    _, flags = buf.add_chunk_vad("a", base64.b64encode(pcm[1000:]), 16000)
    assert flags.tolist() == [True, True] and buf.take("a").tobytes() == pcm


def test_default_threshold_is_the_same_everywhere() -> None:
    for fn in (_rust.vad, _rust.vad_into, _rust.json_vad, _rust.json_pipeline, _rust.AudioProcessor.add_chunk_vad):
        assert inspect.signature(fn).parameters["threshold"].default == DEFAULT_THRESHOLD


def test_kernels_release_the_gil() -> None:
    # A pure-Python thread can only advance while the main thread is inside Rust if the GIL
    # was released there; the JSON tier's 1M-sample conversion runs long enough to tell.
    x = np.zeros(1_000_000, np.float32)
    ticks = 0
    inside = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            if inside.is_set():
                ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        inside.set()
        _rust.json_convert(x, "f32_i16")
        inside.clear()
    finally:
        stop.set()
        t.join()
    assert ticks > 0


def test_build_facts() -> None:
    info = dict(_rust.build_info())
    assert info["profile"] == "release"
    assert info["rustc"].startswith("rustc ")
    assert _rust.simd_path() in ("avx512", "avx2+fma", "baseline")


def test_each_kernel_takes_at_most_its_widest_body_and_the_process_path() -> None:
    order = ["baseline", "avx2+fma", "avx512"]
    kernels = dict(_rust.simd_kernels())
    assert "audiobench_core::direct::convert::f32_to_i16_dispatch" in kernels and len(kernels) >= 7
    for name, path in kernels.items():
        widest = "avx512" if name.endswith(("::f32_to_i16_dispatch", "::render")) else "avx2+fma"
        assert order.index(path) <= min(order.index(widest), order.index(_rust.simd_path())), (name, path)


_BOTH_PATHS = """
import sys, numpy as np
from audiobench import _rust
from audiobench.signals import speech_like
x = np.ascontiguousarray(speech_like(1.0, 2, 3))
mono = np.ascontiguousarray(x.mean(axis=0))
i16 = _rust.convert(mono, "f32_i16")
parts = [_rust.convert(mono, v) for v in ("f32_i16", "f32_i32")]
parts += [_rust.convert(i16, v) for v in ("i16_f32", "i16_i32")]
parts += [_rust.Resampler(p).process(x) for p in ("low", "medium", "high")]
parts.append(_rust.Pipeline().process(x)[0])
e, f, r = _rust.vad(x)
np.savez(sys.argv[1], path=_rust.simd_path(), e=e, f=f, r=r, *parts)
"""


def test_forced_baseline_path_gives_the_same_outputs(tmp_path: Path) -> None:
    """AUDIOBENCH_SIMD=baseline runs the baseline bodies (a slower, real implementation the gate
    demonstration uses) and =avx2 caps an AVX-512 CPU at the AVX2 bodies; every body computes
    the same results: the resampler bit for bit too (each output sums its taps in one lane order
    with fused multiply-adds, which the baseline body computes with correctly rounded `fmaf`)."""
    import os
    import subprocess
    import sys

    results = {}
    for forced in (None, "avx2", "baseline"):
        env = {k: v for k, v in os.environ.items() if k != "AUDIOBENCH_SIMD"}
        if forced:
            env["AUDIOBENCH_SIMD"] = forced
        out = tmp_path / f"{forced or 'detected'}.npz"
        subprocess.run([sys.executable, "-c", _BOTH_PATHS, str(out)], env=env, check=True, timeout=120)
        results[forced] = np.load(out)
    assert str(results["baseline"]["path"]) == "baseline"
    assert str(results["avx2"]["path"]) in ("avx2+fma", "baseline")  # capped, never wider
    baseline = results["baseline"]
    for forced in (None, "avx2"):
        for key in results[forced].files:
            if key == "path":
                continue
            if key == "e":
                # FMA contracts a·b+c into one rounding: energies may differ in the last bits.
                np.testing.assert_allclose(results[forced][key], baseline[key], rtol=1e-5)
            else:
                np.testing.assert_array_equal(results[forced][key], baseline[key], err_msg=f"{forced}: {key}")


@pytest.mark.expected_panics(1)
def test_a_panic_becomes_an_exception_and_is_counted() -> None:
    # The crate unwinds (no panic = "abort"), so PyO3 turns a panic into PanicException rather
    # than aborting the interpreter; the hook counts it, which is how conftest's watch sees
    # panics that somebody caught. Every other test runs under that watch with zero allowed.
    before = _rust._panic_count()
    with pytest.raises(BaseException, match="deliberate panic") as info:
        _rust._probe_panic()
    assert type(info.value).__name__ == "PanicException"
    assert _rust._panic_count() == before + 1


# --- the kernel registry's bindings (every sample kernel, no code of its own) -----------------

KERNEL_INPUTS = {
    "float32": np.linspace(-1.2, 1.2, 1001, dtype=np.float32),
    "int16": np.arange(-500, 501, dtype=np.int16),
}


@pytest.mark.parametrize(("op", "variant"), [(op, v) for op, variants in _rust.kernels() for v in variants])
def test_every_registry_kernel_gives_one_answer_at_its_three_tiers(op: str, variant: str) -> None:
    k = _rust.Kernel(op, variant)
    x = KERNEL_INPUTS[k.input_dtype]
    out = np.empty(k.output_len(x.shape[0]), dtype=k.output_dtype)
    k.process_into(x, out)
    for other in (k.process(x), _rust.FastKernelNode(op, variant).process(x), _rust.json_kernel(op, variant, x)):
        assert other.dtype == out.dtype and np.array_equal(other, out)
    assert (k.op, k.variant) == (op, variant) and repr(k) == f'Kernel("{op}", "{variant}")'


def test_convert_through_the_registry_is_convert() -> None:
    x = KERNEL_INPUTS["float32"]
    assert np.array_equal(_rust.Kernel("convert", "f32_i32").process(x), _rust.convert(x, "f32_i32"))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: _rust.Kernel("gain", "default"), _rust.AudioError, "no sample kernel `gain`"),
        (lambda: _rust.Kernel("convert", "f64_u8"), _rust.AudioError, "f64_u8"),
        (lambda: _rust.Kernel("convert", "f32_i16", {"k": [1]}), TypeError, 'params["k"]'),
        (lambda: _rust.Kernel("convert", "f32_i16", {"k": float("nan")}), ValueError, "finite"),
        (lambda: _rust.Kernel("convert", "f32_i16", {"k": 2**70}), ValueError, "64-bit"),
        (lambda: _rust.Kernel("convert", "f32_i16").process(KERNEL_INPUTS["int16"]), TypeError, "float32"),
        (
            lambda: _rust.Kernel("convert", "f32_i16").process_into(KERNEL_INPUTS["float32"], np.empty(3, np.int16)),
            ValueError,
            "shape",
        ),
        (lambda: _rust.json_kernel("convert", "f32_i16", KERNEL_INPUTS["int16"]), _rust.JsonNodeError, "format"),
        (lambda: _rust.json_kernel("convert", "f32_i16", np.zeros(3, np.float64)), TypeError, "float32, int16"),
        (lambda: _rust.FastKernelNode("convert", "i16_f32").process(KERNEL_INPUTS["float32"]), TypeError, "int16"),
    ],
)
def test_kernel_bindings_refuse_bad_arguments_by_name(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_a_kernel_output_may_not_alias_its_input() -> None:
    out = np.zeros(16, dtype=np.int32)
    x = out.view(np.int16)[:16]  # the first half of out's bytes
    with pytest.raises(ValueError, match="cannot be written"):
        _rust.Kernel("convert", "i16_i32").process_into(x, out)
