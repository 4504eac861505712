"""RAG ratings, slipped targets, sign-off and quarters with gaps, on tests/fixtures/rag.

The fixture is one report, kappa (published 15 April 2021), over 2021/22: update files for
Q1, Q2 and Q4, none for Q3, and a data.police.uk folder with no files (made empty here).
Worked out by hand from the files, with the default rules (docs/rules.md,
:mod:`toolkit.record.rag`):

As at 2021-22-Q4 (31 March 2022), every item updated but K3 and K5 (closed in Q2):

* K1: target 31 Mar 2022 (Q1), 30 Jun 2022 (Q2), 30 Sep 2022 (Q4): moved twice, 183 days
  -> **red** ("target moved twice"); shown "30 Sep 2022 (was 31 Mar 2022; moved twice)".
* K2: due 30 Sep 2021, still in progress -> overdue, **red** ("past the due date").
* K3: complete in Q2 with evidence, signed off by the Accountability Board, closed by the
  OPCC -> **blue**.
* K4: in progress, target 31 Mar 2023 never moved, updated -> **green** ("on track").
* K5: complete in Q2 with neither evidence nor sign-off -> **blue**, and validate warns
  (updates/2021-22-Q2.csv row 5).
* K6: due and target 20 Apr 2022, 20 days after the quarter's end -> **amber** ("due
  within 30 days").

Counts: red 2, amber 1, green 1, blue 2. Expected closures (open items by target, else due):
by 31 March 2022 (past its date) K2; Q1 2022/23 K6; Q2 2022/23 K1; Q3 none; Q4 2022/23 K4;
later none; no date none.

As at 2021-22-Q3 (31 December 2021), no update file: every open item has "no update this
quarter" (amber at least). K1 moved once (31 Mar -> 30 Jun 2022): **amber**; K2 overdue:
**red**; K4 and K6 **amber**; K3, K5 **blue**. Counts: red 1, amber 3, green 0, blue 2.
Closures: past K2; Q4 2021/22 none; Q1 2022/23 K1 (30 Jun 2022) and K6 (20 Apr 2022); Q2
and Q3 none; later K4 (31 Mar 2023); no date none.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.publish import render
from toolkit.publish.briefing import Briefing
from toolkit.quarters import Quarter
from toolkit.record.overview import build_overview
from toolkit.record.params import load_params
from toolkit.record.rag import Conditions, RagRules, rate, slips_of
from toolkit.record.tracker import tracker_rows
from toolkit.vocabulary import Rag

FIXTURE = Path(__file__).parent / "fixtures" / "rag"
Q3, Q4 = Quarter(2021, 3), Quarter(2021, 4)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "params"
    shutil.copytree(FIXTURE, copy)
    (copy / "police-uk").mkdir()
    return copy


# ----------------------------------------------------------------------------- the rules


def test_slips_count_moves_later_and_days_from_the_first_target():
    slips = slips_of([date(2022, 3, 31), None, date(2022, 6, 30), date(2022, 9, 30)])
    assert slips is not None
    assert (slips.count, slips.original, slips.current, slips.days) == (
        2,
        date(2022, 3, 31),
        date(2022, 9, 30),
        183,
    )
    assert slips.text == "30 Sep 2022 (was 31 Mar 2022; moved twice)"
    assert slips.as_dict() == {
        "count": 2,
        "original": "2022-03-31",
        "current": "2022-09-30",
        "days": 183,
    }


def test_a_target_brought_forward_or_repeated_is_no_slip():
    forward = slips_of([date(2022, 9, 30), date(2022, 6, 30)])
    assert forward is not None and (forward.count, forward.days) == (0, -92)
    assert forward.text == "30 Jun 2022 (was 30 Sep 2022; brought forward)"
    same = slips_of([date(2022, 9, 30), date(2022, 9, 30)])
    assert same is not None and (same.count, same.text) == (0, "30 Sep 2022")
    three = slips_of([date(2022, 1, 31), date(2022, 2, 28), date(2022, 3, 31), date(2022, 4, 30)])
    assert three is not None and three.text == "30 Apr 2022 (was 31 Jan 2022; moved 3 times)"
    assert slips_of([None, None]) is None


def _open(**changes: object) -> Conditions:
    facts: dict[str, object] = {
        "status": "in-progress",
        "closed": False,
        "explained": False,
        "past_due": False,
        "past_target": False,
        "moves": 0,
        "days_to_date": None,
        "no_update": False,
    }
    facts.update(changes)
    return Conditions(**facts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "rag", "reasons"),
    [
        (_open(), Rag.GREEN, ("on track",)),
        (_open(past_due=True), Rag.RED, ("past the due date",)),
        (_open(past_target=True), Rag.RED, ("past the force's target date",)),
        (_open(moves=2), Rag.RED, ("target moved twice",)),
        (_open(moves=1), Rag.AMBER, ("target moved once",)),
        (_open(days_to_date=30), Rag.AMBER, ("due within 30 days",)),
        (_open(days_to_date=31), Rag.GREEN, ("on track",)),
        (_open(no_update=True), Rag.AMBER, ("no update this quarter",)),
        # The reasons behind the colour come first, the lesser ones after.
        (
            _open(no_update=True, past_due=True),
            Rag.RED,
            ("past the due date", "no update this quarter"),
        ),
        (_open(status="complete", closed=True), Rag.BLUE, ("complete",)),
        (_open(status="superseded", closed=True), Rag.BLUE, ("superseded",)),
        (
            _open(status="not-accepted", closed=True, explained=True),
            Rag.BLUE,
            ("not accepted, explained by the PCC",),
        ),
        (
            _open(status="not-accepted", closed=True),
            Rag.RED,
            ("not accepted, no PCC explanation",),
        ),
    ],
)
def test_default_rules(facts, rag, reasons):
    rating = rate(facts, RagRules())
    assert (rating.rag, rating.reasons) == (rag, reasons)


def test_a_near_target_is_not_called_due_when_the_due_date_has_passed():
    rating = rate(_open(past_due=True, days_to_date=15, soon_is_target=True), RagRules())
    assert rating.reasons == ("past the due date", "target date within 30 days")


def test_the_reason_names_the_date_that_is_near(root):
    # K2 is due 30 Sep 2021 (passed by 31 Mar 2022); the force now gives a target of
    # 15 Apr 2022, 15 days after the quarter's end. The near date is the target: "due
    # within 30 days" beside "past the due date" would contradict it. K6's due date and
    # target are the same day (20 Apr 2022): the report's date, so still "due within".
    q4 = root / "updates" / "2021-22-Q4.csv"
    rows = q4.read_text(encoding="utf-8").replace(
        "kappa,K2,in-progress,Half of the records reviewed.,,,,,",
        "kappa,K2,in-progress,Half of the records reviewed.,,,2022-04-15,,",
    )
    q4.write_text(rows, encoding="utf-8")
    reasons = Briefing(load_params(root), "kappa", Q4).figures["items"]["rag_reasons"]
    assert reasons["K2"] == ["past the due date", "target date within 30 days"]
    assert reasons["K6"] == ["due within 30 days"]


def test_rules_are_overridden_colour_by_colour():
    rules = RagRules(moved="red", no_update="green", due_soon_days=10, moved_often_count=3)
    assert rate(_open(moves=1), rules).rag is Rag.RED
    assert rate(_open(moves=2), rules).reasons == ("target moved twice",)  # below 3: "moved"
    assert rate(_open(no_update=True), rules).rag is Rag.GREEN
    assert rate(_open(days_to_date=11), rules).rag is Rag.GREEN
    assert rate(_open(days_to_date=10), rules).reasons == ("due within 10 days",)
    # Switching off the unexplained not-accepted rule leaves such an item closed (blue).
    lenient = RagRules(not_accepted_unexplained="green")
    assert rate(_open(status="not-accepted", closed=True), lenient).rag is Rag.BLUE


# ------------------------------------------------------------------ the briefing's facts


def test_figures_as_at_q4(root):
    items = Briefing(load_params(root), "kappa", Q4).figures["items"]
    assert sorted(items["rag"].items()) == [
        ("K1", "red"),
        ("K2", "red"),
        ("K3", "blue"),
        ("K4", "green"),
        ("K5", "blue"),
        ("K6", "amber"),
    ]
    assert items["rag_reasons"]["K1"] == ["target moved twice"]
    assert items["rag_reasons"]["K6"] == ["due within 30 days"]
    assert items["slips"]["K1"] == {
        "count": 2,
        "original": "2022-03-31",
        "current": "2022-09-30",
        "days": 183,
    }
    assert "K2" not in items["slips"]  # no target ever given
    assert items["closed_by"] == {
        "K3": {
            "quarter": "2021-22-Q2",
            "signed_off_by": "Accountability Board",
            "closed_by": "opcc",
        },
        "K5": {"quarter": "2021-22-Q2", "signed_off_by": None, "closed_by": None},
    }
    assert items["no_update"] == []


def test_figures_as_at_q3_without_an_update_file(root):
    figures = Briefing(load_params(root), "kappa", Q3).figures
    items = figures["items"]
    assert sorted(items["rag"].items()) == [
        ("K1", "amber"),
        ("K2", "red"),
        ("K3", "blue"),
        ("K4", "amber"),
        ("K5", "blue"),
        ("K6", "amber"),
    ]
    assert items["rag_reasons"]["K1"] == ["target moved once", "no update this quarter"]
    assert sorted(items["no_update"]) == ["K1", "K2", "K4", "K6"]
    assert figures["update_file"] == {"quarter": "2021-22-Q3", "received": False}
    assert figures["items"]["changed"] == 0


def test_a_force_without_data_files_gets_figures_not_available(root):
    figures = Briefing(load_params(root), "kappa", Q4).figures
    assert figures["police_uk"] is None
    assert figures["police_uk_unavailable"] == (
        "police-uk holds no data.police.uk street-level files (none fetched yet, or the "
        "download failed): fetch them with toolkit fetch-data"
    )


# ----------------------------------------------------------------------------- the pages


def test_briefing_status_section_q3_banner_rag_and_no_update(root):
    briefing = Briefing(load_params(root), "kappa", Q3)
    html = render.section("status", briefing)
    assert html.count("No update file was received from the force for Q3 2021/22") == 1
    assert html.count("No update this quarter</strong>") == 4  # K1, K2, K4, K6
    # The banner says which items carry the mark: the open ones, not K3 and K5 (closed).
    assert "every open item below shows where it stood at its last update" in html
    assert "status unchanged" not in html
    # RAG counts: each colour's word beside its number.
    assert '<strong class="tag tag--red">Red</strong> 1</li>' in html
    assert '<strong class="tag tag--yellow">Amber</strong> 3</li>' in html
    assert '<strong class="tag tag--green">Green</strong> 0</li>' in html
    assert '<strong class="tag tag--blue">Blue</strong> 2</li>' in html
    assert "Target moved once; no update this quarter" in html
    assert '30 June 2022<br><span class="hint">(was 31 March 2022; moved once)</span>' in html
    # K3 and K5, from their closing updates.
    closed = "Closed in Q2 2021/22 (July to September 2021)"
    assert f"{closed} by OPCC; signed off by Accountability Board" in html
    assert f"{closed}; no sign-off recorded" in html


def test_briefing_status_section_q4_tells_unchanged_from_no_update(root):
    html = render.section("status", Briefing(load_params(root), "kappa", Q4))
    assert "No update file" not in html
    assert "No update this quarter" not in html
    # K1, K2, K4 and K6 were updated in Q4 with the status they had (in progress).
    assert html.count("Updated this quarter: status unchanged") == 4
    assert '30 September 2022<br><span class="hint">(was 31 March 2022; moved twice)' in html
    rag = 'RAG <strong class="tag tag--red">Red</strong> <span class="hint">Target moved twice'
    assert rag in html
    assert '<strong class="tag tag--red">Red</strong> 2</li>' in html


def test_performance_section_says_why_there_are_no_figures(root):
    html = render.section("performance", Briefing(load_params(root), "kappa", Q4))
    assert "Figures not available" in html
    assert "holds no data.police.uk street-level files" in html
    assert "No data.police.uk data is configured" not in html


def test_overview_counts_equal_the_hand_count(root):
    params = load_params(root)
    q4 = build_overview(params, Q4)
    assert q4.rag == {"red": 2, "amber": 1, "green": 1, "blue": 2}
    assert [(i.ref, i.rag) for i in q4.rated] == [
        ("K1", "red"),
        ("K2", "red"),
        ("K6", "amber"),
        ("K4", "green"),
    ]
    assert [(b.label, b.items) for b in q4.closures] == [
        ("By 31 March 2022 (past its date)", ["kappa K2"]),
        ("Q1 2022/23", ["kappa K6"]),
        ("Q2 2022/23", ["kappa K1"]),
        ("Q3 2022/23", []),
        ("Q4 2022/23", ["kappa K4"]),
        ("Later than Q4 2022/23", []),
        ("No date", []),
    ]
    assert q4.update_missing is False
    q3 = build_overview(params, Q3)
    assert q3.rag == {"red": 1, "amber": 3, "green": 0, "blue": 2}
    assert [b.count for b in q3.closures] == [1, 0, 2, 0, 0, 1, 0]
    assert q3.closures[2].items == ["kappa K1", "kappa K6"]
    assert q3.update_missing is True


def test_tracker_rag_column_is_plain_text_and_equals_the_hand_count(root):
    rows = {row["ref"]: row for row in tracker_rows(load_params(root), Q4)}
    assert {ref: row["rag"] for ref, row in rows.items()} == {
        "K1": "Red",
        "K2": "Red",
        "K3": "Blue",
        "K4": "Green",
        "K5": "Blue",
        "K6": "Amber",
    }
    assert (rows["K1"]["target_moves"], rows["K1"]["target_history"]) == (
        2,
        "30 Sep 2022 (was 31 Mar 2022; moved twice)",
    )
    assert (rows["K3"]["closed_in"], rows["K3"]["closed_by"], rows["K3"]["signed_off_by"]) == (
        "2021-22-Q2",
        "OPCC",
        "Accountability Board",
    )
    assert (rows["K5"]["closed_by"], rows["K5"]["signed_off_by"]) == ("", "")
    assert rows["K2"]["rag_reason"] == "past the due date"


# ---------------------------------------------------------------------------- validate


def _validate(*args: object):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def test_validate_warns_of_the_gap_the_data_and_an_unsupported_closure(root):
    result = _validate("--params", root, "--quarter", "2021-22-Q3")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: updates/2021-22-Q2.csv:5: status: kappa K5 moves to complete with neither "
        "evidence nor a sign-off (expected evidence or signed_off_by)",
        "warning: force.yaml: data.police_uk: police-uk holds no data.police.uk street-level "
        "files; the briefings are produced without performance figures (fetch them with "
        "toolkit fetch-data)",
        "warning: updates/2021-22-Q3.csv|.xlsx: no update file for 2021-22-Q3; the briefings "
        'and the overview show every open item as "no update this quarter"',
    ]
    # A quarter with its file: no gap warning.
    assert "no update file" not in _validate("--params", root, "-q", "2021-22-Q4").stderr


@pytest.mark.parametrize(
    ("rag", "line"),
    [
        (
            "rag:\n  moved: purple\n",
            "force.yaml:14: rag.moved: not an allowed value (expected 'red', 'amber' or 'green', "
            "got 'purple')",
        ),
        (
            "rag:\n  due_soon_days: thirty\n",
            "force.yaml:14: rag.due_soon_days: not a whole number (expected a whole number, "
            "got 'thirty')",
        ),
        (
            "rag:\n  moved_twice: red\n",
            "force.yaml:14: rag.moved_twice: unknown key; did you mean 'moved_often'? "
            "(expected one of past_due, past_target, moved_often, moved, due_soon, no_update, "
            "not_accepted_unexplained, moved_often_count, due_soon_days)",
        ),
    ],
)
def test_a_bad_rag_override_is_one_line(root, rag, line):
    (root / "force.yaml").write_text((root / "force.yaml").read_text() + rag)
    result = _validate("--params", root)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [line]


def test_a_rag_override_changes_the_ratings(root):
    (root / "force.yaml").write_text(
        (root / "force.yaml").read_text() + "rag:\n  moved: red\n  no_update: green\n"
    )
    items = Briefing(load_params(root), "kappa", Q3).figures["items"]
    # K1 moved once: red now; K4 and K6 were amber only for want of an update.
    assert sorted(items["rag"].items()) == [
        ("K1", "red"),
        ("K2", "red"),
        ("K3", "blue"),
        ("K4", "green"),
        ("K5", "blue"),
        ("K6", "green"),
    ]


def test_closed_by_must_be_one_of_three(root):
    path = root / "updates" / "2021-22-Q4.csv"
    path.write_text(path.read_text() + "kappa,K3,complete,Done.,Minutes,,,Board,the chief\n")
    result = _validate("--params", root)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "updates/2021-22-Q4.csv:6: closed_by: not who closed the item (expected one of opcc, "
        "hmicfrs, force or an empty cell, got 'the chief')",
    ]


def test_status_shows_the_rating_and_warns_of_a_quarter_without_updates(root):
    result = CliRunner().invoke(app, ["status", "-q", "2021-22-Q3", "--params", str(root)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: updates/2021-22-Q3.csv|.xlsx: no update file for 2021-22-Q3; the briefings "
        'and the overview show every open item as "no update this quarter"'
    ]
    listed = CliRunner().invoke(
        app, ["status", "-q", "2021-22-Q3", "--params", str(root), "--format", "csv"]
    )
    rows = [line.split(",") for line in listed.stdout.splitlines()[1:]]
    assert sorted((row[1], row[-1]) for row in rows) == [
        ("K1", "amber"),
        ("K2", "red"),
        ("K4", "amber"),
        ("K6", "amber"),
    ]
