"""The demo briefing and the quarter index meet WCAG 2.2 AA in a real browser, and print.

One module-scoped run of ``toolkit run --all --quarter 2020-21-Q1`` on the shipped example (its
second quarter: item history, progress since the response, lagged figures);
then axe-core (``tests/browser``) checks each page at desktop (1280 px), phone (390 px) and
200% zoom (640 px, a 1280 px screen zoomed to 200%) widths, with a full-page screenshot of
each kept in the run's temporary folder to look at. ``structural_problems`` checks the house
rules without a browser, and the briefing is printed to PDF to check that nothing is lost.

The pages forbid every script with a Content-Security-Policy, which would also stop the
harness injecting axe-core; axe runs on a copy without that ``<meta>`` (the only difference),
which also means any reference to another host would really be requested and recorded.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from browser_tools import (
    format_violations,
    require_browser_tools,
    require_chromium,
    run_axe,
    structural_problems,
)

pytestmark = pytest.mark.slow  # every test here starts kernels or subprocesses

PROJECT = Path(__file__).resolve().parents[1]
QUARTER = "2020-21-Q1"
REPORT = "both-sides-of-the-coin"
WIDTHS = {"desktop": 1280, "phone": 390, "zoom-200": 640}
_CSP = re.compile(r"<meta\b[^>]*Content-Security-Policy[^>]*>", re.IGNORECASE)


def _toolkit() -> list[str]:
    venv = Path(sys.executable).with_name("toolkit")
    if venv.is_file():
        return [str(venv)]
    found = shutil.which("toolkit")
    return [found] if found else [sys.executable, "-m", "toolkit.cli"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<out>/<quarter>`` of one run of the shipped example."""
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [*_toolkit(), "run", "--all", "--quarter", QUARTER, "--out", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / QUARTER


@pytest.fixture(scope="module")
def briefing_page(demo: Path) -> Path:
    page = demo / REPORT / "briefing.html"
    assert page.is_file(), f"toolkit run wrote no {page}"
    return page


@pytest.fixture(scope="module")
def index_page(demo: Path) -> Path:
    page = demo / "index.html"
    if not page.is_file():
        pytest.skip(f"toolkit run does not write the quarter index ({page.name}) yet")
    return page


def _axe(page: Path, width: int, shots: Path) -> dict[str, Any]:
    """axe-core's result for ``page`` (without its CSP) at ``width``, with a screenshot."""
    require_browser_tools()
    checked = shots / f"{page.parent.name}-{page.stem}-axe.html"
    checked.write_text(_CSP.sub("", page.read_text(encoding="utf-8")), encoding="utf-8")
    shot = shots / f"{checked.stem}-{width}.png"
    result = run_axe(checked, width=width, screenshot=shot)
    # A full-page screenshot is as wide as the page: wider than the viewport means the
    # reader must scroll sideways (WCAG 1.4.10), where only a table region may scroll.
    png = shot.read_bytes()
    result["page_width"] = int.from_bytes(png[16:20], "big")
    return result


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


# ------------------------------------------------------------------------------ briefing


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_briefing_has_no_axe_violations(briefing_page: Path, shots: Path, width: int) -> None:
    result = _axe(briefing_page, width, shots)
    assert result["violations"] == [], format_violations(result)
    assert result["external_requests"] == []
    assert result["page_width"] == width, "the page scrolls sideways"
    assert result["console_errors"] == []


def test_briefing_structure(briefing_page: Path) -> None:
    html = briefing_page.read_text(encoding="utf-8")
    assert structural_problems(html) == []


def test_briefing_is_self_contained_and_shows_no_notebook_internals(briefing_page: Path) -> None:
    html = briefing_page.read_text(encoding="utf-8")
    assert _CSP.search(html), "the page lost its Content-Security-Policy"
    assert "<script" not in html.lower()
    for leftover in ("MathJax", "require.js", "requirejs", "jp-InputArea", "briefing.build("):
        assert leftover not in html
    assert "No description has been provided" not in html


def test_briefing_prints_everything(briefing_page: Path) -> None:
    html = briefing_page.read_text(encoding="utf-8")
    # <details> would print closed: every part of the briefing is in the open.
    assert "<details" not in html
    assert "@media print" in html


def test_briefing_tables_follow_the_house_rules(briefing_page: Path) -> None:
    html = briefing_page.read_text(encoding="utf-8")
    assert "<td></td>" not in html.replace(" ", ""), "an empty cell"
    # Every scrolling table wrapper is a labelled, focusable region.
    for wrap in re.findall(r'<div[^>]*class="table-wrap"[^>]*>', html):
        assert 'role="region"' in wrap and 'tabindex="0"' in wrap and "aria-label" in wrap, wrap
    captions = re.findall(r"<caption[^>]*>(.*?)</caption>", html, re.DOTALL)
    assert len(captions) == len(set(captions)), "two tables share a caption"
    assert not [c for c in captions if c.startswith("The numbers in the chart")]


# -------------------------------------------------------------------------- quarter index


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_index_has_no_axe_violations(index_page: Path, shots: Path, width: int) -> None:
    result = _axe(index_page, width, shots)
    assert result["violations"] == [], format_violations(result)
    assert result["external_requests"] == []
    assert result["page_width"] == width, "the page scrolls sideways"


def test_index_structure(index_page: Path) -> None:
    assert structural_problems(index_page.read_text(encoding="utf-8")) == []


# ------------------------------------------------------------------------------------ PDF


def test_briefing_pdf_has_every_section(briefing_page: Path, tmp_path: Path) -> None:
    from toolkit.publish.pdf import html_to_pdf

    chromium = require_chromium()
    html = briefing_page.read_text(encoding="utf-8")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "briefing.pdf"
    html_to_pdf(briefing_page, pdf, chromium=chromium)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    headings = [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", heading))).strip()
        for heading in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.DOTALL)
    ]
    assert len(headings) >= 8, headings  # the header, three sections and their parts
    missing = [heading for heading in headings if heading not in flat]
    assert missing == [], f"the PDF lacks {missing}"
    assert re.search(r"Page 1 of \d+", flat), "the PDF has no page numbers"
    assert "Skip to main content" not in flat
