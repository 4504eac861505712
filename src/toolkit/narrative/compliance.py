"""The s55 compliance checks of a draft letter, reported, not enforced.

Ids: ``report-facts``, ``recommendations-explained`` (s55(5B)), ``not-accepted-history``,
``chief-constable-comments``
(s55(4), (5)), ``publication-stated`` (s55(5)), ``copies-sent`` (s55(6)), ``sent-in-time``
(s55(5A)) and ``no-gaps``. A draft with failing checks is still written.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from toolkit.narrative.blocks import Block, Check
from toolkit.render import uk_date
from toolkit.vocabulary import Status

if TYPE_CHECKING:
    from toolkit.facts import Facts


def s55_checks(briefing: Facts, context: dict[str, Any], blocks: list[Block]) -> list[Check]:
    report = briefing.report
    published, deadline = report.published, report.deadline
    whole = " ".join(b.text for b in blocks)
    gaps = [gap for b in blocks for gap in b.gaps]
    checks = []

    states_date = uk_date(published) in whole
    checks.append(
        Check(
            "report-facts",
            "The letter names the report and the date HMICFRS published it, from which the "
            "s55(5A) period of 56 days runs (publication day is day 1).",
            bool(report.title) and states_date,
            f"Published {uk_date(published)}; the response is due by {uk_date(deadline)}."
            if states_date
            else f"The letter does not state the publication date ({uk_date(published)}).",
        )
    )

    recommendations = context["recommendations"]
    missing = [e.ref for e in recommendations if not (e.update or e.explanation)]
    unexplained = [
        e.ref for e in recommendations if e.status == Status.NOT_ACCEPTED and not e.explanation
    ]
    statement = context["recommendations_statement"]
    if not recommendations and statement:
        missing = ["(not itemised)"]
        detail = (
            "The letter gives a statement (response.recommendations) in place of an answer to "
            "each recommendation: add each recommendation as an item with its verbatim text, "
            "and explain each one."
        )
    elif not recommendations:
        detail = "The report makes no recommendations for the force; the letter says so."
    elif missing or unexplained:
        reasons = []
        if missing:
            reasons.append(
                f"No explanation for {', '.join(missing)}: record an update in the quarter's "
                "update file, or give the PCC's own words in response.explanations."
            )
        if unexplained:
            reasons.append(
                f"Not accepted without the PCC's explanation: {', '.join(unexplained)}: give "
                "the reason in the PCC's own words in response.explanations (the force's "
                "update is its reason, not the PCC's)."
            )
        detail = " ".join(reasons)
    else:
        count = len(recommendations)
        detail = f"{'All ' if count > 1 else ''}{count} recommendation{'s' if count != 1 else ''}"
        detail += f" {'have' if count != 1 else 'has'} an explanation."
    checks.append(
        Check(
            "recommendations-explained",
            "s55(5B): for each recommendation, the action taken or proposed, or why none is.",
            not missing and not unexplained,
            detail,
        )
    )

    contradicted = [e for e in recommendations if e.earlier_progress]
    checks.append(
        Check(
            "not-accepted-history",
            "A recommendation recorded as not accepted was not earlier reported as being acted "
            "on, or the PCC's explanation addresses it.",
            all(e.explanation for e in contradicted),
            "No recommendation recorded as not accepted was earlier reported as acted on."
            if not contradicted
            else " ".join(
                f"{e.ref} is recorded as not accepted, but the force reported it "
                f"{e.earlier_progress}"
                + (
                    " The PCC's explanation is given: check that it addresses this."
                    if e.explanation
                    else " Look at this before giving the PCC's explanation."
                )
                for e in contradicted
            ),
        )
    )

    comments = bool(context["chief_constable_comments"])
    checks.append(
        Check(
            "chief-constable-comments",
            "s55(4) and (5): the chief constable's comments, invited by the PCC, are published "
            "with the PCC's.",
            comments,
            "The letter prints the Chief Constable's statement, signed."
            if comments
            else "No comments from the Chief Constable (response.chief_constable_comments).",
        )
    )

    publication = [b for b in blocks if b.part == "publication"]
    stated = bool(publication) and not any(b.gaps for b in publication)
    where = context["website"] or "the place given in force.yaml (letter.publication)"
    checks.append(
        Check(
            "publication-stated",
            "s55(5): the letter says where the comments are published.",
            stated,
            f"Published on {where}."
            if stated
            else "No publication place: give pcc.website or letter.publication in force.yaml.",
        )
    )

    recipients = " ".join(
        b.text
        for b in blocks
        if b.part == "addressee" or (b.part == "sign-off" and b.text.startswith("Copy:"))
    ).casefold()
    inspectorate = "hmicfrs" in recipients or "inspectorate of constabulary" in recipients
    home_secretary = any(
        name in recipients for name in ("home secretary", "secretary of state", "home office")
    )
    checks.append(
        Check(
            "copies-sent",
            "s55(6): a copy goes to HMICFRS and to the Home Secretary.",
            inspectorate and home_secretary,
            "The letter is addressed or copied to HMICFRS and to the Home Secretary."
            if inspectorate and home_secretary
            else "The letter is not addressed or copied to "
            + " and ".join(
                name
                for name, ok in (("HMICFRS", inspectorate), ("the Home Secretary", home_secretary))
                if not ok
            )
            + ".",
        )
    )

    sent: date | None = report.response.sent
    if sent is None:
        on_time, detail = False, f"Not sent yet (response.sent): due by {uk_date(deadline)}."
    else:
        day = (sent - published).days + 1
        late = (sent - deadline).days
        on_time = late <= 0
        detail = f"Sent on {uk_date(sent)}, day {day} of the 56"
        if not on_time:
            detail = (
                f"Sent on {uk_date(sent)} (day {day}), {late} day{'s' if late != 1 else ''} "
                f"after the deadline of {uk_date(deadline)}"
            )
        detail += "."
    checks.append(
        Check(
            "sent-in-time",
            "s55(5A): published before the end of 56 days beginning with the day the report was "
            f"published (by {uk_date(deadline)}).",
            on_time,
            detail,
        )
    )

    checks.append(
        Check(
            "no-gaps",
            "Every gap marked in the draft is filled before the response is sent.",
            not gaps,
            "No gaps."
            if not gaps
            else f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}: " + "; ".join(gaps),
        )
    )
    return checks
