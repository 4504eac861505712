"""Tests of the browser harness (tests/browser_tools.py, tests/browser/axe.mjs) and the PDF
export (toolkit.publish.pdf).

The pages are small and written by hand so that what each check must find is known in
advance. Tests that need Chromium or node skip locally when those are missing, and fail
when ``CI`` is set.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from browser_tools import (
    format_violations,
    in_ci,
    require_browser_tools,
    require_chromium,
    run_axe,
    structural_problems,
    violation_ids,
)
from toolkit.errors import ToolkitError
from toolkit.publish.pdf import html_to_pdf

# A 1x1 transparent PNG, so the pages need no file beside them.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

GOOD_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Both sides of the coin: 2018-19 Q3 briefing</title>
<style>
  body {{ font-family: sans-serif; color: #0b0c0c; background: #ffffff; margin: 1rem; }}
  td.num {{ text-align: right; }}
  a {{ color: #1d70b8; }}
</style>
</head>
<body>
<header><p>Office of the Police and Crime Commissioner for Dorset</p></header>
<main>
  <h1>Both sides of the coin</h1>
  <h2>Where the recommendations stand</h2>
  <table>
    <caption>Recommendations by status, 31 December 2018</caption>
    <thead><tr><th scope="col">Status</th><th scope="col">Items</th></tr></thead>
    <tbody>
      <tr><th scope="row">Complete</th><td class="num">2</td></tr>
      <tr><th scope="row">In progress</th><td class="num">2</td></tr>
    </tbody>
  </table>
  <h2>Drug offences</h2>
  <figure>
    <img src="{PIXEL}" alt="Line chart: drug offences in Dorset fell from 140 in October
      to 110 in December 2018.">
    <figcaption>Drug offences per month</figcaption>
  </figure>
  <h3>Source</h3>
  <p>Read the <a href="https://www.justiceinspectorates.gov.uk/hmicfrs/">inspection
    report</a> (a link, which loads nothing).</p>
</main>
<footer><p>Produced by the OPCC analysis team.</p></footer>
</body>
</html>
"""

BAD_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bad briefing</title>
<script src="https://cdn.example.com/require.min.js"></script>
</head>
<body>
<main>
  <h1>Bad briefing</h1>
  <img src="chart.png">
  <table>
    <caption>Items</caption>
    <tr><th>Status</th><th>Items</th></tr>
    <tr><td>Complete</td><td>2</td></tr>
  </table>
  <p style="color: #cccccc; background: #ffffff">Faint text that few can read.</p>
</main>
</body>
</html>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# ------------------------------------------------------------------ structural_problems


def test_good_page_has_no_structural_problems():
    assert structural_problems(GOOD_PAGE) == []


def test_bad_page_structural_problems_name_each_fault():
    problems = structural_problems(BAD_PAGE)
    assert problems == [
        "line 6: <script src> loads https://cdn.example.com/require.min.js from another host",
        'line 11: <img src="chart.png"> has no alt attribute',
        'line 14: <th> has no scope (expected scope="col" or scope="row")',
        'line 14: <th> has no scope (expected scope="col" or scope="row")',
    ]


def page(body: str, *, head: str = "<title>T</title>", html: str = '<html lang="en">') -> str:
    return f"<!doctype html>{html}<head>{head}</head><body><h1>T</h1>{body}</body></html>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<html><head><title>T</title></head><body><h1>T</h1></body></html>",
            '<html> has no lang attribute (expected lang="en")',
        ),
        (page("", html='<html lang="fr">'), '<html lang="fr"> is not English (expected lang="en")'),
        (page("", head=""), "page has no <title>"),
        (page("", head="<title>  </title>"), "page <title> is empty"),
        (
            page('<img src="a.png" alt="png">'),
            "line 1: <img src=\"a.png\"> has placeholder alt text 'png'",
        ),
        (
            page('<img src="a.png" alt="Image">'),
            "line 1: <img src=\"a.png\"> has placeholder alt text 'Image'",
        ),
        (
            page('<img src="a.png" alt="output">'),
            "line 1: <img src=\"a.png\"> has placeholder alt text 'output'",
        ),
        (
            page('<img src="a.png" alt="No description has been provided for this image">'),
            'line 1: <img src="a.png"> has placeholder alt text '
            "'No description has been provided for this image'",
        ),
        (
            page('<figure><img src="a.png" alt=""></figure>'),
            'line 1: <img src="a.png"> is a chart with empty alt text',
        ),
        (
            page('<table><tr><th scope="col">A</th></tr></table>'),
            "line 1: <table> has no <caption> (or an empty one)",
        ),
        (
            page('<table><caption> </caption><tr><th scope="col">A</th></tr></table>'),
            "line 1: <table> has no <caption> (or an empty one)",
        ),
        (
            page('<table><caption>C</caption><tr><th scope="column">A</th></tr></table>'),
            "line 1: <th> has scope='column' (expected col, row, colgroup or rowgroup)",
        ),
        (page("<h2>A</h2><h4>B</h4>"), "line 1: heading level skips from <h2> to <h4>"),
        (page("<h1>Again</h1>"), "line 1: more than one <h1>"),
        (
            "<html lang='en'><head><title>T</title></head><body><p>x</p></body></html>",
            "page has no <h1>",
        ),
        (
            page("", head='<title>T</title><link rel="stylesheet" href="https://x.org/a.css">'),
            """line 1: <link rel="stylesheet"> loads https://x.org/a.css from another host""",
        ),
        (
            page("", head='<title>T</title><link rel="icon" href="//x.org/favicon.ico">'),
            """line 1: <link rel="icon"> loads //x.org/favicon.ico from another host""",
        ),
        (
            page('<iframe src="https://x.org/embed" title="x"></iframe>'),
            "line 1: <iframe src> loads https://x.org/embed from another host",
        ),
        (
            page("", head="<title>T</title><style>@import 'https://x.org/f.css';</style>"),
            "line 1: <style> @imports https://x.org/f.css from another host",
        ),
        (
            page(
                "", head="<title>T</title><style>@font-face{src:url(https://x.org/f.woff2)}</style>"
            ),
            "line 1: <style> loads url(https://x.org/f.woff2) from another host",
        ),
        (
            page("<div style=\"background: url('http://x.org/bg.png')\">x</div>"),
            "line 1: <div style> loads url(http://x.org/bg.png) from another host",
        ),
    ],
)
def test_structural_problem_is_reported(html, expected):
    assert structural_problems(html) == [expected]


@pytest.mark.parametrize(
    "body",
    [
        '<a href="https://www.gov.uk/">GOV.UK</a>',  # a link loads nothing
        '<img src="logo.png" alt="">',  # decorative, not a chart
        '<figure><img src="a.png" alt="" role="presentation"></figure>',  # marked decorative
        f'<img src="{PIXEL}" alt="Bar chart: 380 drug offences in Dorset">',
        '<table><caption>C</caption><tr><th scope="row">A</th><td>1</td></tr></table>',
        "<h2>A</h2><h3>B</h3><h2>C</h2><h3>D</h3><h4>E</h4>",
        '<div style="background: url(data:image/png;base64,AAAA)">x</div>',
        '<img src="figures/chart.png" alt="Chart of drug offences by month">',
    ],
)
def test_acceptable_markup_is_not_reported(body):
    assert structural_problems(page(body)) == []


def test_format_violations_gives_one_line_per_node():
    result = {
        "violations": [
            {
                "id": "image-alt",
                "impact": "critical",
                "help": "Images must have alternative text",
                "nodes": [
                    {"target": ["img"], "impact": "critical"},
                    {"target": ["#chart2"], "impact": "critical"},
                ],
            }
        ],
        "external_requests": ["https://cdn.example.com/a.js"],
    }
    assert format_violations(result).splitlines() == [
        "image-alt [critical] Images must have alternative text: img",
        "image-alt [critical] Images must have alternative text: #chart2",
        "external-request [blocked] loads from another host: https://cdn.example.com/a.js",
    ]


def test_missing_tools_fail_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("TOOLKIT_CHROMIUM", "/nonexistent/chromium")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI is set.*Chromium"):
        require_chromium()


def test_missing_tools_skip_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TOOLKIT_CHROMIUM", "/nonexistent/chromium")
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception, match="install-browser-tools"):
        require_browser_tools()


# ------------------------------------------------------------------------ axe in Chromium


@pytest.mark.slow
def test_good_page_passes_axe(tmp_path):
    require_browser_tools()
    result = run_axe(write(tmp_path, "good.html", GOOD_PAGE))
    assert result["violations"] == [], format_violations(result)
    assert result["passes"] > 10
    assert result["external_requests"] == []
    assert result["console_errors"] == []


@pytest.mark.slow
def test_bad_page_fails_axe_and_its_cdn_request_is_blocked(tmp_path):
    require_browser_tools()
    result = run_axe(write(tmp_path, "bad.html", BAD_PAGE))
    assert {"image-alt", "color-contrast"} <= violation_ids(result), format_violations(result)
    assert result["external_requests"] == ["https://cdn.example.com/require.min.js"]
    report = format_violations(result)
    assert "image-alt [critical] Images must have alternative text: img" in report
    assert "color-contrast [serious]" in report


@pytest.mark.slow
def test_screenshots_at_desktop_and_phone_widths(tmp_path):
    require_browser_tools()
    html = write(tmp_path, "good.html", GOOD_PAGE)
    for width in (1280, 390):
        shot = tmp_path / f"good-{width}.png"
        result = run_axe(html, width=width, screenshot=shot)
        assert result["width"] == width
        shot_width, shot_height = png_size(shot)
        assert shot_width == width
        assert shot_height > 200


@pytest.mark.slow
def test_axe_script_rejects_a_missing_page(tmp_path):
    require_browser_tools()
    done = subprocess.run(
        ["node", str(Path(__file__).parent / "browser" / "axe.mjs"), str(tmp_path / "no.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no such file" in done.stderr


# -------------------------------------------------------------------------- toolkit.publish.pdf

PRINT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Print test</title>
<style>
  @media print { .screen-only { display: none; } }
</style></head>
<body><main><h1>Quarterly accountability briefing</h1>
<p>Four recommendations, two complete.</p>
<p class="screen-only">Shown on screen only</p></main></body></html>
"""

NOT_INSTALLED = (
    "PDF export needs Chromium, which is not installed: install it with "
    "`apt-get install chromium` (Debian/Ubuntu) or set TOOLKIT_CHROMIUM to a "
    "Chrome/Chromium executable"
)


@pytest.mark.slow
def test_html_to_pdf_prints_with_the_print_stylesheet(tmp_path):
    require_chromium()
    html = write(tmp_path, "briefing.html", PRINT_PAGE)
    pdf = tmp_path / "out" / "briefing.pdf"
    html_to_pdf(html, pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["briefing.pdf"]
    if shutil.which("pdftotext") is None:
        if in_ci():
            pytest.fail("pdftotext (poppler-utils) is missing; run .ci/install-browser-tools")
        return
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Quarterly accountability briefing" in text
    assert "Four recommendations, two complete." in text
    assert "Shown on screen only" not in text


def test_html_to_pdf_without_chromium_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    html = write(tmp_path, "briefing.html", PRINT_PAGE)
    with pytest.raises(ToolkitError) as caught:
        html_to_pdf(html, tmp_path / "briefing.pdf")
    assert str(caught.value) == NOT_INSTALLED
    assert not (tmp_path / "briefing.pdf").exists()


def test_html_to_pdf_with_nothing_on_path(tmp_path, monkeypatch):
    monkeypatch.delenv("TOOLKIT_CHROMIUM", raising=False)
    monkeypatch.setattr("toolkit.publish.pdf.shutil.which", lambda name: None)
    with pytest.raises(ToolkitError, match=r"^PDF export needs Chromium, which is not installed"):
        html_to_pdf(write(tmp_path, "b.html", PRINT_PAGE), tmp_path / "b.pdf")


def test_html_to_pdf_missing_html(tmp_path):
    fake = fake_chromium(tmp_path, "exit 0")
    with pytest.raises(ToolkitError) as caught:
        html_to_pdf(tmp_path / "nothing.html", tmp_path / "b.pdf", chromium=str(fake))
    assert str(caught.value) == f"{tmp_path / 'nothing.html'}: cannot export to PDF: no such file"


def fake_chromium(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "fake-chromium"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_failing_chromium_keeps_the_old_pdf(tmp_path):
    fake = fake_chromium(
        tmp_path,
        'echo "/usr/bin/chromium: 9: [: 1: unexpected operator" >&2\n'
        'echo "[1:2:3/4:ERROR:dbus/bus.cc:405] Failed to connect to the bus" >&2\n'
        'echo "[1:2:3/4:ERROR:headless_command_handler.cc:403] Page load failed: boom" >&2\n'
        "exit 0",
    )
    html = write(tmp_path, "b.html", PRINT_PAGE)
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(b"%PDF-1.4 earlier good export")
    with pytest.raises(ToolkitError) as caught:
        html_to_pdf(html, pdf, chromium=str(fake))
    assert (
        str(caught.value) == f"{html}: Chromium could not print it to PDF: Page load failed: boom"
    )
    assert pdf.read_bytes() == b"%PDF-1.4 earlier good export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html", "b.pdf", "fake-chromium"]


def test_chromium_exit_status_without_stderr(tmp_path):
    fake = fake_chromium(tmp_path, "exit 3")
    html = write(tmp_path, "b.html", PRINT_PAGE)
    with pytest.raises(ToolkitError, match=r"exit status 3, no PDF written$"):
        html_to_pdf(html, tmp_path / "b.pdf", chromium=str(fake))


@pytest.mark.slow
def test_chromium_timeout(tmp_path):
    fake = fake_chromium(tmp_path, "sleep 30")
    html = write(tmp_path, "b.html", PRINT_PAGE)
    with pytest.raises(ToolkitError) as caught:
        html_to_pdf(html, tmp_path / "b.pdf", chromium=str(fake), timeout=0.5)
    assert (
        str(caught.value) == f"{html}: Chromium did not finish printing to PDF within 0.5 seconds"
    )
    assert not (tmp_path / "b.pdf").exists()
