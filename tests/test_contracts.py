"""The typed contracts: each declared shape has exactly the keys the code writes, kinds and
statuses are the vocabulary's members, and dates stay dates until JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from toolkit.importer.write import _guess_kind
from toolkit.letter.context import LetterContext, LetterFigures, letter_context
from toolkit.performance.recorded_crime import RecordedCrimeFigures
from toolkit.publish.briefing import (
    Briefing,
    BriefingFigures,
    BriefingItems,
    BriefingS55,
    build,
)
from toolkit.quarters import Quarter
from toolkit.record.newreport import new_report
from toolkit.record.params import load_params
from toolkit.record.register import Register, s55_state
from toolkit.vocabulary import (
    CrimeTypeFigures,
    PoliceUkFigures,
    ReportKind,
    Status,
    TrendPoint,
    report_kinds_text,
)

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example() -> Briefing:
    return build("both-sides-of-the-coin", "2019-20-Q4", PROJECT / "params")


def keys(shape: type) -> set[str]:
    return set(shape.__annotations__) | {
        key for base in shape.__mro__ for key in getattr(base, "__annotations__", {})
    }


def test_report_kinds_are_spelled_as_the_contract_spells_them():
    # DESIGN.md: a report file's kind is one of these five words, in this order.
    assert list(ReportKind) == ["thematic", "force", "joint", "peel", "follow-up"]
    assert ReportKind.PEEL.label == "PEEL inspection"
    assert ReportKind.FOLLOW_UP.label == "Follow-up inspection"
    assert report_kinds_text() == "thematic, force, joint, peel or follow-up"
    assert json.dumps({"kind": ReportKind.JOINT}) == '{"kind": "joint"}'


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("PEEL 2021/22: An inspection of Kent Police", ReportKind.PEEL),
        ("A joint thematic inspection of the police response", ReportKind.JOINT),
        ("An inspection of Wiltshire Police's custody", ReportKind.FORCE),
        ("Accelerated cause of concern revisit", ReportKind.FOLLOW_UP),
        ("Both sides of the coin", ReportKind.THEMATIC),
    ],
)
def test_the_importer_guesses_a_report_kind(title, kind):
    guessed = _guess_kind(title)
    assert guessed is kind


def test_a_report_file_kind_is_read_as_a_report_kind(register_root):
    root = register_root
    new_report(root, "peel-2023", title="PEEL 2023", published="2023-05-02", kind="peel")
    text = (root / "reports" / "peel-2023.yaml").read_text(encoding="utf-8")
    assert "\nkind: peel  # thematic | force | joint | peel | follow-up\n" in text
    report = load_params(root, only=["peel-2023"]).reports["peel-2023"]
    assert report.kind is ReportKind.PEEL


def test_figures_json_has_exactly_the_declared_keys(example):
    figures = json.loads(json.dumps(example.figures))
    assert set(figures) == keys(BriefingFigures)
    assert set(figures["items"]) == keys(BriefingItems)
    assert set(figures["s55"]) == keys(BriefingS55)
    police_uk = figures["police_uk"]
    assert set(police_uk) == keys(PoliceUkFigures)
    for crime_type in police_uk["crime_types"].values():
        assert set(crime_type) == keys(CrimeTypeFigures)
    assert police_uk["trend"] and all(set(p) == keys(TrendPoint) for p in police_uk["trend"])
    assert set(figures["recorded_crime"]) == keys(RecordedCrimeFigures)


def test_the_letter_context_has_exactly_the_declared_keys(example):
    context = letter_context(example)
    assert set(context) == keys(LetterContext)
    # The example cites figures: its quarter is five before the letter's, so they are stale.
    figures = context["figures"]
    assert figures is not None and set(figures) == keys(LetterFigures)
    assert figures["stale"] is True and figures["quarter"] == Quarter.parse("2018-19-Q3")


def test_s55_dates_stay_dates_until_json(example):
    facts = s55_state(example.report, Quarter.parse("2019-20-Q4"))
    assert facts["published"] == example.report.published
    assert isinstance(facts["deadline"], date) and isinstance(facts["as_at"], date)
    assert facts["as_at"] == date(2020, 3, 31)
    written = example.figures["s55"]
    assert written["as_at"] == "2020-03-31"
    assert written["published"] == example.report.published.isoformat()


def test_statuses_are_status_members_end_to_end(example):
    register = Register(example.params)
    for updates in register.history.values():
        assert all(type(update.status) is Status for update in updates)
    for row in example.items:
        assert type(row.status) is Status and type(row.previous_status) is Status
    for path in example.history.values():
        assert all(type(status) is Status for _, status in path)
