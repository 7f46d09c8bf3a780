"""Headless Chromium through Selenium, for checks a static parse of the HTML cannot make.

The browser and its driver are the Debian packages (``chromium``, ``chromium-driver``), given to
Selenium by path so Selenium Manager never looks for (or downloads) a driver. Selenium itself is
imported only once both are known to be present, so a machine without them can still collect
the tests and skip them.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from audiobench.atomic import write_bytes

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

INSTALL_BROWSER = (
    "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver"
)
INSTALL_SELENIUM = '.venv/bin/pip install "selenium>=4.20,<5"'

WINDOW = (1400, 900)  # CSS pixels, a desktop's first screen; the device scale factor is pinned to 1 below
PAGE_LOAD_TIMEOUT_S = 20
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Browser:
    chromium: str
    chromedriver: str


def find_browser() -> tuple[Browser | None, list[str]]:
    """The installed browser, or None and what is missing with the commands that install it."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    missing = []
    if chromium is None or chromedriver is None:
        names = [n for n, p in (("chromium", chromium), ("chromedriver", chromedriver)) if p is None]
        missing.append(f"{' and '.join(names)} (`{INSTALL_BROWSER}`)")
    if importlib.util.find_spec("selenium") is None:
        missing.append(f"selenium (`{INSTALL_SELENIUM}`)")
    if missing or chromium is None or chromedriver is None:
        return None, missing
    return Browser(chromium, chromedriver), []


def require_browser() -> Browser:
    """The installed browser; otherwise skip, except under CI (``CI`` set), where a skip would hide a gap: fail."""
    browser, missing = find_browser()
    if browser is not None:
        return browser
    message = "the browser checks need " + "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI must install them (see .ci/run).", pytrace=False)
    pytest.skip(message)


def start_chromium(browser: Browser) -> WebDriver:
    """Headless Chromium that keeps every console entry and cannot resolve any host name."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser.chromium
    for arg in (
        # The current headless mode: the same renderer and layout as a windowed browser.
        "--headless=new",
        # Chromium's sandbox refuses to start as root and needs user namespaces, which containers
        # often lack. The only page loaded is a local file this project wrote.
        "--no-sandbox",
        # Container /dev/shm is often 64 MB; shared memory there can crash the renderer.
        "--disable-dev-shm-usage",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        # One CSS pixel is one screenshot pixel, whatever the machine's display.
        "--force-device-scale-factor=1",
        # No host name resolves: a report that references the network fails fast and visibly
        # (a SEVERE console entry and a resource entry) instead of waiting on DNS.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path makes Selenium skip Selenium Manager, which would use the network.
    driver = webdriver.Chrome(service=Service(executable_path=browser.chromedriver), options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    return driver


def open_page(driver: WebDriver, page: Path | str) -> None:
    """Load a file (or URL) and wait until the document is complete; earlier console entries are dropped."""
    from selenium.webdriver.support.ui import WebDriverWait

    url = page.resolve().as_uri() if isinstance(page, Path) else page
    driver.get_log("browser")  # reading the log empties it
    driver.get(url)
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


@dataclass(frozen=True)
class Chart:
    """One ``figure.chart``: its caption and the rendered size of each outermost ``<svg>`` in it."""

    index: int
    caption: str
    svg_sizes: tuple[tuple[float, float], ...]

    @property
    def problem(self) -> str | None:
        if not self.svg_sizes:
            return "has no <svg>"
        empty = [f"{w:g}×{h:g}" for w, h in self.svg_sizes if not (w > 0 and h > 0)]
        return f"renders an empty <svg> ({', '.join(empty)} px)" if empty else None

    def __str__(self) -> str:
        return f"figure.chart #{self.index} ({self.caption or 'no caption'!r})"


_CHARTS_JS = """
return Array.from(document.querySelectorAll('figure.chart')).map((fig) => {
  const caption = fig.querySelector('figcaption');
  const svgs = Array.from(fig.querySelectorAll('svg')).filter((s) => !s.parentElement.closest('svg'));
  return {
    caption: caption ? caption.textContent.trim() : '',
    sizes: svgs.map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
  };
});
"""


def legend_entries(svg: str) -> list[tuple[str, str]]:
    """(label, fill colour) of each entry in a matplotlib SVG's legend, in order; [] without one."""
    legend = re.search(r'<g id="legend_1">(.*?)\n  </g>\n </g>', svg, re.S)
    if legend is None:
        return []
    # Each entry is its handle's elements, then its text: a bar or marker is drawn by its fill,
    # a plain line (fill: none) by its stroke.
    chunks = re.split(r'<g id="text_\d+">', legend[1])[:-1]
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", legend[1])
    fills = []
    for chunk in chunks:
        colour = re.search(r"fill: (#[0-9a-f]{6})", chunk) or re.search(r"stroke: (#[0-9a-f]{6})", chunk)
        if colour:
            fills.append(colour[1])
    if len(fills) != len(labels):
        raise ValueError(f"a legend with {len(labels)} labels and {len(fills)} fills")
    return list(zip(labels, fills, strict=True))


def tier_colour_problems(svgs: dict[str, str], tier_colours: dict[str, str]) -> tuple[list[str], int]:
    """Legend entries that break the palette: a tier drawn in another colour, or another
    series in a tier's colour; with how many tier entries were checked."""
    palette = {c.lower() for c in tier_colours.values()}
    problems, seen = [], 0
    for name, svg in svgs.items():
        for label, fill in legend_entries(svg):
            if label in tier_colours:
                seen += 1
                if fill != tier_colours[label].lower():
                    problems.append(f"{name}: {label} drawn in {fill}, its colour is {tier_colours[label]}")
            elif fill in palette:
                problems.append(f"{name}: {label!r} borrows a tier's colour {fill}")
    return problems, seen


def inline_svgs(driver: WebDriver) -> dict[str, str]:
    """Each ``figure.chart``'s id → its SVG as the page holds it."""
    found: list[list[str]] = driver.execute_script(
        "return Array.from(document.querySelectorAll('figure.chart'))"
        ".map((f) => [f.id, (f.querySelector('svg') || {outerHTML: ''}).outerHTML]);"
    )
    return {fid: svg for fid, svg in found}


def charts(driver: WebDriver) -> list[Chart]:
    """Every ``figure.chart`` on the page, in document order, with its SVGs' bounding boxes."""
    found: list[dict[str, Any]] = driver.execute_script(_CHARTS_JS)
    return [Chart(i, f["caption"], tuple((float(w), float(h)) for w, h in f["sizes"])) for i, f in enumerate(found)]


def chart_problems(driver: WebDriver) -> list[str]:
    """One line per chart that would not show: no SVG, or an SVG with zero width or height."""
    return [f"{c} {c.problem}" for c in charts(driver) if c.problem]


def severe_console_entries(driver: WebDriver) -> list[str]:
    """Console entries of level SEVERE since the page was opened (errors and failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def non_local_requests(driver: WebDriver) -> list[str]:
    """URLs the page fetched, or tried to, that are not file:, data:, blob: or about: URLs."""
    names: list[str] = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    return [n for n in names if not n.startswith(LOCAL_SCHEMES)]


def page_size(driver: WebDriver) -> tuple[int, int]:
    """The document's full scrollable size in CSS pixels."""
    w, h = driver.execute_script(
        "const e = document.documentElement; return [Math.ceil(e.scrollWidth), Math.ceil(e.scrollHeight)];"
    )
    return int(w), int(h)


def viewport(driver: WebDriver) -> tuple[int, int]:
    """What the window shows without scrolling (innerWidth, innerHeight), in CSS pixels: the
    window's size less the browser's own bars."""
    w, h = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    return int(w), int(h)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def open_all_sections(driver: WebDriver) -> int:
    """Open every folded ``<details>`` (a reader's clicks); returns how many were closed."""
    closed: int = driver.execute_script(
        "const c = Array.from(document.querySelectorAll('details:not([open])'));"
        "c.forEach((d) => { d.open = true; }); return c.length;"
    )
    return closed


def bottoms(driver: WebDriver, selector: str) -> list[float]:
    """The bottom edge, in CSS pixels from the top of the page, of every element ``selector`` matches."""
    found: list[float] = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map((e) => e.getBoundingClientRect().bottom + window.scrollY);",
        selector,
    )
    return [float(b) for b in found]


def save_viewport_screenshot(driver: WebDriver, path: Path) -> tuple[int, int]:
    """What the window shows without scrolling, written atomically; its pixel size."""
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    data = base64.b64decode(shot["data"])
    write_bytes(path, data)
    return png_size(data)


def save_full_page_screenshot(driver: WebDriver, path: Path) -> tuple[int, int]:
    """Capture the whole document, not only the viewport, write it atomically; its pixel size.

    Capturing beyond the viewport can leave the page laid out without its scrollbar, so measure
    the page (``page_size``) before, not after.
    """
    content = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": content["width"], "height": content["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    data = base64.b64decode(shot["data"])
    size = png_size(data)
    write_bytes(path, data)
    return size
