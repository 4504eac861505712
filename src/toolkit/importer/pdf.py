"""Read a report's PDF (its text layer) into blocks, with pdfminer.six.

pdfminer.six is pure Python and gives each character with its font, size and place, so
the reading order and the page furniture are decided here, by rules that can be read:

* **Columns.** pdfminer's layout analysis groups lines into text boxes. On each page the
  boxes are read in bands: a box spanning the page's middle (a heading, a full-width
  paragraph) ends a band; within a band the left column is read top to bottom, then the
  right. A one-column page is one column.
* **Headers, footers and page numbers.** A line in the top or bottom 8% of the page that
  recurs on at least three pages (digits ignored, so "Page 3 of 40" recurs), and a line
  that is only a number, are dropped.
* **Footnote markers.** Digits set much smaller than the body text are dropped.
* **Bullets drawn as shapes.** A browser's "print to PDF" draws list bullets as small
  filled shapes, not characters: a line with such a shape just left of its first
  character starts a list entry, as "•" would.
* **Headings.** A line set larger than the body text, or wholly in a bold font, is read
  as a heading line, and no other (a short line of body text is not a heading, as it
  would be in plain text) (consecutive such lines of one size in one box are one heading); a
  box boundary ends a block as a blank line does. The title is the first run of lines
  in the largest size on the first page.
* **Hyphenation.** Lines are then read by the plain-text rules
  (:func:`toolkit.importer.document.blocks_from_lines`), which rejoin broken words.
* **Breaks.** A paragraph or list entry that stops without closing punctuation, followed
  by a paragraph that starts in lower case, is one block cut by a page or column break
  (the running header between them already dropped): the two are joined.

A PDF with no text layer (a scan) has no characters to read: :class:`NoTextLayer`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import median

from toolkit.importer.document import Block, Document, blocks_from_lines, join_lines, tidy
from toolkit.importer.due import stated_publication

__all__ = ["NoTextLayer", "read_pdf"]


class NoTextLayer(ValueError):
    """The PDF cannot be read as text: a scan, an image-only page set, or a damaged file."""


@dataclass
class _Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    size: float
    bold: bool

    bullet: bool = False


@dataclass
class _Box:
    lines: list[_Line]
    x0: float
    x1: float
    top: float


def _chars(line: object) -> list[object]:
    from pdfminer.layout import LTChar

    return [c for c in line if isinstance(c, LTChar)]  # type: ignore[attr-defined]


def _pages(path: Path) -> list[tuple[float, float, list[_Box]]]:
    """Each page's width, height and text boxes (lines with sizes and boldness)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTCurve, LTTextBox, LTTextLine

    pages = []
    params = LAParams(line_margin=0.5, boxes_flow=None)
    for number, page in enumerate(extract_pages(str(path), laparams=params), start=1):
        boxes = []
        marks = [
            (e.x0, e.x1, e.y0, e.y1)
            for e in page
            if isinstance(e, LTCurve) and 1 < e.width < 9 and 1 < e.height < 9
        ]
        for element in page:
            if not isinstance(element, LTTextBox):
                continue
            lines = []
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                chars = _chars(line)
                sizes = [c.size for c in chars if c.get_text().strip()]  # type: ignore[attr-defined]
                if not sizes:
                    continue
                size = median(sizes)
                kept = "".join(
                    c.get_text()
                    for c in line
                    if not (c.get_text().isdigit() and getattr(c, "size", size) < 0.75 * size)
                )
                fonts = [c.fontname for c in chars if c.get_text().strip()]  # type: ignore[attr-defined]
                bold = bool(fonts) and all(re.search("bold|black|heavy", f, re.I) for f in fonts)
                bullet = any(
                    0 <= line.x0 - x1 <= 3 * size and y0 < line.y1 and y1 > line.y0
                    for x0, x1, y0, y1 in marks
                )
                lines.append(
                    _Line(kept, number, line.x0, line.x1, page.height - line.y1, size, bold,
                          bullet)
                )  # fmt: skip
            if lines:
                boxes.append(_Box(lines, element.x0, element.x1, page.height - element.y1))
        pages.append((page.width, page.height, boxes))
    return pages


def _reading_order(width: float, boxes: list[_Box]) -> list[_Box]:
    """Boxes in reading order: bands split by full-width boxes, left column then right."""
    middle = width / 2
    ordered: list[_Box] = []
    band: list[_Box] = []

    def flush() -> None:
        left = sorted((b for b in band if b.x1 <= middle + 4), key=lambda b: b.top)
        right = sorted((b for b in band if b.x1 > middle + 4), key=lambda b: b.top)
        ordered.extend(left + right)
        band.clear()

    for box in sorted(boxes, key=lambda b: b.top):
        spans = box.x0 < middle - 4 and box.x1 > middle + 4
        if spans:
            flush()
            ordered.append(box)
        else:
            band.append(box)
    flush()
    return ordered


def _furniture(pages: list[tuple[float, float, list[_Box]]]) -> set[str]:
    """Lines that recur near the top or bottom of at least three pages (digits ignored)."""
    seen: Counter[str] = Counter()
    for _, height, boxes in pages:
        keys = set()
        for box in boxes:
            for line in box.lines:
                if line.top < 0.08 * height or line.top > 0.92 * height:
                    keys.add(re.sub(r"\d+", "#", tidy(line.text)).lower())
        seen.update(keys)
    return {key for key, count in seen.items() if count >= min(3, len(pages)) and len(pages) > 1}


def _join_breaks(blocks: list[Block]) -> list[Block]:
    """Blocks cut by a page or column break joined again (see the module's rules)."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if (
            last is not None
            and last.kind in ("para", "entry")
            and block.kind == "para"
            and block.text[:1].islower()
            and not last.text.endswith((".", ";", ":", "!", "?", ")", "”", '"', "’"))
        ):
            out[-1] = replace(last, text=join_lines([last.text, block.text]))
        else:
            out.append(block)
    return out


def read_pdf(path: Path, source: str) -> Document:
    """A report's PDF as a :class:`Document`; places are ``page N``.

    Raises
    ------
    NoTextLayer
        When no page has text (a scanned report) or pdfminer cannot open the file.
    """
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pages = _pages(path)
    except (PDFSyntaxError, ValueError, TypeError, KeyError, AssertionError) as err:
        raise NoTextLayer(f"the file cannot be read as a PDF ({type(err).__name__})") from None
    except Exception as err:  # pdfminer raises its own exception types from deep inside
        if type(err).__module__.startswith("pdfminer"):
            raise NoTextLayer(f"the file cannot be read as a PDF ({type(err).__name__})") from None
        raise
    if not any(boxes for _, _, boxes in pages):
        raise NoTextLayer(
            f"none of its {len(pages)} page(s) has text; it is probably scanned: save the "
            "report's web page (.html) instead, or run it through OCR first"
        )
    sizes = Counter(
        round(line.size) for _, _, boxes in pages for box in boxes for line in box.lines
    )
    body = sizes.most_common(1)[0][0]
    furniture = _furniture(pages)
    lines: list[tuple[str, str]] = []
    headings: set[int] = set()
    title: list[str] = []
    title_done = False
    largest = max((ln.size for box in pages[0][2] for ln in box.lines), default=0.0)
    for width, height, boxes in pages:
        for box in _reading_order(width, boxes):
            previous: _Line | None = None
            for line in box.lines:
                text = tidy(line.text)
                key = re.sub(r"\d+", "#", text).lower()
                edge = line.top < 0.08 * height or line.top > 0.92 * height
                if not text or (edge and key in furniture) or re.fullmatch(r"\d{1,4}", text):
                    continue
                in_title = line.page == 1 and abs(line.size - largest) < 0.5
                if in_title and not title_done:
                    title.append(text)
                elif title:
                    title_done = True
                heading = line.size > body * 1.12 or (line.bold and len(text.split()) <= 14)
                where = f"page {line.page}"
                if heading:
                    same = (
                        previous is not None and previous.size == line.size and lines
                        and lines[-1] == ("", "") and previous.text
                    )  # fmt: skip
                    if same and len(lines) >= 2:
                        lines[-2] = (f"{lines[-2][0]} {text}", lines[-2][1])
                    else:
                        lines.append(("", ""))
                        headings.add(len(lines))
                        lines += [(text, where), ("", "")]
                else:
                    lines.append((f"• {text}" if line.bullet else text, where))
                previous = line if heading else None
            lines.append(("", ""))
    doc = Document(source=source, blocks=_join_breaks(blocks_from_lines(lines, headings=headings)))
    doc.title = " ".join(title) or next((b.text for b in doc.blocks if b.kind == "heading"), "")
    doc.published = stated_publication(b.text for b in doc.blocks[:60])
    return doc
