"""The house reads one way: catalogue → operations → suites → result files → collect → report/gate.

Every import inside audiobench (at module level or inside a function) must point to its own
layer or one below; ``import audiobench.collect`` loads no audio library and not the extension.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "audiobench"

LAYERS: list[tuple[str, ...]] = [
    # 0: documents, numbers and the shapes everything shares (the extension is the native core)
    ("_rust", "atomic", "documents", "catalogue", "stats", "fmt", "signals", "units", "environment", "threads",
     "staging", "cases", "quality", "parity", "declared_length", "user_audio", "limits", "targets", "verdict",
     "batches", "options"),
    # 1: what a tier is (entry types, the stream driver, plugins a user brings)
    ("tiers",),
    # 2: the operations, each in one place
    ("operations",),
    # 3: the registry of every operation's tiers
    ("registry",),
    # 4: suites that run tiers and write result files; collect reads result files
    ("runner", "profile", "smoke", "inputs", "compare", "stream", "collect"),
    # 5: what reads the table: the report and the gate
    ("report", "gate"),
    # 6: the command
    ("cli", "__main__", "__init__"),
]  # fmt: skip
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
INDEPENDENT = {
    ("collect", "runner"),
    ("collect", "profile"),
    ("collect", "smoke"),
    ("collect", "inputs"),
    ("collect", "compare"),
    ("collect", "stream"),
}
"""Pairs of one layer that must not import each other: collect reads files, never the suites."""


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "audiobench" and len(parts) > 1 else None


def _imports(source: str) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "audiobench":
                out += [(node.lineno, name.name) for name in node.names]
            elif (top := _top(node.module)) is not None:
                out.append((node.lineno, top))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, top) for a in node.names if (top := _top(a.name)) is not None]
    return out


def test_no_import_runs_back_up_the_layers() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert here in LAYER, f"{path}: not placed in a layer (add it to LAYERS)"
        for line, there in _imports(path.read_text(encoding="utf-8")):
            assert there in LAYER, f"{path}:{line}: imports audiobench.{there}, not placed in a layer"
            if LAYER[there] > LAYER[here] or (here, there) in INDEPENDENT:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {here} (layer {LAYER[here]}) imports {there}")
    assert not wrong, "\n".join(wrong)


def test_the_walker_sees_imports_inside_functions() -> None:
    source = "import audiobench.stats\n\n\ndef g():\n    from audiobench.runner import x\n"
    source += "    from audiobench import report\n"
    assert _imports(source) == [(1, "stats"), (5, "runner"), (6, "report")]


def test_reading_results_loads_no_audio_library() -> None:
    code = (
        "import sys, audiobench.collect, audiobench.report\n"
        "print(','.join(m for m in ('librosa', 'soxr', 'soundfile', 'pybase64', 'webrtcvad', 'audiobench._rust')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing collect and report loaded {out}"
