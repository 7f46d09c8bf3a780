"""Case labels as the table spells them, whatever tool reported the case.

Every suite derives its size labels from the catalogue, but each tool hands them back its own
way: asv stores parameters as Python reprs (``"'1M'"``), and a label written by hand or by an
older suite may spell a size as its raw catalogue value (``1000000``, ``1.0s``). The table
uses :attr:`audiobench.catalogue.Size.label`, the runner's spelling, so one case lines up
across sources.
"""

from __future__ import annotations

import ast
import re

from audiobench.catalogue import Size

_SAMPLES = re.compile(r"\d+")
_SECONDS = re.compile(r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)s")


def unrepr(raw: str) -> str:
    """A parameter value as asv records it (its Python repr) → the value's text."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            return str(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return text[1:-1]
    return text


def size_label(raw: object) -> str:
    """Any spelling of a catalogue size → ``Size.label`` (``1000000`` → ``1M``, ``1.0s`` → ``1s``).

    Labels that are already canonical (``frame``, ``1M``, ``2564ch-8calls-2thr``) pass through.
    """
    text = unrepr(str(raw))
    if _SAMPLES.fullmatch(text):
        return Size(kind="samples", samples=int(text)).label
    seconds = _SECONDS.fullmatch(text)
    if seconds:
        return Size(kind="seconds", seconds=float(seconds[1])).label
    return text
