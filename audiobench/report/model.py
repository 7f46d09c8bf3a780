"""What a report section is made of, independent of Markdown or HTML.

Views build sections of paragraphs, tables and figures; the two templates only lay them out,
so a number is computed once and appears identically in report.md and report.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_MEASURED = "not measured"


@dataclass
class Table:
    kind = "table"

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)
    """Per column: right-align (numbers)."""
    title: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [False] * len(self.columns)


@dataclass
class Figure:
    kind = "figure"

    name: str
    """File stem under reports/figures/ and the figure's id in the HTML."""
    svg: str
    caption: str


@dataclass
class Para:
    kind = "para"

    text: str
    """Plain text; `backticks` mark code in both outputs."""


Block = Table | Figure | Para


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    folded: bool = False
    """HTML only: the section starts closed (a click opens it); Markdown shows everything."""

    def add(self, *blocks: Block) -> Section:
        """Append blocks; returns the section (for chaining)."""
        self.blocks.extend(blocks)
        return self

    def figures(self) -> list[Figure]:
        """Every figure of this section and its subsections."""
        out = [b for b in self.blocks if isinstance(b, Figure)]
        for s in self.subsections:
            out.extend(s.figures())
        return out


def not_measured(what: str, how: str) -> Para:
    """The one way the report says a source is absent: never a number from elsewhere."""
    return Para(f"{what}: {NOT_MEASURED}. {how}")
