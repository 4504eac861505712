"""The one registry of section 55 checks, used by the draft (:mod:`.compliance`) and by the
letter as sent (:mod:`toolkit.letter.sent`).

Each check has one id and one requirement, worded once in :data:`REQUIREMENTS`; the rules
both letters share (the s55(5A) day count, who a copy must go to, what can be said when the
register lists none of the report's recommendations) are functions here, so the draft and
the sent letter can never disagree on them. What differs is only what each can read: the
draft knows its parts (addressee, ``Copy:`` line, gaps), the sent letter only its words.

A check passes, fails, or *cannot be checked* (``unknown``: shown amber with the reason),
for a question the inputs cannot answer, such as whether a sent letter answers every
recommendation when the register lists none of them.

Ids
---
``report-facts`` (draft) / ``report-named`` (sent), ``recommendations-explained`` (draft) /
``recommendations-found`` (sent) (s55(5B)), ``not-accepted-history`` (draft),
``chief-constable-comments`` (draft; s55(4), (5)), ``publication-stated`` (s55(5)),
``copies-sent`` (s55(6)), ``sent-in-time`` (s55(5A)), ``no-gaps`` (draft).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from toolkit.letter.blocks import Check
from toolkit.text.display import uk_date

if TYPE_CHECKING:
    from toolkit.record.params import Report

REQUIREMENTS: dict[str, str] = {
    "report-facts": (
        "The letter names the report and the date HMICFRS published it, from which the "
        "s55(5A) period of 56 days runs (publication day is day 1)."
    ),
    "report-named": "The letter names the report (its title as HMICFRS gives it).",
    "recommendations-explained": (
        "s55(5B): for each recommendation, the action taken or proposed, or why none is."
    ),
    "recommendations-found": (
        "s55(5B): each recommendation is answered (found in the letter by its ref or text)."
    ),
    "not-accepted-history": (
        "A recommendation recorded as not accepted was not earlier reported as being acted "
        "on, or the PCC's explanation addresses it."
    ),
    "chief-constable-comments": (
        "s55(4) and (5): the chief constable's comments, invited by the PCC, are published "
        "with the PCC's."
    ),
    "publication-stated": "s55(5): the letter says where the comments are published.",
    "copies-sent": "s55(6): a copy goes to HMICFRS and to the Home Secretary.",
    "sent-in-time": (
        "s55(5A): published before the end of 56 days beginning with the day the report was "
        "published (by {deadline})."
    ),
    "no-gaps": "Every gap marked in the draft is filled before the response is sent.",
}
"""Every check's id and requirement, in words (``{deadline}`` is the s55(5A) deadline)."""


def check(id: str, report: Report, passed: bool, detail: str, *, unknown: bool = False) -> Check:
    """The :class:`Check` ``id`` with its requirement from :data:`REQUIREMENTS`."""
    requirement = REQUIREMENTS[id].format(deadline=uk_date(report.deadline))
    return Check(id, requirement, passed and not unknown, detail, unknown=unknown)


def day_of(report: Report, sent: date) -> int:
    """The day of the 56 a response sent on ``sent`` went on (publication day is day 1)."""
    return (sent - report.published).days + 1


def days_late(report: Report, sent: date) -> int:
    """Days after the s55(5A) deadline (0 or less: in time)."""
    return (sent - report.deadline).days


def sent_in_time(report: Report, shows: str = "") -> Check:
    """s55(5A) from ``response.sent``; ``shows`` ends the detail (what the text shows)."""
    sent = report.response.sent
    tail = f"; {shows}." if shows else "."
    if sent is None:
        return check(
            "sent-in-time",
            report,
            False,
            f"Not sent yet (response.sent): due by {uk_date(report.deadline)}{tail}",
        )
    late = days_late(report, sent)
    detail = f"Sent on {uk_date(sent)}, day {day_of(report, sent)} of the 56"
    if late > 0:
        detail = (
            f"Sent on {uk_date(sent)} (day {day_of(report, sent)}), {late} "
            f"day{'s' if late != 1 else ''} after the deadline of {uk_date(report.deadline)}"
        )
    return check("sent-in-time", report, late <= 0, detail + tail)


def copies_sent(report: Report, inspectorate: bool, home_secretary: bool) -> Check:
    """s55(6): whether HMICFRS and the Home Secretary are named as recipients."""
    missing = [
        who
        for who, ok in (("HMICFRS", inspectorate), ("the Home Secretary", home_secretary))
        if not ok
    ]
    return check(
        "copies-sent",
        report,
        not missing,
        "The letter is addressed or copied to HMICFRS and to the Home Secretary."
        if not missing
        else f"The letter is not addressed or copied to {' and '.join(missing)}.",
    )


def names_inspectorate(text: str) -> bool:
    """Whether casefolded ``text`` names HMICFRS."""
    return "hmicfrs" in text or "inspectorate of constabulary" in text


def names_home_secretary(text: str) -> bool:
    """Whether casefolded ``text`` names the Home Secretary (or the Secretary of State)."""
    return "home secretary" in text or "secretary of state" in text


def unlisted_recommendations(report: Report, id: str) -> Check | None:
    """The s55(5B) check when the register lists none of the report's recommendations:
    a pass when ``response.no_force_recommendations`` confirms there are none for the
    force, otherwise *cannot check* with the reason; ``None`` when some are listed."""
    from toolkit.vocabulary import ItemKind

    if any(item.kind is ItemKind.RECOMMENDATION for item in report.items):
        return None
    response = report.response
    if response.no_force_recommendations:
        return check(
            id,
            report,
            True,
            "The report makes no recommendation for the force or the PCC "
            "(response.no_force_recommendations).",
        )
    if response.recommendations:
        reason = (
            "The register lists none of the report's recommendations (the letter's position "
            "is given as a statement, response.recommendations), so whether each is answered "
            "cannot be checked: list them under items with their text."
        )
    else:
        reason = (
            "The register lists none of the report's recommendations, so whether each is "
            "answered cannot be checked: list them under items, or set "
            "response.no_force_recommendations: true if the report makes none for the force."
        )
    return check(id, report, False, reason, unknown=True)
