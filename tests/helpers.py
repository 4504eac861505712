"""Helpers shared by several test modules (fixtures live in ``conftest.py``; test modules
import plain helpers from here, never from ``conftest``)."""

from __future__ import annotations

from pathlib import Path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Write rows to the first sheet of a new workbook (as a force's tracker export)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path
