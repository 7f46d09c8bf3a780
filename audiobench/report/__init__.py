"""Render ``reports/report.md`` and ``reports/report.html`` from the tidy results table.

The report never runs a benchmark and never reads a tool's files itself: it reads
``results.csv`` and ``results.meta.json`` (written by :mod:`audiobench.collect`), takes the
newest run of each source, and says "not measured" for whatever is absent.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from audiobench.atomic import write_text
from audiobench.collect import schema
from audiobench.report import (
    agreement,
    cold,
    compare,
    decision,
    history,
    interference,
    method,
    operations,
    recommend,
    spec,
    speedups,
    stages,
    streaming,
)
from audiobench.report.model import Section
from audiobench.report.query import newest_run, runner_context

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

__all__ = ["build_sections", "render"]

OPEN_SECTIONS = ("decision", "spec", "speedups")
"""Sections the HTML shows open; the others start folded."""


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _code(text: Any) -> Markup:
    """Escape, then `backticks` → <code>."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text))))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md_cell=_md_cell, slug=_slug, code=_code)
    return env


def build_sections(df: pd.DataFrame, meta: dict[str, Any], targets: Path) -> tuple[list[str], list[Section]]:
    """The headline paragraphs and every section, from the table alone."""
    runner = newest_run(df, "runner")
    profile = newest_run(df, "profiler")
    sources = runner_context(meta).get("sources")
    assessment = spec.section(runner, targets, sources)
    decided = decision.decide(runner) if not runner.empty else []
    sections = [
        decision.section(runner, sources),
        assessment.section,
        speedups.section(runner, targets),
        *operations.sections(runner, assessment.vad_frame_target_us),
        stages.breakdown(profile),
        stages.attribution(profile),
        interference.section(runner, meta),
        agreement.section(df),
        cold.section(runner),
        streaming.section(df, meta),
        history.section(df),
        compare.section(df, meta, targets),
        recommend.section(runner),
        method.section(df, meta),
    ]
    for s in sections:  # the answer and the spec targets open; the evidence a click away
        s.folded = s.id not in OPEN_SECTIONS
    found = [s["source"] for s in meta.get("sources", []) if s.get("found")]
    left_out = method.skipped(meta.get("sources", []))
    skipped = f" {len(left_out)} input files skipped: see Skipped inputs under Methodology." if left_out else ""
    headline = [
        decision.headline(decided),
        assessment.headline,
        f"Generated from `results.csv` ({len(df)} rows; sources found: {', '.join(found) or 'none'}).{skipped}",
    ]
    checks = interference.headline(runner, meta)
    if checks:
        headline.append(checks)
    return headline, sections


def render(data_dir: Path, out_dir: Path, targets: Path) -> tuple[Path, Path]:
    """Write report.md, report.html and figures/*.svg atomically; return the two report paths."""
    df, meta = schema.read(data_dir)
    headline, sections = build_sections(df, meta, targets)
    for s in sections:
        for fig in s.figures():
            write_text(out_dir / "figures" / f"{fig.name}.svg", fig.svg)
    env = _environment()
    ctx = {"headline": headline, "sections": sections}
    md = write_text(out_dir / "report.md", env.get_template("report.md.j2").render(**ctx))
    page = write_text(out_dir / "report.html", env.get_template("report.html.j2").render(**ctx))
    return md, page
