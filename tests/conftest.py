"""Shared fixtures: the registry, the catalogue, cached reference outputs, and the panic watch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audiobench import _rust
from audiobench.cases import Case
from audiobench.catalogue import Catalogue, load
from audiobench.operations import normalize
from audiobench.registry import registry
from audiobench.tiers import Registry

SEED = 7  # tests use their own seed; the catalogue's seed is for measurements


@pytest.fixture(scope="session")
def reg() -> Registry:
    return registry()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load()


def tiers_of(op: str) -> list[str]:
    """The matched tiers ``op`` has, in catalogue order (every single-thread tier; the
    multi-threaded ``rust-direct-mt`` only where it exists)."""
    return list(dict.fromkeys(impl.tier for impl in registry().entries(op=op)))


_REFERENCES: dict[tuple[str, str, str], object] = {}


def reference(op: str, variant: str, case: Case) -> object:
    """The ``python`` tier's normalized output on ``case`` (computed once per input bytes)."""
    key = (op, variant, case.checksum())
    if key not in _REFERENCES:
        _REFERENCES[key] = normalize(op, variant, registry().get(op, variant, "python")(case))
    return _REFERENCES[key]


@pytest.fixture(autouse=True)
def no_rust_panic(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test during which the extension panicked (in this process), even if the
    ``PanicException`` was caught: bad input must be an ordinary exception, never a panic.
    A test that panics on purpose says how often with ``@pytest.mark.expected_panics(n)``."""
    marker = request.node.get_closest_marker("expected_panics")
    expected = int(marker.args[0]) if marker else 0
    before = _rust._panic_count()
    yield
    panicked = _rust._panic_count() - before
    assert panicked == expected, (
        f"the Rust extension panicked {panicked} time(s) during this test (expected {expected})"
    )
