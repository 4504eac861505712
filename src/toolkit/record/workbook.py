"""The request-updates workbook, and the check of the workbook the force sends back.

Each quarter the OPCC sends the force one workbook (``toolkit request-updates``) listing
every open item of every report published by the quarter's end, and the force fills it in.
Dropped into the params root as ``updates/<quarter>.xlsx`` exactly as it comes back, it is
an update file like any other (:mod:`toolkit.record.updates` reads it); nothing needs retyping.

The ``Updates`` sheet (first, so the update reader finds it) has one row per item:

* read-only, locked and shaded: ``Report``, ``Ref``, ``Kind``, ``Text``, ``Due`` (the
  report's due date resolved to a date), ``Last status`` and ``Last update`` (the latest
  update before the quarter asked for);
* to fill in, unlocked: ``Status`` (a drop-down of the display labels; pre-filled with the
  last status), ``Update``, ``Evidence``, ``Owner`` (pre-filled with the current owner) and
  ``Target date`` (pre-filled with the force's latest target date; a date cell), ``As at``
  (the day the update describes, a date in the quarter; blank for its last day), then
  ``Signed off by`` and ``Closed by`` (a drop-down: opcc, hmicfrs, force) for an item
  the force reports complete.

The sheets are protected without a password (to stop accidental edits, not as security):
the force can type only in the fill-in cells, and can still widen columns, resize rows and
filter. The workbook's structure is locked too, so the sheets stay in order. An
``Instructions`` sheet explains the columns and the statuses.

What was sent is kept in a very hidden sheet, ``_sent``: the quarter, and for each item
the read-only values and the pre-filled owner and target date. When the workbook comes
back, :func:`toolkit.record.returned.check_returned_row` compares each row's read-only cells
with that record, and a changed cell is an error (``toolkit validate`` exits 2)::

    updates/2019-20-Q1.xlsx:5: text: changed by the force (expected 'Improve call
    handling.', got 'Call handling improved.')

A workbook asked for one quarter and saved as another quarter's update file is refused
the same way. A row that brings nothing new -- the status left as it was, no update or
evidence, owner and target date as pre-filled -- is not an update for the quarter
(:func:`~toolkit.record.returned.nothing_new`): it does not reset an item's "stale"
flag. Rows of a workbook whose ``_sent`` sheet was lost (copied into a new workbook) are read as
plain update rows.

Longer than most modules because writing the workbook and checking the one that comes back
share its layout (the columns, the locked cells, the ``_sent`` record); they are kept in one
file so that the two cannot drift apart.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.errors import writing
from toolkit.files import atomic
from toolkit.quarters import Quarter
from toolkit.record.params import Params
from toolkit.record.register import Register
from toolkit.record.returned import (
    CHECKED,
    SENT_SHEET,
    Sent,
    check_returned_row,
    nothing_new,
    read_sent,
)
from toolkit.text.display import uk_date
from toolkit.vocabulary import CLOSED, ClosedBy, ItemKind, Status

__all__ = [
    "CHECKED",
    "FILL_IN",
    "HEADERS",
    "READ_ONLY",
    "SENT_SHEET",
    "SHEET",
    "RequestRow",
    "Sent",
    "check_returned_row",
    "default_path",
    "nothing_new",
    "read_sent",
    "request_rows",
    "write_request",
]

SHEET = "Updates"
"""The sheet the force fills in; always the first."""

INSTRUCTIONS_SHEET = "Instructions"

READ_ONLY = ("report", "ref", "kind", "text", "due", "last_status", "last_update")
"""Columns the force reads but must not change (locked)."""

FILL_IN = (
    "status",
    "update",
    "evidence",
    "owner",
    "target_date",
    "as_at",
    "signed_off_by",
    "closed_by",
)
"""Columns the force fills in: the update reader's columns (unlocked). ``as_at`` is the
day the update describes, inside the quarter (blank: the quarter's last day)."""

HEADERS = {
    "report": "Report",
    "ref": "Ref",
    "kind": "Kind",
    "text": "Text",
    "due": "Due",
    "last_status": "Last status",
    "last_update": "Last update",
    "status": "Status",
    "update": "Update",
    "evidence": "Evidence",
    "owner": "Owner",
    "target_date": "Target date",
    "as_at": "As at",
    "signed_off_by": "Signed off by",
    "closed_by": "Closed by",
}
"""Column headers as the force sees them; the update reader reads ``Target date`` as
``target_date``."""


_SENT_COLUMNS = (*READ_ONLY, "owner", "target_date")
_WIDTHS = {
    "report": 24,
    "ref": 7,
    "kind": 20,
    "text": 60,
    "due": 12,
    "last_status": 16,
    "last_update": 45,
    "status": 18,
    "update": 50,
    "evidence": 30,
    "owner": 18,
    "target_date": 13,
    "as_at": 12,
    "signed_off_by": 22,
    "closed_by": 12,
}
_WRAPPED = {"text", "last_update", "update", "evidence"}
_DATE_FORMAT = "dd/mm/yyyy"
_READ_ONLY_FILL = "F3F2F1"  # GOV.UK light grey
_HEADER_FILL = "DEE0E2"


@dataclass(frozen=True)
class RequestRow:
    """One open item as the request workbook shows it.

    ``last_status`` is a status id; ``last_update``, ``owner`` and ``target_date`` come
    from the latest update before the quarter (owner falling back to the report's).
    """

    report: str
    ref: str
    kind: ItemKind
    text: str
    due: date | None
    last_status: Status
    last_update: str
    owner: str
    target_date: date | None

    def sent(self) -> dict[str, str]:
        """The row as recorded in ``_sent`` and read back: display strings, ISO dates."""
        return {
            "report": self.report,
            "ref": self.ref,
            "kind": ItemKind(self.kind).label,
            "text": self.text,
            "due": self.due.isoformat() if self.due else "",
            "last_status": Status(self.last_status).label,
            "last_update": self.last_update,
            "owner": self.owner,
            "target_date": self.target_date.isoformat() if self.target_date else "",
        }


def default_path(quarter: Quarter) -> Path:
    """``outputs/<quarter>/updates-request-<quarter>.xlsx``, relative to the working folder."""
    return Path("outputs") / quarter.id / f"updates-request-{quarter.id}.xlsx"


def request_rows(params: Params, quarter: Quarter) -> list[RequestRow]:
    """The items to ask about for ``quarter``: open ones, by report id then report order.

    An item is listed when its report is tracked in the quarter (published by its end, or
    already holding updates: :meth:`Register.tracked`) and it was open
    (not complete, superseded or not accepted) as at the quarter before: its last status,
    update, owner and target date are those recorded before ``quarter``, so the workbook
    is the same whether or not ``updates/<quarter>`` exists yet.

    Parameters
    ----------
    params
        The loaded params root.
    quarter
        The quarter the updates are asked for (``--quarter``).
    """
    register = Register(params)
    before = quarter.previous()
    rows = []
    for report_id in sorted(params.reports):
        report = params.reports[report_id]
        if not register.tracked(report_id, quarter):
            continue
        for item in report.items:
            state = register.item_status(report_id, item, before)
            if state.status in CLOSED:
                continue
            history = [
                u for u in register.history.get((report_id, item.ref), []) if u.quarter <= before
            ]
            owners = [u.owner for u in history if u.owner]
            targets = [u.target_date for u in history if u.target_date is not None]
            rows.append(
                RequestRow(
                    report=report_id,
                    ref=item.ref,
                    kind=item.kind,
                    text=item.text,
                    due=item.due.resolve(report.published) if item.due else None,
                    last_status=state.status,
                    last_update=state.latest.update if state.latest else "",
                    owner=owners[-1] if owners else item.owner or "",
                    target_date=targets[-1] if targets else None,
                )
            )
    return rows


def write_request(params: Params, quarter: Quarter, dest: Path) -> list[RequestRow]:
    """Write the request-updates workbook for ``quarter`` to ``dest``.

    The file is written to a temporary name beside ``dest`` and moved into place, so an
    existing workbook is replaced only by a complete one. Parent folders are created.

    Parameters
    ----------
    params
        The loaded params root.
    quarter
        The quarter the updates are asked for.
    dest
        The ``.xlsx`` file to write (``--out``; :func:`default_path` by default).

    Returns
    -------
    list of RequestRow
        The rows written, in order (row 2 onwards).

    Raises
    ------
    OSError
        When ``dest``'s folder cannot be created or written.
    """
    rows = request_rows(params, quarter)
    book = _build(params, quarter, rows)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Built in memory, then written whole: a failed write leaves no half-closed zip
    # behind (whose clean-up would fail again, noisily, when it is collected).
    buffer = io.BytesIO()
    with writing():  # openpyxl writes each sheet to a temporary file first
        book.save(buffer)
    with atomic.replacing(dest) as temp:
        temp.write_bytes(buffer.getvalue())
    return rows


# --------------------------------------------------------------------------- writing


def _safe(value: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _excel_serial(day: date) -> int:
    """A date as Excel's day number (1900 date system), for a validation formula."""
    return (day - date(1899, 12, 30)).days


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write one cell; text is always stored as text, never as a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _safe(value)
        cell.data_type = "s"  # "=..." from a params file stays text
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = _DATE_FORMAT
    return cell


def _build(params: Params, quarter: Quarter, rows: list[RequestRow]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = (*READ_ONLY, *FILL_IN)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    grey = PatternFill("solid", fgColor=_READ_ONLY_FILL)
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for number, name in enumerate(columns, start=1):
        cell = _put(sheet, 1, number, HEADERS[name])
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.column_dimensions[get_column_letter(number)].width = _WIDTHS[name]
    for index, row in enumerate(rows, start=2):
        values: dict[str, object] = {
            "report": row.report,
            "ref": row.ref,
            "kind": ItemKind(row.kind).label,
            "text": row.text,
            "due": row.due,
            "last_status": Status(row.last_status).label,
            "last_update": row.last_update,
            "status": Status(row.last_status).label,
            "update": None,
            "evidence": None,
            "owner": row.owner or None,
            "target_date": row.target_date,
            "as_at": None,
            "signed_off_by": None,
            "closed_by": None,
        }
        for number, name in enumerate(columns, start=1):
            cell = _put(sheet, index, number, values[name])
            cell.alignment = Alignment(vertical="top", wrap_text=name in _WRAPPED)
            if name in FILL_IN:
                cell.protection = Protection(locked=False)
                if name in ("target_date", "as_at"):
                    cell.number_format = _DATE_FORMAT
            else:
                cell.fill = grey
    last = len(rows) + 1
    if rows:
        status_col = get_column_letter(columns.index("status") + 1)
        choices = DataValidation(
            type="list",
            formula1='"' + ",".join(s.label for s in Status) + '"',
            allow_blank=False,
            showErrorMessage=True,
            errorTitle="Status",
            error="Choose a status from the list.",
            showInputMessage=True,
            promptTitle="Status",
            prompt="Leave as it is if the status has not changed.",
        )
        choices.add(f"{status_col}2:{status_col}{last}")
        date_col = get_column_letter(columns.index("target_date") + 1)
        dates = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="36526",  # 1 January 2000
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Target date",
            error="Enter a date, for example 31/03/2020.",
        )
        dates.add(f"{date_col}2:{date_col}{last}")
        as_at_col = get_column_letter(columns.index("as_at") + 1)
        days = DataValidation(
            type="date",
            operator="between",
            formula1=str(_excel_serial(quarter.start)),
            formula2=str(_excel_serial(quarter.end)),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="As at",
            error=f"A date in {quarter.label}, or blank for its last day.",
            showInputMessage=True,
            promptTitle="As at",
            prompt="The day this update describes; blank for the quarter's last day.",
        )
        days.add(f"{as_at_col}2:{as_at_col}{last}")
        closed_col = get_column_letter(columns.index("closed_by") + 1)
        closers = DataValidation(
            type="list",
            formula1='"' + ",".join(ClosedBy) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Closed by",
            error="Choose opcc, hmicfrs or force, or leave it empty.",
        )
        closers.add(f"{closed_col}2:{closed_col}{last}")
        sheet.add_data_validation(choices)
        sheet.add_data_validation(dates)
        sheet.add_data_validation(days)
        sheet.add_data_validation(closers)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    _protect(sheet)

    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    for number, line in enumerate(_instructions(params, quarter, len(rows)), start=1):
        for column, value in enumerate(line, start=1):
            cell = _put(notes, number, column, value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if number == 1 or (len(line) == 1 and value and column == 1 and number > 2):
                cell.font = Font(bold=True)
    _protect(notes)

    sent = book.create_sheet(SENT_SHEET)
    _put(sent, 1, 1, "quarter")
    _put(sent, 1, 2, quarter.id)
    for number, name in enumerate(_SENT_COLUMNS, start=1):
        _put(sent, 2, number, name)
    for index, row in enumerate(rows, start=3):
        record = row.sent()
        for number, name in enumerate(_SENT_COLUMNS, start=1):
            _put(sent, index, number, record[name])
    sent.sheet_state = "veryHidden"
    _protect(sent)
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _protect(sheet: Any) -> None:
    """Protect a sheet without a password; columns, rows and filters stay usable."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.autoFilter = False


def _instructions(params: Params, quarter: Quarter, count: int) -> list[list[str]]:
    force = params.force.force.name
    office = f"the Office of the Police and Crime Commissioner for {params.force.pcc.area}"
    lines: list[list[str]] = [
        [f"{force}: status updates for {quarter.label}"],
        [
            f"{office[0].upper()}{office[1:]} asks for the status of {count} open item"
            f"{'s' if count != 1 else ''} (recommendations, areas for improvement, causes "
            f"of concern and local actions) as at {uk_date(quarter.end)}. Fill in the "
            f"'{SHEET}' sheet and return this workbook as it is."
        ],
        [],
        ["Columns"],
    ]
    lines += [
        ["Report, Ref", "Which report and item. Read-only."],
        ["Kind, Text", "What the item is, as the report words it. Read-only."],
        ["Due", "When the report says it is due, if it says. Read-only."],
        [
            "Last status, Last update",
            f"What the force last told us (before {quarter.id}). Read-only.",
        ],
        [
            "Status",
            "Where the item stands at the quarter's end; choose from the list. It is "
            "filled in with the last status: leave it if nothing has changed.",
        ],
        [
            "Update",
            "What was done this quarter, in a few sentences. Required for 'Not accepted' "
            "(the reason no action is taken).",
        ],
        ["Evidence", "What shows it (a document, minutes, an audit), if any."],
        ["Owner", "Who is responsible; change it if it has changed."],
        ["Target date", "When the force expects to finish, as a date (e.g. 31/03/2020)."],
        [
            "As at",
            "The day the update describes, a date in the quarter; leave blank for the "
            "quarter's last day.",
        ],
        [
            "Signed off by",
            "For an item set to Complete: who signed it off (a board, a named role).",
        ],
        [
            "Closed by",
            "For an item set to Complete: who closed it, opcc, hmicfrs or force.",
        ],
        [],
        ["Statuses"],
    ]
    lines += [[s.label, s.meaning] for s in Status]
    lines += [
        [],
        ["Please note"],
        [
            "Read-only cells",
            "The shaded columns are locked and are checked when the workbook comes back: "
            "a changed cell holds up the whole return. To comment on an item, write in "
            "Update.",
        ],
        [
            "No change",
            "A row left as it was sent (same status, no update or evidence, same owner "
            "and target date) is read as 'no new information' for this quarter.",
        ],
        [
            "Protection",
            "The sheets are protected without a password, only to prevent accidental "
            "edits. Please do not unprotect them, or add, remove, rename or reorder sheets.",
        ],
    ]
    return lines
