"""Read a Home Office recorded crime table (``.csv``, ``.ods``, ``.xlsx``) into tidy rows.

:func:`read_sheets` gives every sheet, :func:`table_kind` tells a quarterly table
from a rolling 12-month one by its header, and :func:`normalise` turns a sheet
into rows of ``quarter``, ``force``, offence columns and ``count``, reading the
tables' quirks (formatted counts, several date spellings) and naming the row of
any value it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import DataError, Problem, shown
from toolkit.files.zipmember import TABLE, check_archive
from toolkit.quarters import Quarter

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


def read_sheets(path: Path) -> list[tuple[str, pd.DataFrame]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            return [("", frame)]
        if suffix in (".ods", ".xlsx", ".xls", ".xlsm"):
            check_archive(path, str(path), "data.recorded_crime", limits=TABLE)
            book = pd.read_excel(
                path, sheet_name=None, engine="calamine", dtype=object, header=None
            )
            return [(str(name), _with_header(sheet)) for name, sheet in book.items()]
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas, calamine (CalamineError), zipfile, XML
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            Problem(str(path), "", "cannot be read as a table", got=shown(reason, 160))
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


def table_kind(sheet: pd.DataFrame) -> str | None:
    columns = {str(c).strip() for c in sheet.columns}
    if set(QUARTERLY_COLUMNS) <= columns:
        return "quarterly"
    if set(ROLLING_COLUMNS) <= columns:
        return "rolling"
    return None


_COUNT = re.compile(r"^-?\d+$")
_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_FY = re.compile(r"^(\d{4})/(\d{2})$")


def normalise(sheet: pd.DataFrame, kind: str, label: str) -> pd.DataFrame:
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
