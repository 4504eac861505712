"""The quarter overview page, index.json and tracker written beside the briefings.

On the hand-written register of tests/fixtures/overview, as at 2019-20-Q4; the numbers
are those worked out by hand in tests/test_overview.py's docstring. The page is written
without running any briefing (the overview comes from the register alone), with one
report row as the batch runner passes it. A copy of the fixture gets a report title with
markup in it, which must show as text.
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from browser_tools import format_violations, require_browser_tools, run_axe, structural_problems
from toolkit.publish.quarter_index import write_quarter_index
from toolkit.quarters import Quarter
from toolkit.record.params import load_params

FIXTURE = Path(__file__).parent / "fixtures" / "overview"
Q4 = Quarter(2019, 4)
_CSP = re.compile(r"<meta\b[^>]*Content-Security-Policy[^>]*>", re.IGNORECASE)
REPORT_ROW = {
    "id": "alpha",
    "title": "Alpha <b>force</b> inspection & co",
    "status": "ok",
    "ok": True,
    "error": "",
    "failed_notebook": None,
    "published": "2019-04-10",
    "deadline": "2019-06-04",
    "s55_state": "sent",
    "s55_text": "sent on day 41",
    "by_status": {"in-progress": 2, "complete": 1, "superseded": 1},
    "overdue": 2,
    "past_target": 1,
    "data_quarter": "2018-19-Q3",
    "data_notice": "figures for 2018-19-Q3, 5 quarters before 2019-20-Q4",
    "briefing": "alpha/briefing.html",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("params") / "params"
    shutil.copytree(FIXTURE, root)
    alpha = root / "reports" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text().replace(
            "title: Alpha force inspection", "title: 'Alpha <b>force</b> inspection & co'"
        )
    )
    out = tmp_path_factory.mktemp("out")
    page = write_quarter_index(
        load_params(root), Q4, out, [REPORT_ROW], footer="Generated for the test"
    )
    assert page == out / Q4.id / "index.html"
    return out / Q4.id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_files_written_beside_the_briefings(written):
    names = sorted(p.name for p in written.iterdir())
    assert names == ["index.html", "index.json", "tracker.csv", "tracker.xlsx"]


def test_index_json_carries_the_overview_numbers(written):
    data = json.loads((written / "index.json").read_text(encoding="utf-8"))
    assert data["quarter"] == "2019-20-Q4" and data["reports"] == [REPORT_ROW]
    assert data["overview"]["headline"] == {
        "reports": 3,
        "items": 6,
        "open": 3,
        "overdue": 2,
        "closed_this_quarter": 2,
        "new_this_quarter": 0,
        "changed": 3,
        "s55_due": 0,
        "s55_sent": 1,
        "s55_overdue": 2,
        "stale": 0,
    }
    assert [(o["ref"], o["days_overdue"]) for o in data["overview"]["overdue"]] == [
        ("R2", 173),
        ("A1", 32),
    ]
    assert [s["open"] for s in data["overview"]["series"]] == [4, 4, 5, 3]
    assert data["tracker"] == {"csv": "tracker.csv", "xlsx": "tracker.xlsx", "rows": 6}


def test_page_sections_and_numbers(written):
    html = (written / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    headings = [_text(h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]
    assert headings == [
        "Contents",
        "Headline figures",
        "RAG ratings",
        "Expected closures",
        "Section 55 responses",
        "Overdue items",
        "What changed this quarter",
        "Items quarter by quarter",
        "Items by owner",
        "Reports and briefings",
        "The tracker",
    ]
    assert "<dt>Items open</dt><dd>3<span" in html
    assert "<dt>Overdue</dt><dd>2<span" in html
    assert "<dt>s55 responses overdue</dt><dd>2<span" in html
    # Overdue items, most overdue first, with due/target and days.
    overdue = _text(html[html.index('id="overdue"') : html.index('id="changes"')])
    assert overdue.index("R2") < overdue.index("A1")
    assert "10 October 2019 None given by the force 173" in overdue
    assert "None set by the report 28 February 2020 32" in overdue
    assert "Audit under way. In progress, Q3 2019/20" in overdue
    assert "Overdue by 280 days" in text and "Overdue by 65 days" in text
    assert "The last 4 quarters, up to this one, counted from the register" in text
    assert "Complete Superseded" in text  # R1: from -> to
    assert "Not started Not accepted" in text  # G2
    assert "Ch Supt Custody 1 0 0" in text and "Not assigned 0 0 1" in text
    assert 'href="alpha/briefing.html"' in html
    assert 'href="tracker.xlsx"' in html and 'href="tracker.csv"' in html


def test_chart_has_alt_text_and_its_table(written):
    html = (written / "index.html").read_text(encoding="utf-8")
    alts = [
        unescape(found)
        for found in re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', html)
    ]
    # The expected closures chart: R2 (due 10 Oct 2019), A1 (target 28 Feb 2020) and G1
    # (due 31 Mar 2020, the quarter's last day) are all at or past their date.
    assert alts[0] == (
        "Bar chart of the 3 open items by the quarter they are expected to close in. "
        "By 31 March 2020 (past its date): 3; Q1 2020/21: 0; Q2 2020/21: 0; Q3 2020/21: 0; "
        "Q4 2020/21: 0; Later than Q4 2020/21: 0; No date: 0."
    )
    alt = alts[1]
    assert alt.startswith(
        "Line chart of open, overdue and closed items at each quarter's end, "
        "Q1 2019/20 to Q4 2019/20. At the end of Q4 2019/20: 3 open (down from 5), "
        "2 overdue (the same as 2) and 3 closed (up from 1)"
    )
    assert "During Q4 2019/20, 2 items were closed and 0 new items" in alt
    assert "Q3 2019/20 5 2 1 1 2" in _text(html)  # quarter, open, overdue, closed, flows


def test_text_from_params_is_escaped(written):
    html = (written / "index.html").read_text(encoding="utf-8")
    assert "<b>force</b>" not in html
    assert "Alpha &lt;b&gt;force&lt;/b&gt; inspection &amp; co" in html


def test_page_is_self_contained_and_well_formed(written):
    html = (written / "index.html").read_text(encoding="utf-8")
    assert _CSP.search(html) and "<script" not in html.lower()
    assert structural_problems(html) == []
    assert "<td></td>" not in html.replace(" ", "")


@pytest.mark.parametrize("width", [1280, 390])
def test_no_axe_violations(written, tmp_path, width):
    require_browser_tools()
    page = tmp_path / "index-axe.html"
    page.write_text(_CSP.sub("", (written / "index.html").read_text(encoding="utf-8")))
    shot = tmp_path / f"overview-{width}.png"
    result = run_axe(page, width=width, screenshot=shot)
    assert result["violations"] == [], format_violations(result)
    assert result["external_requests"] == []
    assert int.from_bytes(shot.read_bytes()[16:20], "big") == width, "the page scrolls sideways"


def test_past_target_is_counted_beside_overdue_only_where_the_report_set_a_due_date():
    from toolkit.runner.index_rows import past_target_with_due

    # R3 has no due date (overdue from its target), G1 has one: only G1 adds to overdue.
    items = {
        "days_past_target": {"R3": 60, "G1": 32},
        "dates": {
            "R3": {"due": None, "target": "2020-01-31"},
            "G1": {"due": "2020-12-31", "target": "2020-02-28"},
        },
    }
    assert past_target_with_due(items) == 1
    assert past_target_with_due({"days_past_target": {}, "dates": {}}) == 0
