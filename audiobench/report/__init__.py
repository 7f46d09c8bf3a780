"""Render ``reports/report.md`` and ``reports/report.html`` from whatever results exist.

The report never runs a benchmark: it reads result files under ``reports/data/`` (the newest
run file of the interleaved runner, the smoke pass) and says which sources are missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from audiobench.atomic import write_text
from audiobench.catalogue import Catalogue
from audiobench.report import runner_view, smoke_view
from audiobench.report.sources import ReportInputError, Source, load_latest_run, load_smoke, survey
from audiobench.tiers import TIERS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

__all__ = ["ReportInputError", "Source", "render"]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(cat: Catalogue, data_dir: Path, out_dir: Path) -> tuple[Path, Path, list[Source]]:
    """Write report.md and report.html atomically; return their paths and the source list."""
    smoke = load_smoke(data_dir / "smoke.json")
    run, run_path = load_latest_run(data_dir / "runs")
    sources = survey(data_dir, smoke, run, run_path)
    ctx: dict[str, Any] = {
        "sources": sources,
        "tiers": TIERS,
        "run": runner_view.context(run) if run else None,
        "smoke": smoke_view.context(cat, smoke) if smoke else None,
    }
    env = _environment()
    md = write_text(out_dir / "report.md", env.get_template("report.md.j2").render(**ctx))
    html = write_text(out_dir / "report.html", env.get_template("report.html.j2").render(**ctx))
    return md, html, sources
