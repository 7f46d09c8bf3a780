"""The one registry: (operation, variant, tier) → prepared callable, for every suite and test."""

from __future__ import annotations

from functools import cache

from audiobench.cases import OPERATIONS, VARIANTS
from audiobench.tiers.registry import RUST_TIERS, TIERS, Impl, Registry


@cache
def registry() -> Registry:
    """All implementations (imports librosa and the extension module on first use)."""
    from audiobench.tiers import peers, python_tiers, rust_tiers

    impls = python_tiers.impls() + rust_tiers.impls() + peers.impls()
    order = {t: i for i, t in enumerate(TIERS)}
    impls.sort(key=lambda i: (OPERATIONS.index(i.op), VARIANTS[i.op].index(i.variant), order.get(i.tier, len(order))))
    return Registry(impls)


__all__ = ["RUST_TIERS", "TIERS", "Impl", "Registry", "registry"]
