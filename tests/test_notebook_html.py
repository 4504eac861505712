"""The executed notebook as analysts open it: nbconvert's own HTML (not the briefing's
template) shows each heading once and keeps the status tags' colours; the briefing page
made from the same notebook carries the tags' rules once, in its stylesheet.

The notebook is "executed" in-process: each ``b.show("…")`` cell of the shipped
notebook gets the output that call returns, as a kernel would store it.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from toolkit.publish import briefing
from toolkit.publish.export import notebook_html

PROJECT = Path(__file__).resolve().parents[1]
SHOW = re.compile(r'b\.show\("(\w+)"\)')


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    nb = nbformat.read(PROJECT / "notebooks" / "briefing.ipynb", as_version=4)
    b = briefing.build("both-sides-of-the-coin", "2019-20-Q4", PROJECT / "params")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        found = SHOW.search(cell.source)
        cell.outputs = []
        if found:
            shown = b.show(found.group(1))
            cell.outputs = [
                nbformat.v4.new_output(
                    "execute_result", data={"text/html": shown.data}, execution_count=1
                )
            ]
    return nb


def _headings(html: str) -> list[str]:
    found = re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", html, re.DOTALL)
    texts = [unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "").strip() for _, text in found]
    return [" ".join(text.split()) for text in texts]


def test_nbconverts_html_shows_each_heading_once(executed: nbformat.NotebookNode) -> None:
    html, _ = HTMLExporter().from_notebook_node(executed)
    headings = _headings(html)
    assert "Recommendation status" in headings and "Force performance" in headings
    twice = sorted(text for text, n in Counter(headings).items() if n > 1)
    assert twice == []


def test_nbconverts_html_keeps_the_status_colours(executed: nbformat.NotebookNode) -> None:
    html, _ = HTMLExporter().from_notebook_node(executed)
    assert 'class="tag tag--green"' in html  # a complete item's tag
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL))
    # The colours of briefing.css (GOV.UK's tag palette), read from the page's own styles.
    assert re.search(r"\.tag--green\s*\{\s*background:\s*#cce2d8;\s*color:\s*#005a30", styles)
    assert re.search(r"\.tag--red\s*\{\s*background:\s*#f4cdc6;", styles)
    assert re.search(r"\.tag--blue\s*\{\s*background:\s*#bbd4ea;", styles)


def test_the_briefing_page_has_the_tags_rules_once(executed: nbformat.NotebookNode) -> None:
    page = notebook_html(executed, title="Briefing")
    assert page.count(".tag--green {") == 1
    assert "toolkit:notebook-style-end" not in page
    assert len(re.findall(r"<h1\b", page)) == 1
