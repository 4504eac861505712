"""``toolkit status`` rows and formats, on the hand-written register of tests/fixtures/overview.

As at 2019-20-Q4 (worked out in tests/test_overview.py's docstring) the open items are R2
(due 10 Oct 2019, overdue), A1 (no due date from the report; the force's target 28 Feb 2020,
so overdue against that target and past it) and G1 (due on the quarter's last day, not
overdue): overdue first, then by due date. ``due`` is the report's own due date.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.quarters import Quarter
from toolkit.record.params import load_params
from toolkit.record.register import Register
from toolkit.record.status import as_csv, as_json, as_table, status_rows

FIXTURE = Path(__file__).parent / "fixtures" / "overview"
Q4 = Quarter(2019, 4)
LONG_OWNER = "Assistant Chief Constable (Crime and Criminal Justice), with the Head of Audit"


@pytest.fixture(scope="module")
def rows():
    return status_rows(Register(load_params(FIXTURE)), Q4)


def test_csv(rows):
    assert as_csv(rows).splitlines() == [
        "report,ref,kind,status,due,target_date,owner,overdue,past_target,stale,new,rag",
        "alpha,R2,recommendation,in-progress,2019-10-10,,Head of Crime Registry,"
        "true,false,false,false,red",
        "alpha,A1,area-for-improvement,in-progress,,2020-02-28,DCI Smith,true,true,false,false,red",
        # G1: due on the quarter's last day (within 30 days) and no update in Q4: amber.
        "gamma,G1,recommendation,in-progress,2020-03-31,,Ch Supt Custody,false,false,false,false,"
        "amber",
    ]


def test_json(rows):
    data = json.loads(as_json(rows, Q4))
    assert (data["quarter"], data["as_at"]) == ("2019-20-Q4", "2020-03-31")
    assert data["items"][1] == {
        "report": "alpha",
        "ref": "A1",
        "kind": "area-for-improvement",
        "status": "in-progress",
        "due": None,
        "target_date": "2020-02-28",
        "owner": "DCI Smith",
        "overdue": True,
        "past_target": True,
        "stale": False,
        "new": False,
        "rag": "red",
    }


def _render(renderable, width: int, soft_wrap: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, soft_wrap=soft_wrap)
    console.print(renderable)
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width or soft_wrap
    return text


@pytest.mark.parametrize("soft_wrap", [True, False])
@pytest.mark.parametrize("width", [120, 81, 80, 60, 40, 20])
def test_the_table_never_cuts_a_flag(rows, width, soft_wrap):
    long = [dict(row, owner=LONG_OWNER, report="a-very-long-report-identifier") for row in rows]
    long[0] = dict(long[0], stale=True, new=True)
    text = _render(as_table(long, Q4, width), width, soft_wrap)
    lines = text.splitlines()
    if width >= 100:  # wide enough for the table: flags, ref, status, dates on one line
        assert sum("overdue, stale, new" in line for line in lines) == 1, text
        assert sum("overdue" in line for line in lines) == 2, text
        assert any(
            "R2" in ln and "2019-10-10" in ln and "overdue, stale, new" in ln for ln in lines
        )
        assert any("A1" in ln and "In progress" in ln and "overdue" in ln for ln in lines)
    else:  # too narrow: two lines per item (which the terminal may wrap), flags by the item
        flat = " ".join(text.split())
        assert "R2 [overdue, stale, new]" in flat, text
        # A1 has no report due date: overdue is measured from its target, one flag says it.
        assert "A1 [overdue]" in flat, text
        assert "past target" not in flat, text
        assert "G1 recommendation;" in flat, text


def test_status_command_formats(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(
        app, ["status", "-q", "2019-20-Q4", "--params", str(FIXTURE), "--format", "csv"]
    )
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1].startswith("alpha,R2,recommendation,")
    listed = runner.invoke(
        app, ["status", "-q", "2019-20-Q4", "--params", str(FIXTURE), "--format", "json"]
    )
    assert [i["ref"] for i in json.loads(listed.stdout)["items"]] == ["R2", "A1", "G1"]
    listed = runner.invoke(
        app, ["status", "-q", "2019-20-Q4", "--params", str(FIXTURE), "--format", "xml"]
    )
    assert listed.exit_code == 2
    assert listed.stderr.splitlines() == [
        "command line: --format: not a format (expected table, csv or json, got 'xml')"
    ]


def test_tracker_command_writes_the_public_tracker(tmp_path):
    root = tmp_path / "params"
    shutil.copytree(FIXTURE, root)
    done = CliRunner().invoke(
        app,
        [
            "tracker",
            "-q",
            "2019-20-Q4",
            "--params",
            str(root),
            "--out",
            str(tmp_path / "out"),
            "--public",
        ],
    )
    assert done.exit_code == 0, done.output
    folder = tmp_path / "out" / "2019-20-Q4"
    assert sorted(p.name for p in folder.iterdir()) == ["tracker-public.csv", "tracker-public.xlsx"]
    assert "6 items, without owners and evidence." in done.stdout
    assert "Owner" not in (folder / "tracker-public.csv").read_text(encoding="utf-8-sig")
