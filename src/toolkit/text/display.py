"""How the toolkit words dates, numbers, quarters and statuses on a page: one place.

Every page, the letter, the tracker and the console say a date, a count or a quarter the
same way because they all call these (the templates as filters of the same names)::

    uk_date(date(2020, 2, 6))        6 February 2020
    short_date(date(2022, 9, 30))    30 Sep 2022
    number(1234) / number(None)      1,234 / not available   (never a zero for a gap)
    signed(-3)                       −3 (a real minus sign)
    quarter_short("2018-19-Q3")      Q3 2018/19
    status_label("in-progress")      In progress

Below the register: it knows the words (:mod:`toolkit.vocabulary`) and quarters, nothing
about reports.
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from toolkit.quarters import Quarter
from toolkit.vocabulary import ClosedBy, Status, tag_colour


def uk_date(value: date | str | None) -> str:
    """``2020-02-06`` → ``6 February 2020``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    """``2022-09-30`` → ``30 Sep 2022``: the tracker's and RAG reasons' compact form."""
    return f"{value.day} {value:%b %Y}"


def number(value: float | int | None, places: int | None = None) -> str:
    """Thousands separators; ``not available`` for ``None`` (never a zero)."""
    if value is None:
        return "not available"
    if places is not None:
        return f"{value:,.{places}f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def signed(value: float | int | None, places: int = 0, suffix: str = "") -> str:
    """``+12`` / ``−3`` (a real minus sign); ``not available`` for ``None``."""
    if value is None:
        return "not available"
    text = f"{abs(value):,.{places}f}{suffix}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"\u2212{text}"
    return f"0{suffix}" if places == 0 else f"{0:.{places}f}{suffix}"


def status_label(status: str) -> str:
    """``in-progress`` → ``In progress``."""
    if status in Status._value2member_map_:
        return Status(status).label
    return status.replace("-", " ").capitalize()


def closed_by_label(value: str) -> str:
    """``opcc`` → ``OPCC``, ``force`` → ``the force`` (:class:`toolkit.vocabulary.ClosedBy`)."""
    return ClosedBy(value).label if value in ClosedBy._value2member_map_ else value


def tag_class(state: str) -> str:
    """The colour class that reinforces a tag's word (:func:`toolkit.vocabulary.tag_colour`)."""
    return tag_colour(state)


def sentence_case(text: str) -> str:
    """The first letter upper-case, the rest as written (Jinja's ``capitalize`` lowers it)."""
    return text[:1].upper() + text[1:]


def quarter_short(quarter: Quarter | str) -> str:
    """``Q3 2018/19``: a quarter's short label (a :class:`~toolkit.quarters.Quarter` or id)."""
    parsed = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    return parsed.short


def quarter_of(day: date) -> Quarter:
    """The quarter a date falls in."""
    return Quarter.containing(day)


def png_data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, for a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
