"""The letter actually sent (``response.file``): its text, and the s55 checks made on text.

A PCC who supplies the letter as sent (a ``.docx`` or ``.md`` in the params root) sees that
text in the briefing instead of a draft. The checks below are made on free text, so each says
only what words on a page can show:

``report-named``
    The report's title appears in the letter (case, quotation marks, dashes and spacing
    ignored). A letter that names the report another way (a short title) fails; the check
    cannot tell a title quoted in passing from the subject of the letter.
``sent-in-time`` (s55(5A))
    From ``response.sent``, not from the text: sent on or before published + 55 days. The
    detail says whether the letter's text shows that date; it cannot tell when the letter was
    actually published.
``publication-stated`` (s55(5))
    The letter mentions the PCC's website (``pcc.website``), the place in
    ``letter.publication``, or says it is published on a website. It cannot tell whether it
    was published there.
``copies-sent`` (s55(6))
    The letter mentions HMICFRS (or HM Inspectorate of Constabulary) and the Home Secretary
    (or the Secretary of State). A mention is not proof that a copy was sent.
``recommendations-found`` (s55(5B))
    Each recommendation in the register is found by its ref (as a word, e.g. ``R1``, not
    ``R12``) or by its text (its final full stop ignored); the ones not found are listed.
    Finding a recommendation does not show that the letter explains the action taken on it;
    a recommendation paraphrased and not numbered is not found. When the register lists
    none of the report's recommendations the check *cannot check* (amber, with the reason),
    unless ``response.no_force_recommendations`` confirms there are none for the force.

The ids, requirements and the rules shared with the draft's checks are in the registry,
:mod:`toolkit.letter.s55`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from toolkit.files.letterfile import read_paragraphs
from toolkit.letter import s55
from toolkit.letter.blocks import Check
from toolkit.text.display import uk_date
from toolkit.vocabulary import ItemKind

if TYPE_CHECKING:
    from toolkit.facts import Facts

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SentLetter:
    """The letter as sent: its source file, its paragraphs and the checks on its text."""

    name: str
    paragraphs: tuple[str, ...]
    checks: tuple[Check, ...]

    @property
    def text(self) -> str:
        """The whole letter, one paragraph per line."""
        return "\n".join(self.paragraphs)


def _normalise(text: str) -> str:
    """Casefolded, quotes and dashes made plain, spacing collapsed (for finding text)."""
    text = text.translate(_QUOTES).casefold()
    text = re.sub(r"[\"'*_`]", "", text)
    return _SPACE.sub(" ", text).strip()


def read_sent_letter(briefing: Facts, path: Path, name: str) -> SentLetter:
    """Read ``response.file`` and run the checks (see the module docstring)."""
    paragraphs = read_paragraphs(path, name)
    return SentLetter(name, tuple(paragraphs), tuple(sent_checks(briefing, "\n".join(paragraphs))))


def _found(needle: str, haystack: str) -> bool:
    """Whether ``needle`` is in the normalised ``haystack`` (its final full stop ignored)."""
    needle = _normalise(needle).rstrip(".!?;: ")
    return bool(needle) and needle in haystack


def sent_checks(briefing: Facts, text: str) -> list[Check]:
    """The s55 checks that can be made on the letter's text (ids and requirements from
    :mod:`toolkit.letter.s55`, the registry the draft's checks use too)."""
    report = briefing.report
    force = briefing.params.force
    plain = _normalise(text)
    checks = []

    named = _found(report.title, plain)
    dated = _found(uk_date(report.published), plain)
    checks.append(
        s55.check(
            "report-named",
            report,
            named,
            (
                "The letter gives the report's title"
                if named
                else "The report's title is not in the letter"
            )
            + (
                f"; it states the publication date ({uk_date(report.published)})."
                if dated
                else "; it does not state the publication date."
            ),
        )  # fmt: skip
    )

    sent = report.response.sent
    assert sent is not None  # validated: response.file needs response.sent
    shows = "the letter shows that date" if _found(uk_date(sent), plain) else (
        "the letter's text does not show that date"
    )  # fmt: skip
    checks.append(s55.sent_in_time(report, shows))

    places = []
    if force.pcc.website:
        host = urlparse(force.pcc.website).netloc or force.pcc.website
        places.append(host.removeprefix("www."))
    if force.letter.publication:
        places.append(force.letter.publication)
    stated = any(_found(p, plain) for p in places) or bool(
        re.search(r"publish\w*\b[^.]*\bwebsite|website\b[^.]*\bpublish", plain)
    )
    checks.append(
        s55.check(
            "publication-stated",
            report,
            stated,
            "The letter says where it is published."
            if stated
            else "The letter does not say where it is published (no website named).",
        )
    )

    checks.append(
        s55.copies_sent(report, s55.names_inspectorate(plain), s55.names_home_secretary(plain))
    )

    unlisted = s55.unlisted_recommendations(report, "recommendations-found")
    if unlisted is not None:
        checks.append(unlisted)
        return checks
    recommendations = [i for i in report.items if i.kind is ItemKind.RECOMMENDATION]
    not_found = [
        i.ref
        for i in recommendations
        if not re.search(rf"(?<!\w){re.escape(i.ref)}(?!\w)", text) and not _found(i.text, plain)
    ]
    if not_found:
        passed = False
        detail = f"Not found by ref or text: {', '.join(not_found)}."
    else:
        passed = True
        detail = f"All {len(recommendations)} found by ref or text." if len(
            recommendations
        ) > 1 else "The recommendation is found by ref or text."  # fmt: skip
    checks.append(s55.check("recommendations-found", report, passed, detail))
    return checks
