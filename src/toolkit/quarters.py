"""Financial-year quarters, the unit every briefing is run for.

UK policing reports in financial years (April to March). A quarter's canonical id
is ``YYYY-YY-QN``: ``2018-19-Q3`` is 1 October to 31 December 2018 and
``2019-20-Q4`` is 1 January to 31 March 2020. ``2018/19 Q3`` and ``Q3 2018/19`` (the
form the briefings' headings use) are accepted as input for the same quarter;
anything else is refused with a message showing the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from toolkit.errors import InputError, Problem, shown

FIRST_YEAR, LAST_YEAR = 1900, 2199
"""Financial years a quarter id may start in (dates past 9999 cannot exist)."""

EXPECTED_FORM = "a quarter id such as 2018-19-Q3 (or 2018/19 Q3, or Q3 2018/19)"

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2})\s*(?:-\s*|\s+)?[Qq]([1-4])\s*$")
_QUARTER_FIRST = re.compile(r"^\s*[Qq]([1-4])\s+(\d{4})\s*[-/]\s*(\d{2})\s*$")
"""``Q3 2018/19``: the form the toolkit's own headings use (:attr:`Quarter.label`)."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter.

    Parameters
    ----------
    year
        The calendar year in which the financial year starts (2018 for 2018-19).
    number
        1 (Apr–Jun) to 4 (Jan–Mar).
    """

    year: int
    number: int

    @classmethod
    def parse(cls, text: object, *, source: str = "quarter", field: str = "") -> Quarter:
        """Parse ``2018-19-Q3``, ``2018/19 Q3`` or ``Q3 2018/19`` (as headings write it).

        Raises
        ------
        InputError
            When ``text`` is not a quarter id; the message shows the expected form.
        """
        match = _QUARTER.match(text) if isinstance(text, str) else None
        first = _QUARTER_FIRST.match(text) if isinstance(text, str) else None
        if match is not None:
            start, end, number = int(match[1]), int(match[2]), int(match[3])
        elif first is not None:
            start, end, number = int(first[2]), int(first[3]), int(first[1])
        else:
            raise InputError(
                Problem(source, field, "not a quarter id", expected=EXPECTED_FORM, got=shown(text))
            )
        if not FIRST_YEAR <= start <= LAST_YEAR:
            raise InputError(
                Problem(
                    source,
                    field,
                    "the financial year is out of range",
                    expected=f"a year from {FIRST_YEAR} to {LAST_YEAR}",
                    got=shown(text),
                )
            )
        if (start + 1) % 100 != end:
            raise InputError(
                Problem(
                    source,
                    field,
                    "the two years of a financial year must follow each other",
                    expected=f"{start}-{(start + 1) % 100:02d}-Q{number}",
                    got=shown(text),
                )
            )
        return cls(start, number)

    @classmethod
    def containing(cls, day: date) -> Quarter:
        """The quarter in which ``day`` falls."""
        # A financial year's quarters are the calendar's, three months later.
        shifted = date(day.year, day.month, 1) - relativedelta(months=3)
        return cls(shifted.year, (shifted.month - 1) // 3 + 1)

    @classmethod
    def of_month(cls, month: str) -> Quarter:
        """The quarter of a ``YYYY-MM`` month."""
        year, mon = (int(part) for part in month.split("-"))
        return cls.containing(date(year, mon, 1))

    @property
    def id(self) -> str:
        """Canonical id, ``2018-19-Q3``."""
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        """Human form, ``Q3 2018/19 (October to December 2018)``."""
        first, last = self.start, self.end
        span = f"{first:%B} to {last:%B} {last.year}"
        return f"Q{self.number} {self.year}/{(self.year + 1) % 100:02d} ({span})"

    @property
    def short(self) -> str:
        """``Q3 2018/19``: the label without its months, as headings and captions write it."""
        return f"Q{self.number} {self.financial_year}"

    @property
    def financial_year(self) -> str:
        """``2018/19``, as Home Office tables write it."""
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        """First day of the quarter."""
        return _bounds(self.year, self.number)[0]

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        return _bounds(self.year, self.number)[1]

    @property
    def months(self) -> list[str]:
        """The quarter's three months as ``YYYY-MM``."""
        return list(_bounds(self.year, self.number)[2])

    def shift(self, quarters: int) -> Quarter:
        """The quarter ``quarters`` later (negative: earlier)."""
        return Quarter.containing(self.start + relativedelta(months=3 * quarters))

    def previous(self) -> Quarter:
        """The quarter before this one."""
        return self.shift(-1)

    def year_earlier(self) -> Quarter:
        """The same quarter a year earlier."""
        return self.shift(-4)

    def __str__(self) -> str:
        return self.id


@lru_cache(maxsize=1024)
def _bounds(year: int, number: int) -> tuple[date, date, tuple[str, ...]]:
    """A quarter's first day, last day and months, worked out once per process: a
    briefing asks for them thousands of times, and ``relativedelta`` is slow."""
    start = date(year, 4, 1) + relativedelta(months=3 * (number - 1))
    firsts = [start + relativedelta(months=offset) for offset in range(3)]
    end = start + relativedelta(months=3, days=-1)
    return start, end, tuple(f"{first.year}-{first.month:02d}" for first in firsts)
