"""What to fetch: ``--months``, ``--forces``, and the archives that hold those months.

The archive
-----------
data.police.uk publishes one zip a month at ``https://data.police.uk/data/archive/YYYY-MM.zip``
(the newest also as ``latest.zip``; the page ``/data/archive/`` lists them with their
periods). Each archive is a rolling window: the archive named for a month holds that month
and the 35 before it (36 months, about 1.6 GB for the whole of England, Wales and Northern
Ireland; a few early archives span more), as members
``YYYY-MM/YYYY-MM-<slug>-street.csv``, ``-outcomes.csv`` and ``-stop-and-search.csv``.

Which archive is read: for the newest month asked for, the archive named for that month,
which also serves every other month asked for within the 35 before it; months older than
that window are served, in turn, by the archive named for the newest of them. Reading the
archive named for the month, rather than ``latest.zip``, gives the same bytes whichever day
the command is run; pass ``archive_name="latest.zip"`` to read the newest archive instead
(its outcomes are more up to date, but it only reaches back 36 months from today).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from toolkit.errors import InputError, Problem, shown

DEFAULT_ARCHIVE_NAME = "{month}.zip"
"""An archive's file name; ``{month}`` is the newest month it holds (``2019-03.zip``)."""

ARCHIVE_MONTHS = 36
"""How many months one archive holds: the month it is named for and the 35 before it."""

MONTHS_FORM = "YYYY-MM, a range YYYY-MM..YYYY-MM, or a comma list of these"
FORCES_FORM = "data.police.uk force slugs such as dorset,devon-and-cornwall"

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def parse_months(text: object, *, source: str = "--months") -> list[str]:
    """Parse the months asked for: ``2019-01``, ``2019-01..2019-03``, or a comma list.

    Parameters
    ----------
    text
        The ``--months`` value as the user typed it; items may be single months or
        inclusive ranges, separated by commas (``2018-10..2018-12,2019-03``).
    source
        How the value is named in messages.

    Returns
    -------
    list of str
        The distinct months, ``YYYY-MM``, oldest first.

    Raises
    ------
    InputError
        When an item is not a month or a range, a month is not 01–12, or a range runs
        backwards; the message shows the expected form.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            Problem(source, "", "no months given", expected=MONTHS_FORM, got=shown(text))
        )
    months: set[int] = set()
    for item in text.split(","):
        item = item.strip()
        first, sep, last = item.partition("..")
        start = _month_index(first.strip(), item, source)
        end = _month_index(last.strip(), item, source) if sep else start
        if end < start:
            raise InputError(
                Problem(
                    source,
                    "",
                    "a month range must run from the earlier month to the later",
                    expected=f"{_month_name(end)}..{_month_name(start)}",
                    got=shown(item),
                )
            )
        months.update(range(start, end + 1))
    return [_month_name(index) for index in sorted(months)]


def parse_forces(text: object, *, source: str = "--forces") -> list[str]:
    """Parse ``--forces``: a comma list of data.police.uk force slugs.

    Parameters
    ----------
    text
        The value as typed (``dorset,devon-and-cornwall``).
    source
        How the value is named in messages.

    Returns
    -------
    list of str
        The distinct slugs, in the order given.

    Raises
    ------
    InputError
        When the list is empty or an item is not a slug (lower-case letters, digits and
        single hyphens).
    """
    items = [item.strip() for item in text.split(",")] if isinstance(text, str) else []
    if not any(items):
        raise InputError(
            Problem(source, "", "no forces given", expected=FORCES_FORM, got=shown(text))
        )
    slugs: list[str] = []
    for item in items:
        if not SLUG_PATTERN.match(item):
            raise InputError(
                Problem(source, "", "not a force slug", expected=FORCES_FORM, got=shown(item))
            )
        if item not in slugs:
            slugs.append(item)
    return slugs


def plan_archives(
    months: Iterable[str], *, archive_name: str = DEFAULT_ARCHIVE_NAME
) -> dict[str, list[str]]:
    """Choose the archives that hold ``months``.

    The newest month asked for is read from the archive named for it, which also holds
    the 35 months before it; older months are served the same way in turn. An
    ``archive_name`` without ``{month}`` (``latest.zip``) names one archive for every month.

    Parameters
    ----------
    months
        ``YYYY-MM`` months, as :func:`parse_months` returns them.
    archive_name
        The archive file name pattern; ``{month}`` is replaced by a ``YYYY-MM`` month.

    Returns
    -------
    dict
        Archive file name to the months read from it (oldest first), newest archive first.
    """
    pending = sorted({_month_index(month, month, "months") for month in months}, reverse=True)
    plan: dict[str, list[str]] = {}
    while pending:
        newest = pending[0]
        name = archive_name.format(month=_month_name(newest))
        covered = [index for index in pending if index > newest - ARCHIVE_MONTHS]
        if "{month}" not in archive_name:
            covered = pending
        plan.setdefault(name, []).extend(_month_name(index) for index in covered)
        pending = [index for index in pending if index not in covered]
    return {name: sorted(items) for name, items in plan.items()}


def _month_index(text: str, item: str, source: str) -> int:
    match = MONTH_PATTERN.match(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        problem = "not a month" if match is None else "no such month"
        raise InputError(Problem(source, "", problem, expected=MONTHS_FORM, got=shown(item)))
    return int(match[1]) * 12 + int(match[2]) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
