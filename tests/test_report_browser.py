"""The HTML report in a real browser: its charts render, it logs no errors, and it fetches nothing.

Without chromium, chromedriver or selenium these tests skip, except under CI (``CI`` set), where
they fail: .ci/run installs the browser, ``make test`` installs selenium with the dev extras.
The full-page screenshot of the report lands in reports/report-screenshot.png.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from audiobench.catalogue import load
from audiobench.report.figures import TIER_COLOURS

from . import browser
from .browser import (
    WINDOW,
    bottoms,
    chart_problems,
    charts,
    inline_svgs,
    non_local_requests,
    open_all_sections,
    open_page,
    page_size,
    png_size,
    require_browser,
    save_full_page_screenshot,
    save_viewport_screenshot,
    severe_console_entries,
    start_chromium,
    tier_colour_problems,
    viewport,
)

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

SCREENSHOT = Path(__file__).resolve().parents[1] / "reports" / "report-screenshot.png"
FIRST_SCREEN = SCREENSHOT.with_name("report-first-screen.png")
NARROW = SCREENSHOT.with_name("report-narrow.png")
NARROW_WINDOW = (420, 900)  # a phone held upright
SIZE_SLACK_PX = 2  # the screenshot and the document's scroll size round fractional layouts differently


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    d = start_chromium(require_browser())
    try:
        yield d
    finally:
        d.quit()


def audiobench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audiobench", *args], capture_output=True, text=True, timeout=300)


def page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>')
    return path


CHART = (
    '<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
    '<rect width="320" height="180" fill="#36c"/><circle cx="160" cy="90" r="60" fill="#fc3"/></svg>'
    "<figcaption>{caption}</figcaption></figure>"
)


# --- the helpers, against small hand-written pages -------------------------------------------------


def test_a_page_with_an_inline_svg_chart_passes_every_check(driver: WebDriver, tmp_path: Path) -> None:
    body = CHART.format(caption="speed") + '<div style="height: 2400px">tall</div>' + CHART.format(caption="quality")
    open_page(driver, page(tmp_path, body))
    found = charts(driver)
    assert [c.caption for c in found] == ["speed", "quality"]
    assert all(c.svg_sizes == ((320.0, 180.0),) for c in found)
    assert chart_problems(driver) == []
    assert severe_console_entries(driver) == []
    assert non_local_requests(driver) == []

    width, height = page_size(driver)
    shot = tmp_path / "shots" / "page.png"
    size = save_full_page_screenshot(driver, shot)
    assert png_size(shot.read_bytes()) == size
    assert height > 2400 + 2 * 180  # the whole document, not the 800 px viewport
    assert abs(size[0] - width) <= SIZE_SLACK_PX and abs(size[1] - height) <= SIZE_SLACK_PX
    assert [p.name for p in shot.parent.iterdir()] == ["page.png"]  # no temporary file left behind


def test_charts_that_would_not_show_are_named(driver: WebDriver, tmp_path: Path) -> None:
    body = (
        CHART.format(caption="fine")
        + '<figure class="chart"><svg width="0" height="120"></svg><figcaption>zero width</figcaption></figure>'
        + '<figure class="chart"><svg width="200" height="120" style="display: none"></svg></figure>'
        + '<figure class="chart"><img alt=""><figcaption>no svg</figcaption></figure>'
    )
    open_page(driver, page(tmp_path, body))
    assert [c.problem for c in charts(driver)] == [
        None,
        "renders an empty <svg> (0×120 px)",
        "renders an empty <svg> (0×0 px)",
        "has no <svg>",
    ]
    problems = chart_problems(driver)
    assert len(problems) == 3
    assert problems[0].startswith("figure.chart #1 ('zero width')")
    assert problems[1].startswith("figure.chart #2 ('no caption')")


def test_a_page_without_charts_has_none(driver: WebDriver, tmp_path: Path) -> None:
    open_page(driver, page(tmp_path, "<p>No figures yet.</p><svg width='10' height='10'></svg>"))
    assert charts(driver) == []


def test_console_errors_are_reported_and_other_levels_are_not(driver: WebDriver, tmp_path: Path) -> None:
    body = CHART.format(caption="c") + "<script>console.log('fine'); console.error('chart data missing');</script>"
    open_page(driver, page(tmp_path, body))
    severe = severe_console_entries(driver)
    assert len(severe) == 1 and "chart data missing" in severe[0]
    # The next page starts with an empty log.
    open_page(driver, page(tmp_path, CHART.format(caption="c")))
    assert severe_console_entries(driver) == []


def test_network_requests_are_reported(driver: WebDriver, tmp_path: Path) -> None:
    # Host names never resolve in this browser, so nothing leaves the machine.
    body = (
        '<img src="https://cdn.example.org/logo.png" alt="">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
        "<script>fetch('https://fonts.example.org/font.css').catch(() => {});</script>"
    )
    open_page(driver, page(tmp_path, body))
    assert sorted(non_local_requests(driver)) == [
        "https://cdn.example.org/logo.png",
        "https://fonts.example.org/font.css",
    ]
    assert any("cdn.example.org" in m for m in severe_console_entries(driver))


def test_png_size_reads_the_header_and_refuses_other_bytes() -> None:
    header = browser.PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + (1265).to_bytes(4, "big") + (3183).to_bytes(4, "big")
    assert png_size(header) == (1265, 3183)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + bytes(20))


def test_a_missing_browser_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install .*chromium chromium-driver"):
        require_browser()


# --- the real report -------------------------------------------------------------------------------


# Every operation at its largest quick size, the tiers the decision and the charts compare.
LARGEST = r"^(resample/\w+ 1s|vad/default 1s|convert/\w+ 1M|b64_buffer/default 2564ch-1calls-1thr|pipeline/default 1s) "


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """reports.html of a short real run of every operation (no criterion, asv or profile)."""
    root = tmp_path_factory.mktemp("real-report")
    data, out = root / "data", root / "out"
    run = audiobench(
        "run",
        "--tiers",
        "python,python-best,rust-json,rust-direct,limit:read",
        "-k",
        LARGEST,
        "--time-budget",
        "6",
        "--no-cold",
        "--out-dir",
        str(data / "runs"),
    )
    assert run.returncode == 0, run.stderr
    # Only this run's results: other tools' directories are pointed at nothing.
    report = audiobench(
        "report",
        "--data-dir",
        str(data),
        "--criterion-dir",
        str(root / "no-criterion"),
        "--asv-results",
        str(root / "no-asv"),
        "--out-dir",
        str(out),
    )
    assert report.returncode == 0, report.stderr
    return out / "report.html"


def test_report_renders_its_charts_offline_without_errors(driver: WebDriver, real_report: Path) -> None:
    out = real_report.parent
    open_page(driver, out / "report.html")
    assert bottoms(driver, "#decision table tbody tr"), "the report has no decision table"
    assert open_all_sections(driver) > 0, "the detail sections should start folded"
    found = charts(driver)
    problems = chart_problems(driver)
    svgs = inline_svgs(driver)
    palette, tiers_seen = tier_colour_problems(svgs, TIER_COLOURS)
    severe = severe_console_entries(driver)
    requests = non_local_requests(driver)
    width, height = page_size(driver)
    # The screenshot comes before the checks so that it exists to look at when one fails.
    size = save_full_page_screenshot(driver, SCREENSHOT)

    assert SCREENSHOT.stat().st_size > 0 and png_size(SCREENSHOT.read_bytes()) == size
    assert abs(size[0] - width) <= SIZE_SLACK_PX and abs(size[1] - height) <= SIZE_SLACK_PX, (size, (width, height))
    failures = [
        *([] if len(found) >= 2 else [f"expected the convert speed-up and %-of-limit charts, found {len(found)}"]),
        *([] if "fig-decision-speedup" in svgs else ["no summary chart (fig-decision-speedup)"]),
        *([] if tiers_seen else ["no legend names a tier"]),
        *problems,
        *palette,
        *(f"console: {m}" for m in severe),
        *(f"fetched a non-local URL: {u}" for u in requests),
    ]
    assert not failures, "\n".join(failures)


def test_the_first_screen_answers_for_every_operation_and_nothing_scrolls_sideways(
    driver: WebDriver, real_report: Path
) -> None:
    """Each operation's decision row shows without scrolling at 1400×900, and on a phone only
    a table's own box scrolls, never the page."""
    out = real_report.parent
    operations = set(load().operations)
    open_page(driver, out / "report.html")
    save_viewport_screenshot(driver, FIRST_SCREEN)
    cases = driver.execute_script(
        "return Array.from(document.querySelectorAll('#decision table tbody tr td:first-child'))"
        ".map((td) => td.textContent);"
    )
    assert {c.split("/")[0] for c in cases} == operations and len(cases) == sum(
        len(load().operation(op).variants) for op in operations
    ), cases
    decided = bottoms(driver, "#decision table tbody tr")
    screen = viewport(driver)[1]
    assert max(decided) <= screen, f"decision rows end at {max(decided):.0f} px, below the first screen ({screen} px)"
    driver.set_window_size(*NARROW_WINDOW)
    try:
        open_page(driver, out / "report.html")
        open_all_sections(driver)
        width = viewport(driver)[0]
        assert page_size(driver)[0] <= width, f"the page is {page_size(driver)[0]} px wide on a {width} px screen"
        save_full_page_screenshot(driver, NARROW)
    finally:
        driver.set_window_size(*WINDOW)
