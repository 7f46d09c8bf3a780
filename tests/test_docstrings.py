"""Every public function, class, method and property of the harness and the baselines has a
docstring (inherited ones count: an operation's overrides are documented on ``Operation``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import audiobench
import python_baselines


def _modules(pkg: ModuleType) -> Iterator[ModuleType]:
    yield pkg
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if not m.name.endswith("__main__"):
            yield importlib.import_module(m.name)


def _public(module: ModuleType) -> Iterator[tuple[str, object]]:
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            for attr, member in vars(obj).items():
                if attr.startswith("_") or getattr(member, "__name__", "") == "<lambda>":
                    continue
                if inspect.isfunction(member) or isinstance(member, property):
                    yield f"{module.__name__}.{name}.{attr}", getattr(obj, attr)


def test_every_public_name_is_documented() -> None:
    public = [(q, o) for pkg in (audiobench, python_baselines) for m in _modules(pkg) for q, o in _public(m)]
    assert len(public) > 400  # the walk found the packages
    missing = [q for q, o in public if not inspect.getdoc(o)]
    assert not missing, "\n".join(missing)
