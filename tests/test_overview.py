"""The quarter overview on a hand-written register: 3 reports x 4 quarters
(tests/fixtures/overview), every figure worked out by hand below.

Quarter ends: Q1 2019-06-30, Q2 2019-09-30, Q3 2019-12-31, Q4 2020-03-31 (all 2019-20).

alpha (published 2019-04-10, Q1; response sent 2019-05-20 = day 41):
  R1 due 2019-09-30, owner ACC Operations;  R2 due within six months = 2019-10-10, no owner;
  A1 no due date, owner DCI Smith (targets: Q2 2019-12-31, Q4 2020-02-28);
  C1 due immediately = 2019-04-10, no owner in the file (DCI Jones from Q1's update).
beta (published 2019-05-01, Q1): no items; response never sent, deadline 2019-06-25.
gamma (published 2019-12-02, Q3 -- mid-way): G1 due 2020-03-31 (Ch Supt Custody), G2 no due
  date and no owner; response not sent, deadline 2019-12-02 + 55 = 2020-01-26.

Statuses (ns not-started, ip in-progress, pso pending-sign-off, c complete, s superseded,
na not-accepted); gamma is tracked from Q3:
        R1   R2   A1   C1   G1   G2
  Q1    ip   ns   ns   ip   -    -
  Q2    pso  ns   ip   ip   -    -
  Q3    c    ip   ip   ip   ip   ns
  Q4    s    ip   ip   c    ip   na
Overdue (open, due before the end):
  Q1 C1; Q2 C1 (R1 due on the last day is not overdue); Q3 R2, C1 (A1's target is the last
  day); Q4 R2 (173 days: 10 Oct 2019 -> 31 Mar 2020) and A1 (target 28 Feb 2020: 32 days);
  G1 is due on Q4's last day: not overdue.
Open/closed: Q1 4/0, Q2 4/0, Q3 5/1 (R1), Q4 3/3 (R1, C1, G2).
Closed in the quarter: Q3 R1 = 1; Q4 C1, G2 = 2 (R1 was already closed).
New in the quarter: Q1 alpha's 4 (beta has none), Q3 gamma's 2.
Changed: Q3 R1 pso->c, R2 ns->ip, G1 ns->ip; Q4 R1 c->s, C1 ip->c, G2 ns->na.
s55 at Q3's end: alpha sent, beta overdue by 189 days (25 Jun -> 31 Dec), gamma due in 26 days.
s55 at Q4's end: alpha sent, beta overdue by 280 days, gamma overdue by 65 days.
Owners at Q4: DCI Smith 1 open 1 overdue (A1); Head of Crime Registry 1/1 (R2, named by Q3's
update); Ch Supt Custody 1/0 (G1); ACC Operations 0/0, 1 closed (R1); DCI Jones 0/0, 1 closed
(C1); G2 has no owner: Not assigned 0/0, 1 closed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from toolkit.quarters import Quarter
from toolkit.record.overview import (
    Change,
    Headline,
    OverdueItem,
    OwnerCounts,
    QuarterCounts,
    build_overview,
    series,
)
from toolkit.record.params import load_params
from toolkit.record.register import Register

ROOT = Path(__file__).parent / "fixtures" / "overview"
Q1, Q2, Q3, Q4 = (Quarter(2019, n) for n in (1, 2, 3, 4))


@pytest.fixture(scope="module")
def register() -> Register:
    return Register(load_params(ROOT))


def test_headline_figures_at_the_end_of_the_last_quarter(register):
    overview = build_overview(register.params, Q4, register)
    assert overview.headline == Headline(
        reports=3,
        items=6,
        open=3,
        overdue=2,
        closed_this_quarter=2,
        new_this_quarter=0,
        changed=3,
        s55_due=0,
        s55_sent=1,
        s55_overdue=2,
        stale=0,  # R2 and G1 were last updated in Q3, A1 in Q4: none two quarters back
    )
    assert overview.as_at == date(2020, 3, 31)


def test_the_overview_counts_stale_items_as_the_briefing_does(register):
    """A quarter later, with no update file: R2 and G1, last updated in Q3 2019/20, have had
    none for two quarters; A1 (updated in Q4) has not. The briefings of the same quarter
    count the same items, report by report."""
    from toolkit.publish.briefing import build

    later = Quarter(2020, 1)
    assert build_overview(register.params, later, register).headline.stale == 2
    stale = {
        rid: build(rid, later.id, ROOT).figures["items"].get("stale") for rid in ("alpha", "gamma")
    }
    assert stale == {"alpha": 1, "gamma": 1}


def test_headline_figures_in_the_quarter_the_mid_way_report_came_out(register):
    overview = build_overview(register.params, Q3, register)
    assert overview.headline == Headline(
        reports=3,
        items=6,
        open=5,
        overdue=2,
        closed_this_quarter=1,
        new_this_quarter=2,
        changed=3,
        s55_due=1,
        s55_sent=1,
        s55_overdue=1,
        stale=1,  # C1: last updated in Q1, two quarters before Q3
    )
    assert [(s.report, s.state, s.days) for s in overview.s55] == [
        ("beta", "overdue", 189),
        ("gamma", "due", 26),
        ("alpha", "sent", 41),
    ]


def test_s55_states_at_the_end_of_the_last_quarter(register):
    overview = build_overview(register.params, Q4, register)
    assert [(s.report, s.state, s.days, s.deadline) for s in overview.s55] == [
        ("beta", "overdue", 280, date(2019, 6, 25)),
        ("gamma", "overdue", 65, date(2020, 1, 26)),
        ("alpha", "sent", 41, date(2019, 6, 4)),  # 10 Apr + 55 days
    ]


def test_overdue_items_most_overdue_first(register):
    overview = build_overview(register.params, Q4, register)
    assert overview.overdue == [
        OverdueItem(
            report="alpha",
            title="Alpha force inspection",
            ref="R2",
            kind="recommendation",
            owner="Head of Crime Registry",
            due=date(2019, 10, 10),
            target=None,
            days_overdue=173,
            status="in-progress",
            latest_update="Audit under way.",
            latest_quarter="2019-20-Q3",
        ),
        OverdueItem(
            report="alpha",
            title="Alpha force inspection",
            ref="A1",
            kind="area-for-improvement",
            owner="DCI Smith",
            due=None,
            target=date(2020, 2, 28),
            days_overdue=32,
            status="in-progress",
            latest_update="@Supervisors trained; the model goes live in February.",
            latest_quarter="2019-20-Q4",
        ),
    ]


def test_what_changed_this_quarter(register):
    def moves(quarter):
        return [
            (c.report, c.ref, c.previous, c.status)
            for c in build_overview(register.params, quarter, register).changes
        ]

    assert moves(Q4) == [
        ("alpha", "R1", "complete", "superseded"),
        ("alpha", "C1", "in-progress", "complete"),
        ("gamma", "G2", "not-started", "not-accepted"),
    ]
    assert moves(Q3) == [
        ("alpha", "R1", "pending-sign-off", "complete"),
        ("alpha", "R2", "not-started", "in-progress"),
        ("gamma", "G1", "not-started", "in-progress"),
    ]
    change = build_overview(register.params, Q4, register).changes[0]
    assert change == Change(
        "alpha", "Alpha force inspection", "R1", "recommendation", "complete", "superseded"
    )


def test_series_from_the_register_history(register):
    expected = [
        QuarterCounts("2019-20-Q1", "Q1 2019/20", 2, 4, 0, 1, 0, 4),
        QuarterCounts("2019-20-Q2", "Q2 2019/20", 2, 4, 0, 1, 0, 0),
        QuarterCounts("2019-20-Q3", "Q3 2019/20", 3, 5, 1, 2, 1, 2),
        QuarterCounts("2019-20-Q4", "Q4 2019/20", 3, 3, 3, 2, 2, 0),
    ]
    # Eight quarters back from Q4 reach 2018-19-Q1; nothing is tracked before 2019-20-Q1.
    assert build_overview(register.params, Q4, register).series == expected
    # An earlier quarter's series knows nothing of later updates.
    assert series(register, Q2) == expected[:2]
    assert [c.quarter for c in series(register, Q4, count=2)] == ["2019-20-Q3", "2019-20-Q4"]


def test_items_by_owner(register):
    assert build_overview(register.params, Q4, register).owners == [
        OwnerCounts("DCI Smith", 1, 1, 0),
        OwnerCounts("Head of Crime Registry", 1, 1, 0),
        OwnerCounts("Ch Supt Custody", 1, 0, 0),
        OwnerCounts("ACC Operations", 0, 0, 1),
        OwnerCounts("DCI Jones", 0, 0, 1),
        OwnerCounts("Not assigned", 0, 0, 1),
    ]


def test_json_carries_the_same_numbers_with_iso_dates(register):
    data = build_overview(register.params, Q4, register).to_json()
    assert data["headline"]["overdue"] == 2
    assert data["overdue"][0]["due"] == "2019-10-10"
    assert data["overdue"][1]["target"] == "2020-02-28"
    assert data["series"][2] == {
        "quarter": "2019-20-Q3",
        "label": "Q3 2019/20",
        "reports": 3,
        "open": 5,
        "closed": 1,
        "overdue": 2,
        "closed_in_quarter": 1,
        "new_in_quarter": 2,
    }
    assert data["as_at"] == "2020-03-31"


def test_a_quarter_before_any_report_has_an_empty_overview(register):
    overview = build_overview(register.params, Quarter(2018, 4), register)
    assert overview.headline.reports == 0 and overview.headline.items == 0
    assert overview.overdue == [] and overview.owners == [] and overview.s55 == []
    assert [c.quarter for c in overview.series] == ["2018-19-Q4"]
