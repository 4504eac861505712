"""Due forms in a report's wording, and the publication date a document states.

The forms read (the wording HMICFRS uses; case does not matter):

=========================================================  ==========================
``By 31 March 2022``, ``not later than 31 March 2022``      ``2022-03-31``
``no later than``, ``before``, ``by the end of``
``By September 2014``, ``by the end of March 2023``          the month's last day
``immediately``, ``with immediate effect`` (in the          ``immediately``
opening: before the action or just after "should")
``within six months``, ``Within three months`` (in the       ``within 6 months``
opening, as above)
no deadline                                                  no ``due``
=========================================================  ==========================

"within" and "immediately" are read only where they set the deadline ("Within three
months, the force should …", "the force should immediately …"): later in the sentence
they are part of the action ("… updates victims within four weeks"). A deadline that
names only a year or a season ("by 2025", "by spring 2023") is not a date: no ``due``,
and the passage is reported for the analyst to check.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateparser

__all__ = ["DueFound", "find_due", "parse_long_date", "stated_publication"]

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = (
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTHS})\.?,?\s+"
    r"(?P<year>(?:19|20)\d\d)"
)
_BY_DATE = re.compile(
    rf"\b(?:by|not\s+later\s+than|no\s+later\s+than|before)\s+(?:the\s+end\s+of\s+)?{_DATE}\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(?:by|not\s+later\s+than|no\s+later\s+than|before)\s+(?:the\s+end\s+of\s+)?"
    r"(?P<what>(?:spring|summer|autumn|winter|early|late|mid)(?:[\s-]+\d{4})?|\d{4}(?:/\d\d)?"
    r"|the\s+(?:end\s+of\s+the\s+)?(?:financial|calendar)\s+year)\b",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    r"\bwithin\s+(?:the\s+next\s+)?(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine"
    r"|ten|eleven|twelve|eighteen|twenty-four)\s+(?P<unit>months?|weeks?)\b",
    re.IGNORECASE,
)
_IMMEDIATE = re.compile(r"\b(?:immediately|with\s+immediate\s+effect)\b", re.IGNORECASE)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_PUBLISHED = re.compile(
    rf"\b(?:published(?:\s+on)?|publication\s+date|date\s+of\s+publication|date\s+published)"
    rf"\s*:?\s*(?P<when>{_DATE})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DueFound:
    """A deadline read from an item: ``value`` as the report file writes it (a
    :class:`date`, ``"immediately"`` or ``"within N months"``), ``None`` with ``note``
    when the wording names a deadline that is not a date."""

    value: date | str | None
    form: str
    note: str = ""


def parse_long_date(day: str | None, month: str, year: str) -> date | None:
    """``31 March 2022`` (day given) or the last day of ``September 2014``."""
    try:
        parsed = dateparser.parse(f"{day or 1} {month} {year}", dayfirst=True)
    except (ValueError, OverflowError):
        return None
    if not isinstance(parsed, datetime):
        return None
    if day is None:
        last = calendar.monthrange(parsed.year, parsed.month)[1]
        return parsed.date().replace(day=last)
    return parsed.date()


def _opening(text: str) -> str:
    """The deadline-setting part of an item: up to its first "should"/"must"/"needs to"
    and the four words after it ("… should, within three months, …")."""
    modal = re.search(r"\b(?:should|must|needs?\s+to|is\s+to|are\s+to)\b", text, re.IGNORECASE)
    if not modal:
        return " ".join(text.split()[:8])
    after = text[modal.end() :].split()[:4]
    return text[: modal.end()] + " " + " ".join(after)


def find_due(text: str) -> tuple[DueFound | None, list[str]]:
    """The deadline of one item's text (its stem first, when it has one).

    Returns the deadline found (``None`` when the text sets none) and notes for the
    analyst: a deadline that is not a date, or two different deadlines in one item.
    """
    found: list[DueFound] = []
    notes: list[str] = []
    for match in _BY_DATE.finditer(text):
        when = parse_long_date(match["day"], match["month"], match["year"])
        if when is not None:
            found.append(DueFound(when, "by a date" if match["day"] else "by a month"))
    opening = _opening(text)
    for match in _WITHIN.finditer(opening):
        amount = match["n"].lower()
        number = int(amount) if amount.isdigit() else _WORDS[amount]
        unit = "week" if match["unit"].lower().startswith("week") else "month"
        found.append(
            DueFound(f"within {number} {unit}{'s' if number != 1 else ''}", f"within N {unit}s")
        )
    if _IMMEDIATE.search(opening):
        found.append(DueFound("immediately", "immediately"))
    if not found:
        vague = _VAGUE.search(text)
        if vague:
            notes.append(f"deadline {vague[0]!r} is not a date: no due written")
        return None, notes
    distinct = list(dict.fromkeys(f.value for f in found))
    if len(distinct) > 1:
        shown = ", ".join(str(v) for v in distinct)
        notes.append(f"more than one deadline ({shown}): the first is written")
    return found[0], notes


def stated_publication(texts: Iterable[str]) -> date | None:
    """The publication date a document states ("Published: 12 May 2022"), else ``None``."""
    for text in texts:
        match = _PUBLISHED.search(text)
        if match:
            return parse_long_date(match["day"], match["month"], match["year"])
    return None
