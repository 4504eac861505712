"""Lineage between inspections: ``supersedes`` and ``parent``, checked and applied.

Fixture ``fixtures/lineage``: PEEL 2017 (published 22 March 2018) with AFI1, AFI2, CoC1
and R1 (parent CoC1); PEEL 2021 (10 May 2022, so 2022-23-Q1) whose AFI1 supersedes
peel-2017/AFI1; PEEL 2023 (14 March 2024, so 2023-24-Q4) whose AFI1 supersedes
peel-2021/AFI1 (a chain) and AFI2 supersedes peel-2017/AFI2. Updates for 2023-24-Q3:
peel-2021 AFI1 in progress, peel-2017 AFI2 complete, peel-2017 R1 in progress.

Worked by hand: peel-2017/AFI1 is superseded from 2022-23-Q1 (never updated, so open
until then). In 2023-24-Q3 PEEL 2023 is not yet out: peel-2021/AFI1 is in progress,
carried over from peel-2017/AFI1. In 2023-24-Q4 peel-2021/AFI1 becomes superseded (it was
open) and closes in that quarter; peel-2017/AFI2 stays complete (closed before), though
it is carried over too; R1, which no later item names, stays in progress.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.quarters import Quarter
from toolkit.record.history import item_history
from toolkit.record.overview import Link, build_overview
from toolkit.record.params import load_params
from toolkit.record.register import Register
from toolkit.record.tracker import tracker_rows

ROOT = Path(__file__).parent / "fixtures" / "lineage"
Q3, Q4 = Quarter.parse("2023-24-Q3"), Quarter.parse("2023-24-Q4")
P21 = Quarter.parse("2022-23-Q1")
OLD, MID = "PEEL: Police effectiveness 2017", "PEEL 2021/22: An inspection of Wessex Police"
NEW = "PEEL 2023–25: An inspection of Wessex Police"


@pytest.fixture
def register() -> Register:
    return Register(load_params(ROOT))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "params"
    shutil.copytree(ROOT, folder)
    return folder


def _row(register: Register, report_id: str, ref: str, quarter: Quarter):
    item = next(i for i in register.params.reports[report_id].items if i.ref == ref)
    return register.item_status(report_id, item, quarter)


def test_the_first_link_applies_from_its_publication_quarter(register):
    assert register.status("peel-2017", "AFI1", P21.previous()) == "not-started"
    assert register.status("peel-2017", "AFI1", P21) == "superseded"
    assert register.superseded_by("peel-2017", "AFI1", Q3) == ("peel-2021/AFI1",)
    assert register.closed_in("peel-2017", "AFI1", Q3) == P21
    row = _row(register, "peel-2021", "AFI1", Q3)
    assert (row.status, row.carried_over_from, row.superseded_by) == (
        "in-progress", "peel-2017/AFI1", (),
    )  # fmt: skip


def test_the_next_link_supersedes_the_middle_item(register):
    row = _row(register, "peel-2021", "AFI1", Q4)
    assert (row.status, row.previous_status, row.changed, row.open) == (
        "superseded", "in-progress", True, False,
    )  # fmt: skip
    assert row.superseded_by == ("peel-2023/AFI1",)
    assert row.carried_over_from == "peel-2017/AFI1"
    assert register.closed_in("peel-2021", "AFI1", Q4) == Q4
    assert item_history(register, "peel-2021", "AFI1", Q4)[-2:] == [
        (Q3, "in-progress"), (Q4, "superseded"),
    ]  # fmt: skip
    # The first item stays superseded, by the item that carried it over.
    assert register.superseded_by("peel-2017", "AFI1", Q4) == ("peel-2021/AFI1",)


def test_an_item_closed_before_stays_as_it_closed(register):
    assert register.status("peel-2017", "AFI2", Q4) == "complete"
    assert register.superseded_by("peel-2017", "AFI2", Q4) == ("peel-2023/AFI2",)
    assert register.closed_in("peel-2017", "AFI2", Q4) == Q3
    assert register.status("peel-2017", "R1", Q4) == "in-progress"


def test_the_later_items_are_carried_over(register):
    rows = [_row(register, "peel-2023", ref, Q4) for ref in ("AFI1", "AFI2", "AFI3")]
    assert [(r.item.ref, r.carried_over_from, r.status) for r in rows] == [
        ("AFI1", "peel-2021/AFI1", "not-started"),
        ("AFI2", "peel-2017/AFI2", "not-started"),
        ("AFI3", None, "not-started"),
    ]


def test_overview_and_tracker_show_the_links(register):
    assert build_overview(register.params, Q3, register).lineage == [
        Link("peel-2017/AFI1", OLD, "peel-2021/AFI1", MID, "superseded"),
    ]
    assert build_overview(register.params, Q4, register).lineage == [
        Link("peel-2017/AFI1", OLD, "peel-2021/AFI1", MID, "superseded"),
        Link("peel-2021/AFI1", MID, "peel-2023/AFI1", NEW, "superseded"),
        Link("peel-2017/AFI2", OLD, "peel-2023/AFI2", NEW, "complete"),
    ]
    by_title = {(r["report"], r["ref"]): (r["status"], r["lineage"], r["closed_in"])
                for r in tracker_rows(register.params, Q4)}  # fmt: skip
    assert by_title[(OLD, "AFI1")] == ("Superseded", "Superseded by peel-2021/AFI1", "2022-23-Q1")
    assert by_title[(MID, "AFI1")] == (
        "Superseded", "Superseded by peel-2023/AFI1; Carried over from peel-2017/AFI1",
        "2023-24-Q4",
    )  # fmt: skip
    assert by_title[(OLD, "R1")] == ("In progress", "", "")
    assert by_title[(NEW, "AFI2")] == ("Not started", "Carried over from peel-2017/AFI2", "")
    q3 = {(r["report"], r["ref"]): r["lineage"] for r in tracker_rows(register.params, Q3)}
    assert q3[(MID, "AFI1")] == "Carried over from peel-2017/AFI1"
    assert (NEW, "AFI1") not in q3


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_params(root)
    return str(err.value).splitlines()


def _edit(root: Path, report: str, old: str, new: str) -> None:
    path = root / "reports" / f"{report}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_validate_names_a_missing_report_or_ref(root):
    _edit(root, "peel-2023", "supersedes: peel-2021/AFI1", "supersedes: peel-2016/AFI1")
    _edit(root, "peel-2023", "supersedes: peel-2017/AFI2", "supersedes: peel-2017/AFI9")
    assert _problems(root) == [
        "reports/peel-2023.yaml:8: items[0].supersedes: no such report (expected "
        "<report-id>/<ref> naming a file in reports/, got 'peel-2016/AFI1')",
        "reports/peel-2023.yaml:12: items[1].supersedes: no item with this ref in peel-2017 "
        "(expected one of its refs (AFI1, AFI2, CoC1, R1), got 'peel-2017/AFI9')",
    ]


def test_validate_refuses_a_cycle_once(root):
    line = "    text: The force should improve its understanding of hidden crime."
    _edit(root, "peel-2017", line, f"{line}\n    supersedes: peel-2023/AFI1")
    assert _problems(root) == [
        "reports/peel-2017.yaml:8: items[0].supersedes: supersedes goes round in a circle "
        "(expected a chain from later reports to earlier ones, got peel-2017/AFI1 → "
        "peel-2023/AFI1 → peel-2021/AFI1 → peel-2017/AFI1)"
    ]


def test_validate_refuses_a_bad_form_and_itself(root):
    _edit(root, "peel-2023", "supersedes: peel-2021/AFI1", "supersedes: AFI1")
    _edit(root, "peel-2023", "supersedes: peel-2017/AFI2", "supersedes: peel-2023/AFI2")
    assert _problems(root) == [
        "reports/peel-2023.yaml:8: items[0].supersedes: not an item of another report "
        "(expected <report-id>/<ref>, e.g. peel-2022/AFI3, got 'AFI1')",
    ]
    _edit(root, "peel-2023", "supersedes: AFI1", "supersedes: peel-2021/AFI1")
    assert _problems(root) == [
        "reports/peel-2023.yaml:12: items[1].supersedes: an item cannot supersede itself "
        "(expected an earlier report's item, got 'peel-2023/AFI2')",
    ]


def test_validate_checks_parent_is_a_cause_of_concern(root):
    _edit(root, "peel-2017", "parent: CoC1", "parent: AFI1")
    assert _problems(root) == [
        "reports/peel-2017.yaml:16: items[3].parent: not a cause of concern of this report "
        "(expected the ref of one of its causes of concern (CoC1), got 'AFI1')",
    ]


@pytest.mark.slow
def test_a_supersedes_chain_shows_in_two_quarters(root, tmp_path):
    """``toolkit run --all`` for 2023-24-Q3 and 2023-24-Q4: each link appears from its
    later report's publication quarter, in the briefing, the overview and the tracker."""
    out = tmp_path / "out"
    runner = CliRunner()
    for quarter in (Q3, Q4):
        result = runner.invoke(
            app, ["run", "--all", "--quarter", quarter.id, "--params", str(root), "--out",
                  str(out), "--jobs", "1"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output

    def page(quarter: Quarter, name: str) -> str:
        return (out / quarter.id / name).read_text(encoding="utf-8-sig")

    assert "Superseded by peel-2021/AFI1" in page(Q3, "peel-2017/briefing.html")
    middle_q3 = page(Q3, "peel-2021/briefing.html")
    assert "Carried over from peel-2017/AFI1" in middle_q3
    assert "Superseded by" not in middle_q3
    middle_q4 = page(Q4, "peel-2021/briefing.html")
    assert "Carried over from peel-2017/AFI1" in middle_q4
    assert "Superseded by peel-2023/AFI1" in middle_q4
    assert "Carried over from peel-2021/AFI1" in page(Q4, "peel-2023/briefing.html")
    assert "peel-2023/AFI1" not in page(Q3, "index.html")
    assert "Items carried over between reports" in page(Q3, "index.html")
    assert "peel-2023/AFI1" in page(Q4, "index.html")
    assert "Superseded by peel-2023/AFI1; Carried over from peel-2017/AFI1" in page(
        Q4, "tracker.csv"
    )
    assert "Superseded by peel-2023/AFI1" not in page(Q3, "tracker.csv")


@pytest.mark.slow
def test_pages_with_lineage_meet_the_accessibility_rules(root, tmp_path):
    """The overview's carried-over table and the briefing's link lines pass axe-core at
    desktop and phone widths, and the house rules for tables."""
    import re

    from browser_tools import format_violations, require_browser_tools, run_axe, structural_problems

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--all", "--quarter", Q4.id, "--params", str(root), "--out", str(out),
              "--jobs", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    require_browser_tools()
    for page in (out / Q4.id / "index.html", out / Q4.id / "peel-2017" / "briefing.html"):
        html = page.read_text(encoding="utf-8")
        assert structural_problems(html) == []
        checked = tmp_path / f"{page.parent.name}-{page.stem}-axe.html"
        checked.write_text(
            re.sub(r"<meta\b[^>]*Content-Security-Policy[^>]*>", "", html, flags=re.I),
            encoding="utf-8",
        )
        for width in (1280, 390):
            found = run_axe(checked, width=width, screenshot=tmp_path / f"{checked.stem}.png")
            assert found["violations"] == [], format_violations(found)
