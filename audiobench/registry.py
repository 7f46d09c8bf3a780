"""The one registry: (operation, variant, tier) → prepared callable, for every suite and test.

Entries come from each catalogue operation's spec (:meth:`Operation.impls
<audiobench.operations.base.Operation.impls>`) and from the tiers a user brings
(:mod:`audiobench.tiers.plugins`), ordered as the catalogue orders operations, variants and
tiers (a plugin's tiers after the catalogue's).
"""

from __future__ import annotations

from functools import cache

from audiobench import operations
from audiobench.catalogue import load
from audiobench.tiers import plugins
from audiobench.tiers.registry import Impl, Registry


def registry(impl_refs: tuple[str, ...] = ()) -> Registry:
    """All implementations: the catalogue operations' tiers, installed plugins' tiers and those
    of ``impl_refs`` (``module:callable``, see :mod:`audiobench.tiers.plugins`). Imports the
    tiers' libraries and the extension on first use.

    Raises:
        PluginError: a plugin cannot be loaded or returns unusable entries.
    """
    return _registry(tuple(impl_refs))


@cache
def _registry(impl_refs: tuple[str, ...]) -> Registry:
    cat = load()
    impls: list[Impl] = [i for s in operations.specs(cat) for i in s.impls()]
    impls += plugins.discover(cat, impl_refs)
    order = {t: i for i, t in enumerate(cat.tier_specs)}
    ops = list(cat.operations)

    def key(i: Impl) -> tuple[int, int, int]:
        # Plugins are refused for a variant the catalogue lacks; a spec that registers one fails here.
        return (ops.index(i.op), cat.operation(i.op).variants.index(i.variant), order.get(i.tier, len(order)))

    impls.sort(key=key)
    return Registry(impls)
