"""The s55 compliance checks of a draft letter, reported, not enforced.

Ids: ``report-facts``, ``recommendations-explained`` (s55(5B)), ``not-accepted-history``,
``chief-constable-comments``
(s55(4), (5)), ``publication-stated`` (s55(5)), ``copies-sent`` (s55(6)), ``sent-in-time``
(s55(5A)) and ``no-gaps``. A draft with failing checks is still written. Ids, requirements
and the rules shared with the letter as sent come from the registry :mod:`.s55`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.letter import s55
from toolkit.letter.blocks import Block, Check
from toolkit.text.display import uk_date
from toolkit.vocabulary import Status

if TYPE_CHECKING:
    from toolkit.facts import Facts
    from toolkit.letter.context import LetterContext


def s55_checks(briefing: Facts, context: LetterContext, blocks: list[Block]) -> list[Check]:
    report = briefing.report
    published, deadline = report.published, report.deadline
    whole = " ".join(b.text for b in blocks)
    gaps = [gap for b in blocks for gap in b.gaps]
    checks = []

    states_date = uk_date(published) in whole
    checks.append(
        s55.check(
            "report-facts",
            report,
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
    elif not recommendations and report.response.no_force_recommendations:
        detail = (
            "The report makes no recommendations for the force (confirmed by "
            "response.no_force_recommendations); the letter says so."
        )
    elif not recommendations:
        missing = ["(none listed)"]
        detail = (
            "The register lists none of the report's recommendations: list them under items, "
            "or confirm that the report makes none for the force or the PCC "
            "(response.no_force_recommendations: true). The letter shows a gap until then."
        )
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
        s55.check(
            "recommendations-explained",
            report,
            not missing and not unexplained,
            detail,
        )
    )

    contradicted = [e for e in recommendations if e.earlier_progress]
    checks.append(
        s55.check(
            "not-accepted-history",
            report,
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
        s55.check(
            "chief-constable-comments",
            report,
            comments,
            "The letter prints the Chief Constable's statement, signed."
            if comments
            else "No comments from the Chief Constable (response.chief_constable_comments): "
            "the letter says they were invited; confirm none were made, or give them.",
        )
    )

    publication = [b for b in blocks if b.part == "publication"]
    stated = bool(publication) and not any(b.gaps for b in publication)
    where = context["website"] or "the place given in force.yaml (letter.publication)"
    checks.append(
        s55.check(
            "publication-stated",
            report,
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
    checks.append(
        s55.copies_sent(
            report,
            s55.names_inspectorate(recipients),
            s55.names_home_secretary(recipients) or "home office" in recipients,
        )
    )
    checks.append(s55.sent_in_time(report))

    checks.append(
        s55.check(
            "no-gaps",
            report,
            not gaps,
            "No gaps."
            if not gaps
            else f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}: " + "; ".join(gaps),
        )
    )
    return checks
