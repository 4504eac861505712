"""A report's text as blocks: headings, paragraphs and list entries, each with its place.

Every reader (:mod:`~toolkit.importer.html`, :mod:`~toolkit.importer.pdf`,
:func:`read_text`) produces a :class:`Document`; the rules that find items
(:mod:`~toolkit.importer.items`) read only blocks, so they are the same for a web page,
a PDF and plain text.

Plain text (a ``.txt`` file, or the lines a PDF's text layer gives) is read this way:

* a blank line ends a block;
* a line starting with a bullet (``•``, ``-``, ``*``, ``–``, ``o``, ``▪``) starts a list
  entry; one starting with ``1.``, ``1)``, ``(1)``, ``a)``, ``(a)`` or ``i.`` starts a
  numbered entry; a line that is neither continues the block before it;
* a block of one short line (at most 14 words) that does not end in sentence punctuation
  is a heading;
* a word broken at a line end with a hyphen is joined (``organis-`` + ``ation``), except
  after the prefixes HMICFRS spells with a hyphen (``co-ordination``, ``re-offending``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Block", "Document", "join_lines", "read_text", "tidy"]


@dataclass(frozen=True)
class Block:
    """One heading, paragraph, list entry or table cell.

    ``kind`` is ``heading``, ``para``, ``entry`` (an entry of a bulleted or numbered
    list) or ``cell`` (a table cell); ``marker`` is an entry's number or letter as printed
    (``"3"``, ``"b"``), empty for a bullet; ``where`` names its place for the analyst
    (``line 42``, ``page 7``).
    """

    kind: str
    text: str
    where: str
    marker: str = ""
    level: int = 0


@dataclass
class Document:
    """A report read into blocks, with what the document says about itself."""

    source: str
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    published: date | None = None


_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·*–—-]|o(?=\s))\s+(?P<rest>.*)$")
_NUMBER = re.compile(
    r"^\s*(?:\((?P<a>\d{1,2}|[a-z]|[ivx]{1,4})\)|(?P<b>\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?P<rest>\S.*)$"
)
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]")
_KEEP_HYPHEN = (
    "co", "re", "non", "pre", "self", "multi", "cross", "inter", "well", "long", "short",
    "anti", "sub", "post", "ex", "cyber", "high", "low", "front", "risk", "evidence", "child",
    "place", "up", "follow", "case", "decision", "problem", "county", "data", "end", "in",
)  # fmt: skip
_FOOTNOTE = re.compile(r"(?<=[a-z.,;:)’”\"'])(\d{1,3})(?=\s|$)")


def tidy(text: str) -> str:
    """One line of text: control characters and soft hyphens dropped, spaces collapsed,
    typographic quotes kept (the text is quoted verbatim)."""
    text = _CONTROL.sub("", text.replace("\r", " ").replace("\n", " "))
    return _SPACE.sub(" ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Lines of one block as one line: broken words rejoined, other lines spaced."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        broken = re.search(r"([A-Za-z]+)-$", out)
        if broken and line[:1].islower() and not re.search(r"\s-$", out):
            stem = broken[1].split("-")[-1].lower()
            out = out + line if stem in _KEEP_HYPHEN else out[:-1] + line
        else:
            out = f"{out} {line}"
    return tidy(out)


def _entry(line: str) -> tuple[str, str] | None:
    """``(marker, rest)`` when the line starts a list entry, else ``None``."""
    bullet = _BULLET.match(line)
    if bullet:
        return "", bullet["rest"]
    number = _NUMBER.match(line)
    if number:
        return (number["a"] or number["b"] or ""), number["rest"]
    return None


def _is_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 14
        and not text.endswith((".", ",", ";", ":", "?", "!", "’", "'", '"', "”"))
        and (text[:1].isupper() or text[:1].isdigit())
    )


def blocks_from_lines(
    lines: list[tuple[str, str]], *, footnotes: bool = True, headings: set[int] | None = None
) -> list[Block]:
    """Blocks from ``(line, where)`` pairs, by the plain-text rules of this module.

    ``footnotes``: drop a footnote marker glued to a word's end (``victims.12``).
    ``headings``: the indexes of the lines that are headings, when the source says so (a
    PDF's type sizes); ``None`` guesses them by the plain-text rule.
    A line of only ``\\f`` (a form feed) or ``---`` ends a block as a blank line does.
    """
    blocks: list[Block] = []
    current: list[str] = []
    kind, marker, where = "para", "", ""
    flagged = False

    def flush() -> None:
        nonlocal current
        if current:
            text = join_lines(current)
            if footnotes:
                text = _FOOTNOTE.sub("", text).strip()
            if text:
                single = len(current) == 1
                if headings is None:
                    is_heading = kind == "para" and single and _is_heading(text)
                else:
                    is_heading = kind == "para" and flagged
                blocks.append(Block("heading" if is_heading else kind, text, where, marker))
        current = []

    for number, (line, place) in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped in ("\f", "---"):
            flush()
            continue
        entry = _entry(stripped)
        if entry is not None:
            flush()
            kind, (marker, rest), where = "entry", entry, place
            current = [rest]
        else:
            if not current:
                kind, marker, where = "para", "", place
                flagged = headings is not None and number in headings
            current.append(stripped)
    flush()
    return blocks


def read_text(text: str, source: str) -> Document:
    """A ``.txt`` report: blocks by the plain-text rules, places as ``line N``.

    The title is the first heading-like line; the publication date is a line such as
    ``Published: 12 May 2022`` (see :func:`toolkit.importer.due.stated_publication`).
    """
    from toolkit.importer.due import stated_publication

    lines = [(line, f"line {n}") for n, line in enumerate(text.splitlines(), start=1)]
    blocks = blocks_from_lines(lines)
    doc = Document(source=source, blocks=blocks)
    doc.title = next((b.text for b in blocks if b.kind == "heading"), "")
    doc.published = stated_publication(b.text for b in blocks[:60])
    return doc
