"""Helpers for tests that check exported HTML in a real browser, and without one.

Two independent checks of a briefing page:

- :func:`run_axe` opens the file in headless Chromium (``tests/browser/axe.mjs``), runs
  axe-core's WCAG 2.2 A/AA and best-practice rules, blocks and records every request to
  another host, and can take a full-page screenshot. Needs Chromium, node and
  ``npm ci`` in ``tests/browser`` (``.ci/install-browser-tools`` installs all three).
- :func:`structural_problems` reads the HTML with the standard library only and reports
  what the house style requires beyond axe: ``lang="en"``, a real title, real alt text on
  charts, captions and ``scope``, a single ``h1`` and no skipped heading levels, and nothing
  loaded from another host.

Tests that need the browser call :func:`require_browser_tools` (or
:func:`require_chromium`) first: locally a missing tool skips the test with the reason; with
``CI`` set it fails it, so CI never passes by skipping.

Usage::

    from browser_tools import require_browser_tools, run_axe, format_violations

    def test_briefing_is_accessible(tmp_path):
        require_browser_tools()
        result = run_axe(page, width=390, screenshot=tmp_path / "phone.png")
        assert result["violations"] == [], format_violations(result)
        assert result["external_requests"] == []
        assert structural_problems(page.read_text()) == []
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from toolkit.publish.pdf import find_chromium

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
AXE_SCRIPT = BROWSER_DIR / "axe.mjs"
NODE_PACKAGES = ("axe-core", "playwright-core")
INSTALL_HINT = "run `bash .ci/install-browser-tools` (see tests/browser/README.md)"

# Alt texts that describe nothing; the last is nbconvert's default for a figure.
PLACEHOLDER_ALTS = frozenset(
    {
        "png",
        "jpg",
        "jpeg",
        "svg",
        "image",
        "img",
        "picture",
        "figure",
        "chart",
        "graph",
        "plot",
        "output",
        "alt",
        "untitled",
        "no description has been provided for this image",
    }
)
# <link rel=...> values that make the browser fetch the href.
_LOADING_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "shortcut",
        "apple-touch-icon",
        "mask-icon",
        "preload",
        "prefetch",
        "modulepreload",
        "manifest",
        "preconnect",
        "dns-prefetch",
        "prerender",
    }
)
# Attributes that load what they name, whatever element carries them.
_LOADING_ATTRS = ("src", "poster", "data", "background")
_SCOPES = frozenset({"col", "row", "colgroup", "rowgroup"})
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)\1""", re.IGNORECASE)


# --------------------------------------------------------------------------- availability


def chromium_path() -> str | None:
    """Return the Chromium executable the browser tests use, or ``None``.

    The same search as the PDF export: ``TOOLKIT_CHROMIUM`` when set, else ``chromium``,
    ``chromium-browser`` or ``google-chrome`` on PATH.
    """
    return find_chromium()


def missing_browser_tools() -> list[str]:
    """Name each tool :func:`run_axe` needs that is not installed (empty when all are)."""
    missing = []
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node")
    for package in NODE_PACKAGES:
        if not (BROWSER_DIR / "node_modules" / package / "package.json").is_file():
            missing.append(f"npm package {package} (npm ci in tests/browser)")
    return missing


def browser_tools_available() -> bool:
    """Whether Chromium, node and the npm packages in ``tests/browser`` are all installed."""
    return not missing_browser_tools()


def in_ci() -> bool:
    """Whether the ``CI`` environment variable is set (to anything but ``0``/``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skip_or_fail(missing: list[str]) -> None:
    if not missing:
        return
    reason = f"browser tools not installed: {', '.join(missing)}; {INSTALL_HINT}"
    if in_ci():
        pytest.fail(f"CI is set, so this is an error, not a skip: {reason}", pytrace=False)
    pytest.skip(reason)


def require_browser_tools() -> None:
    """Skip the calling test when the browser tools are missing; fail it instead under CI."""
    _skip_or_fail(missing_browser_tools())


def require_chromium() -> str:
    """Like :func:`require_browser_tools`, for tests that need Chromium alone; returns it."""
    path = chromium_path()
    _skip_or_fail([] if path else ["Chromium (apt-get install chromium)"])
    assert path is not None
    return path


# --------------------------------------------------------------------------------- axe


def run_axe(
    html_path: str | os.PathLike[str],
    *,
    width: int = 1280,
    screenshot: str | os.PathLike[str] | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    """Check one HTML file with axe-core in headless Chromium.

    Parameters
    ----------
    html_path
        The page to open (as ``file://``).
    width
        Viewport width in CSS pixels: 1280 for a desktop, 390 for a phone.
    screenshot
        Where to write a full-page PNG screenshot, if wanted.
    timeout
        Seconds before the check is abandoned.

    Returns
    -------
    dict
        ``violations`` (axe's, each with ``id``, ``impact``, ``help``, ``helpUrl``, ``tags``
        and ``nodes`` with ``target``/``html``/``failureSummary``), ``passes`` (number of
        rules passed), ``incomplete``, ``external_requests`` (URLs on other hosts that the
        page tried to load; all were blocked), ``console_errors``, ``url``, ``width`` and
        ``axe_version``.

    Raises
    ------
    RuntimeError
        When the tools are missing or the browser could not check the page.
    """
    missing = missing_browser_tools()
    if missing:
        raise RuntimeError(f"cannot run axe: missing {', '.join(missing)}; {INSTALL_HINT}")
    chromium = chromium_path()
    assert chromium is not None
    with tempfile.TemporaryDirectory(prefix="axe-result-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            "node",
            str(AXE_SCRIPT),
            str(Path(html_path).resolve()),
            "--out",
            str(out),
            "--width",
            str(width),
            "--chromium",
            chromium,
            "--timeout",
            str(int(timeout * 1000)),
        ]
        if screenshot is not None:
            command += ["--screenshot", str(Path(screenshot).resolve())]
        try:
            done = subprocess.run(
                command,
                cwd=BROWSER_DIR,
                capture_output=True,
                text=True,
                timeout=timeout + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(f"axe check of {html_path} took over {timeout + 30:g}s") from err
        if done.returncode != 0 or not out.is_file():
            raise RuntimeError(
                f"axe check of {html_path} failed (exit {done.returncode}): "
                f"{done.stderr.strip()[-2000:]}"
            )
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def violation_ids(result: dict[str, Any]) -> set[str]:
    """The axe rule ids that failed, e.g. ``{"image-alt", "color-contrast"}``."""
    return {violation["id"] for violation in result["violations"]}


def format_violations(result: dict[str, Any]) -> str:
    """One line per failing element: ``rule-id [impact] help: target``.

    Meant as an assertion message, so a failing test says exactly what to fix.
    """
    lines = []
    for violation in result.get("violations", []):
        for node in violation.get("nodes", []) or [{}]:
            target = " ".join(str(part) for part in node.get("target", [])) or "(page)"
            impact = node.get("impact") or violation.get("impact") or "unknown"
            lines.append(f"{violation['id']} [{impact}] {violation.get('help', '')}: {target}")
    for url in result.get("external_requests", []):
        lines.append(f"external-request [blocked] loads from another host: {url}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- structural checks


def structural_problems(html: str) -> list[str]:
    """Check a page's structure without a browser; return one message per problem.

    Reports ``lang`` other than English, a missing or empty ``<title>``, images with no or
    placeholder alt text (an empty alt is accepted only on images that are not charts, or
    marked ``role="presentation"``/``aria-hidden="true"``), tables without a caption,
    ``<th>`` without a valid ``scope``, no ``h1`` or more than one, skipped heading levels,
    and anything loaded from another host (``src``, stylesheet/icon links, ``@import`` and
    ``url(...)`` in CSS). Links (``<a href>``) to other sites are fine: they load nothing.

    Parameters
    ----------
    html
        The page's source text.

    Returns
    -------
    list of str
        ``"line N: …"`` messages in document order (document-level ones last).
    """
    checker = _StructureChecker()
    checker.feed(html)
    checker.close()
    return checker.finish()


def _is_external(url: str) -> bool:
    return bool(_EXTERNAL.match(url))


class _StructureChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.html_lang: str | None = None
        self.saw_html = False
        self.title_text: list[str] | None = None
        self.in_title = False
        self.h1_count = 0
        self.last_level = 0
        # one entry per open <table>: [line, has caption with text]
        self.tables: list[list[Any]] = []
        self.caption_text: list[str] | None = None
        self.in_style = False
        self.figure_depth = 0

    # -- helpers
    def _at(self, message: str) -> None:
        self.problems.append(f"line {self.getpos()[0]}: {message}")

    def _check_css(self, css: str, where: str) -> None:
        for _, url in _CSS_URL.findall(css):
            if _is_external(url):
                self._at(f"{where} loads url({url}) from another host")
        for _, url in _CSS_IMPORT.findall(css):
            if _is_external(url):
                self._at(f"{where} @imports {url} from another host")

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "html":
            self.saw_html = True
            self.html_lang = attr.get("lang")
        elif tag == "title":
            self.in_title = True
            self.title_text = self.title_text if self.title_text is not None else []
        elif tag == "style":
            self.in_style = True
        elif tag == "figure":
            self.figure_depth += 1
        elif tag == "table":
            self.tables.append([self.getpos()[0], False])
        elif tag == "caption":
            self.caption_text = []
        elif tag == "th":
            scope = attr.get("scope", "").strip().lower()
            if not scope:
                self._at('<th> has no scope (expected scope="col" or scope="row")')
            elif scope not in _SCOPES:
                self._at(f"<th> has scope={scope!r} (expected col, row, colgroup or rowgroup)")
        elif tag == "img":
            self._check_img(attr)
        elif re.fullmatch(r"h[1-6]", tag):
            self._check_heading(int(tag[1]))

        if tag == "link":
            rels = set(attr.get("rel", "").lower().split())
            href = attr.get("href", "")
            if rels & _LOADING_RELS and _is_external(href):
                self._at(f'<link rel="{attr.get("rel")}"> loads {href} from another host')
        for name in _LOADING_ATTRS:
            value = attr.get(name)
            if value and _is_external(value):
                self._at(f"<{tag} {name}> loads {value} from another host")
        for name in ("srcset", "imagesrcset"):
            for candidate in attr.get(name, "").split(","):
                url = candidate.strip().split(" ")[0]
                if url and _is_external(url):
                    self._at(f"<{tag} {name}> loads {url} from another host")
        if tag in ("image", "use", "feimage", "script"):  # SVG references load their href
            for name in ("href", "xlink:href"):
                value = attr.get(name)
                if value and _is_external(value):
                    self._at(f"<{tag} {name}> loads {value} from another host")
        if "style" in attr:
            self._check_css(attr["style"], f"<{tag} style>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "link", "meta", "br", "hr", "input", "source", "use", "image"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "style":
            self.in_style = False
        elif tag == "figure":
            self.figure_depth = max(0, self.figure_depth - 1)
        elif tag == "caption" and self.caption_text is not None:
            if self.tables and "".join(self.caption_text).strip():
                self.tables[-1][1] = True
            self.caption_text = None
        elif tag == "table" and self.tables:
            line, has_caption = self.tables.pop()
            if not has_caption:
                self.problems.append(f"line {line}: <table> has no <caption> (or an empty one)")

    def handle_data(self, data: str) -> None:
        if self.in_title and self.title_text is not None:
            self.title_text.append(data)
        if self.caption_text is not None:
            self.caption_text.append(data)
        if self.in_style:
            self._check_css(data, "<style>")

    # -- element checks
    def _check_img(self, attr: dict[str, str]) -> None:
        src = attr.get("src", "")
        shown = src if len(src) <= 60 else src[:57] + "..."
        if "alt" not in attr:
            self._at(f'<img src="{shown}"> has no alt attribute')
            return
        alt = attr["alt"].strip()
        if alt.lower().rstrip(".") in PLACEHOLDER_ALTS:
            self._at(f'<img src="{shown}"> has placeholder alt text {alt!r}')
        elif not alt:
            decorative = attr.get("role", "").lower() in ("presentation", "none") or (
                attr.get("aria-hidden", "").lower() == "true"
            )
            looks_like_chart = (
                src.startswith("data:image/")
                or self.figure_depth > 0
                or re.search(r"chart|figure|plot|graph", attr.get("class", "") + attr.get("id", ""))
            )
            if looks_like_chart and not decorative:
                self._at(f'<img src="{shown}"> is a chart with empty alt text')

    def _check_heading(self, level: int) -> None:
        if level == 1:
            self.h1_count += 1
            if self.h1_count == 2:
                self._at("more than one <h1>")
        if self.last_level and level > self.last_level + 1:
            self._at(f"heading level skips from <h{self.last_level}> to <h{level}>")
        elif not self.last_level and level != 1:
            self._at(f"first heading is <h{level}>, not <h1>")
        self.last_level = level

    def finish(self) -> list[str]:
        problems = list(self.problems)
        for line, _ in self.tables:  # unclosed tables
            problems.append(f"line {line}: <table> has no <caption> (or an empty one)")
        if not self.saw_html or self.html_lang is None:
            problems.append('<html> has no lang attribute (expected lang="en")')
        elif self.html_lang.strip().lower().split("-")[0] != "en":
            problems.append(f'<html lang="{self.html_lang}"> is not English (expected lang="en")')
        if self.title_text is None:
            problems.append("page has no <title>")
        elif not "".join(self.title_text).strip():
            problems.append("page <title> is empty")
        if self.h1_count == 0:
            problems.append("page has no <h1>")
        return problems
