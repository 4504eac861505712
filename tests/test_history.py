"""The record across quarters (``toolkit.record.history``), on the register fixture.

Hand-worked from tests/fixtures/register (quarter ends: Q1 2019-06-30, Q2 2019-09-30,
Q3 2019-12-31, Q4 2020-03-31):

alpha, published 2019-05-15 (first tracked quarter 2019-20-Q1), response sent 2019-07-01, so
the letter is drafted as at the end of 2019-20-Q1 (the last quarter ended by then; Q2's own
updates are as at 30 September, after the letter):
  R1  Q1 in-progress, Q2 pending-sign-off, Q3 complete
  R2  Q1 not-started, Q2 not-started,      Q3 in-progress
  R3  Q1 not-started, Q2 in-progress,      Q3 in-progress
  C1  Q1 in-progress, Q2 in-progress,      Q3 in-progress
beta, published 2019-08-01 (first tracked quarter 2019-20-Q2), not sent:
  R1  Q2 not-accepted, Q3 not-accepted;  L1  Q2 not-started, Q3 in-progress
The fourth quarter (written by the tests that need it) adds alpha C1 complete.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from toolkit.publish.briefing import build
from toolkit.publish.render import section
from toolkit.quarters import Quarter
from toolkit.record.history import closed_in, letter_quarter, quarters_between

Q = {n: Quarter.parse(f"2019-20-Q{n}") for n in (1, 2, 3, 4)}


def _write_q4(root: Path) -> None:
    (root / "updates" / "2019-20-Q4.csv").write_text(
        "report,ref,status,update,evidence,owner,target_date\n"
        "alpha,C1,complete,Referrals are now made within a day.,Audit,DCI,\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- a sent letter


@pytest.mark.parametrize(
    ("sent", "quarter"),
    [
        (date(2019, 7, 1), "2019-20-Q1"),  # the day after Q1 ended
        (date(2019, 6, 30), "2019-20-Q1"),  # Q1's last day: its updates are as at that day
        (date(2019, 6, 29), "2018-19-Q4"),
        (date(2020, 2, 6), "2019-20-Q3"),  # the example's letter
    ],
)
def test_the_letter_is_drafted_as_at_the_last_quarter_ended_by_its_date(sent, quarter):
    assert letter_quarter(sent).id == quarter


def test_a_sent_letter_is_the_same_in_its_quarter_and_every_later_one(register_root, tmp_path):
    _write_q4(register_root)
    drafts = {}
    for n in (2, 3, 4):  # Q2 holds the sending day; Q3 and Q4 change statuses
        out = tmp_path / f"q{n}"
        build("alpha", Q[n].id, register_root).save(out)
        drafts[n] = (out / "response-draft.md").read_bytes()
    assert drafts[2] == drafts[3] == drafts[4]
    text = drafts[2].decode("utf-8")
    # As the register stood on 1 July 2019 (Q1's updates are as at 30 June; Q2's, undated,
    # as at 30 September): R1 in progress with Q1's words, attributed to the force; R2 not
    # updated; R1's due date of 30 September 2019 still ahead.
    assert (
        "The force reports that work started. It records this recommendation as in progress. "
        "It is due by 30 September 2019, the date the report sets." in text
    )
    assert "No update recorded for R2" in text
    assert "Signed off by the board" not in text  # Q3's update, after the letter
    assert "as it had reported it by 1 July 2019" in text
    assert "1 July 2019" in text


def test_later_briefings_list_exactly_the_moves_since_the_letter(register_root):
    _write_q4(register_root)
    moves = {
        n: [m.as_dict() for m in build("alpha", Q[n].id, register_root).since_response or []]
        for n in (1, 2, 3, 4)
    }
    assert moves[1] == []  # the letter's own quarter
    assert moves[2] == [
        {"ref": "R1", "from": "in-progress", "to": "pending-sign-off"},
        {"ref": "R3", "from": "not-started", "to": "in-progress"},
    ]
    assert moves[3] == [
        {"ref": "R1", "from": "in-progress", "to": "complete"},
        {"ref": "R2", "from": "not-started", "to": "in-progress"},
        {"ref": "R3", "from": "not-started", "to": "in-progress"},
    ]
    assert moves[4] == moves[3] + [{"ref": "C1", "from": "in-progress", "to": "complete"}]
    briefing = build("alpha", Q[4].id, register_root)
    assert briefing.figures["items"]["since_response"] == moves[4]
    assert briefing.figures["s55"]["letter_as_at"] == "2019-20-Q1"
    html = section("status", briefing)
    assert "Progress since the response" in html
    assert "<strong>C1</strong>: In progress" in html
    assert build("beta", Q[3].id, register_root).figures["items"]["since_response"] is None


def test_a_later_briefing_shows_the_response_as_sent(register_root):
    html = section("response", build("alpha", Q[3].id, register_root))
    assert "Response sent on 1 July 2019." in html
    assert "the force's updates dated on or before that day" in html
    assert "Draft s55 response" not in html


# --------------------------------------------------------------------------- item history

HISTORY = {
    ("alpha", 1): {
        "R1": [["2019-20-Q1", "in-progress"]],
        "R2": [["2019-20-Q1", "not-started"]],
        "R3": [["2019-20-Q1", "not-started"]],
        "C1": [["2019-20-Q1", "in-progress"]],
    },
    ("alpha", 2): {
        "R1": [["2019-20-Q1", "in-progress"], ["2019-20-Q2", "pending-sign-off"]],
        "R2": [["2019-20-Q1", "not-started"], ["2019-20-Q2", "not-started"]],
        "R3": [["2019-20-Q1", "not-started"], ["2019-20-Q2", "in-progress"]],
        "C1": [["2019-20-Q1", "in-progress"], ["2019-20-Q2", "in-progress"]],
    },
    ("alpha", 3): {
        "R1": [
            ["2019-20-Q1", "in-progress"],
            ["2019-20-Q2", "pending-sign-off"],
            ["2019-20-Q3", "complete"],
        ],
        "R2": [
            ["2019-20-Q1", "not-started"],
            ["2019-20-Q2", "not-started"],
            ["2019-20-Q3", "in-progress"],
        ],
        "R3": [
            ["2019-20-Q1", "not-started"],
            ["2019-20-Q2", "in-progress"],
            ["2019-20-Q3", "in-progress"],
        ],
        "C1": [
            ["2019-20-Q1", "in-progress"],
            ["2019-20-Q2", "in-progress"],
            ["2019-20-Q3", "in-progress"],
        ],
    },  # fmt: skip
    ("beta", 1): {"R1": [], "L1": []},  # published in Q2: nothing tracked yet
    ("beta", 2): {"R1": [["2019-20-Q2", "not-accepted"]], "L1": [["2019-20-Q2", "not-started"]]},
    ("beta", 3): {
        "R1": [["2019-20-Q2", "not-accepted"], ["2019-20-Q3", "not-accepted"]],
        "L1": [["2019-20-Q2", "not-started"], ["2019-20-Q3", "in-progress"]],
    },
}


@pytest.mark.parametrize(("report", "n"), sorted(HISTORY))
def test_items_history_is_pinned_for_two_reports_and_three_quarters(register_root, report, n):
    assert build(report, Q[n].id, register_root).figures["items"]["history"] == HISTORY[(report, n)]


def test_the_quarter_each_item_closed(register_root):
    items = build("alpha", Q[3].id, register_root).figures["items"]
    assert items["closed_in"] == {"R1": "2019-20-Q3", "R2": None, "R3": None, "C1": None}
    beta = build("beta", Q[3].id, register_root).figures["items"]
    assert beta["closed_in"] == {"R1": "2019-20-Q2", "L1": None}


def test_closed_in_is_the_start_of_the_closed_run_the_history_ends_with():
    q1, q2, q3, q4 = (Q[n] for n in (1, 2, 3, 4))
    reopened = [(q1, "complete"), (q2, "in-progress"), (q3, "complete"), (q4, "superseded")]
    assert closed_in(reopened) == q3
    assert closed_in([(q1, "complete"), (q2, "in-progress")]) is None
    assert closed_in([]) is None
    assert quarters_between(q2, q1) == []
    assert quarters_between(Quarter.parse("2018-19-Q4"), q1) == [Quarter.parse("2018-19-Q4"), q1]


def test_days_open_and_overdue_per_open_item(register_root):
    items = build("alpha", Q[3].id, register_root).figures["items"]
    # Opened 15 May 2019; to 31 December 2019: 16 + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 230.
    assert items["days_open"] == {"R2": 230, "R3": 230, "C1": 230}
    # R2 due 15 November 2019: 46 days to 31 December; C1 due on publication: 230.
    assert items["days_overdue"] == {"R2": 46, "C1": 230}


def test_the_history_table_is_in_the_briefing(register_root):
    html = section("status", build("alpha", Q[3].id, register_root))
    assert '<caption id="history-caption">Status of each item at each quarter\'s end, ' in html
    assert "Q1 2019/20 to Q3 2019/20</caption>" in html
    row = html[html.index('<tr><th scope="row">R1</th><td><strong') :]
    row = row[: row.index("</tr>")]
    assert row.count("<td>") == 4  # three quarters and "Closed in"
    assert "Pending sign-off" in row and row.endswith('Q3 2019/20</td><td class="num">Closed</td>')


# --------------------------------------------------------------------------- due and target


def test_overdue_against_the_due_date_and_past_the_forces_target_are_counted_apart(
    register_root,
):
    (register_root / "reports" / "gamma.yaml").write_text(
        "title: Gamma\npublished: 2019-10-01\nkind: force\nitems:\n"
        "  - {ref: G1, kind: recommendation, text: Do it., due: 2020-12-31}\n",
        encoding="utf-8",
    )
    (register_root / "updates" / "2019-20-Q4.csv").write_text(
        "report,ref,status,update,evidence,owner,target_date\n"
        "alpha,R2,in-progress,Audit half done.,,,2020-06-30\n"
        "alpha,R3,in-progress,Model piloted.,,,2020-01-31\n"
        "gamma,G1,in-progress,Started.,,,2020-02-28\n",
        encoding="utf-8",
    )
    alpha = build("alpha", Q[4].id, register_root).figures["items"]
    # At 31 March 2020: R2 past its due date (15 Nov 2019) but not its target (30 Jun 2020);
    # R3 has no due date, so its target (31 Jan 2020) makes it both; C1 due on publication.
    assert (alpha["overdue"], alpha["past_target"]) == (3, 1)
    assert alpha["days_overdue"] == {"R2": 137, "R3": 60, "C1": 321}
    assert alpha["days_past_target"] == {"R3": 60}
    assert alpha["dates"]["R2"] == {"due": "2019-11-15", "target": "2020-06-30"}
    assert alpha["dates"]["R3"] == {"due": None, "target": "2020-01-31"}
    gamma = build("gamma", Q[4].id, register_root).figures["items"]
    # G1: due 31 Dec 2020 (not overdue), target 28 Feb 2020 (32 days past it).
    assert (gamma["overdue"], gamma["past_target"]) == (0, 1)
    assert gamma["days_past_target"] == {"G1": 32}
    html = section("status", build("gamma", Q[4].id, register_root))
    assert "31 December 2020" in html and "28 February 2020" in html
    assert '<strong class="tag tag--red">Past target</strong>' in html
    assert '<strong class="tag tag--red">Overdue</strong>' not in html
    assert "31 December 2020" in html and "2020-12-31" not in html  # a plain date, once
    # R3: no due date from the report, so overdue is measured from the target: one flag.
    alpha_html = section("status", build("alpha", Q[4].id, register_root))
    r3 = alpha_html[alpha_html.index('<th scope="row">R3</th>') :]
    r3 = r3[: r3.index("</tr>")]
    assert "None set by the report" in r3 and "31 January 2020" in r3
    assert '<strong class="tag tag--red">Overdue</strong>' in r3
    assert "Past target" not in r3
    # The counts too: alpha's one past-target item (R3) is counted as overdue alone.
    alpha_header = section("header", build("alpha", Q[4].id, register_root))
    assert "past the force" not in alpha_header and "past the force" not in alpha_html
    gamma_header = section("header", build("gamma", Q[4].id, register_root))
    assert "0 overdue, 1 past the force's target" in gamma_header


def test_the_letter_gives_the_due_date_and_the_forces_target_side_by_side(register_root):
    from toolkit.letter import draft_letter

    (register_root / "updates" / "2019-20-Q4.csv").write_text(
        "report,ref,status,update,evidence,owner,target_date\n"
        "alpha,R2,in-progress,Audit half done.,,,2020-06-30\n"
        "alpha,R3,in-progress,Model piloted.,,,2020-01-31\n",
        encoding="utf-8",
    )
    text = draft_letter(build("alpha", Q[4].id, register_root)).text()
    # As at 31 March 2020. R2: the report's "within six months" of 15 May 2019 has passed,
    # and is said as past; the force's own target is still ahead.
    assert (
        "It was due by 15 November 2019, the date the report set. The force’s target date is "
        "30 June 2020." in text
    )
    assert "Due by 15 November 2019" not in text and "is due by 15 November" not in text
    # R3: no due date in the report; the force's target of 31 January 2020 has passed.
    # The force first set 31 December 2019 (its Q2 update, conftest), then moved it.
    assert (
        "The force’s target date of 31 January 2020 (first set as 31 December 2019) has "
        "passed." in text
    )


def test_a_briefing_before_the_letters_quarter_knows_nothing_after_its_own_end(register_root):
    report = register_root / "reports" / "alpha.yaml"
    report.write_text(report.read_text().replace("sent: 2019-07-01", "sent: 2020-01-15"))
    early = build("alpha", Q[2].id, register_root)  # the letter is as at Q3, after Q2's end
    assert early.letter_quarter == Q[2]
    assert "Signed off by the board" not in early.letter.text()  # Q3's update
    assert build("alpha", Q[4].id, register_root).letter_quarter == Q[3]
    html = section("response", early)
    assert "The response was sent on 15 January 2020, after this quarter's end." in html
