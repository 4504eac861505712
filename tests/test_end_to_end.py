"""End to end on the shipped example: params/ and data/sample/, as a user runs them.

Expected values are the real figures for the sample data, counted independently of the
toolkit (Dorset, October–December 2018: 380 distinct drugs crime IDs; Wiltshire 244;
Dorset's 2018 population 772,268 gives 0.49 per 1,000).

The example is briefed in 2019-20-Q4 (the quarter "Both sides of the coin" was published and
answered in) and 2020-21-Q1. The sample data ends in February 2019, so both describe the
latest complete quarter it holds, 2018-19-Q3: 5 and 6 quarters earlier.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
TOOLKIT = Path(sys.executable).with_name("toolkit")
REPORT = "both-sides-of-the-coin"


def _run(quarter: str, out: Path) -> Path:
    done = subprocess.run(
        [
            str(TOOLKIT),
            "run",
            "--all",
            "--quarter",
            quarter,
            "--params",
            str(PROJECT / "params"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"warning: {REPORT}: figures for 2018-19-Q3" in done.stderr  # lagged, said so
    return out / quarter / REPORT


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return _run("2019-20-Q4", tmp_path_factory.mktemp("outputs"))


@pytest.fixture(scope="module")
def later(tmp_path_factory) -> Path:
    return _run("2020-21-Q1", tmp_path_factory.mktemp("outputs"))


@pytest.mark.slow
def test_outputs_are_all_there(demo):
    for name in (
        "briefing.html",
        "briefing.ipynb",
        "response-draft.md",
        "response-draft.docx",
        "figures.json",
    ):
        assert (demo / name).is_file(), name


@pytest.mark.slow
def test_figures_hold_the_real_counts(demo):
    figures = json.loads((demo / "figures.json").read_text())
    assert figures["report"] == REPORT
    assert figures["quarter"] == "2019-20-Q4"
    assert figures["period"] == {"start": "2020-01-01", "end": "2020-03-31"}
    assert figures["s55"]["published"] == "2020-01-10"
    assert figures["s55"]["deadline"] == "2020-03-05"
    assert figures["s55"]["sent"] == "2020-02-06"
    police = figures["police_uk"]
    assert police["force"] == "dorset"
    assert (police["quarter"], police["lag"]) == ("2018-19-Q3", 5)
    assert police["months"] == ["2018-10", "2018-11", "2018-12"]
    assert police["complete"] is True
    assert police["crime_types"]["Drugs"] == {
        "count": 380,
        "previous_year": None,
        "rate_per_1000": 0.49,
        "change": None,
        "change_pct": None,
    }
    assert police["peers"]["wiltshire"]["Drugs"] == {"count": 244, "rate_per_1000": 0.34}
    assert len(police["crime_types"]) == 14
    items = figures["items"]
    # Three local actions, as the response of 6 February 2020 reports them at 31 March 2020:
    # two complete, one in progress, all moved since the letter (drafted as at 2019-20-Q3).
    assert (items["total"], items["by_status"], items["overdue"], items["changed"]) == (
        3,
        {"in-progress": 1, "complete": 2},
        0,
        3,
    )
    assert items["dates"]["L2"] == {"due": None, "target": "2020-04-30"}
    assert items["history"] == {
        "L1": [["2019-20-Q4", "complete"]],
        "L2": [["2019-20-Q4", "in-progress"]],
        "L3": [["2019-20-Q4", "complete"]],
    }


@pytest.mark.slow
def test_the_second_quarter_shows_progress_and_history(demo, later):
    figures = json.loads((later / "figures.json").read_text())
    items = figures["items"]
    assert items["history"]["L2"] == [
        ["2019-20-Q4", "in-progress"],
        ["2020-21-Q1", "pending-sign-off"],
    ]
    assert items["closed_in"] == {"L1": "2019-20-Q4", "L2": None, "L3": "2019-20-Q4"}
    # The letter is as at its sent date, 6 February 2020, when the updates dated that day
    # had L1 and L3 complete and L2 in progress: only L2 has moved since.
    assert items["since_response"] == [
        {"ref": "L2", "from": "in-progress", "to": "pending-sign-off"},
    ]
    # L2's target of 30 April 2020 is 61 days past at 30 June; it has no report due date,
    # so the target also makes it overdue. Open since publication (10 January): 172 days.
    assert (items["overdue"], items["past_target"]) == (1, 1)
    assert items["days_past_target"] == {"L2": 61} and items["days_open"] == {"L2": 172}
    assert (figures["police_uk"]["quarter"], figures["police_uk"]["lag"]) == ("2018-19-Q3", 6)
    # The sent response is the record: the same draft in both quarters, the letter as sent shown.
    assert (demo / "response-draft.md").read_bytes() == (later / "response-draft.md").read_bytes()
    docx = "response-draft.docx"
    assert (demo / docx).read_bytes() == (later / docx).read_bytes()
    html = (later / "briefing.html").read_text(encoding="utf-8")
    assert "The s55 response as sent" in html
    assert "This response will be published on the OPCC website." in html
    assert "Response sent on 6 February 2020, day 28" in html


@pytest.mark.slow
def test_html_is_a_briefing_not_a_notebook(demo):
    html = (demo / "briefing.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "Both sides of the coin" in title.group(1)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html.split("<main", 1)[0])
    assert "cdn" not in html.lower().split("<main", 1)[0]
    for code in ("briefing.build(", "b.show(", "import ", "In&nbsp;[", "Traceback"):
        assert code not in html
    assert "380" in html
    assert "No description has been provided" not in html


@pytest.mark.slow
def test_the_notebook_runs_under_plain_papermill(tmp_path):
    out = tmp_path / "by-hand.ipynb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(PROJECT / "notebooks" / "briefing.ipynb"),
            str(out),
            "-p",
            "report_id",
            REPORT,
            "-p",
            "quarter",
            "2019/20 Q4",
            "-p",
            "params_dir",
            str(PROJECT / "params"),
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    notebook = json.loads(out.read_text())
    shown = "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in notebook["cells"]
        for o in c.get("outputs", [])
    )
    assert "Recommendation status" in shown and "Force performance" in shown
    assert list(tmp_path.iterdir()) == [out]  # nothing written beside it by hand


def test_committed_notebook_is_thin_and_has_no_outputs():
    notebook = json.loads((PROJECT / "notebooks" / "briefing.ipynb").read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert "def " not in source and "class " not in source
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    for name in ("report_id", "quarter", "params_dir"):
        assert f"{name} = " in "".join(tagged[0]["source"])
