"""The environment fingerprint recorded with every result (``audiobench env`` prints it)."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("numpy", "scipy", "librosa", "soxr", "pybase64", "webrtcvad-wheels", "soundfile")
ROOT = Path(__file__).resolve().parents[1]


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _cpu() -> dict[str, Any]:
    info = _read("/proc/cpuinfo") or ""
    fields: dict[str, str] = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = fields.get("flags", "").split()
    simd = [f for f in flags if f.startswith(("sse", "avx", "fma", "bmi"))]
    return {
        "model": fields.get("model name") or platform.processor() or "unknown",
        "logical_cores": os.cpu_count(),
        "simd_flags": sorted(simd),
        "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") or "not readable",
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True)
            return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    commit = run("rev-parse", "HEAD")
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit or "unknown", "dirty": bool(status) if status is not None else None}


def _machine_id() -> str:
    raw = _read("/etc/machine-id") or _read("/var/lib/dbus/machine-id") or platform.node()
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@cache
def fingerprint() -> dict[str, Any]:
    """CPU, cores, governor, Python and library versions, Rust build, git state, machine id."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        from audiobench import _rust

        rust: dict[str, Any] = dict(_rust.build_info())
        rust["simd_path"] = _rust.simd_path()
        # each kernel's own path: on an AVX-512 CPU only the kernels where it pays take it
        rust["simd_kernels"] = dict(_rust.simd_kernels())
    except ImportError as e:
        rust = {"error": f"extension not importable: {e}"}
    return {
        "machine_id": _machine_id(),
        "cpu": _cpu(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
        "rust": rust,
        "git": _git(),
    }
