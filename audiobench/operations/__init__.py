"""Operations as first-class objects, found from the catalogue.

:func:`spec` returns the :class:`~audiobench.operations.base.Operation` of a catalogue
operation (the module named by its entry's ``spec`` key, default
``audiobench.operations.<name>``, which defines ``SPEC``); the helpers below are the only
dispatch on operations: everything else asks them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from audiobench.cases import Case
from audiobench.catalogue import Catalogue, CatalogueError, Size, load
from audiobench.operations.base import Operation
from audiobench.parity import Verdict

_SPECS: dict[tuple[str, str], Operation] = {}


def spec(name: str, cat: Catalogue | None = None) -> Operation:
    """The spec of catalogue operation ``name``.

    Raises:
        CatalogueError: ``name`` is not in the catalogue, or its spec module cannot be imported
            or defines no ``SPEC`` of that name (the message names the module).
    """
    cat = cat or load()
    entry = cat.operation(name)
    key = (entry.spec, name)
    if key not in _SPECS:
        try:
            module = importlib.import_module(entry.spec)
        except ImportError as e:
            raise CatalogueError(f"{cat.path}: operations.{name}: spec module {entry.spec!r}: {e}") from e
        found = getattr(module, "SPEC", None)
        if not isinstance(found, Operation) or found.name != name:
            raise CatalogueError(f"{cat.path}: operations.{name}: {entry.spec}.SPEC is not the {name!r} Operation")
        _SPECS[key] = found
    return _SPECS[key]


def specs(cat: Catalogue | None = None) -> list[Operation]:
    """Every catalogue operation's spec, in catalogue order."""
    cat = cat or load()
    return [spec(name, cat) for name in cat.operations]


def build_case(op: str, variant: str, size: Size, seed: int, signal: str = "", cat: Catalogue | None = None) -> Case:
    """The input of ``op``/``variant`` at ``size`` (deterministic in ``seed``); ``signal``
    defaults to the catalogue entry's."""
    cat = cat or load()
    return spec(op, cat).build_case(variant, size, seed, signal or cat.operation(op).signal)


def normalize(op: str, variant: str, raw: Any) -> Any:
    """Any tier's raw return value as ``op``'s output type."""
    return spec(op).normalize(variant, raw)


def reference(op: str, variant: str, case: Case, python_call: Callable[[str, str], Callable[[Case], Any]]) -> Any:
    """The normalized reference output of ``case`` (None where the case carries its own truth):
    the ``python`` tier's call named by the spec, obtained from ``python_call(op, variant)``."""
    ref = spec(op).reference(variant, case)
    if ref is None:
        return None
    ref_op, ref_variant = ref
    return normalize(ref_op, ref_variant, python_call(ref_op, ref_variant)(case))


def check(op: str, variant: str, tier: str, case: Case, out: Any, ref: Any) -> Verdict:
    """``op``'s parity rule on a normalized output (``ref`` from :func:`reference`)."""
    return spec(op).check(variant, tier, case, out, ref)


__all__ = ["Operation", "build_case", "check", "normalize", "reference", "spec", "specs"]
