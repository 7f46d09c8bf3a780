"""Shared fixtures: the registry, the catalogue, and cached reference outputs."""

from __future__ import annotations

import pytest

from audiobench.cases import Case, normalize
from audiobench.catalogue import Catalogue, load
from audiobench.tiers import Registry, registry

SEED = 7  # tests use their own seed; the catalogue's seed is for measurements


@pytest.fixture(scope="session")
def reg() -> Registry:
    return registry()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load()


_REFERENCES: dict[tuple[str, str, str], object] = {}


def reference(op: str, variant: str, case: Case) -> object:
    """The ``python`` tier's normalized output on ``case`` (computed once per input bytes)."""
    key = (op, variant, case.checksum())
    if key not in _REFERENCES:
        _REFERENCES[key] = normalize(op, variant, registry().get(op, variant, "python")(case))
    return _REFERENCES[key]
