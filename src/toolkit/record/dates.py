"""Dates as analysts type them, read the same way in report files and update files.

Two forms are read: ISO ``YYYY-MM-DD`` (what YAML and the contract use) and the UK
``DD/MM/YYYY`` (what Excel shows in the UK; never the US month-first form). A value
in one of these shapes whose day cannot exist is named as a date the user can check::

    31/02/2020  ->  "31 February 2020 is not a date"
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

FORMS = "YYYY-MM-DD or DD/MM/YYYY"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class NotADate(ValueError):
    """A value that is not a date; ``str()`` says why in words (no expected/got part)."""


def parse_day(value: object) -> date | None:
    """Read a date written as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (or already a date).

    Returns ``None`` for an empty value. A timestamp's time of day is dropped
    (``2020-02-06 00:00:00`` from a spreadsheet is 6 February 2020).

    Raises
    ------
    NotADate
        ``"31 February 2020 is not a date"`` for an impossible day in either form,
        ``"not a date"`` for anything else.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    text = text.split(" ")[0] if len(text) > 10 and text[10] in " T" else text
    iso, uk = _ISO.match(text), _UK.match(text)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    elif uk:
        day, month, year = int(uk[1]), int(uk[2]), int(uk[3])
    else:
        raise NotADate("not a date")
    try:
        return date(year, month, day)
    except ValueError:
        if uk and month > 12 and 1 <= day <= 12:  # 11/15/2018: written month first
            raise NotADate(
                f"{month} is not a month: dates are day first (DD/MM/YYYY) or YYYY-MM-DD"
            ) from None
        if 1 <= month <= 12 and year >= 1:
            raise NotADate(f"{day} {calendar.month_name[month]} {year} is not a date") from None
        raise NotADate("not a date") from None
