"""The register on a hand-written params root (tests/fixtures/register).

Hand-worked expectations (quarter ends: Q1 2019-06-30, Q2 2019-09-30, Q3 2019-12-31).
alpha (published 2019-05-15; R1 due 2019-09-30, R2 due within six months = 2019-11-15,
R3 no due date, C1 due immediately = 2019-05-15):
  Q1: R1 in-progress, R2 not-started, R3 not-started, C1 in-progress.
      changed R1, C1 (from not-started) = 2; overdue C1 = 1.
  Q2: R1 pending-sign-off, R2 not-started, R3 in-progress (target 2019-12-31), C1 in-progress.
      changed R1, R3 = 2; overdue C1 = 1 (R1 due on the quarter's last day is not overdue).
  Q3: R1 complete, R2 in-progress, R3 in-progress, C1 in-progress (last updated Q1).
      changed R1, R2 = 2; overdue R2, C1 = 2 (R3's target is the last day); stale C1 = 1.
beta (published 2019-08-01, in Q2; R1 no due date, L1 due 2020-01-31):
  Q1: both not-started; changed 0; overdue 0.
  Q2: R1 not-accepted, L1 not-started; changed 1; overdue 0; new 2.
  Q3: R1 not-accepted, L1 in-progress; changed 1; overdue 0.
"""

from datetime import date

import pytest

from toolkit.publish.briefing import build
from toolkit.quarters import Quarter
from toolkit.record.params import load_params
from toolkit.record.register import Register, s55_state, summary

EXPECTED = {
    ("alpha", "2019-20-Q1"): {
        "total": 4,
        "by_status": {"in-progress": 2, "not-started": 2},
        "overdue": 1,
        "changed": 2,
        "stale": 0,
    },
    ("alpha", "2019-20-Q2"): {
        "total": 4,
        "by_status": {"not-started": 1, "in-progress": 2, "pending-sign-off": 1},
        "overdue": 1,
        "changed": 2,
        "stale": 0,
    },
    ("alpha", "2019-20-Q3"): {
        "total": 4,
        "by_status": {"in-progress": 3, "complete": 1},
        "overdue": 2,
        "changed": 2,
        "stale": 1,
    },
    ("beta", "2019-20-Q1"): {
        "total": 2,
        "by_status": {"not-started": 2},
        "overdue": 0,
        "changed": 0,
        "stale": 0,
    },
    ("beta", "2019-20-Q2"): {
        "total": 2,
        "by_status": {"not-started": 1, "not-accepted": 1},
        "overdue": 0,
        "changed": 1,
        "stale": 0,
    },
    ("beta", "2019-20-Q3"): {
        "total": 2,
        "by_status": {"in-progress": 1, "not-accepted": 1},
        "overdue": 0,
        "changed": 1,
        "stale": 0,
    },
}


@pytest.mark.parametrize(("report", "quarter"), sorted(EXPECTED))
def test_items_summary_matches_hand_worked_counts(register_root, report, quarter):
    register = Register(load_params(register_root))
    got = summary(register.items(report, Quarter.parse(quarter)))
    want = EXPECTED[(report, quarter)]
    assert {key: got[key] for key in want} == want


def test_by_status_keeps_canonical_order_and_omits_zeros(register_root):
    register = Register(load_params(register_root))
    got = summary(register.items("alpha", Quarter.parse("2019-20-Q2")))
    assert list(got["by_status"]) == ["not-started", "in-progress", "pending-sign-off"]


def test_overdue_items_come_first_and_carry_their_due_dates(register_root):
    register = Register(load_params(register_root))
    rows = register.items("alpha", Quarter.parse("2019-20-Q3"))
    assert [r.item.ref for r in rows] == ["R2", "C1", "R1", "R3"]
    due = {r.item.ref: r.due for r in rows}
    assert due == {
        "R1": date(2019, 9, 30),
        "R2": date(2019, 11, 15),
        "C1": date(2019, 5, 15),
        "R3": date(2019, 12, 31),
    }
    r3 = next(r for r in rows if r.item.ref == "R3")
    assert r3.due_source == "force's target date"


def test_update_keeps_text_evidence_owner_and_target(register_root):
    register = Register(load_params(register_root))
    rows = {r.item.ref: r for r in register.items("beta", Quarter.parse("2019-20-Q3"))}
    latest = rows["L1"].latest
    assert latest is not None
    assert (latest.update, latest.owner, latest.target_date) == (
        "Half of officers trained.",
        "Ch Supt",
        date(2020, 3, 31),
    )
    assert rows["R1"].latest.update == "The national framework does not fit local needs."
    assert rows["R1"].latest.quarter.id == "2019-20-Q2"


def test_new_items_are_those_of_a_report_published_in_the_quarter(register_root):
    register = Register(load_params(register_root))
    assert summary(register.items("beta", Quarter.parse("2019-20-Q2")))["new"] == 2
    assert summary(register.items("beta", Quarter.parse("2019-20-Q3")))["new"] == 0


def test_open_items_across_reports_overdue_first(register_root):
    register = Register(load_params(register_root))
    rows = register.open_items(Quarter.parse("2019-20-Q3"))
    assert [(r.report_id, r.item.ref) for r in rows] == [
        ("alpha", "C1"),
        ("alpha", "R2"),
        ("alpha", "R3"),
        ("beta", "L1"),
    ]


@pytest.mark.parametrize(
    ("report", "quarter", "state", "text"),
    [
        ("alpha", "2019-20-Q1", "sent", "response sent on 1 July 2019, day 48"),
        ("beta", "2019-20-Q1", "not-published", "report not yet published at the quarter's end"),
        ("beta", "2019-20-Q2", "overdue", "overdue by 5 days"),
    ],
)
def test_s55_state(register_root, report, quarter, state, text):
    params = load_params(register_root)
    got = s55_state(params.reports[report], Quarter.parse(quarter))
    assert (got["state"], got["state_text"]) == (state, text)


def test_s55_deadline_is_published_plus_55_days(register_root):
    params = load_params(register_root)
    assert params.reports["alpha"].deadline == date(2019, 7, 9)
    assert params.reports["beta"].deadline == date(2019, 9, 25)


def test_due_in_days_before_the_deadline(tmp_path, register_root):
    params = load_params(register_root)
    beta = params.reports["beta"].model_copy(update={"published": date(2019, 9, 20)})
    got = s55_state(beta, Quarter.parse("2019-20-Q2"))  # deadline 2019-11-14, as at 2019-09-30
    assert got["state_text"] == "due in 45 days"


def test_report_without_items_briefs_zero(register_root):
    (register_root / "reports" / "gamma.yaml").write_text(
        "title: Gamma thematic\npublished: 2019-10-02\nkind: thematic\n", encoding="utf-8"
    )
    briefing = build("gamma", "2019-20-Q3", register_root)
    assert briefing.figures["items"]["total"] == 0
    assert briefing.figures["items"]["by_status"] == {}
    from toolkit.publish.render import section

    html = section("status", briefing)
    assert "makes no recommendations" in html


def test_tracked_from_publication_or_first_update(register_root):
    register = Register(load_params(register_root))
    q1, q2 = Quarter.parse("2019-20-Q1"), Quarter.parse("2019-20-Q2")
    assert register.tracked("alpha", q1)  # published 2019-05-15, in Q1
    assert not register.tracked("beta", q1)  # published 2019-08-01, no update in Q1
    assert register.tracked("beta", q2)
    with (register_root / "updates" / "2019-20-Q1.csv").open("a", encoding="utf-8") as f:
        f.write("beta,L1,in-progress,Started before the report came out.,,,\n")
    assert Register(load_params(register_root)).tracked("beta", q1)


def test_status_table_counts_by_status_and_kind(register_root):
    import re

    from toolkit.publish.render import section

    html = section("status", build("alpha", "2019-20-Q3", register_root))
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert re.findall(r">([^<>]+)</th>", header) == [
        "Status",
        "Recommendation",
        "Area for improvement",
        "Cause of concern",
        "All items",
    ]

    def row(label):
        cells = re.search(rf">{label}</strong></th>(.*?)</tr>", html, re.S).group(1)
        return [int(n) for n in re.findall(r">(\d+)</td>", cells)]

    # Q3 (worked above): R1 complete, R2 in progress (recommendations); R3 in progress
    # (area for improvement); C1 in progress (cause of concern).
    assert row("In progress") == [1, 1, 1, 3]
    assert row("Complete") == [1, 0, 0, 1]
    assert row("Not started") == [0, 0, 0, 0]


def test_latest_update_target_owner_and_closing_quarter():
    """On tests/fixtures/overview (worked in tests/test_overview.py's docstring)."""
    from pathlib import Path

    register = Register(load_params(Path(__file__).parent / "fixtures" / "overview"))
    q2, q3, q4 = Quarter(2019, 2), Quarter(2019, 3), Quarter(2019, 4)
    alpha = {item.ref: item for item in register.params.reports["alpha"].items}
    latest = register.latest_update("alpha", "R2", q4)
    assert latest is not None and (latest.quarter, latest.update) == (q3, "Audit under way.")
    assert register.latest_update("alpha", "R2", q2) is None
    # A1's target: 2019-12-31 from Q2, kept through Q3 (no update), replaced in Q4.
    assert register.target("alpha", "A1", q3) == date(2019, 12, 31)
    assert register.target("alpha", "A1", q4) == date(2020, 2, 28)
    assert register.target("alpha", "R1", q4) is None
    # R1's owner from Q1's update survives Q2's and Q3's blank owner; C1's comes from updates.
    assert register.owner("alpha", alpha["R1"], q4) == "ACC Operations"
    assert register.owner("alpha", alpha["C1"], q4) == "DCI Jones"
    assert register.owner("alpha", alpha["R2"], q2) == ""
    # R1: complete in Q3, superseded in Q4 -> closed in Q3. C1 closed in Q4; R2 open.
    assert register.closed_in("alpha", "R1", q4) == q3
    assert register.closed_in("alpha", "C1", q4) == q4
    assert register.closed_in("alpha", "C1", q3) is None
    assert register.closed_in("alpha", "R2", q4) is None
