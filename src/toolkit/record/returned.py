"""What a request-updates workbook asked, and the checks when the force sends it back.

:mod:`toolkit.record.workbook` writes the workbook with a very hidden ``_sent`` sheet recording
the quarter and, for each item, the read-only cells and the pre-filled owner and target
date. :mod:`toolkit.record.updates` reads the returned workbook as an update file and uses this
module to compare each row with that record (:func:`check_returned_row`) and to tell a
row left as sent from an update (:func:`nothing_new`).

This module knows only the record's layout, not the register or the params: the update
reader, which the params loader calls, depends on it, and the workbook writer depends on
the params, so the record lives below both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from toolkit.errors import Problem, shown
from toolkit.vocabulary import parse_status

__all__ = ["CHECKED", "SENT_SHEET", "Sent", "check_returned_row", "nothing_new", "read_sent"]

SENT_SHEET = "_sent"
"""The very hidden record of what the workbook said when it was written."""

CHECKED = ("kind", "text", "due", "last_status", "last_update")
"""Read-only columns compared with the record when the workbook comes back (``report``
and ``ref`` identify the row and are checked against the register by the update reader)."""


@dataclass(frozen=True)
class Sent:
    """The ``_sent`` record of a returned workbook: its quarter id and rows by (report, ref)."""

    quarter: str
    rows: dict[tuple[str, str], dict[str, str]]


def read_sent(path: Path) -> Sent | None:
    """The ``_sent`` record of a workbook, or ``None`` for any other workbook.

    Parameters
    ----------
    path
        An ``updates/<quarter>.xlsx`` file (already read successfully as an update file).
    """
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        if SENT_SHEET not in book.sheet_names:
            return None
        cells = book.get_sheet_by_name(SENT_SHEET).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types; the main read reported them
        return None
    if len(cells) < 2 or len(cells[0]) < 2 or cells[0][0] != "quarter":
        return None
    header = [str(c) for c in cells[1]]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in cells[2:]:
        record = {name: _text(line[i]) if i < len(line) else "" for i, name in enumerate(header)}
        rows[(record.get("report", ""), record.get("ref", ""))] = record
    return Sent(quarter=_text(cells[0][1]), rows=rows)


def check_returned_row(
    shown_cells: Mapping[str, str], record: Mapping[str, str], display: str, row: int
) -> list[Problem]:
    """Problems for read-only cells the force changed, one per cell.

    Parameters
    ----------
    shown_cells
        The row's :data:`CHECKED` cells as read (dates as ``YYYY-MM-DD``); a column the
        workbook no longer has is left out and not compared.
    record
        The row's ``_sent`` record.
    display, row
        The file's name in messages and the row number (header = row 1).
    """
    problems = []
    for name in CHECKED:
        if name not in shown_cells:
            continue
        got, expected = shown_cells[name], record.get(name, "")
        if " ".join(got.split()) != " ".join(expected.split()):
            problems.append(
                Problem(
                    display,
                    name,
                    "changed by the force",
                    line=row,
                    # The whole original, so the analyst can put the cell back as it was.
                    expected=repr(expected),
                    got=shown(got),
                )
            )
    return problems


def nothing_new(
    cells: Mapping[str, str], target_date: date | None, record: Mapping[str, str]
) -> bool:
    """Whether a returned row leaves everything as sent (so it is no update).

    True when the status is the last status, ``update``, ``evidence``, ``signed_off_by``
    and ``closed_by`` are empty, and
    the owner and target date are those pre-filled.

    Parameters
    ----------
    cells
        The row's update-file cells (``status``, ``update``, ``evidence``, ``owner``).
    target_date
        The row's parsed target date.
    record
        The row's ``_sent`` record.
    """
    sent_target = record.get("target_date", "")
    return (
        parse_status(cells.get("status", "")) == parse_status(record["last_status"])
        and not cells.get("update")
        and not cells.get("evidence")
        and not cells.get("signed_off_by")
        and not cells.get("closed_by")
        and cells.get("owner", "") == record.get("owner", "")
        and target_date == (date.fromisoformat(sent_target) if sent_target else None)
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value).strip()
