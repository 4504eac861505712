"""Resident population by police force area, for rates per 1,000 people.

The file (``data.population`` in ``force.yaml``) is long form with the columns
``police_uk,year,population``: one row per force slug and mid-year estimate.

Which estimate a period uses
----------------------------
ONS mid-year estimates describe the population on 30 June of their year. A period
uses the latest estimate whose reference date (30 June of its year) falls on or
before the period's last day, i.e. the year of the period's end when it ends in
July or later, otherwise the year before. So 2018-19-Q3 (October to December 2018)
uses the 2018 estimate, and 2018-19-Q4 (January to March 2019) still uses 2018,
because mid-2019 lies after the quarter. When that year is missing from the file
the latest earlier year is used and reported.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from toolkit.errors import DataError, Problem, shown
from toolkit.files import cachefile, reads

log = logging.getLogger("toolkit")

COLUMNS = ("police_uk", "year", "population")


@dataclass(frozen=True)
class Estimate:
    """One force's population estimate.

    Attributes
    ----------
    force
        data.police.uk slug.
    year
        The mid-year estimate's year.
    value
        Resident population.
    """

    force: str
    year: int
    value: int


def estimate_year(period_end: date) -> int:
    """The mid-year estimate year a period ending on ``period_end`` uses (see module)."""
    return period_end.year if period_end >= date(period_end.year, 6, 30) else period_end.year - 1


def load_population(path: Path) -> pd.DataFrame:
    """Read and check a long-form population file.

    Parameters
    ----------
    path
        ``data.population`` from ``force.yaml``.

    Returns
    -------
    pandas.DataFrame
        Columns ``police_uk`` (str), ``year`` (int) and ``population`` (int).

    Raises
    ------
    DataError
        When the file cannot be read, lacks a column, or has a value that is not a
        whole number (the message names the row, header = row 1).
    """
    try:
        seen = cachefile.settled(os.stat(path))
    except OSError:
        seen = None
    known = _TABLES.get((str(path), seen)) if seen else None
    if known is not None:
        reads.note(Path(path))
        return known.copy()
    frame = _read_population(path)
    if seen:
        _TABLES[(str(path), seen)] = frame.copy()
    return frame


_TABLES: dict[tuple[str, cachefile.StatKey], pd.DataFrame] = {}
"""Population files read in this process (:func:`toolkit.files.cachefile.settled`): a
briefing's figures and its letter's read the same one."""


def _read_population(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(
            Problem(str(path), "", "cannot be read as a CSV file", got=shown(str(exc)))
        ) from None
    reads.note(Path(path))  # :mod:`toolkit.files.reads`: the briefing's manifest lists it
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in COLUMNS:
        if column not in frame.columns:
            raise DataError(
                Problem(
                    str(path),
                    column,
                    "column missing from the header",
                    expected=", ".join(COLUMNS),
                    got=shown(",".join(frame.columns), 120),
                )
            )
    frame = frame[list(COLUMNS)].copy()
    frame["police_uk"] = frame["police_uk"].str.strip().str.lower()
    for column in ("year", "population"):
        text = frame[column].str.strip().str.replace(",", "", regex=False)
        bad = ~text.str.fullmatch(r"\d+")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                Problem(
                    str(path),
                    column,
                    "not a whole number",
                    line=row + 2,
                    expected="a whole number",
                    got=shown(frame[column].iloc[row]),
                )
            )
        frame[column] = text.astype("int64")
    return frame


def population_for(frame: pd.DataFrame, force: str, period_end: date) -> Estimate | None:
    """The estimate for ``force`` a period ending on ``period_end`` uses, or ``None``."""
    wanted = estimate_year(period_end)
    years = frame["year"].to_numpy()
    # Plain arrays: a briefing asks for each force's estimate for every period it shows.
    rows = ((frame["police_uk"].to_numpy() == force) & (years <= wanted)).nonzero()[0]
    if not len(rows):
        return None
    latest = years[rows].max()
    best = int(rows[years[rows] == latest][-1])  # a year given twice: its later row
    year, value = int(years[best]), int(frame["population"].to_numpy()[best])
    if year != wanted:
        log.info("population for %s: using %s, the latest before %s", force, year, wanted)
    return Estimate(force, year, value)


def rate_per_1000(count: int | None, estimate: Estimate | None) -> float | None:
    """``count`` per 1,000 residents to 2 dp; ``None`` without a count or estimate."""
    if count is None or estimate is None or estimate.value <= 0:
        return None
    return round(count * 1000 / estimate.value, 2)
