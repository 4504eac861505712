"""The text of a letter as sent (``response.file``): a Word document or a Markdown file.

Read by ``toolkit validate`` (so a file that is not what its name says is refused before
anything runs) and by the briefing that shows the letter, with the same rules: a
``.docx`` passes the zip guard (:func:`toolkit.files.zipmember.check_archive`) and must open as
a Word document; a ``.md`` must be UTF-8 text.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.errors import InputError, Problem
from toolkit.files.zipmember import DOCUMENT, check_archive


def read_paragraphs(path: Path, name: str) -> list[str]:
    """The letter's paragraphs: a Word document's paragraphs and table cells, or a
    Markdown file's blocks (separated by blank lines). Empty paragraphs are dropped.

    ``name`` names it in messages (``response.file`` as written).

    Raises
    ------
    InputError
        When the file cannot be read as a Word document or as UTF-8 text.
    """
    if path.suffix.lower() == ".docx":
        check_archive(path, name, "response.file", limits=DOCUMENT)
        try:
            from docx import Document

            document = Document(str(path))
        except Exception as err:  # python-docx raises several kinds for a bad file
            raise InputError(
                Problem(
                    name,
                    "response.file",
                    "not a Word document",
                    expected="a .docx saved by Word or LibreOffice",
                    got=type(err).__name__,
                )
            ) from None
        texts = [p.text for p in document.paragraphs]
        for table in document.tables:
            texts += [cell.text for row in table.rows for cell in row.cells]
        return [t.strip() for t in texts if t.strip()]
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            Problem(
                name,
                "response.file",
                "not UTF-8 text",
                expected="a UTF-8 Markdown file",
            )
        ) from None
    blocks = re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))
    return [b.strip() for b in blocks if b.strip()]
