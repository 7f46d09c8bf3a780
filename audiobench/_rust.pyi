"""audiobench._rust — the Rust tiers, built from rust_impls/py with PyO3 and maturin.

Tier by name: plain functions and the ``Resampler``/``Pipeline`` classes are ``rust-direct``;
``ParallelResampler``/``ParallelPipeline`` are ``rust-direct-mt``; ``Fast*`` classes and
``AudioProcessor`` are ``rust-fast``; ``json_*`` functions and ``JsonChunkBuffer`` are ``rust-json``.

Arrays: audio is float32, planar ``(channels, frames)``, C-contiguous; conversions take 1-D
arrays. Inputs are borrowed zero-copy and read-only; nothing is cast or copied behind your
back: a wrong dtype raises ``TypeError``, a wrong shape or a strided/Fortran layout
``ValueError``. Outputs are handed to numpy without copying. ``*_into`` functions write into
arrays you allocate (exact shape and dtype, writable, not overlapping the input). Every kernel
runs with the GIL released.
"""

from collections.abc import Sequence
from typing import Self, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "JSON_THREAD_NAME",
    "JSON_WORKER_THREADS",
    "PARALLEL_MAX_THREADS",
    "PARALLEL_THREAD_PREFIX",
    "AudioError",
    "AudioProcessor",
    "Base64DecodeError",
    "BufferFullError",
    "FastConvertNode",
    "FastKernelNode",
    "FastPipeline",
    "FastResampleNode",
    "FastVadNode",
    "JsonChunkBuffer",
    "JsonNodeError",
    "Kernel",
    "ParallelPipeline",
    "ParallelResampler",
    "Pipeline",
    "Resampler",
    "UnknownCallError",
    "_panic_count",
    "_probe_chunk_list",
    "_probe_detach",
    "_probe_noop",
    "_probe_panic",
    "_probe_to_numpy",
    "_probe_view",
    "b64_decode_stream_into",
    "build_info",
    "convert",
    "convert_into",
    "json_convert",
    "json_kernel",
    "json_pipeline",
    "json_resample",
    "json_vad",
    "kernels",
    "limit_memcpy",
    "limit_read",
    "limit_read_write",
    "resample",
    "resample_output_frames",
    "simd_kernels",
    "simd_path",
    "vad",
    "vad_frame_count",
    "vad_into",
]

_F32 = npt.NDArray[np.float32]

class AudioError(ValueError):
    """Base class of the errors kernels raise for bad input (a ValueError)."""

class Base64DecodeError(AudioError):
    """A base64 chunk did not decode; the message names the call and the chunk index."""

class UnknownCallError(AudioError):
    """A call id the buffer manager does not hold (never seen, or already taken)."""

class BufferFullError(AudioError):
    """A caller-provided per-call buffer is too small for the decoded bytes."""

class JsonNodeError(AudioError):
    """A JSON-tier node refused its input or parameters (the message has the JSON path)."""

# --- rust-direct ---------------------------------------------------------------------------

def convert(x: npt.NDArray[np.float32] | npt.NDArray[np.int16], variant: str) -> npt.NDArray[np.generic]:
    """Convert a 1-D array (``f32_i16``, ``i16_f32``, ``f32_i32``, ``i16_i32``), allocating the output.

    The input dtype must match the variant (float32 for ``f32_*``, int16 for ``i16_*``).
    NaN converts to 0; values beyond full scale clip.
    """

def convert_into(
    x: npt.NDArray[np.float32] | npt.NDArray[np.int16], out: npt.NDArray[np.generic], variant: str
) -> None:
    """Convert ``x`` into ``out`` (same length, the variant's output dtype); allocates nothing."""

def vad_frame_count(frames: int, sample_rate: int = 44100) -> int:
    """Whole 30 ms frames in ``frames`` samples per channel (the partial tail is dropped)."""

def vad(audio: _F32, sample_rate: int = 44100, threshold: float = 0.02) -> tuple[_F32, npt.NDArray[np.bool_], float]:
    """Energy VAD: ``(energies, flags, speech_ratio)``; energy is the RMS of the channel mean."""

def vad_into(
    audio: _F32,
    energies: _F32,
    flags: npt.NDArray[np.bool_],
    sample_rate: int = 44100,
    threshold: float = 0.02,
) -> float:
    """Energy VAD into preallocated ``energies`` (float32) and ``flags`` (bool); returns the speech ratio."""

def resample_output_frames(frames: int) -> int:
    """``ceil(frames * 160 / 441)``: output frames per channel of every resampling tier."""

def resample(audio: _F32, preset: str) -> _F32:
    """One-shot 44.1 → 16 kHz resample (builds a resampler per call); ``preset`` is low/medium/high."""

def b64_decode_stream_into(
    chunks: Sequence[bytes],
    owners: npt.NDArray[np.uint32],
    call_ids: Sequence[str],
    outs: Sequence[npt.NDArray[np.uint8]],
    lens: npt.NDArray[np.uint64] | None = None,
) -> npt.NDArray[np.uint64]:
    """Decode tagged base64 chunks into preallocated per-call uint8 buffers; returns bytes per call.

    ``chunks[i]`` belongs to call ``owners[i]`` (an index into ``call_ids`` and ``outs``). With
    ``lens`` (uint64, one per call) each call's bytes are appended at ``lens[i]`` and ``lens`` is
    updated in place and returned — also when a chunk is refused, so the chunks decoded before it
    stay counted. A bad chunk raises :class:`Base64DecodeError` naming the call and its chunk
    index; a full buffer raises :class:`BufferFullError`.
    """

@final
class Resampler:
    """A reusable 44.1 → 16 kHz resampler for one preset and channel count (thread-safe; calls take turns)."""

    def __new__(cls, preset: str = "high", channels: int = 2) -> Self: ...
    @property
    def preset(self) -> str:
        """The preset name."""
    @property
    def channels(self) -> int:
        """Channel count the resampler was built for."""
    @property
    def delay(self) -> int:
        """Output frames dropped from each clip's start to remove the filter delay: 0, the
        polyphase filter is centred on each output instant (kept for callers that align)."""
    def process(self, audio: _F32) -> _F32:
        """Resample, allocating ``(channels, resample_output_frames(frames))``."""
    def process_into(self, audio: _F32, out: _F32) -> None:
        """Resample into ``out`` of shape ``(channels, resample_output_frames(frames))``; allocates nothing."""

@final
class Pipeline:
    """Fused VAD → resample(high) → f32→i16 with preallocated scratch (thread-safe; calls take turns)."""

    def __new__(cls, channels: int = 2, sample_rate: int = 44100, threshold: float = 0.02) -> Self: ...
    @property
    def channels(self) -> int:
        """Channel count the pipeline was built for."""
    def process(self, audio: _F32) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], float]:
        """Run the pipeline, allocating: ``(int16 audio at 16 kHz, flags, speech_ratio)``."""
    def process_into(self, audio: _F32, out: npt.NDArray[np.int16], flags: npt.NDArray[np.bool_]) -> float:
        """Run into preallocated ``out`` (int16, resampled shape) and ``flags``; returns the speech ratio."""

# --- rust-direct-mt ----------------------------------------------------------------------

PARALLEL_THREAD_PREFIX: str
"""Name prefix of the worker threads a ``Parallel*`` object starts (``audiobench-mt_0``, ...)."""
PARALLEL_MAX_THREADS: int
"""The most threads a ``Parallel*`` object splits a call across."""

@final
class ParallelResampler:
    """``Resampler`` with each call's output frames split across ``threads`` threads: the caller
    and ``threads - 1`` workers started when built, parked between calls. Bit-identical output.
    Raises ``ValueError`` for ``threads`` outside 1..PARALLEL_MAX_THREADS."""

    def __new__(cls, preset: str = "high", channels: int = 2, threads: int = 2) -> Self: ...
    @property
    def preset(self) -> str: ...
    @property
    def channels(self) -> int: ...
    @property
    def threads(self) -> int: ...
    def process_into(self, audio: _F32, out: _F32) -> None:
        """Resample into ``out`` of shape ``(channels, resample_output_frames(frames))``."""

@final
class ParallelPipeline:
    """``Pipeline`` with its resample → int16 stage split across ``threads`` threads (the caller also
    runs VAD). Bit-identical output."""

    def __new__(
        cls, channels: int = 2, threads: int = 2, sample_rate: int = 44100, threshold: float = 0.02
    ) -> Self: ...
    @property
    def channels(self) -> int: ...
    @property
    def threads(self) -> int: ...
    def process_into(self, audio: _F32, out: npt.NDArray[np.int16], flags: npt.NDArray[np.bool_]) -> float:
        """Run into preallocated ``out`` (int16, resampled shape) and ``flags``; returns the speech ratio."""

# --- rust-fast -----------------------------------------------------------------------------

@final
class FastConvertNode:
    """The study's fast-path conversion node; copies the input into an ``Arc<Vec>`` (buffer wrap)."""

    def __new__(cls, variant: str) -> Self: ...
    @property
    def variant(self) -> str:
        """The conversion this node performs."""
    def process(self, x: npt.NDArray[np.float32] | npt.NDArray[np.int16]) -> npt.NDArray[np.generic]:
        """Convert a 1-D array, returning a new array."""

_Samples = npt.NDArray[np.float32] | npt.NDArray[np.int16] | npt.NDArray[np.int32]
_Params = dict[str, float | int | str | bool] | None

@final
class Kernel:
    """A sample kernel of the core's registry (``kernels()``), built once: the ``rust-direct`` tier.

    ``params`` are the kernel's own (numbers, strings, booleans); the variant is an argument.
    Raises :class:`AudioError` for an unknown operation or variant or a bad parameter, and
    ``TypeError`` for a parameter that is not a number, string or bool.
    """

    def __new__(cls, op: str, variant: str, params: _Params = None) -> Self: ...
    @property
    def op(self) -> str:
        """The operation."""
    @property
    def variant(self) -> str:
        """The variant."""
    @property
    def input_dtype(self) -> str:
        """numpy dtype name of the input (``float32``, ``int16`` or ``int32``)."""
    @property
    def output_dtype(self) -> str:
        """numpy dtype name of the output."""
    def output_len(self, n: int) -> int:
        """Output samples for ``n`` input samples."""
    def process_into(self, x: _Samples, out: _Samples) -> None:
        """Process 1-D ``x`` into ``out`` (``output_len(len(x))`` samples of ``output_dtype``), GIL released.

        Raises ``TypeError`` (dtype) or ``ValueError`` (shape, layout, ``out`` aliasing ``x``).
        """
    def process(self, x: _Samples) -> npt.NDArray[np.generic]:
        """Process 1-D ``x`` into a new array."""

@final
class FastKernelNode:
    """A sample kernel's fast-path node (``rust-fast``): copies the input into an ``Arc<Vec>``."""

    def __new__(cls, op: str, variant: str, params: _Params = None) -> Self: ...
    def process(self, x: _Samples) -> npt.NDArray[np.generic]:
        """Process 1-D ``x``, returning a new array."""

def json_kernel(op: str, variant: str, x: _Samples, params: _Params = None) -> npt.NDArray[np.generic]:
    """A sample kernel through its JSON node on the async executor (``rust-json``): the input
    serialised to a JSON number array, a node created and initialised, the output parsed back.

    Raises :class:`JsonNodeError` when the node refuses the input (its format, NaN or ±inf).
    """

def kernels() -> list[tuple[str, list[str]]]:
    """Every sample kernel of the registry: ``(operation, variants)``."""

@final
class FastVadNode:
    """The study's fast-path VAD node (passes audio through; returns its analysis)."""

    def __new__(cls, sample_rate: int = 44100, threshold: float = 0.02) -> Self: ...
    def process(self, audio: _F32) -> tuple[_F32, npt.NDArray[np.bool_], float]:
        """``(energies, flags, speech_ratio)`` of ``audio``."""

@final
class FastResampleNode:
    """The study's fast-path resampling node (resampler built once, output allocated per call)."""

    def __new__(cls, preset: str = "high", channels: int = 2) -> Self: ...
    def process(self, audio: _F32) -> _F32:
        """Resample 44.1 → 16 kHz."""

@final
class FastPipeline:
    """VAD → resample(high) → f32→i16 as three chained fast nodes."""

    def __new__(cls, channels: int = 2, sample_rate: int = 44100, threshold: float = 0.02) -> Self: ...
    def process(self, audio: _F32) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], float]:
        """``(int16 audio at 16 kHz, flags, speech_ratio)``."""

@final
class AudioProcessor:
    """Thread-safe per-call buffers fed with base64 chunks (the CallBot design).

    Each call's buffer is pre-allocated to ``capacity_per_call`` bytes on its first chunk;
    ``reallocations`` counts every later capacity change.
    """

    def __new__(cls, capacity_per_call: int = 10485760) -> Self: ...
    @property
    def capacity_per_call(self) -> int:
        """Pre-allocation per call in bytes."""
    @property
    def reallocations(self) -> int:
        """Capacity changes so far, over all calls."""
    def add_chunk(self, call_id: str, chunk: bytes) -> int:
        """Decode ``chunk`` and append it to ``call_id``'s buffer; returns the bytes appended."""
    def add_chunk_vad(
        self, call_id: str, chunk: bytes, sample_rate: int = 16000, threshold: float = 0.02
    ) -> tuple[int, npt.NDArray[np.bool_]]:
        """:meth:`add_chunk`, then the energy VAD of the 30 ms frames this chunk completed, the
        call's bytes read as 16-bit little-endian mono PCM (frame ``k`` = samples ``[k·len,
        (k+1)·len)`` of the call, so chunk-by-chunk flags equal a batch VAD of the whole call).
        Returns ``(bytes appended, flags)``, flags ``bool`` of 0 or more frames, all under the
        processor's lock with the GIL released. ``AudioError`` for a bad sample rate or
        threshold (before anything is appended) and as :meth:`add_chunk`."""
    def take(self, call_id: str) -> npt.NDArray[np.uint8]:
        """Remove the call and return its bytes; :class:`UnknownCallError` if absent."""
    def buffered(self, call_id: str) -> int:
        """Bytes buffered so far for ``call_id``."""
    def call_ids(self) -> list[str]:
        """Calls currently held, sorted."""

# --- rust-json -----------------------------------------------------------------------------

def json_convert(x: npt.NDArray[np.float32] | npt.NDArray[np.int16], variant: str) -> npt.NDArray[np.generic]:
    """Convert through an ``AudioFormatConverter`` JSON node on the async executor.

    JSON numbers cannot carry NaN or ±inf: such samples raise :class:`JsonNodeError` naming the
    first one (``/samples/i``) instead of converting to 0 / the clamp bounds as the other tiers do.
    """

def json_vad(
    audio: _F32, sample_rate: int = 44100, threshold: float = 0.02
) -> tuple[_F32, npt.NDArray[np.bool_], float]:
    """VAD through a ``VoiceActivityDetector`` JSON node."""

def json_resample(audio: _F32, preset: str) -> _F32:
    """Resample through an ``AudioResampler`` JSON node (created and initialised per call)."""

def json_pipeline(
    audio: _F32, sample_rate: int = 44100, threshold: float = 0.02
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_], float]:
    """VAD → resample(high) → f32→i16 as three JSON nodes chained by the executor."""

@final
class JsonChunkBuffer:
    """An ``AudioChunkBuffer`` JSON node fed one JSON message per chunk (thread-safe; calls take turns)."""

    def __new__(cls, capacity_per_call: int = 10485760) -> Self: ...
    @property
    def reallocations(self) -> int:
        """Capacity changes so far (asked of the node with a ``stats`` message)."""
    def add_chunk(self, call_id: str, chunk: bytes) -> int:
        """Send ``{"op": "append"}``; returns the bytes appended."""
    def take(self, call_id: str) -> npt.NDArray[np.uint8]:
        """Send ``{"op": "take"}`` and parse the JSON byte array it returns."""

# --- limit probes ------------------------------------------------------------------------

def limit_memcpy(src: npt.NDArray[np.uint8], dst: npt.NDArray[np.uint8]) -> None:
    """Copy ``src`` into ``dst`` (1-D uint8, same length): the read+write bandwidth floor."""

def limit_read(src: npt.NDArray[np.uint8]) -> int:
    """Read every byte of ``src`` once (1-D uint8); returns an XOR fold so the read cannot be skipped."""

def limit_read_write(src: npt.NDArray[np.uint8], dst: npt.NDArray[np.uint8]) -> int:
    """Read every byte of ``src`` once and write every byte of ``dst`` once (1-D uint8, any lengths),
    walking both in step with plain copies; returns an XOR fold of the input bytes not copied."""

# --- boundary probes (used by the stage profiler) -------------------------------------------

def _probe_noop() -> None:
    """An empty function: the cost of calling into the extension at all."""

def _probe_view(x: npt.NDArray[np.generic], writable: bool = False, repeat: int = 1) -> int:
    """Borrow ``x`` as the kernels do (checks, borrow, slice) ``repeat`` times; returns the total nanoseconds."""

def _probe_detach(repeat: int = 1) -> int:
    """Release and re-take the GIL ``repeat`` times; returns the total nanoseconds."""

def _probe_to_numpy(n: int, dtype: str, repeat: int = 1) -> int:
    """Hand ``repeat`` ``n``-element Rust Vecs to numpy without copying; returns the total nanoseconds."""

def _probe_chunk_list(chunks: Sequence[bytes]) -> int:
    """Extract a list of bytes into slices as ``b64_decode_stream_into`` does; returns nanoseconds."""

# --- panic accounting -------------------------------------------------------------------------

def _panic_count() -> int:
    """Panics seen in this process since the module was loaded (a hook counts every one)."""

def _probe_panic() -> None:
    """Panic on purpose: raises ``pyo3_runtime.PanicException`` and adds one to ``_panic_count()``."""

# --- build facts ---------------------------------------------------------------------------

def simd_path() -> str:
    """The widest SIMD path this process may take: ``avx512``, ``avx2+fma`` or ``baseline`` (the
    CPU's best, capped by ``AUDIOBENCH_SIMD=avx2|baseline``); each kernel takes at most its own
    widest body (:func:`simd_kernels`)."""

def simd_kernels() -> list[tuple[str, str]]:
    """``(kernel, path)`` for each dispatching kernel, ``kernel`` as ``module::function``, sorted."""

def build_info() -> list[tuple[str, str]]:
    """``(key, value)`` facts about the build: profile, rustc, target, core_version."""

JSON_WORKER_THREADS: int
"""Worker threads of the rust-json tier's tokio runtime (built on the first JSON call, kept
until exit, parked between calls)."""

JSON_THREAD_NAME: str
"""The name those worker threads carry (``/proc/self/task/*/comm``)."""
