"""At a true 320 px viewport (set by playwright-core, which Chromium's ``--window-size``
cannot go below 500 px to do) and at 1280 px, the example's briefings and overviews of both
its quarters: nothing runs past the screen's edge except inside a scroll container, no word
is broken inside, chart text is at least 9 CSS px, and axe-core finds no violation.

One ``toolkit run --all`` per example quarter; each page is checked in headless Chromium by
``tests/browser/axe.mjs``, whose ``layout`` part measures the page as drawn.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from browser_tools import format_violations, require_browser_tools, run_axe

pytestmark = pytest.mark.slow  # starts kernels and Chromium

PROJECT = Path(__file__).resolve().parents[1]
QUARTERS = ("2019-20-Q4", "2020-21-Q1")
PAGES = {
    "briefing": Path("both-sides-of-the-coin") / "briefing.html",
    "overview": Path("index.html"),
}
WIDTHS = (320, 1280)
_CSP = re.compile(r"<meta\b[^>]*Content-Security-Policy[^>]*>", re.IGNORECASE)
SMALLEST_LEGIBLE_PX = 9.0


def _smallest_chart_text_px() -> float:
    """The charts' smallest text at their natural size, in pixels: the smallest font size
    ``charts.py`` names (or the afcharts style's default) at the dpi it draws at."""
    from toolkit.charts import draw as charts

    source = Path(charts.__file__).read_text(encoding="utf-8")
    sizes = [float(s) for s in re.findall(r"(?:fontsize|labelsize)=(\d+(?:\.\d+)?)", source)]
    style = resources.files("afcharts").joinpath("afcharts.mplstyle").read_text(encoding="utf-8")
    default = re.search(r"^font\.size\s*:\s*([\d.]+)", style, re.MULTILINE)
    assert default and sizes
    return min([*sizes, float(default.group(1))]) * charts._DPI / 72


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phone")
    toolkit = Path(sys.executable).with_name("toolkit")
    command = [str(toolkit)] if toolkit.is_file() else [sys.executable, "-m", "toolkit.cli"]
    for quarter in QUARTERS:
        done = subprocess.run(
            [*command, "run", "--all", "--quarter", quarter, "--out", str(out)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def _check(outputs: Path, quarter: str, page: str, width: int) -> dict[str, Any]:
    require_browser_tools()
    html = outputs / quarter / PAGES[page]
    # axe is injected into the page, which the page's own policy forbids: check a copy
    # without that <meta>, next to the original so its links resolve the same.
    checked = html.with_name(f"{html.stem}-checked-{width}.html")
    checked.write_text(_CSP.sub("", html.read_text(encoding="utf-8")), encoding="utf-8")
    shot = outputs / f"{quarter}-{page}-{width}.png"
    return run_axe(checked, width=width, screenshot=shot)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("quarter", QUARTERS)
def test_page_fits_the_viewport_and_passes_axe(
    outputs: Path, quarter: str, page: str, width: int
) -> None:
    result = _check(outputs, quarter, page, width)
    layout = result["layout"]
    assert layout["viewport"] == width  # the viewport really is that wide
    assert result["violations"] == [], format_violations(result)
    assert layout["overflow"] == [], "past the screen's edge, outside any scroll container"
    assert layout["scroll_width"] == width, "the page scrolls sideways"
    assert layout["broken_words"] == [], "words broken inside"
    assert layout["images"], "no chart on the page"
    smallest = _smallest_chart_text_px()
    for image in layout["images"]:
        scale = image["rendered_width"] / image["natural_width"]
        assert scale * smallest >= SMALLEST_LEGIBLE_PX, (image, smallest)
        if image["rendered_width"] > width:
            assert image["in_scroll_container"], image
