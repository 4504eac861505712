"""``toolkit status``: every open item of every tracked report, as a table, CSV or JSON.

Rows (:func:`status_rows`) are the register's open items as at the quarter's end,
overdue first, then by due date and report. Each has the report, ref, kind, status, RAG
rating (``red``, ``amber``, ``green``; the table shows the word), the
report's due date, the force's latest target date, owner, and four flags: *overdue* (past
the due date), *past target* (past the force's own target date), *stale* (no update for two
quarters or more) and *new* (the report came out this quarter).

* ``table`` (for a terminal): the flags, ref, status and due date are never wrapped or
  cut; the report id, kind and owner wrap to make room. On a terminal too narrow for
  even that, each item is printed as two lines instead, so a flag is never dropped.
* ``csv``: one header row, then one row per item; flags as ``true``/``false``; a cell
  that begins like a formula gets a leading apostrophe, as in ``tracker.csv``
  (:func:`toolkit.text.characters.spreadsheet_text`).
* ``json``: ``{"quarter": …, "as_at": …, "items": [{…}, …]}`` with booleans and ISO dates.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import TypedDict

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from toolkit.quarters import Quarter
from toolkit.record.register import Register
from toolkit.text.characters import spreadsheet_text
from toolkit.text.display import uk_date
from toolkit.vocabulary import ItemKind, Rag, Status

FORMATS = ("table", "csv", "json")
FLAGS = ("overdue", "past_target", "stale", "new")
FIELDS = (
    "report", "ref", "kind", "status", "due", "target_date", "owner", *FLAGS, "rag",
)  # fmt: skip

_NARROWEST_WRAPPED = 5
"""The fewest characters the report, kind and owner columns are each given."""


class StatusRow(TypedDict):
    """One open item as ``toolkit status`` lists it (dates ISO, as the CSV and JSON give them)."""

    report: str
    ref: str
    kind: ItemKind
    status: Status
    rag: Rag
    due: str | None
    target_date: str | None
    owner: str | None
    overdue: bool
    past_target: bool
    stale: bool
    new: bool


def status_rows(register: Register, quarter: Quarter) -> list[StatusRow]:
    """The open items of every tracked report as at ``quarter``'s end, overdue first."""
    rows: list[StatusRow] = []
    for row in register.open_items(quarter):
        if not register.tracked(row.report_id, quarter):
            continue
        rows.append(
            {
                "report": row.report_id,
                "ref": row.item.ref,
                "kind": row.item.kind,
                "status": row.status,
                "rag": register.rating(row).rag,
                "due": row.report_due.isoformat() if row.report_due else None,
                "target_date": row.target.isoformat() if row.target else None,
                "owner": register.owner(row.report_id, row.item, quarter) or None,
                "overdue": row.overdue,
                "past_target": row.past_target,
                "stale": row.stale,
                "new": row.new,
            }
        )
    return rows


def as_csv(rows: list[StatusRow]) -> str:
    """The rows as CSV (header first; empty cells for nothing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        cells: Mapping[str, object] = row
        writer.writerow(
            [
                ("true" if cells[f] else "false")
                if f in FLAGS
                else ("" if cells[f] is None else spreadsheet_text(str(cells[f])))
                for f in FIELDS
            ]
        )
    return buffer.getvalue()


def as_json(rows: list[StatusRow], quarter: Quarter) -> str:
    """The rows as a JSON document."""
    data = {"quarter": quarter.id, "as_at": quarter.end.isoformat(), "items": rows}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _flags(row: StatusRow) -> str:
    """The item's flags in words. Without a report due date, overdue is measured from the
    force's target, so "past target" would say the same thing twice: only "overdue" is shown
    (the CSV and JSON keep both flags)."""
    flags: Mapping[str, object] = row
    shown = [name for name in FLAGS if flags[name]]
    if row["due"] is None and "overdue" in shown and "past_target" in shown:
        shown.remove("past_target")
    return ", ".join(name.replace("_", " ") for name in shown)


def as_table(rows: list[StatusRow], quarter: Quarter, width: int) -> RenderableType:
    """The rows for a terminal ``width`` characters wide; never cuts a flag."""
    title = f"Open items as at {uk_date(quarter.end)} ({quarter.id})"
    cells: list[tuple[str, ...]] = [
        (
            row["report"],
            row["ref"],
            ItemKind(row["kind"]).short,
            Status(row["status"]).label,
            Rag(row["rag"]).label,
            row["due"] or "none",
            row["target_date"] or "none",
            row["owner"] or "not assigned",
            _flags(row),
        )
        for row in rows
    ]
    fixed = {  # columns never wrapped: as wide as their widest cell or heading
        index: max([len(name)] + [len(cell[index]) for cell in cells])
        for index, name in (
            (1, "Ref"),
            (3, "Status"),
            (4, "RAG"),
            (5, "Due"),
            (6, "Target"),
            (8, "Flags"),
        )  # fmt: skip
    }
    # Each column is padded by a space either side; a space divides columns and edges them.
    needed = sum(fixed.values()) + 3 * _NARROWEST_WRAPPED + 9 * 2 + 8 + 2
    if width < needed:
        return _blocks(cells, title)
    table = Table(title=title, box=box.SIMPLE_HEAD)
    names = ("Report", "Ref", "Kind", "Status", "RAG", "Due", "Target", "Owner", "Flags")
    for index, name in enumerate(names):
        if index in fixed:
            table.add_column(name, no_wrap=True, min_width=fixed[index])
        else:
            table.add_column(name, overflow="fold", min_width=_NARROWEST_WRAPPED)
    for cell, row in zip(cells, rows, strict=True):
        table.add_row(
            *(Text(value) for value in cell[:-1]),
            Text(cell[-1], style="bold" if row["overdue"] else ""),
        )
    return table


def _blocks(cells: list[tuple[str, ...]], title: str) -> RenderableType:
    """Two lines per item, for a terminal too narrow for the table."""
    lines = [Text(title, style="italic")]
    for report, ref, kind, status, rag, due, target, owner, flags in cells:
        head = Text(f"{report} {ref}")
        if flags:
            head.append(f" [{flags}]", style="bold")
        lines.append(head)
        lines.append(Text(f"  {kind}; {status}; RAG {rag}; due {due}; target {target}; {owner}"))
    return Group(*lines)
