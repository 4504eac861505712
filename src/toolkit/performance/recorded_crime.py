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
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import cachefile
from toolkit.errors import DataError, Problem, shown
from toolkit.quarters import Quarter

log = logging.getLogger("toolkit")

_CACHE_VERSION = "recorded-2"

QUARTERLY_COLUMNS = (
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
)
ROLLING_COLUMNS = (
    "12 months ending",
    "PFA",
    "Region",
    "Offence",
    "Rolling year total number of offences",
)

HOME_OFFICE_NAMES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset",
    "bedfordshire": "Bedfordshire",
    "cambridgeshire": "Cambridgeshire",
    "cheshire": "Cheshire",
    "city-of-london": "London, City of",
    "cleveland": "Cleveland",
    "cumbria": "Cumbria",
    "derbyshire": "Derbyshire",
    "devon-and-cornwall": "Devon and Cornwall",
    "dorset": "Dorset",
    "durham": "Durham",
    "dyfed-powys": "Dyfed-Powys",
    "essex": "Essex",
    "gloucestershire": "Gloucestershire",
    "greater-manchester": "Greater Manchester",
    "gwent": "Gwent",
    "hampshire": "Hampshire",
    "hertfordshire": "Hertfordshire",
    "humberside": "Humberside",
    "kent": "Kent",
    "lancashire": "Lancashire",
    "leicestershire": "Leicestershire",
    "lincolnshire": "Lincolnshire",
    "merseyside": "Merseyside",
    "metropolitan": "Metropolitan Police",
    "norfolk": "Norfolk",
    "north-wales": "North Wales",
    "north-yorkshire": "North Yorkshire",
    "northamptonshire": "Northamptonshire",
    "northumbria": "Northumbria",
    "nottinghamshire": "Nottinghamshire",
    "south-wales": "South Wales",
    "south-yorkshire": "South Yorkshire",
    "staffordshire": "Staffordshire",
    "suffolk": "Suffolk",
    "surrey": "Surrey",
    "sussex": "Sussex",
    "thames-valley": "Thames Valley",
    "warwickshire": "Warwickshire",
    "west-mercia": "West Mercia",
    "west-midlands": "West Midlands",
    "west-yorkshire": "West Yorkshire",
    "wiltshire": "Wiltshire",
}
"""The 43 territorial forces' data.police.uk slugs and their names in the quarterly table."""

NAME_ALIASES: dict[str, tuple[str, ...]] = {
    "London, City of": ("City of London",),
    "Metropolitan Police": ("Metropolitan Police Service", "Metropolitan"),
    "Devon and Cornwall": ("Devon & Cornwall",),
    "Avon and Somerset": ("Avon & Somerset",),
}
"""Other spellings of a force's name found in Home Office tables (the rolling table
says "City of London")."""


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
    cached = _cache_file(path, cache_dir)
    if cached is not None:
        for kind_name in ("quarterly", "rolling"):
            found_file = cached.with_name(f"{cached.name}-{kind_name}.arrow")
            payload = cachefile.read(found_file, _identity(path, kind_name))
            if payload is not None:
                try:
                    return RecordedCrime(kind_name, path, pd.read_feather(io.BytesIO(payload)))
                except Exception as exc:  # noqa: BLE001 - a verified entry of another layout
                    log.warning("discarding cache file %s: %s", found_file, exc)
    sheets = _read_sheets(path)
    frames = []
    kind = None
    for sheet_name, sheet in sheets:
        found = _kind(sheet)
        if found is None:
            log.debug("skipping sheet %s of %s: not a PRC table", sheet_name, path)
            continue
        if kind is not None and found != kind:
            continue
        kind = found
        frames.append(
            _normalise(sheet, found, f"{path}" + (f"[{sheet_name}]" if sheet_name else ""))
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
    if cached is not None:
        _write_cache(rows, cached.with_name(f"{cached.name}-{kind}.arrow"), _identity(path, kind))
    return RecordedCrime(kind, path, rows)


def _cache_file(path: Path, cache_dir: Path | None) -> Path | None:
    """The cache's name stem for this version of ``path`` (``None`` without a cache)."""
    if cache_dir is None:
        return None
    stat = path.stat()
    key = f"{_CACHE_VERSION}\x1f{path.resolve()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
    return Path(cache_dir) / f"recorded-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _identity(path: Path, kind: str) -> dict[str, object]:
    """What a cache entry of ``path`` must say it was made from (checked on reading)."""
    stat = path.stat()
    return {
        "version": _CACHE_VERSION,
        "source": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "table": kind,
    }


def _write_cache(rows: pd.DataFrame, target: Path, identity: dict[str, object]) -> None:
    """Write atomically, with a checksum (several kernels may write the same table at once)."""
    buffer = io.BytesIO()
    rows.to_feather(buffer)
    cachefile.write(target, buffer.getvalue(), identity)


def recorded_crime_figures(
    *,
    source: Path,
    force: str,
    quarter: Quarter,
    crime_types: list[str],
    home_office_name: str | None = None,
    cache_dir: Path | None = None,
) -> dict[str, object]:
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
    dict
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
    figures: dict[str, object] = {
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
    span = "quarter" if table.kind == "quarterly" else "12 months ending in quarter"
    if used != quarter:
        figures["note"] = (
            f"{Path(source).name} does not cover {quarter.id}; the latest {span} it holds, "
            f"{used.id}, is shown."
        )
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


# -- reading ------------------------------------------------------------------


def _read_sheets(path: Path) -> list[tuple[str, pd.DataFrame]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            return [("", frame)]
        if suffix in (".ods", ".xlsx", ".xls", ".xlsm"):
            book = pd.read_excel(
                path, sheet_name=None, engine="calamine", dtype=object, header=None
            )
            return [(str(name), _with_header(sheet)) for name, sheet in book.items()]
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(
            Problem(str(path), "", "cannot be read as a table", got=shown(str(exc), 160))
        ) from None
    raise DataError(
        Problem(
            str(path),
            "data.recorded_crime",
            "unsupported file type",
            expected=".csv, .ods or .xlsx",
            got=shown(path.suffix),
        )
    )


def _with_header(sheet: pd.DataFrame) -> pd.DataFrame:
    """Use the first row (of the first ten) that holds a known column name as the header."""
    for i in range(min(10, len(sheet))):
        values = [str(v).strip() for v in sheet.iloc[i].tolist()]
        if "Force Name" in values or "PFA" in values:
            body = sheet.iloc[i + 1 :].reset_index(drop=True)
            body.columns = values
            return body
    return sheet


def _kind(sheet: pd.DataFrame) -> str | None:
    columns = {str(c).strip() for c in sheet.columns}
    if set(QUARTERLY_COLUMNS) <= columns:
        return "quarterly"
    if set(ROLLING_COLUMNS) <= columns:
        return "rolling"
    return None


_COUNT = re.compile(r"^-?\d+$")
_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_FY = re.compile(r"^(\d{4})/(\d{2})$")


def _normalise(sheet: pd.DataFrame, kind: str, label: str) -> pd.DataFrame:
    sheet = sheet.rename(columns=lambda c: str(c).strip())
    if kind == "quarterly":
        count_column = "Number of Offences"
        periods = (
            sheet["Financial Year"].map(_text) + "\x1f" + sheet["Financial Quarter"].map(_text)
        )

        def period_quarter(period: str, row: int) -> str:
            year, _, number = period.partition("\x1f")
            return _financial_quarter(year, number, label, row)

        quarters = _each_distinct(periods, period_quarter)
        out = pd.DataFrame(
            {
                "force": sheet["Force Name"].map(_text),
                "quarter": quarters,
                "group": sheet["Offence Group"].map(_text),
                "subgroup": sheet["Offence Subgroup"].map(_text),
                "offence": sheet["Offence Description"].map(_text),
            }
        )
    else:
        count_column = "Rolling year total number of offences"
        quarters = _each_distinct(
            sheet["12 months ending"], lambda v, row: _quarter_ending(v, label, row)
        )
        offence = sheet["Offence"].map(_text)
        out = pd.DataFrame(
            {
                "force": sheet["PFA"].map(_text),
                "quarter": quarters,
                "group": offence,
                "subgroup": offence,
                "offence": offence,
            }
        )
    out["count"] = _each_distinct(
        sheet[count_column], lambda v, row: _count(v, label, row, count_column)
    )
    return out[out["force"] != ""]


def _each_distinct(values: pd.Series, convert: Callable[[Any, int], Any]) -> list[Any]:
    """``convert`` applied to each row's value, computed once per distinct value.

    Tables repeat the same dates, quarters and often counts thousands of times. ``convert``
    gets the value and the spreadsheet row of its first occurrence (header = row 1), so an
    unreadable value is reported at the first row that has it.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    first_rows = pd.Series(range(len(codes))).groupby(codes).first()
    converted = [convert(value, int(first_rows[i]) + 2) for i, value in enumerate(distinct)]
    return [converted[code] for code in codes]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _count(value: object, label: str, row: int, column: str) -> int:
    """A count as published: padded, ``-00`` for zero, negatives kept."""
    if isinstance(value, bool):
        raise _bad(label, row, column, value, "a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if pd.isna(value):
            return 0
        if value.is_integer():
            return int(value)
        raise _bad(label, row, column, value, "a whole number")
    text = _text(value).replace(",", "")
    if text in ("", "-", ".."):
        return 0
    if text.endswith(".0"):
        text = text[:-2]
    if not _COUNT.match(text):
        raise _bad(label, row, column, value, "a whole number")
    return int(text)


def _financial_quarter(fy: object, fq: object, label: str, row: int) -> str:
    match = _FY.match(_text(fy))
    if match is None:
        raise _bad(label, row, "Financial Year", fy, "a financial year such as 2017/18")
    number = _text(fq).removesuffix(".0")
    if number not in ("1", "2", "3", "4"):
        raise _bad(label, row, "Financial Quarter", fq, "1, 2, 3 or 4")
    return Quarter(int(match[1]), int(number)).id


def _quarter_ending(value: object, label: str, row: int) -> str:
    if isinstance(value, datetime | date | pd.Timestamp):
        day = value.date() if isinstance(value, datetime | pd.Timestamp) else value
        return Quarter.containing(day).id
    text = _text(value)
    match = _DMY.match(text)
    if match is None:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            raise _bad(label, row, "12 months ending", value, "a date such as 31/12/2018") from None
        return Quarter.containing(day).id
    try:
        day = date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise _bad(label, row, "12 months ending", value, "a date such as 31/12/2018") from None
    return Quarter.containing(day).id


def _bad(label: str, row: int, column: str, value: object, expected: str) -> DataError:
    return DataError(
        Problem(label, column, "cannot be read", line=row, expected=expected, got=shown(value))
    )
