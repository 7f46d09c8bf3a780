"""Export the catalogue's inputs as raw files, so the criterion benches measure the same bytes.

Rust cannot regenerate numpy's seeded signals bit for bit, so ``audiobench inputs`` writes every
(operation, variant, size) input of a suite under ``target/audiobench-inputs/<suite>/`` with a
``manifest.json`` giving dtype, shape, the same SHA-256 checksum the runner records and, for a
memory-bound operation, the bytes one call writes (``limit:read-write``). The
benches recompute that checksum after loading and refuse a mismatch.

File layout (little-endian):
* audio: float32 planar ``channels × frames``;
* samples: float32 or int16, 1-D;
* streams: the base64 chunks concatenated (every chunk has the same length), plus the owners
  as uint32; the checksum covers chunks then owners, as :meth:`StreamCase.checksum` does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from audiobench import operations
from audiobench.atomic import write_bytes
from audiobench.cases import AudioCase, SamplesCase, StreamCase
from audiobench.catalogue import Catalogue, SizeSet
from audiobench.documents import inputs as manifest_doc
from audiobench.limits import READ_WRITE, limits_for, output_bytes
from audiobench.operations import build_case

SCHEMA = manifest_doc.SCHEMA
DEFAULT_ROOT = Path("target/audiobench-inputs")


def catalogue_sha256(cat: Catalogue) -> str:
    """SHA-256 of the catalogue file's bytes (a manifest written from another catalogue is stale)."""
    return hashlib.sha256(cat.path.read_bytes()).hexdigest()


def _write_once(path: Path, data: bytes) -> None:
    # Files are named by the input's checksum, so variants sharing an input share one file.
    if not path.exists():
        write_bytes(path, data)


def export(cat: Catalogue, suite: SizeSet, root: Path = DEFAULT_ROOT) -> Path:
    """Write the suite's inputs and manifest; returns the manifest path."""
    out_dir = root / suite
    cases: list[dict[str, Any]] = []
    for name, spec in cat.operations.items():
        op_spec = operations.spec(name, cat)
        for variant in spec.variants:
            for size in spec.sizes_for(suite):
                case = build_case(name, variant, size, cat.seed, spec.signal)
                entry: dict[str, Any] = {
                    "op": name,
                    "variant": variant,
                    "size": size.label,
                    "checksum": case.checksum(),
                    "params": op_spec.kernel_params(variant),
                }
                if READ_WRITE in limits_for(op_spec.memory_bound):
                    entry["output_bytes"] = output_bytes(op_spec.outputs(variant, case))
                stem = entry["checksum"]
                if isinstance(case, AudioCase):
                    _write_once(out_dir / f"{stem}.f32", case.audio.astype("<f4").tobytes())
                    entry |= {
                        "kind": "audio",
                        "file": f"{stem}.f32",
                        "dtype": "f32",
                        "channels": case.channels,
                        "frames": case.frames,
                        "sample_rate": case.sample_rate,
                    }
                elif isinstance(case, SamplesCase):
                    dtype = "f32" if case.x.dtype == np.float32 else "i16"
                    write_bytes(
                        out_dir / f"{stem}.{dtype}", case.x.astype("<f4" if dtype == "f32" else "<i2").tobytes()
                    )
                    entry |= {"kind": "samples", "file": f"{stem}.{dtype}", "dtype": dtype, "len": int(case.x.size)}
                elif isinstance(case, StreamCase):
                    lengths = {len(c) for c in case.stream.chunks}
                    if len(lengths) != 1:
                        raise ValueError(f"{name} {size.label}: chunks of unequal length {sorted(lengths)}")
                    _write_once(out_dir / f"{stem}.b64", b"".join(case.stream.chunks))
                    _write_once(out_dir / f"{stem}.owners", case.stream.owners.astype("<u4").tobytes())
                    entry |= {
                        "kind": "stream",
                        "file": f"{stem}.b64",
                        "owners_file": f"{stem}.owners",
                        "chunk_len": lengths.pop(),
                        "chunks": len(case.stream.chunks),
                        "call_ids": list(case.stream.call_ids),
                        "threads": case.threads,
                        "capacity_per_call": case.stream.capacity_per_call,
                        "raw_bytes": sum(len(v) for v in case.stream.expected.values()),
                    }
                cases.append(entry)
    manifest = {
        "schema": SCHEMA,
        "suite": suite,
        "seed": cat.seed,
        # The file's name and content hash, no path: the native profiler parses this document, and
        # the length of a checkout's path would shape the heap its counted stages allocate from.
        "catalogue": cat.path.name,
        "catalogue_sha256": catalogue_sha256(cat),
        "cases": cases,
    }
    return manifest_doc.write(manifest, out_dir / "manifest.json")
