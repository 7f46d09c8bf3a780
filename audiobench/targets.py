"""``benchmarks/targets.toml``: the spec targets, minimum speed-ups and regression tolerances the gate
judges a run by. Every threshold lives in that file beside the reason it was chosen; this module
only loads and validates it, and every error names the file and the offending key.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from audiobench.catalogue import CatalogueError
from audiobench.catalogue import load as load_catalogue
from audiobench.limits import LIMITS

SCHEMA_VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "targets.toml"
LIMIT_ROWS = LIMITS
NORMALIZE_NONE = "none"

Direction = Literal["max", "min"]


class TargetsError(ValueError):
    """targets.toml is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Selector:
    """Which cases of a run an entry applies to; ``None`` means every one."""

    op: str | None
    variants: tuple[str, ...] | None
    sizes: tuple[str, ...] | None

    def matches(self, op: str, variant: str, size: str) -> bool:
        """Whether the case ``op``/``variant`` at ``size`` is selected (a missing field selects all)."""
        return (
            (self.op is None or op == self.op)
            and (self.variants is None or variant in self.variants)
            and (self.sizes is None or size in self.sizes)
        )


@dataclass(frozen=True)
class Absolute:
    """A spec target on one row's median in the operation's user unit."""

    name: str
    where: Selector
    tiers: tuple[str, ...]
    limit: float
    direction: Direction
    """``max``: the value must stay below ``limit`` (times); ``min``: above it (throughputs)."""
    unit: str
    enforce: bool
    reason: str
    machine_limit: str | None = None
    """A limit probe (``limit:memcpy``) that decides, per case and run, whether this machine can
    meet the target: enforced only where the probe's whole CI is below ``machine_margin`` × the
    target (max targets only); elsewhere assessed and reported, saying why."""
    machine_margin: float = 1.0

    def machine_can(self, probe: float | None, probe_ci: tuple[float, float] | None) -> tuple[bool, str]:
        """Whether the run's ``machine_limit`` probe, in the target's unit, shows the machine can
        meet the target; and the sentence that says so."""
        if self.machine_limit is None:
            return True, ""
        bound = self.machine_margin * self.limit
        if probe is None or probe_ci is None:
            return False, f"not enforced: no {self.machine_limit} probe in this case to judge the machine by"
        lo, hi = sorted(probe_ci)
        span = f"{self.machine_limit} {probe:.3g} (CI {lo:.3g}–{hi:.3g}) {self.unit}"
        if hi < bound:
            return True, f"enforced: this machine's {span} is below {bound:.3g}"
        return False, f"not enforced: this machine's {span} is not below {bound:.3g}"


@dataclass(frozen=True)
class Speedup:
    """``faster`` must take at most 1/``minimum`` of ``than``'s time (paired per-round ratio)."""

    name: str
    where: Selector
    faster: str
    than: str
    minimum: float
    enforce: bool
    reason: str


@dataclass(frozen=True)
class WallTime:
    """Wall-time regression of a row against the same row of a baseline run."""

    enforce_tiers: tuple[str, ...]
    report_tiers: tuple[str, ...]
    min_effect: float
    min_effect_by_tier: dict[str, float]
    alpha: float
    normalize: str
    """``none``, or a row name (e.g. ``limit:read``) each round is divided by before comparing."""
    reason: str

    def min_effect_for(self, tier: str) -> float:
        """The smallest ratio counted as a regression for ``tier``."""
        return self.min_effect_by_tier.get(tier, self.min_effect)

    def tiers(self) -> tuple[str, ...]:
        """The tiers judged: enforced first, then reported only."""
        return (*self.enforce_tiers, *self.report_tiers)


@dataclass(frozen=True)
class Paired:
    """Wall-time regression judged on a paired comparison of two builds (``audiobench compare``)."""

    enforce_tiers: tuple[str, ...]
    report_tiers: tuple[str, ...]
    threshold: float
    """The slowdown (fraction) the rule is built to catch."""
    decide_at: float
    """The ratio CI is judged against ``1 + decide_at``."""
    confidence: float
    """Level of the ratio's CI (two-sided; the rule's false-failure rate is at most half the rest)."""
    round_seconds: float
    min_rounds: int
    max_rounds: int
    processes: int
    """Pairs of worker processes the rounds are spread over (each a fresh BASE and HEAD)."""
    time_budget_s: float
    reason: str

    def tiers(self) -> tuple[str, ...]:
        """The tiers compared: enforced first, then reported only."""
        return (*self.enforce_tiers, *self.report_tiers)


@dataclass(frozen=True)
class Tolerance:
    """A counter may grow by ``relative`` × baseline + ``absolute`` and still pass."""

    relative: float
    absolute: float
    reason: str

    def allowed(self, baseline: float) -> float:
        """How much a counter may grow over ``baseline`` and pass."""
        return self.relative * abs(baseline) + self.absolute


@dataclass(frozen=True)
class Counters:
    tiers: tuple[str, ...]
    enforce: bool
    tolerances: dict[str, Tolerance]
    """Keyed by counter: ``instructions``, ``allocs``, ``alloc_bytes``."""
    reason: str


@dataclass(frozen=True)
class Remeasure:
    budget_s: float
    min_rounds: int
    max_rounds: int
    reason: str


@dataclass(frozen=True)
class Targets:
    path: Path
    absolute: tuple[Absolute, ...]
    speedup: tuple[Speedup, ...]
    wall_time: WallTime
    paired: Paired
    counters: Counters
    remeasure: Remeasure
    known_rows: tuple[str, ...] = field(default=())


COUNTERS = ("instructions", "allocs", "alloc_bytes")


class _Table:
    """One TOML table being read: typed getters that name ``file: key`` on error, and a final
    check that no key was left unread (a misspelt ``enfroce`` must not silently default)."""

    def __init__(self, path: Path, where: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise TargetsError(f"{path}: {where} must be a table, got {type(raw).__name__}")
        self.path, self.where, self.raw = path, where, raw
        self.seen: set[str] = set()

    def key(self, k: str) -> str:
        return f"{self.where}.{k}" if self.where else k

    def fail(self, k: str, msg: str) -> TargetsError:
        return TargetsError(f"{self.path}: {self.key(k)}: {msg}")

    def get(self, k: str, default: Any = ...) -> Any:
        self.seen.add(k)
        if k in self.raw:
            return self.raw[k]
        if default is ...:
            raise TargetsError(f"{self.path}: {self.key(k)} is missing")
        return default

    def text(self, k: str, default: Any = ...) -> str:
        v = self.get(k, default)
        if not isinstance(v, str) or not v.strip():
            raise self.fail(k, f"expected a non-empty string, got {v!r}")
        return v

    def number(self, k: str, default: Any = ..., lo: float = -math.inf, positive: bool = False) -> float:
        v = self.get(k, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.fail(k, f"expected a number, got {v!r}")
        if v < lo or (positive and v <= 0):
            raise self.fail(k, f"{v!r} is out of range ({'> 0' if positive else f'>= {lo:g}'})")
        return float(v)

    def integer(self, k: str, default: Any = ..., lo: int = 0) -> int:
        v = self.get(k, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise self.fail(k, f"expected an integer >= {lo}, got {v!r}")
        return v

    def flag(self, k: str, default: Any = ...) -> bool:
        v = self.get(k, default)
        if not isinstance(v, bool):
            raise self.fail(k, f"expected true or false, got {v!r}")
        return v

    def names(self, k: str, default: Any = ..., allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        v = self.get(k, default)
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise self.fail(k, f"expected a list of names, got {v!r}")
        bad = [x for x in v if allowed is not None and x not in allowed]
        if bad:
            raise self.fail(k, f"unknown {', '.join(map(repr, bad))} (known: {', '.join(allowed or ())})")
        return tuple(v)

    def table(self, k: str, default: Any = ...) -> _Table:
        return _Table(self.path, self.key(k), self.get(k, default))

    def done(self) -> None:
        extra = sorted(set(self.raw) - self.seen)
        if extra:
            raise TargetsError(f"{self.path}: {self.key(extra[0])}: unknown key")


class _Names:
    """Operation, variant, size and row names from the catalogue, to catch typos in targets."""

    def __init__(self, path: Path, catalogue: Path | None) -> None:
        try:
            cat = load_catalogue(catalogue)
        except CatalogueError as e:
            raise TargetsError(f"{path}: cannot validate names: {e}") from None
        self.ops = tuple(cat.operations)
        self.variants = {n: op.variants for n, op in cat.operations.items()}
        self.sizes = {
            n: tuple(dict.fromkeys(s.label for sizes in op.sizes.values() for s in sizes))
            for n, op in cat.operations.items()
        }
        self.rows = (*cat.tiers, *cat.peers, *LIMIT_ROWS)

    def selector(self, t: _Table, op_required: bool) -> Selector:
        op = t.text("op") if op_required else t.get("op", None)
        if op is not None and (not isinstance(op, str) or op not in self.ops):
            raise t.fail("op", f"unknown operation {op!r} (known: {', '.join(self.ops)})")
        variants = sizes = None
        if op is not None:
            variants = t.names("variants", None, self.variants[op]) if "variants" in t.raw else None
            sizes = t.names("sizes", None, self.sizes[op]) if "sizes" in t.raw else None
        elif "variants" in t.raw or "sizes" in t.raw:
            raise t.fail("variants" if "variants" in t.raw else "sizes", "needs an op")
        return Selector(op, variants, sizes)


def _entry_name(t: _Table, index: int, kind: str) -> _Table:
    name = t.raw.get("name")
    t.where = f"{kind}[{index}]" + (f" ({name})" if isinstance(name, str) else "")
    return t


def _absolute(t: _Table, names: _Names) -> Absolute:
    where = names.selector(t, op_required=True)
    has_max, has_min = "max" in t.raw, "min" in t.raw
    if has_max == has_min:
        raise t.fail("max", "give exactly one of max (value must stay below) or min (must stay above)")
    direction: Direction = "max" if has_max else "min"
    machine_limit = t.get("machine_limit", None)
    if machine_limit is not None and machine_limit not in LIMIT_ROWS:
        raise t.fail("machine_limit", f"expected one of {', '.join(LIMIT_ROWS)}, got {machine_limit!r}")
    if machine_limit is not None and direction != "max":
        raise t.fail("machine_limit", "only a max target (a time) can be judged by a limit probe")
    margin = t.number("machine_margin", 1.0, positive=True)
    if "machine_margin" in t.raw and machine_limit is None:
        raise t.fail("machine_margin", "needs machine_limit")
    if margin > 1:
        raise t.fail("machine_margin", f"{margin:g} is out of range (0 < margin <= 1)")
    return Absolute(
        name=t.text("name"),
        where=where,
        tiers=t.names("tiers", allowed=names.rows),
        limit=t.number(direction, positive=True),
        direction=direction,
        unit=t.text("unit"),
        enforce=t.flag("enforce", True),
        reason=t.text("reason"),
        machine_limit=machine_limit,
        machine_margin=margin,
    )


def _speedup(t: _Table, names: _Names) -> Speedup:
    where = names.selector(t, op_required=False)
    faster, than = t.text("faster"), t.text("than")
    for k, v in (("faster", faster), ("than", than)):
        if v not in names.rows:
            raise t.fail(k, f"unknown row {v!r} (known: {', '.join(names.rows)})")
    if faster == than:
        raise t.fail("than", "must differ from faster")
    return Speedup(
        name=t.text("name"),
        where=where,
        faster=faster,
        than=than,
        minimum=t.number("min", positive=True),
        enforce=t.flag("enforce", True),
        reason=t.text("reason"),
    )


def _wall_time(t: _Table, names: _Names) -> WallTime:
    by_tier_t = t.table("min_effect_by_tier", {})
    by_tier = {k: by_tier_t.number(k, positive=True) for k in by_tier_t.raw}
    bad = [k for k in by_tier if k not in names.rows]
    if bad:
        raise by_tier_t.fail(bad[0], f"unknown row (known: {', '.join(names.rows)})")
    normalize = t.text("normalize", NORMALIZE_NONE)
    if normalize != NORMALIZE_NONE and normalize not in names.rows:
        raise t.fail("normalize", f"expected 'none' or a row name, got {normalize!r}")
    alpha = t.number("alpha", positive=True)
    if alpha >= 0.5:
        raise t.fail("alpha", f"{alpha!r} is not a significance level (use e.g. 0.01)")
    wt = WallTime(
        enforce_tiers=t.names("enforce_tiers", allowed=names.rows),
        report_tiers=t.names("report_tiers", (), allowed=names.rows),
        min_effect=t.number("min_effect", positive=True),
        min_effect_by_tier=by_tier,
        alpha=alpha,
        normalize=normalize,
        reason=t.text("reason"),
    )
    both = set(wt.enforce_tiers) & set(wt.report_tiers)
    if both:
        raise t.fail("report_tiers", f"{', '.join(sorted(both))} also in enforce_tiers")
    return wt


def _paired(t: _Table, names: _Names) -> Paired:
    pr = Paired(
        enforce_tiers=t.names("enforce_tiers", allowed=names.rows),
        report_tiers=t.names("report_tiers", (), allowed=names.rows),
        threshold=t.number("threshold", positive=True),
        decide_at=t.number("decide_at", positive=True),
        confidence=t.number("confidence", positive=True),
        round_seconds=t.number("round_seconds", positive=True),
        min_rounds=t.integer("min_rounds", lo=3),
        max_rounds=t.integer("max_rounds", lo=3),
        processes=t.integer("processes", lo=1),
        time_budget_s=t.number("time_budget_s", positive=True),
        reason=t.text("reason"),
    )
    if not 0.5 < pr.confidence < 1:
        raise t.fail("confidence", f"{pr.confidence!r} is not a confidence level (use e.g. 0.98)")
    if pr.decide_at >= pr.threshold:
        raise t.fail("decide_at", f"{pr.decide_at!r} must be below threshold {pr.threshold!r}")
    if pr.max_rounds < pr.min_rounds:
        raise t.fail("max_rounds", f"{pr.max_rounds} < min_rounds {pr.min_rounds}")
    both = set(pr.enforce_tiers) & set(pr.report_tiers)
    if both:
        raise t.fail("report_tiers", f"{', '.join(sorted(both))} also in enforce_tiers")
    return pr


def _counters(t: _Table) -> Counters:
    tolerances = {}
    for name in COUNTERS:
        c = t.table(name)
        tolerances[name] = Tolerance(c.number("relative", lo=0.0), c.number("absolute", lo=0.0), c.text("reason"))
        c.done()
    return Counters(
        tiers=t.names("tiers"),
        enforce=t.flag("enforce", True),
        tolerances=tolerances,
        reason=t.text("reason"),
    )


def _remeasure(t: _Table) -> Remeasure:
    r = Remeasure(
        budget_s=t.number("budget_s", lo=0.0),
        min_rounds=t.integer("min_rounds", lo=3),
        max_rounds=t.integer("max_rounds", lo=3),
        reason=t.text("reason"),
    )
    if r.max_rounds < r.min_rounds:
        raise t.fail("max_rounds", f"{r.max_rounds} < min_rounds {r.min_rounds}")
    return r


def load(path: Path | str | None = None, catalogue: Path | None = None) -> Targets:
    """Load and validate ``targets.toml`` (default ``benchmarks/targets.toml``); names are checked
    against the catalogue (default ``benchmarks/catalogue.toml``)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetsError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise TargetsError(f"{p}: not readable ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise TargetsError(f"{p}: not valid TOML: {e}") from None
    top = _Table(p, "", raw)
    version = top.get("schema_version")
    if version != SCHEMA_VERSION:
        raise TargetsError(f"{p}: schema_version {version!r}, expected {SCHEMA_VERSION}")
    names = _Names(p, catalogue)

    def entries(kind: str) -> list[_Table]:
        items = top.get(kind, [])
        if not isinstance(items, list):
            raise TargetsError(f"{p}: {kind} must be an array of tables ([[{kind}]])")
        return [_entry_name(_Table(p, f"{kind}[{i}]", x), i, kind) for i, x in enumerate(items)]

    absolute = []
    for t in entries("absolute"):
        absolute.append(_absolute(t, names))
        t.done()
    speedup = []
    for t in entries("speedup"):
        speedup.append(_speedup(t, names))
        t.done()
    seen: set[str] = set()
    for name in [a.name for a in absolute] + [s.name for s in speedup]:
        if name in seen:
            raise TargetsError(f"{p}: entry name {name!r} is used twice")
        seen.add(name)
    regression = top.table("regression")
    wt_t = regression.table("wall_time")
    wall_time = _wall_time(wt_t, names)
    wt_t.done()
    p_t = regression.table("paired")
    paired = _paired(p_t, names)
    p_t.done()
    c_t = regression.table("counters")
    counters = _counters(c_t)
    c_t.done()
    regression.done()
    r_t = top.table("remeasure")
    remeasure = _remeasure(r_t)
    r_t.done()
    top.done()
    return Targets(p, tuple(absolute), tuple(speedup), wall_time, paired, counters, remeasure, names.rows)
