"""Home Office police recorded crime (PRC) open data tables.

Two published tables are read (``data.recorded_crime`` in ``force.yaml``):

``quarterly``
    "Police recorded crime open data Police Force Area tables": columns
    ``Financial Year, Financial Quarter, Force Name, Offence Description,
    Offence Group, Offence Subgroup, Offence Code, Number of Offences``, published as
    ``.ods``/``.xlsx`` with one sheet per financial year (every sheet with that
    header is read) or as a ``.csv`` of one sheet.
``rolling``
    "Recorded crime by police force area, rolling 12-month totals": columns
    ``12 months ending, PFA, Region, Offence, Rolling year total number of offences``
    with quarter-end dates (``DD/MM/YYYY``, ``DD-MM-YYYY`` or a spreadsheet date; a
    few real rows say 30 December for 31 December, so a date is matched to the
    quarter it falls in).

Quirks handled: counts keep spreadsheet formatting (``" 2863 "``, ``-00`` for zero);
negative counts are real adjustments and are kept; force names are the Home Office's
("Devon and Cornwall", "London, City of"), looked up from the data.police.uk slug in
:data:`HOME_OFFICE_NAMES` unless ``force.home_office`` gives the name.

How police.uk crime types are matched: :data:`OFFENCES_FOR_CRIME_TYPE` lists, for
each data.police.uk crime type, the Home Office offence groups or subgroups
(quarterly table) and offences (rolling table) that make it up. Anti-social
behaviour is not a recorded crime and has no match.

Reading a table is in :mod:`~toolkit.performance.recorded_crime_read` and its cache in
:mod:`~toolkit.performance.recorded_crime_cache`. This module stays a little over 400 lines
because the force-name and offence-matching tables are data, kept beside the lookups that
use them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pandas as pd

from toolkit.errors import DataError, Problem, shown
from toolkit.files import reads
from toolkit.forces import home_office_names
from toolkit.performance import recorded_crime_cache
from toolkit.performance.recorded_crime_read import (
    QUARTERLY_COLUMNS,
    ROLLING_COLUMNS,
    normalise,
    read_sheets,
    table_kind,
)
from toolkit.quarters import Quarter

log = logging.getLogger("toolkit")


HOME_OFFICE_NAMES: dict[str, str] = home_office_names()
"""The 43 territorial forces' data.police.uk slugs and their names in the quarterly table
(from the forces table, ``toolkit/forces.csv``)."""

NAME_ALIASES: dict[str, tuple[str, ...]] = {
    "London, City of": ("City of London",),
    "Metropolitan Police": ("Metropolitan Police Service", "Metropolitan"),
    "Devon and Cornwall": ("Devon & Cornwall",),
    "Avon and Somerset": ("Avon & Somerset",),
}
"""Other spellings of a force's name found in Home Office tables (the rolling table
says "City of London")."""


class RecordedCrimePeriod(TypedDict):
    """The days recorded crime counts cover (ISO dates; 12 months for the rolling table)."""

    start: str
    end: str


class RecordedCrimeType(TypedDict):
    """One data.police.uk crime type matched to Home Office offences: the names matched and
    their summed count (``None`` when nothing matches)."""

    offences: list[str]
    count: int | None


class RecordedCrimeFigures(TypedDict):
    """``figures.json`` ``recorded_crime``, as :func:`recorded_crime_figures` computes it."""

    source: str
    table: str
    """``quarterly`` or ``rolling``."""
    force: str
    requested_quarter: str
    quarter: str | None
    period: RecordedCrimePeriod | None
    exact: bool
    note: str | None
    offences: dict[str, int]
    total: int | None
    crime_types: dict[str, RecordedCrimeType]


@dataclass(frozen=True)
class Match:
    """The Home Office offences that make up one data.police.uk crime type.

    Attributes
    ----------
    groups
        ``Offence Group`` values in the quarterly table.
    subgroups
        ``Offence Subgroup`` values in the quarterly table (used when the crime type
        is part of a group, as burglary is of "Theft offences").
    offences
        ``Offence`` values in the rolling table.
    """

    groups: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    offences: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Every name matched, for display."""
        return [*self.groups, *self.subgroups]


OFFENCES_FOR_CRIME_TYPE: dict[str, Match] = {
    "Anti-social behaviour": Match(),
    "Bicycle theft": Match(subgroups=("Bicycle theft",), offences=("Bicycle theft",)),
    "Burglary": Match(
        subgroups=(
            "Domestic burglary",
            "Non-domestic burglary",
            "Residential burglary",
            "Non-residential burglary",
        ),
        offences=(
            "Domestic burglary",
            "Non-domestic burglary",
            "Residential burglary",
            "Non-residential burglary",
        ),
    ),
    "Criminal damage and arson": Match(
        groups=("Criminal damage and arson",), offences=("Criminal damage and arson",)
    ),
    "Drugs": Match(groups=("Drug offences",), offences=("Drug offences",)),
    "Other crime": Match(
        groups=("Miscellaneous crimes",),
        offences=("Miscellaneous crimes against society",),
    ),
    "Other theft": Match(
        subgroups=("Other theft offences",), offences=("All other theft offences",)
    ),
    "Possession of weapons": Match(
        groups=("Possession of weapons offences",), offences=("Possession of weapons offences",)
    ),
    "Public order": Match(groups=("Public order offences",), offences=("Public order offences",)),
    "Robbery": Match(groups=("Robbery",), offences=("Robbery",)),
    "Shoplifting": Match(subgroups=("Shoplifting",), offences=("Shoplifting",)),
    "Theft from the person": Match(
        subgroups=("Theft from the person",), offences=("Theft from the person",)
    ),
    "Vehicle crime": Match(
        subgroups=("Theft from a vehicle", "Theft of a motor vehicle", "Vehicle interference"),
        offences=("Vehicle offences",),
    ),
    "Violence and sexual offences": Match(
        groups=("Violence against the person", "Sexual offences"),
        offences=(
            "Homicide",
            "Death or serious injury caused by illegal driving",
            "Violence with injury",
            "Violence without injury",
            "Stalking and harassment",
            "Sexual offences",
        ),
    ),
}
"""data.police.uk crime type -> the Home Office offences it corresponds to."""


@dataclass(frozen=True)
class RecordedCrime:
    """A Home Office table read into one shape.

    Attributes
    ----------
    kind
        ``quarterly`` or ``rolling``.
    path
        The file read.
    rows
        Columns ``force``, ``quarter`` (id of the quarter, or of the quarter the
        12 months end in), ``group``, ``subgroup``, ``offence`` and ``count`` (int).
    """

    kind: str
    path: Path
    rows: pd.DataFrame

    @property
    def forces(self) -> list[str]:
        """Force names in the table."""
        return sorted(self.rows["force"].unique())

    def force_name(self, force: str, home_office_name: str | None = None) -> str:
        """The table's name for a force.

        Parameters
        ----------
        force
            data.police.uk slug.
        home_office_name
            ``force.home_office`` from ``force.yaml``, when given.

        Raises
        ------
        DataError
            When no name fits; the message lists the names in the table.
        """
        wanted = home_office_name or HOME_OFFICE_NAMES.get(force, force)
        available = set(self.rows["force"].unique())
        for name in (wanted, *NAME_ALIASES.get(wanted, ())):
            if name in available:
                return name
        raise DataError(
            Problem(
                str(self.path),
                "force.home_office",
                f"force {wanted!r} is not in this Home Office table",
                expected="one of: " + "; ".join(sorted(available)),
                got=shown(wanted),
            )
        )


def load_recorded_crime(path: Path, *, cache_dir: Path | None = None) -> RecordedCrime:
    """Read a Home Office quarterly PRC table or rolling 12-month table.

    Parameters
    ----------
    path
        ``data.recorded_crime`` from ``force.yaml``: ``.csv``, ``.ods`` or ``.xlsx``.
    cache_dir
        Where the table, once read, is kept as an Arrow file keyed by the file's path,
        size and modification time, so the next briefing reads that instead;
        ``None`` for no cache.

    Raises
    ------
    DataError
        When the file is missing or unreadable, matches neither table's header, or a
        count or date cannot be read (the message names the row, header = row 1).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            Problem(str(path), "data.recorded_crime", "no such file", expected="a .csv/.ods/.xlsx")
        )
    reads.note(path)  # parsed or from its cache entry (:mod:`toolkit.files.reads`)
    found_cached = recorded_crime_cache.read(path, cache_dir)
    if found_cached is not None:
        return RecordedCrime(found_cached[0], path, found_cached[1])
    sheets = read_sheets(path)
    frames = []
    kind = None
    for sheet_name, sheet in sheets:
        found = table_kind(sheet)
        if found is None:
            log.debug("skipping sheet %s of %s: not a PRC table", sheet_name, path)
            continue
        if kind is not None and found != kind:
            continue
        kind = found
        frames.append(
            normalise(sheet, found, f"{path}" + (f"[{sheet_name}]" if sheet_name else ""))
        )
    if kind is None:
        raise DataError(
            Problem(
                str(path),
                "",
                "not a Home Office recorded crime table",
                expected="columns "
                + ", ".join(QUARTERLY_COLUMNS)
                + " or "
                + ", ".join(ROLLING_COLUMNS),
                got=shown(",".join(str(c) for c in sheets[0][1].columns), 200)
                if sheets
                else "no sheets",
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    cached = recorded_crime_cache.cache_file(path, cache_dir)
    if cached is not None:
        recorded_crime_cache.write(
            rows,
            cached.with_name(f"{cached.name}-{kind}.arrow"),
            recorded_crime_cache.identity(path, kind),
        )
    return RecordedCrime(kind, path, rows)


def recorded_crime_figures(
    *,
    source: Path,
    force: str,
    quarter: Quarter,
    crime_types: list[str],
    home_office_name: str | None = None,
    cache_dir: Path | None = None,
) -> RecordedCrimeFigures:
    """Home Office recorded crime for the briefing, as JSON-native values.

    Parameters
    ----------
    source
        ``data.recorded_crime`` from ``force.yaml``.
    force
        data.police.uk slug of the force.
    quarter
        The briefing's quarter. When the table does not reach it, the latest quarter
        at or before it is used and ``note`` says so.
    crime_types
        data.police.uk crime types of the report (``crime_types`` in the report yaml).
    home_office_name
        ``force.home_office`` from ``force.yaml``, if given.
    cache_dir
        Shared cache of parsed tables (see :func:`load_recorded_crime`).

    Returns
    -------
    RecordedCrimeFigures
        ``source`` (file name), ``table`` (``quarterly`` or ``rolling``), ``force``
        (Home Office name), ``requested_quarter``, ``quarter`` (the quarter used, or
        ``None``), ``period`` (``start``/``end`` ISO dates the counts cover; 12 months
        for the rolling table), ``exact`` (quarter used == requested), ``note``,
        ``offences`` (every offence group, or offence in the rolling table, -> count),
        ``total`` and ``crime_types`` ({type: {``offences``: [...], ``count``}}).
        Peers are compared on data.police.uk figures only
        (:func:`toolkit.performance.police_uk_figures`).

    Raises
    ------
    DataError
        As :func:`load_recorded_crime`, or when a force name is not in the table.
    """
    table = load_recorded_crime(source, cache_dir=cache_dir)
    name = table.force_name(force, home_office_name)
    own = table.rows[table.rows["force"] == name]
    available = sorted(set(own["quarter"]))
    usable = [q for q in available if q <= quarter.id]
    used = Quarter.parse(usable[-1]) if usable else None
    figures: RecordedCrimeFigures = {
        "source": Path(source).name,
        "table": table.kind,
        "force": name,
        "requested_quarter": quarter.id,
        "quarter": used.id if used else None,
        "period": None,
        "exact": used == quarter,
        "note": None,
        "offences": {},
        "total": None,
        "crime_types": {
            t: {"offences": _match_names(table.kind, t), "count": None} for t in crime_types
        },
    }
    if used is None:
        first = available[0] if available else "none"
        figures["note"] = (
            f"{Path(source).name} has no figures for {name} at or before {quarter.id} "
            f"(earliest: {first})."
        )
        return figures
    start = used.start if table.kind == "quarterly" else used.shift(-3).start
    figures["period"] = {"start": start.isoformat(), "end": used.end.isoformat()}
    if used != quarter:
        held = (
            f"the latest quarter it holds, {used.short}, is shown"
            if table.kind == "quarterly"
            else f"the latest 12 months it holds, to the end of {used.short}, are shown"
        )
        figures["note"] = f"{Path(source).name} does not cover {quarter.short}; {held}."
    rows = own[own["quarter"] == used.id]
    key = "group" if table.kind == "quarterly" else "offence"
    figures["offences"] = {str(k): int(v) for k, v in rows.groupby(key)["count"].sum().items()}
    figures["total"] = int(rows["count"].sum())
    figures["crime_types"] = {
        t: {"offences": _match_names(table.kind, t), "count": _match_count(rows, table.kind, t)}
        for t in crime_types
    }
    return figures


def _match_names(kind: str, crime_type: str) -> list[str]:
    match = OFFENCES_FOR_CRIME_TYPE.get(crime_type, Match())
    return match.names if kind == "quarterly" else list(match.offences)


def _match_count(rows: pd.DataFrame, kind: str, crime_type: str) -> int | None:
    """Sum of the offences matching ``crime_type``; ``None`` when nothing matches."""
    match = OFFENCES_FOR_CRIME_TYPE.get(crime_type, Match())
    if kind == "quarterly":
        mask = rows["group"].isin(match.groups) | rows["subgroup"].isin(match.subgroups)
    else:
        mask = rows["offence"].isin(match.offences)
    if not mask.any():
        return None
    return int(rows.loc[mask, "count"].sum())
