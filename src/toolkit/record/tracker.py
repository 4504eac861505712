"""The publishable tracker: one row per item of every tracked report, as at a quarter's end.

OPCCs publish where each HMICFRS recommendation stands as a spreadsheet on their
website. :func:`write_tracker` writes it from the same register the briefings use, beside
them: ``<out>/<quarter>/tracker.csv`` and ``tracker.xlsx``.

Columns (:data:`COLUMNS`): report title, published, ref, kind, text, owner, due (the
report's due date), target date (the force's latest), status, overdue, latest update,
the quarter of that update, evidence, the quarter the item was closed in; then the RAG
rating (a word, never a colour alone) and its reason, how many times the target moved and
its history, who closed the item and who signed it off, and the item it is carried over
from or superseded by (``supersedes``). The later columns follow the earlier ones so that
a sheet or script that reads the tracker by position keeps working.

* **xlsx**: a ``Tracker`` sheet with a bold header row, frozen panes (the header and the
  ref column stay in view), filters on every column, wrapped text, real dates (shown
  ``dd/mm/yyyy``), then an ``About`` sheet saying what each column means and which
  quarter the tracker is as at.
* **csv**: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), dates as
  ``YYYY-MM-DD``, CRLF line ends (RFC 4180).
* **Formulas**: text from params or updates is never a formula. In the workbook every
  text cell is stored as a string; in the CSV a cell beginning with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is written with a leading apostrophe, which
  spreadsheets show as text (the usual guard against formula injection in CSV).
* **Public**: ``public=True`` (``toolkit tracker --public``) leaves out the *owner*
  (often a named officer) and the *evidence* (internal documents, not published), and
  writes ``tracker-public.csv`` / ``.xlsx`` so that the two versions are never mistaken
  for each other. Recommendation text, statuses, dates and the force's update stay: they
  are what a PCC publishes.

Both files are written to a temporary name beside their final one and moved into place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.errors import writing
from toolkit.files import atomic
from toolkit.quarters import Quarter
from toolkit.record.overview import item_rows
from toolkit.record.params import Params
from toolkit.record.register import ItemStatus, Register
from toolkit.text.characters import spreadsheet_text
from toolkit.text.display import uk_date
from toolkit.vocabulary import ClosedBy, ItemKind, Status

SHEET = "Tracker"
ABOUT_SHEET = "About"


@dataclass(frozen=True)
class Column:
    """One tracker column: its key, header, meaning, width and whether it is published."""

    key: str
    header: str
    meaning: str
    width: int
    public: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("report", "Report", "The HMICFRS report's title.", 36),
    Column("published", "Published", "The day HMICFRS published the report.", 12),
    Column("ref", "Ref", "The item's reference, as the register records it.", 7),
    Column(
        "kind",
        "Kind",
        "Recommendation, area for improvement, cause of concern, or local action (the "
        "force's own commitment in response to the report).",
        16,
    ),
    Column("text", "Text", "The item, as the report words it.", 60),
    Column("owner", "Owner", "Who leads the work, as the force last said.", 18, public=False),
    Column(
        "due",
        "Due",
        "When the report says the item is due (blank: the report gives no date).",
        12,
    ),
    Column("target", "Target date", "The force's latest target date for the item.", 12),
    Column(
        "status",
        "Status",
        "Not started, In progress, Pending sign-off, Complete, Superseded or Not accepted, "
        "as at the quarter's end.",
        16,
    ),
    Column(
        "overdue",
        "Overdue",
        "Yes when the item is open and its due date (or, without one, its target date) "
        "passed before the quarter's end.",
        9,
    ),
    Column("update", "Latest update", "The force's latest update on the item.", 60),
    Column("update_quarter", "Update quarter", "The quarter of that latest update.", 11),
    Column("evidence", "Evidence", "What the force cites as evidence.", 30, public=False),
    Column(
        "closed_in",
        "Closed in",
        "The quarter in which the item was completed, superseded or not accepted.",
        11,
    ),
    Column(
        "rag",
        "RAG",
        "The item's rating at the quarter's end, as a word: Red, Amber or Green for an open "
        "item, Blue for a closed one (see RAG reason and docs/rules.md).",
        8,
    ),
    Column("rag_reason", "RAG reason", "Why the item has its rating.", 30),
    Column(
        "target_moves",
        "Target moved",
        "How many times the force moved its target date later (blank: no target given).",
        9,
    ),
    Column(
        "target_history",
        "Target history",
        "The latest target and the first, e.g. 30 Sep 2022 (was 31 Mar 2022; moved twice).",
        30,
    ),
    Column(
        "closed_by",
        "Closed by",
        "Who closed the item (OPCC, HMICFRS or the force), as the closing update says.",
        11,
    ),
    Column(
        "signed_off_by",
        "Signed off by",
        "Who signed the item off (a board, a named role), as the closing update says.",
        22,
    ),
    Column(
        "lineage",
        "Carried over",
        "The later report's item that supersedes this one (from that report's publication "
        "quarter), or the earlier report's item this one carries over, as <report-id>/<ref>.",
        24,
    ),
)

_DATE_FORMAT = "dd/mm/yyyy"


def columns(public: bool = False) -> list[Column]:
    """The tracker's columns; without owner and evidence when ``public``."""
    return [c for c in COLUMNS if c.public or not public]


TrackerRow = dict[str, str | int | date]
"""One tracker row: a cell per :attr:`Column.key`, ``str``, ``int`` (the target's moves)
or ``date`` (empty string for nothing); dates stay dates until the CSV or the workbook
writes them."""


def tracker_rows(
    params: Params, quarter: Quarter, register: Register | None = None
) -> list[TrackerRow]:
    """One row per item of every tracked report, as at ``quarter``'s end.

    Values are ``str`` or ``date`` (empty string for nothing), keyed by
    :attr:`Column.key`, in report id then report file order.
    """
    register = register or Register(params)
    rows: list[TrackerRow] = []
    for row in item_rows(register, quarter):
        report = params.reports[row.report_id]
        item = row.item
        latest = row.latest
        closed = register.closed_in(row.report_id, item.ref, quarter)
        closing = register.closing_update(row.report_id, item.ref, quarter)
        rating = register.rating(row)
        slips = register.slips(row.report_id, item.ref, quarter)
        rows.append(
            {
                "report": report.title,
                "published": report.published,
                "ref": item.ref,
                "kind": ItemKind(item.kind).label,
                "text": item.text,
                "owner": register.owner(row.report_id, item, quarter),
                "due": item.due.resolve(report.published) if item.due else "",
                "target": row.target or "",
                "status": Status(row.status).label,
                "overdue": "Yes" if row.overdue else "No",
                "update": latest.update if latest else "",
                "update_quarter": latest.quarter.id if latest else "",
                "evidence": latest.evidence if latest else "",
                "closed_in": closed.id if closed else "",
                "rag": rating.rag.label,
                "rag_reason": "; ".join(rating.reasons),
                "target_moves": slips.count if slips else "",
                "target_history": slips.text if slips else "",
                "closed_by": ClosedBy(closing.closed_by).label
                if closing and closing.closed_by
                else "",
                "signed_off_by": closing.signed_off_by if closing else "",
                "lineage": _lineage_text(row),
            }
        )
    return rows


def _lineage_text(row: ItemStatus) -> str:
    """ "Superseded by …" and/or "Carried over from …", for the tracker's lineage column."""
    parts = []
    if row.superseded_by:
        parts.append("Superseded by " + ", ".join(row.superseded_by))
    if row.carried_over_from:
        parts.append(f"Carried over from {row.carried_over_from}")
    return "; ".join(parts)


def csv_text(rows: Sequence[TrackerRow], public: bool = False) -> str:
    """The tracker as CSV text (without the byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chosen = columns(public)
    writer.writerow([c.header for c in chosen])
    for row in rows:
        writer.writerow([_csv_cell(row[c.key]) for c in chosen])
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_text(str(value))


def workbook(
    params: Params, quarter: Quarter, rows: Sequence[TrackerRow], public: bool = False
) -> Any:
    """The tracker as an openpyxl workbook: the ``Tracker`` sheet, then ``About``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    chosen = columns(public)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, column in enumerate(chosen, start=1):
        cell = _put(sheet, 1, col, column.header)
        cell.font = Font(bold=True)
        cell.alignment = wrap
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    for number, row in enumerate(rows, start=2):
        for col, column in enumerate(chosen, start=1):
            _put(sheet, number, col, row[column.key]).alignment = wrap
    last = get_column_letter(len(chosen))
    sheet.freeze_panes = "D2"  # header row, and report, published and ref, stay in view
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    about = book.create_sheet(ABOUT_SHEET)
    force = params.force.force.name
    lines: list[list[str]] = [
        [f"{force}: HMICFRS recommendations tracker", ""],
        ["As at", f"the end of {quarter.label}: {uk_date(quarter.end)}"],
        ["Quarter", quarter.id],
        [
            "What it lists",
            "Every recommendation, area for improvement, cause of concern and local action "
            "of every HMICFRS report tracked by the quarter's end, one row per item, with its "
            "status as at that day.",
        ],
        [
            "Version",
            "Public: owner and evidence are left out."
            if public
            else "Full: includes owners and evidence (use toolkit tracker --public to publish).",
        ],
        ["", ""],
        ["Column", "What it means"],
        *([c.header, c.meaning] for c in chosen),
    ]
    for number, (name, meaning) in enumerate(lines, start=1):
        _put(about, number, 1, name).font = Font(bold=True)
        _put(about, number, 2, meaning).alignment = Alignment(wrap_text=True, vertical="top")
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 90
    book.properties.title = f"{force}: HMICFRS recommendations tracker, {quarter.id}"
    return book


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write one cell: a date as a real date, a count as a number (so a filter or a sum
    works on it), text always as text (never a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
    elif value is None or value == "":
        cell.value = None
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"  # "=..." from a params file stays text
    return cell


def file_names(public: bool = False) -> tuple[str, str]:
    """The CSV and workbook names: ``tracker.*``, or ``tracker-public.*``."""
    stem = "tracker-public" if public else "tracker"
    return f"{stem}.csv", f"{stem}.xlsx"


@dataclass(frozen=True)
class TrackerFiles:
    """The tracker's two files, made and not yet written (:func:`tracker_files`)."""

    csv_name: str
    xlsx_name: str
    csv: bytes
    xlsx: bytes
    rows: int

    def save(self, folder: Path) -> tuple[Path, Path, int]:
        """Write both files into ``folder`` (created when missing), atomically.

        Both are complete before either replaces its predecessor: a failure leaves the
        earlier pair as it was. Returns the CSV, the workbook and the number of rows.
        """
        folder.mkdir(parents=True, exist_ok=True)
        with (
            atomic.replacing(folder / self.csv_name) as csv_temp,
            atomic.replacing(folder / self.xlsx_name) as xlsx_temp,
        ):
            csv_temp.write_bytes(self.csv)
            xlsx_temp.write_bytes(self.xlsx)
        return folder / self.csv_name, folder / self.xlsx_name, self.rows


def tracker_files(
    params: Params,
    quarter: Quarter,
    *,
    public: bool = False,
    register: Register | None = None,
) -> TrackerFiles:
    """The tracker's CSV and workbook for ``quarter``, in memory (see :func:`write_tracker`)."""
    rows = tracker_rows(params, quarter, register)
    csv_name, xlsx_name = file_names(public)
    data = ("\ufeff" + csv_text(rows, public)).encode("utf-8")
    book = io.BytesIO()
    with writing():  # openpyxl writes each sheet to a temporary file first
        workbook(params, quarter, rows, public).save(book)
    return TrackerFiles(csv_name, xlsx_name, data, book.getvalue(), len(rows))


def write_tracker(
    params: Params,
    quarter: Quarter,
    folder: Path,
    *,
    public: bool = False,
    register: Register | None = None,
) -> tuple[Path, Path, int]:
    """Write the tracker's CSV and workbook into ``folder`` (atomically).

    Parameters
    ----------
    params
        The loaded params root.
    quarter
        ``--quarter``: statuses are as at its last day.
    folder
        ``<out>/<quarter>`` (created when missing).
    public
        Leave out owner and evidence, and write ``tracker-public.*``.
    register
        The register over ``params`` (built when not given).

    Returns
    -------
    tuple
        The CSV, the workbook and the number of rows.

    Raises
    ------
    OSError
        When the folder cannot be written.
    """
    return tracker_files(params, quarter, public=public, register=register).save(folder)
