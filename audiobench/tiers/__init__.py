"""Tiers: the registry's entry types (:class:`Impl`, :class:`Registry`), the catalogue's tier
names, the stream driver every base64 tier shares, and the plugins a user brings.

The registry itself is built above the operations, by :func:`audiobench.registry.registry`.
"""

from __future__ import annotations

from audiobench.catalogue import load
from audiobench.tiers.registry import Impl, Registry


def tier_names() -> tuple[str, ...]:
    """The catalogue's matched tiers, in display order."""
    return load().tiers


TIERS = tier_names()

__all__ = ["TIERS", "Impl", "Registry", "tier_names"]
