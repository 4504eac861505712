"""The letter as a Word document (python-docx): A4, Arial, literal runs.

Each block is one paragraph in a built-in style (headings, "List Bullet", "List Number",
"Quote", "Normal"); each numbered list starts again at 1; a gap marker is a bold,
yellow-highlighted run. python-docx is imported only when a document is written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.letter.blocks import Block

_FONT = "Arial"
_STYLE_SIZES = {"Normal": 11, "Heading 1": 14, "Heading 2": 12, "Heading 3": 11, "Quote": 11}
_DOCX_STYLES: dict[str, str] = {
    "title": "Heading 1",
    "heading": "Heading 2",
    "subheading": "Heading 3",
    "bullet": "List Bullet",
    "number": "List Number",
    "quote": "Quote",
}


def _set_font(style: Any, size: int) -> None:
    """Arial in black at ``size`` points, replacing the template's theme fonts."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = _FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:cs"), _FONT)


def _set_language(style: Any, language: str = "en-GB") -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every member's time stamp: the earliest a zip file holds, so the bytes depend on the
letter alone, never on when it was written."""


def _prepare_document(title: str, author: str, dated: date | None = None) -> Any:
    """A blank A4 document with the letter's styles."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    styles = document.styles
    for name, size in _STYLE_SIZES.items():
        _set_font(styles[name], size)
    _set_language(styles["Normal"])
    normal = styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(8), 1.15
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.bold = True
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    styles["Quote"].font.italic = True
    quote = styles["Quote"].paragraph_format
    quote.left_indent = quote.right_indent = Cm(1)
    properties = document.core_properties
    # Word's document properties hold at most 255 characters (the letter shows it all).
    properties.title = _fit(title, _PROPERTY_LIMIT)
    properties.author = _fit(author, _PROPERTY_LIMIT)
    properties.subject = "Draft response under section 55 of the Police Act 1996"
    properties.language = "en-GB"
    # Fixed properties, so that the same letter is the same bytes in every run and quarter:
    # created and modified on the letter's own date, never the time it was written.
    stamp = datetime.combine(dated or date(2000, 1, 1), datetime.min.time(), UTC)
    properties.created = properties.modified = stamp
    properties.last_modified_by = author and _fit(author, _PROPERTY_LIMIT)
    properties.revision = 1
    return document


_PROPERTY_LIMIT = 255


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _restart_numbering(document: Any) -> int:
    """A new numbering instance of "List Number" that starts again at 1."""
    numbering = document.part.numbering_part.element
    style = document.styles["List Number"].element
    abstract = numbering.num_having_numId(style.pPr.numPr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


class _Styler:
    """Paragraphs in a named style, each style looked up once per document.

    ``document.add_paragraph(style=name)`` looks the style up by name and compares it
    with the default paragraph style, which python-docx finds by reading every style
    in the document, for every paragraph: most of the time a letter took. The
    paragraph XML written is the same: a ``pStyle`` naming the style's id, or none for
    the default style.
    """

    def __init__(self, document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self.document = document
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self.default_id = default.style_id if default is not None else None
        self.ids: dict[str, str | None] = {}

    def paragraph(self, name: str) -> Any:
        if name not in self.ids:
            style_id = self.document.styles[name].style_id
            self.ids[name] = None if style_id == self.default_id else style_id
        paragraph = self.document.add_paragraph()
        paragraph._p.get_or_add_pPr().style = self.ids[name]  # None: no pStyle, as before
        return paragraph


def write_docx(
    blocks: Iterable[Block], title: str, author: str, path: Path, dated: date | None = None
) -> None:
    """Write a letter's ``blocks`` as a Word document at ``path``, with ``title`` and
    ``author`` in its properties (not atomic: see ``Letter.to_docx``).

    The file is reproducible: the same blocks, title, author and ``dated`` (the letter's
    date, its document properties' created and modified date) give the same bytes, whenever
    and however often it is written (every zip member carries one fixed time stamp).
    """
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Cm, Pt

    document = _prepare_document(title, author, dated)
    styled = _Styler(document)
    numbering: dict[int, int] = {}
    for block in blocks:
        name = "List Continue" if block.continued else _DOCX_STYLES.get(block.kind, "Normal")
        paragraph = styled.paragraph(name)
        fmt = paragraph.paragraph_format
        if block.kind == "number" and block.list_id is not None and not block.continued:
            if block.list_id not in numbering:
                numbering[block.list_id] = _restart_numbering(document)
            numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numpr.get_or_add_ilvl().val = 0
            numpr.get_or_add_numId().val = numbering[block.list_id]
        if block.kind == "date":
            fmt.space_before, fmt.space_after = Pt(18), Pt(18)
        elif block.kind == "address":
            fmt.space_after = Pt(0)
        elif block.kind == "signature":
            fmt.space_before = Pt(42)
        if block.kind in ("closing", "salutation") or (block.list_id and not block.continued):
            fmt.keep_with_next = True  # a close never ends a page without its signature
        elif block.continued:
            fmt.left_indent, fmt.space_after = Cm(0.63), Pt(10)
        for segment in block.segments:
            if segment.kind == "break":
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(segment.text)
            if segment.kind == "gap":
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                run.bold = True
    buffer = io.BytesIO()
    document.save(buffer)
    Path(path).write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same zip, members in the same order, each with the time stamp :data:`_ZIP_TIME`
    and fixed attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            target.writestr(info, source.read(member.filename))
    return out.getvalue()
