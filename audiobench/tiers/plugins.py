"""Tiers a user brings, registered through the interface the built-in tiers use.

A plugin is a callable that takes no argument and returns registry entries
(:class:`~audiobench.tiers.registry.Impl`): for each (operation, variant) it implements, a
``prepare(case)`` that does the untimed set-up and returns the zero-argument call to time, as
each operation's spec does for the built-in tiers. audiobench finds plugins

* in installed packages, through the entry-point group ``audiobench.tiers``
  (``[project.entry-points."audiobench.tiers"] mine = "my_package:tiers"``), and
* on the command line, as ``--impl module:callable`` (``run``, ``smoke``, ``profile``, ``list``).

Their rows are parity-checked against the ``python`` tier, run, profiled (end to end, as one
stage) and reported like any tier. ``examples/byo_tier`` is an installable example with one
Python and one Rust (PyO3) implementation of ``convert``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points

from audiobench.catalogue import Catalogue
from audiobench.tiers.registry import Impl

GROUP = "audiobench.tiers"
"""The entry-point group plugins are declared in."""


class PluginError(ValueError):
    """A plugin cannot be loaded or returns entries audiobench cannot use; the message names
    the plugin (``module:callable`` or the entry point) and the entry."""


def _load(ref: str) -> object:
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr:
        raise PluginError(f"--impl {ref!r}: expected module:callable")
    try:
        target: object = importlib.import_module(module)
    except ImportError as e:
        raise PluginError(f"--impl {ref!r}: cannot import {module!r}: {e}") from e
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise PluginError(f"--impl {ref!r}: {module!r} has no {attr!r}") from None
    return target


def _entries(name: str, plugin: object, cat: Catalogue, taken: set[str]) -> list[Impl]:
    if not callable(plugin):
        raise PluginError(f"{name}: not callable (a {type(plugin).__name__})")
    try:
        found = plugin()
    except Exception as e:
        raise PluginError(f"{name}: raised {type(e).__name__}: {e}") from e
    if not isinstance(found, Iterable):
        raise PluginError(f"{name}: returned a {type(found).__name__}, expected registry entries (Impl)")
    out: list[Impl] = []
    for impl in found:
        if not isinstance(impl, Impl):
            raise PluginError(f"{name}: returned a {type(impl).__name__}, expected audiobench.tiers.registry.Impl")
        if impl.op not in cat.operations:
            raise PluginError(f"{name}: {impl.key}: unknown operation {impl.op!r} (known: {', '.join(cat.operations)})")
        variants = cat.operation(impl.op).variants
        if impl.variant not in variants:
            raise PluginError(f"{name}: {impl.key}: {impl.op} has no variant {impl.variant!r} ({', '.join(variants)})")
        if impl.tier in taken or impl.tier.startswith("limit:"):
            raise PluginError(f"{name}: {impl.key}: tier name {impl.tier!r} is taken by audiobench")
        if not callable(impl.prepare):
            raise PluginError(f"{name}: {impl.key}: prepare is not callable")
        out.append(impl)
    return out


def discover(cat: Catalogue, refs: Sequence[str] = ()) -> list[Impl]:
    """The entries of every installed plugin and of each ``module:callable`` in ``refs``.

    Raises:
        PluginError: a plugin cannot be imported or called, or returns an entry for an unknown
            operation or variant, or under a tier name the catalogue already uses.
    """
    taken = set(cat.tier_specs)
    impls: list[Impl] = []
    for ep in entry_points(group=GROUP):
        try:
            plugin = ep.load()
        except Exception as e:
            raise PluginError(f"entry point {ep.name} = {ep.value!r} ({GROUP}): {type(e).__name__}: {e}") from e
        impls += _entries(f"entry point {ep.name} = {ep.value!r}", plugin, cat, taken)
    for ref in refs:
        impls += _entries(f"--impl {ref}", _load(ref), cat, taken)
    return impls
