"""The benchmark catalogue (`benchmarks/catalogue.toml`): operations, variants, sizes, tiers, units.

Everything that iterates over cases reads it through :func:`load`, so a size list exists once.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

SCHEMA_VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "catalogue.toml"

SizeSet = Literal["quick", "full", "pure"]


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Size:
    """One size of one operation.

    ``kind`` is ``seconds`` (audio duration), ``frame`` (one 30 ms frame), ``samples`` (1-D
    length) or ``stream`` (base64 chunk stream); only the fields of that kind are set.
    """

    kind: str
    seconds: float = 0.0
    samples: int = 0
    chunks: int = 0
    calls: int = 0
    threads: int = 1

    @property
    def label(self) -> str:
        """Short stable label used in tables, benchmark ids and file names."""
        if self.kind == "frame":
            return "frame"
        if self.kind == "seconds":
            return f"{self.seconds:g}s"
        if self.kind == "samples":
            return f"{self.samples // 1_000_000}M" if self.samples % 1_000_000 == 0 else str(self.samples)
        return f"{self.chunks}ch-{self.calls}calls-{self.threads}thr"


@dataclass(frozen=True)
class Tier:
    """One tier's (or peer's) catalogue entry: declared once, read by every suite."""

    name: str
    language: Literal["python", "rust"]
    """Where the kernel runs: a ``rust`` tier is reached through PyO3 and also profiled natively."""
    imports: tuple[str, ...]
    """Modules its calls need; a cold first call times importing them."""
    about: str
    sizes: SizeSet | None = None
    """The size set it runs instead of the suite's (``pure`` for the pure-Python tier)."""
    peer: bool = False
    """A different algorithm: shown beside the tiers, never output-matched."""
    parallel: bool = False
    """Splits each call across every CPU of the process: a labelled row of its own, never a
    candidate where tiers are compared single-threaded (the fastest tier, the decision table)."""


@dataclass(frozen=True)
class Operation:
    """One operation's catalogue entry."""

    name: str
    variants: tuple[str, ...]
    signal: str
    unit: str
    """The user-facing unit, in the grammar of :mod:`audiobench.units`."""
    sizes: dict[str, tuple[Size, ...]]
    title: str = ""
    """The heading of the operation's report section."""
    spec: str = ""
    """Module holding the operation's spec (default ``audiobench.operations.<name>``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def sizes_for(self, size_set: SizeSet) -> tuple[Size, ...]:
        """The sizes of ``size_set`` (``quick``, ``full`` or ``pure``)."""
        return self.sizes[size_set]


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue."""

    path: Path
    seed: int
    sample_rate: int
    channels: int
    tier_specs: dict[str, Tier]
    """Every tier and peer, in display order."""
    operations: dict[str, Operation]

    @property
    def tiers(self) -> tuple[str, ...]:
        """The matched tiers, in display order."""
        return tuple(t.name for t in self.tier_specs.values() if not t.peer)

    @property
    def peers(self) -> tuple[str, ...]:
        """The peers (different algorithms), in display order."""
        return tuple(t.name for t in self.tier_specs.values() if t.peer)

    @property
    def single_thread_tiers(self) -> tuple[str, ...]:
        """The matched tiers that run each call on the calling thread, in display order."""
        return tuple(t.name for t in self.tier_specs.values() if not t.peer and not t.parallel)

    def tiers_in(self, language: str) -> tuple[str, ...]:
        """The matched tiers whose kernels run in ``language`` (``python`` or ``rust``)."""
        return tuple(t.name for t in self.tier_specs.values() if not t.peer and t.language == language)

    def sizes_for(self, op: str, tier: str, size_set: SizeSet) -> tuple[Size, ...]:
        """The sizes ``tier`` runs of ``op`` in ``size_set`` (a tier with its own set runs that)."""
        spec = self.tier_specs.get(tier)
        return self.operation(op).sizes_for(spec.sizes if spec and spec.sizes else size_set)

    def operation(self, name: str) -> Operation:
        """The entry of operation ``name``; :class:`CatalogueError` names the known ones if absent."""
        try:
            return self.operations[name]
        except KeyError:
            known = ", ".join(self.operations)
            raise CatalogueError(f"{self.path}: unknown operation {name!r} (known: {known})") from None


def _size(op: str, kind: str, raw: Any, path: Path) -> Size:
    where = f"{path}: operations.{op}"
    if raw == "frame":
        return Size(kind="frame")
    if kind == "seconds" and isinstance(raw, int | float) and raw > 0:
        return Size(kind="seconds", seconds=float(raw))
    if kind == "samples" and isinstance(raw, int) and raw > 0:
        return Size(kind="samples", samples=raw)
    if kind == "stream" and isinstance(raw, dict):
        try:
            size = Size(kind="stream", chunks=int(raw["chunks"]), calls=int(raw["calls"]), threads=int(raw["threads"]))
        except (KeyError, TypeError, ValueError) as e:
            raise CatalogueError(f"{where}: stream size needs integer chunks, calls, threads: {raw!r}") from e
        if min(size.chunks, size.calls, size.threads) < 1 or size.calls > size.chunks:
            raise CatalogueError(f"{where}: stream size out of range: {raw!r}")
        return size
    raise CatalogueError(f"{where}: bad {kind} size {raw!r}")


def _operation(name: str, raw: dict[str, Any], path: Path) -> Operation:
    try:
        kind = raw["size_kind"]
        sizes = {s: tuple(_size(name, kind, v, path) for v in raw[s]) for s in ("quick", "full", "pure")}
        known = {"variants", "signal", "size_kind", "unit", "title", "spec", "quick", "full", "pure"}
        return Operation(
            name=name,
            variants=tuple(raw["variants"]),
            signal=raw["signal"],
            unit=raw["unit"],
            sizes=sizes,
            title=str(raw.get("title", name)),
            spec=str(raw.get("spec", f"audiobench.operations.{name}")),
            extra={k: v for k, v in raw.items() if k not in known},
        )
    except KeyError as e:
        raise CatalogueError(f"{path}: operations.{name} is missing {e.args[0]!r}") from None


def _tier(name: str, raw: Any, path: Path) -> Tier:
    where = f"{path}: tiers.{name}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where} must be a table")
    language = raw.get("language")
    if language not in ("python", "rust"):
        raise CatalogueError(f"{where}.language must be 'python' or 'rust', got {language!r}")
    sizes = raw.get("sizes")
    if sizes not in (None, "quick", "full", "pure"):
        raise CatalogueError(f"{where}.sizes must be quick, full or pure, got {sizes!r}")
    imports = raw.get("imports", [])
    if not isinstance(imports, list) or not all(isinstance(m, str) for m in imports):
        raise CatalogueError(f"{where}.imports must be a list of module names")
    flags = {k: raw.get(k, False) for k in ("peer", "parallel")}
    for key, flag in flags.items():
        if not isinstance(flag, bool):
            raise CatalogueError(f"{where}.{key} must be true or false, got {flag!r}")
    return Tier(name, language, tuple(imports), str(raw.get("about", "")), sizes, **flags)


def load(path: Path | str | None = None) -> Catalogue:
    """Load and validate the catalogue (``AUDIOBENCH_CATALOGUE`` overrides the default path)."""
    return _load(Path(path or os.environ.get("AUDIOBENCH_CATALOGUE") or DEFAULT_PATH).resolve())


@cache
def _load(path: Path) -> Catalogue:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"{path}: catalogue not found") from None
    except tomllib.TOMLDecodeError as e:
        raise CatalogueError(f"{path}: not valid TOML: {e}") from None
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise CatalogueError(f"{path}: schema_version {raw.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    try:
        signals, tiers = raw["signals"], raw["tiers"]
        ops = {name: _operation(name, body, path) for name, body in raw["operations"].items()}
        return Catalogue(
            path=path,
            seed=int(signals["seed"]),
            sample_rate=int(signals["sample_rate"]),
            channels=int(signals["channels"]),
            tier_specs={name: _tier(name, body, path) for name, body in tiers.items()},
            operations=ops,
        )
    except KeyError as e:
        raise CatalogueError(f"{path}: missing key {e.args[0]!r}") from None
