"""Quarterly status update files: ``updates/<quarter>.csv`` or ``.xlsx``.

One row per item updated that quarter, with the columns
``report,ref,status,update,evidence,owner,target_date`` and, optionally,
``signed_off_by`` and ``closed_by`` (:data:`SIGN_OFF_COLUMNS`). Files come as the force
exports them: Excel workbooks, or CSV in UTF-8 (with or without a BOM, LF or CRLF);
a CSV that is not UTF-8 is read as Windows-1252 (Excel's "CSV" on a UK Windows
machine) when every byte is a Windows-1252 character, and refused otherwise.
Statuses may be written as display labels in any case ("In progress",
"Pending sign-off"). Blank rows are ignored, and so are columns not listed here
(a returned ``request-updates`` workbook has more). Rows are numbered as a
spreadsheet shows them: the header is row 1.

A returned ``request-updates`` workbook (:mod:`toolkit.record.workbook`) is read as it is,
with three more checks: its read-only cells must be as they were sent (``text: changed
by the force``, an error), it must be saved as the quarter it asks for, and a row left
as sent (status unchanged, no update or evidence, owner and target date as pre-filled)
is no update for the quarter. An empty status in such a row means "unchanged".

Dates in ``target_date`` are ISO ``YYYY-MM-DD``, real Excel dates, or the UK form
``DD/MM/YYYY`` (never the US form).

Dated updates: the optional column ``as_at`` gives the day an update describes, a date
inside the file's quarter (blank: the quarter's last day). One item may have several rows
in one quarter when their ``as_at`` dates differ; the latest is its status at the quarter's
end, and the letter of a response sent mid-quarter is drafted from those on or before the
sent date. Two rows for one item with the same date are refused, as is a date outside the
quarter (``updates/2019-20-Q4.csv:3: as_at: …``).

Each row is checked by one pydantic model, :class:`UpdateRow` (as the YAML files are by
:mod:`toolkit.record.params`'s models); :func:`row_problems` turns its errors into the
file's one-line messages (``updates/<quarter>.csv:<row>: <field>: … (expected …, got …)``).
What the model cannot see is checked here, around it: the file's encoding and header, a
row with more fields than the header, a returned workbook's read-only cells, and a second
row for the same item and day.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from toolkit.errors import DataError, Problem, shown
from toolkit.files.zipmember import DOCUMENT, check_archive
from toolkit.quarters import Quarter
from toolkit.record.dates import FORMS as DATE_FORMS
from toolkit.record.dates import NotADate, parse_day
from toolkit.record.returned import CHECKED, Sent, check_returned_row, nothing_new, read_sent
from toolkit.text.characters import control_character
from toolkit.vocabulary import ClosedBy, Status, parse_status

log = logging.getLogger("toolkit")

STATUSES = tuple(Status)
"""Every status, in the canonical order (:class:`toolkit.vocabulary.Status`)."""
STATUS_LABELS = {status: status.label for status in Status}
"""Each status's display label (:attr:`toolkit.vocabulary.Status.label`)."""
COLUMNS = ("report", "ref", "status", "update", "evidence", "owner", "target_date")
SIGN_OFF_COLUMNS = ("signed_off_by", "closed_by")
"""Optional: who signed the item off (a board, a named role) and who closed it
(``opcc``, ``hmicfrs`` or ``force``; :class:`toolkit.vocabulary.ClosedBy`)."""
READ_COLUMNS = (*COLUMNS, *SIGN_OFF_COLUMNS)
REQUIRED = ("report", "ref", "status")


@dataclass(frozen=True)
class Update:
    """One row of an update file: where an item stood at a quarter's end."""

    quarter: Quarter
    report: str
    ref: str
    status: Status
    update: str
    evidence: str
    owner: str
    target_date: date | None
    source: str
    row: int
    signed_off_by: str = ""
    closed_by: str = ""
    as_at: date | None = None

    @property
    def day(self) -> date:
        """The day the update describes: its ``as_at``, else its quarter's last day."""
        return self.as_at if self.as_at is not None else self.quarter.end


DATED = ("as_at",)
"""Optional column read beside :data:`COLUMNS`: the day an update describes."""


def normalise_status(value: str) -> Status | None:
    """``"Pending Sign-off"`` → ``pending-sign-off``; ``None`` if it is no status
    (:func:`toolkit.vocabulary.parse_status`)."""
    return parse_status(value)


def _parse_date(value: object) -> date | None:
    return parse_day(value)


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if not raw.strip():
        return None, [
            Problem(display, "", "the file is empty", expected="a header row: " + ",".join(COLUMNS))
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as err:
        return None, [
            Problem(
                display,
                "",
                "cannot tell the file's encoding",
                line=raw[: err.start].count(b"\n") + 1,
                expected="UTF-8 (Excel: Save As > CSV UTF-8)",
                got=f"byte 0x{raw[err.start]:02x}",
            )
        ]
    log.info("%s is not UTF-8; read it as Windows-1252", display)
    return text, []


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN from a spreadsheet's empty cell
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _read_rows(path: Path, display: str) -> tuple[list[list[object]], list[Problem]]:
    if path.suffix.lower() == ".xlsx":
        try:
            check_archive(path, display, limits=DOCUMENT)
        except DataError as err:
            return [], err.problems
        try:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(0)
            return [list(r) for r in sheet.to_python(skip_empty_area=False)], []
        except Exception as err:  # calamine raises its own error types
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            return [], [
                Problem(
                    display,
                    "",
                    f"not a readable Excel workbook ({first})",
                    expected="an .xlsx file saved by Excel or LibreOffice",
                )
            ]
    try:
        raw = path.read_bytes()
    except OSError as err:
        return [], [Problem(display, "", f"cannot be read ({err.strerror})")]
    text, problems = _decode(raw, display)
    if text is None:
        return [], problems
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))], []
    except csv.Error as err:
        return [], [Problem(display, "", f"not a readable CSV file ({err})")]


def read_updates(
    path: Path, quarter: Quarter, display: str, refs: dict[str, set[str]]
) -> tuple[list[Update], list[Problem]]:
    """Read and check one update file.

    Parameters
    ----------
    path
        ``updates/<quarter>.csv`` or ``.xlsx``.
    quarter
        The quarter its name gives.
    display
        Its name in messages (``updates/2018-19-Q3.csv``).
    refs
        Report id → the refs of its items, to check each row against.

    Returns
    -------
    The good rows, and one problem per bad row or field.
    """
    rows, problems = _read_rows(path, display)
    if problems:
        return [], problems
    while rows and not any(_cell(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        return [], [
            Problem(display, "", "the file is empty", expected="a header row: " + ",".join(COLUMNS))
        ]
    header = [_cell(c).lower().replace(" ", "_") for c in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            Problem(
                display,
                ", ".join(missing),
                "missing column",
                line=1,
                expected="columns " + ",".join(COLUMNS),
                got=",".join(h for h in header if h) or "an empty header",
            )
        ]
    index = {name: header.index(name) for name in (*READ_COLUMNS, *DATED) if name in header}
    sent = _request_record(path)
    if sent is not None and sent.quarter != quarter.id:
        return [], [
            Problem(
                display,
                "file name",
                f"this request-updates workbook asks for {sent.quarter} updates",
                expected=f"updates/{sent.quarter}.xlsx",
                got=shown(path.name),
            )
        ]
    updates: list[Update] = []
    seen: dict[tuple[str, str, date], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: _cell(row[i]) if i < len(row) else "" for name, i in index.items()}
        if not any(_cell(c) for c in row):
            continue
        if len(row) > len(header):
            # An unquoted comma in a text cell shifts every later field: say so, not
            # the misleading error about whichever field the shift lands on.
            problems.append(
                Problem(
                    display,
                    "",
                    f"row has {len(row)} fields, expected {len(header)} "
                    "(put text with commas in quotes)",
                    line=number,
                )
            )
            continue
        cells["ref"] = canonical_ref(cells["ref"], refs.get(cells["report"], set()))
        record = sent.rows.get((cells["report"], cells["ref"])) if sent is not None else None
        found = []
        if record is not None:
            found = _returned_problems(header, row, record, display, number)
            if not cells["status"]:  # a cleared status in a returned workbook: unchanged
                cells["status"] = record["last_status"]
        # Date cells as read (a workbook's real dates stay dates); the text of every
        # cell for the control-character check and the messages.
        dates = {
            name: row[index[name]]
            for name in ("target_date", "as_at")
            if name in index and index[name] < len(row)
        }
        try:
            checked = UpdateRow.model_validate(
                {**cells, **dates}, context={"refs": refs, "quarter": quarter, "cells": cells}
            )
        except ValidationError as err:
            found += row_problems(err, display, number)
        if found:
            problems += found
            continue
        as_at = checked.as_at
        if record is not None and nothing_new(cells, checked.target_date, record):
            # A returned request row left as sent: not an update for the quarter.
            log.info("%s:%d: nothing new for %s %s", display, number, cells["report"], cells["ref"])
            continue
        key = (cells["report"], cells["ref"], as_at or quarter.end)
        if key in seen:
            problems.append(
                Problem(
                    display,
                    "ref" if as_at is None else "as_at",
                    f"a second row for {key[0]} {key[1]} "
                    + ("in one quarter" if as_at is None else f"as at {as_at.isoformat()}")
                    + f" (first on row {seen[key]})",
                    line=number,
                )
            )
            continue
        seen[key] = number
        updates.append(
            Update(
                quarter=quarter,
                report=checked.report,
                ref=checked.ref,
                status=checked.status,
                update=checked.update,
                evidence=checked.evidence,
                owner=checked.owner,
                target_date=checked.target_date,
                source=display,
                row=number,
                signed_off_by=checked.signed_off_by,
                closed_by=checked.closed_by.value if checked.closed_by else "",
                as_at=as_at,
            )
        )
    updates.sort(key=lambda u: u.day)  # stable: same-day rows keep the file's order
    return updates, problems


def _request_record(path: Path) -> Sent | None:
    """What a request-updates workbook was sent with (:mod:`~.workbook`), if it is one."""
    if path.suffix.lower() != ".xlsx":
        return None
    return read_sent(path)


def _returned_problems(
    header: list[str], row: list[object], record: dict[str, str], display: str, number: int
) -> list[Problem]:
    """Read-only cells of a returned request workbook that differ from what was sent."""
    shown_cells = {
        name: _cell(row[header.index(name)]) if header.index(name) < len(row) else ""
        for name in CHECKED
        if name in header
    }
    return check_returned_row(shown_cells, record, display, number)


def canonical_ref(ref: str, known: set[str]) -> str:
    """The item's ref as the report file spells it, matched regardless of case (``r3`` finds
    ``R3``), as statuses are; ``ref`` unchanged when no item, or more than one, matches."""
    if ref in known:
        return ref
    matches = [k for k in known if k.casefold() == ref.casefold()]
    return matches[0] if len(matches) == 1 else ref


_ROW_ERROR = "update_row"
"""The pydantic error type of every check of :class:`UpdateRow`: its context holds the
message's three parts (``message``, ``expected``, ``got``)."""


def _refused(
    message: str, expected: str | None = None, got: str | None = None
) -> PydanticCustomError:
    context: dict[str, Any] = {"message": message}
    if expected is not None:
        context["expected"] = expected
    if got is not None:
        context["got"] = got
    return PydanticCustomError(_ROW_ERROR, "{message}", context)


def _day_of(value: object) -> date | None:
    """A date cell (ISO, UK, or a real spreadsheet date); the error words it as the
    update file's messages do."""
    try:
        return _parse_date(value)
    except NotADate as err:
        raise _refused(str(err), DATE_FORMS, shown(_cell(value))) from None


class UpdateRow(BaseModel):
    """One row of an update file, checked.

    Validate with ``context={"refs": {report: {ref, …}}, "quarter": Quarter}``: ``report``
    must be a report of the params, ``ref`` one of its items, ``as_at`` a day of the
    file's quarter. Cells come as read (text; a date cell may be a real spreadsheet
    date). Every failed check is a pydantic error of type ``update_row`` whose context
    holds the message, expected and got of the file's one-line message
    (:func:`row_problems`). A cell holding a control character is named first, whatever
    else is wrong with the row. Fields are declared in the order the checks are reported.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    report: str
    ref: str
    status: Status
    update: str = Field(default="", validate_default=True)
    closed_by: ClosedBy | None = None
    target_date: date | None = None
    as_at: date | None = None
    evidence: str = ""
    owner: str = ""
    signed_off_by: str = ""

    @model_validator(mode="wrap")
    @classmethod
    def _printable_first(
        cls, data: Any, handler: ModelWrapValidatorHandler[UpdateRow], info: ValidationInfo
    ) -> UpdateRow:
        """Every cell with a control character, in column order, before the other checks."""
        cells = (info.context or {}).get("cells") or data
        control: list[InitErrorDetails] = []
        for name, value in cells.items():
            words = control_character(value) if isinstance(value, str) else None
            if words:
                error = _refused(
                    f"{words} cannot go into the briefing or the letter",
                    "printable text",
                    shown(value),
                )
                control.append({"type": error, "loc": (name,), "input": value})
        try:
            row = handler(data)
        except ValidationError as err:
            raise ValidationError.from_exception_data(
                cls.__name__, [*control, *(_again(e) for e in err.errors())]
            ) from None
        if control:
            raise ValidationError.from_exception_data(cls.__name__, control)
        return row

    @field_validator("report")
    @classmethod
    def _known_report(cls, value: str, info: ValidationInfo) -> str:
        refs: dict[str, set[str]] = (info.context or {}).get("refs", {})
        if value not in refs:
            raise _refused(
                "unknown report",
                f"one of {', '.join(sorted(refs)) or '(no reports)'}",
                shown(value),
            )
        return value

    @field_validator("ref")
    @classmethod
    def _known_ref(cls, value: str, info: ValidationInfo) -> str:
        refs: dict[str, set[str]] = (info.context or {}).get("refs", {})
        report = info.data.get("report")
        if report is None:  # an unknown report is the row's problem, not its ref
            return value
        if value not in refs[report]:
            known = ", ".join(sorted(refs[report])) or "(the report has no items)"
            raise _refused(f"no item {value!r} in report {report}", f"one of {known}", shown(value))
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> Status:
        status = normalise_status(value) if isinstance(value, str) else None
        if status is None:
            raise _refused("unknown status", "one of " + ", ".join(STATUSES), shown(_cell(value)))
        return status

    @field_validator("update")
    @classmethod
    def _reason(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("status") is Status.NOT_ACCEPTED and not value:
            raise _refused(
                "a not-accepted item needs the reason in 'update' (s55(5B))",
                "the reason no action is taken",
                "an empty cell",
            )
        return value

    @field_validator("closed_by", mode="before")
    @classmethod
    def _closed_by(cls, value: object) -> ClosedBy | None:
        text = _cell(value)
        if not text:
            return None
        if text.lower() not in ClosedBy._value2member_map_:
            raise _refused(
                "not who closed the item",
                "one of " + ", ".join(ClosedBy) + " or an empty cell",
                shown(text),
            )
        return ClosedBy(text.lower())

    @field_validator("target_date", mode="before")
    @classmethod
    def _target_date(cls, value: object) -> date | None:
        return _day_of(value)

    @field_validator("as_at", mode="before")
    @classmethod
    def _as_at(cls, value: object, info: ValidationInfo) -> date | None:
        day = _day_of(value)
        quarter: Quarter | None = (info.context or {}).get("quarter")
        if day is not None and quarter is not None and not quarter.start <= day <= quarter.end:
            raise _refused(
                f"date outside the file's quarter {quarter.id}",
                f"a date from {quarter.start.isoformat()} to {quarter.end.isoformat()}",
                day.isoformat(),
            )
        return day


def _again(error: Any) -> InitErrorDetails:
    """A pydantic error detail, to raise again beside others."""
    if error["type"] == _ROW_ERROR:
        kind: Any = PydanticCustomError(_ROW_ERROR, "{message}", error["ctx"])
    else:  # pydantic's own (a cell of the wrong type): kept as its message words it
        kind = PydanticCustomError(error["type"], error["msg"].replace("{", "{{"))
    return {"type": kind, "loc": error["loc"], "input": error["input"]}


def row_problems(err: ValidationError, display: str, number: int) -> list[Problem]:
    """One :class:`Problem` per failed check of an :class:`UpdateRow`, in its order:
    ``updates/<quarter>.csv:<row>: <field>: <message> (expected …, got …)``."""
    problems = []
    for detail in err.errors(include_url=False):
        field = str(detail["loc"][0]) if detail["loc"] else ""
        context = detail.get("ctx") or {}
        if detail["type"] == _ROW_ERROR:
            problems.append(
                Problem(
                    display,
                    field,
                    context["message"],
                    line=number,
                    expected=context.get("expected"),
                    got=context.get("got"),
                )
            )
        else:
            problems.append(
                Problem(display, field, detail["msg"], line=number, got=shown(detail["input"]))
            )
    return problems
