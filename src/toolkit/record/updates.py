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
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

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


def _valid_status(value: str) -> Status:
    """The status of a row :func:`_check_row` passed (it refuses any other)."""
    status = normalise_status(value)
    if status is None:  # pragma: no cover - _check_row reports it first
        raise ValueError(f"not a status: {value!r}")
    return status


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
        found += _check_row(cells, display, number, refs)
        as_at, dated = _as_at(row, index, quarter, display, number)
        found += dated
        if found:
            problems += found
            continue
        if record is not None and _nothing_new(cells, row, index, record):
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
        raw_date = (
            row[index["target_date"]]
            if "target_date" in index and index["target_date"] < len(row)
            else None
        )
        updates.append(
            Update(
                quarter=quarter,
                report=cells["report"],
                ref=cells["ref"],
                status=_valid_status(cells["status"]),
                update=cells.get("update", ""),
                evidence=cells.get("evidence", ""),
                owner=cells.get("owner", ""),
                target_date=_parse_date(raw_date),
                source=display,
                row=number,
                signed_off_by=cells.get("signed_off_by", ""),
                closed_by=cells.get("closed_by", "").lower(),
                as_at=as_at,
            )
        )
    updates.sort(key=lambda u: u.day)  # stable: same-day rows keep the file's order
    return updates, problems


def _as_at(
    row: list[object], index: dict[str, int], quarter: Quarter, display: str, number: int
) -> tuple[date | None, list[Problem]]:
    """The row's ``as_at`` date (``None`` when blank), or the problem with it: not a date,
    or a date outside the file's quarter."""
    column = index.get("as_at")
    raw = row[column] if column is not None and column < len(row) else None
    try:
        day = _parse_date(raw)
    except NotADate as err:
        return None, [
            Problem(
                display, "as_at", str(err), line=number, expected=DATE_FORMS, got=shown(_cell(raw))
            )
        ]
    if day is not None and not quarter.start <= day <= quarter.end:
        return None, [
            Problem(
                display,
                "as_at",
                f"date outside the file's quarter {quarter.id}",
                line=number,
                expected=f"a date from {quarter.start.isoformat()} to {quarter.end.isoformat()}",
                got=day.isoformat(),
            )
        ]
    return day, []


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


def _nothing_new(
    cells: dict[str, str], row: list[object], index: dict[str, int], record: dict[str, str]
) -> bool:
    """A returned request row left as sent: not an update for the quarter."""
    column = index.get("target_date")
    raw = row[column] if column is not None and column < len(row) else None
    return nothing_new(cells, _parse_date(raw), record)


def canonical_ref(ref: str, known: set[str]) -> str:
    """The item's ref as the report file spells it, matched regardless of case (``r3`` finds
    ``R3``), as statuses are; ``ref`` unchanged when no item, or more than one, matches."""
    if ref in known:
        return ref
    matches = [k for k in known if k.casefold() == ref.casefold()]
    return matches[0] if len(matches) == 1 else ref


def _check_row(
    cells: dict[str, str], display: str, number: int, refs: dict[str, set[str]]
) -> list[Problem]:
    problems = []
    for name, value in cells.items():
        control = control_character(value)
        if control:
            problems.append(
                Problem(
                    display,
                    name,
                    f"{control} cannot go into the briefing or the letter",
                    line=number,
                    expected="printable text",
                    got=shown(value),
                )
            )
    report, ref = cells["report"], cells["ref"]
    if report not in refs:
        problems.append(
            Problem(
                display,
                "report",
                "unknown report",
                line=number,
                expected=f"one of {', '.join(sorted(refs)) or '(no reports)'}",
                got=shown(report),
            )
        )
    elif ref not in refs[report]:
        known = ", ".join(sorted(refs[report])) or "(the report has no items)"
        problems.append(
            Problem(
                display,
                "ref",
                f"no item {ref!r} in report {report}",
                line=number,
                expected=f"one of {known}",
                got=shown(ref),
            )
        )
    status = normalise_status(cells["status"])
    if status is None:
        problems.append(
            Problem(
                display,
                "status",
                "unknown status",
                line=number,
                expected="one of " + ", ".join(STATUSES),
                got=shown(cells["status"]),
            )
        )
    elif status is Status.NOT_ACCEPTED and not cells.get("update"):
        problems.append(
            Problem(
                display,
                "update",
                "a not-accepted item needs the reason in 'update' (s55(5B))",
                line=number,
                expected="the reason no action is taken",
                got="an empty cell",
            )
        )
    closed_by = cells.get("closed_by", "")
    if closed_by and closed_by.lower() not in ClosedBy._value2member_map_:
        problems.append(
            Problem(
                display,
                "closed_by",
                "not who closed the item",
                line=number,
                expected="one of " + ", ".join(ClosedBy) + " or an empty cell",
                got=shown(closed_by),
            )
        )
    raw = cells.get("target_date", "")
    try:
        _parse_date(raw)
    except NotADate as err:
        problems.append(
            Problem(
                display,
                "target_date",
                str(err),
                line=number,
                expected=DATE_FORMS,
                got=shown(raw),
            )
        )
    return problems
