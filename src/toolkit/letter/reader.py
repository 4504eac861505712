"""The rendered letter templates read back into :class:`~toolkit.letter.model.Block` s.

The part templates render into a small, fixed vocabulary of HTML elements: ``section`` (one
per part, ``data-part`` naming it), ``h1``-``h3``, ``p`` with a class for the letter's
furniture (``address``, ``date``, ``salutation``, ``closing``, ``signature``),
``ul``/``ol``/``li``, ``blockquote``, ``br`` and ``<span class="gap">`` for a gap marker.
Anything else is an :class:`~toolkit.errors.InputError`. White space collapses as HTML
collapses it; gap markers and line breaks keep their place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from toolkit.errors import InputError, Problem
from toolkit.letter.blocks import Block, BlockKind, Segment

_BLOCK_CLASSES: dict[str, BlockKind] = {
    "address": "address",
    "date": "date",
    "salutation": "salutation",
    "closing": "closing",
    "signature": "signature",
}
_HEADINGS: dict[str, BlockKind] = {"h1": "title", "h2": "heading", "h3": "subheading"}
_ELEMENTS = ("section", "h1", "h2", "h3", "p", "ul", "ol", "li", "blockquote", "br", "span")
_SPACE = re.compile(r"\s+")


class _TemplateProblem(Exception):
    pass


@dataclass
class _Open:
    kind: BlockKind
    part: str
    segments: list[Segment] = field(default_factory=list)
    list_id: int | None = None
    continued: bool = False

    def has_content(self) -> bool:
        return any(s.kind != "text" or s.text.strip() for s in self.segments)


class _Reader(HTMLParser):
    """Reads the rendered letter templates back into blocks (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.part = ""
        self.lists: list[tuple[BlockKind, int]] = []
        self.list_count = 0
        self.item_blocks = 0
        self.in_item = False
        self.in_quote = False
        self.in_gap = False
        self.current: _Open | None = None

    def _open(self, kind: BlockKind) -> None:
        self._close()
        self.current = _Open(kind, self.part)

    def _open_implicit(self) -> None:
        if self.in_item and self.lists:
            kind, list_id = self.lists[-1]
            self.current = _Open(kind, self.part, list_id=list_id, continued=self.item_blocks > 0)
        else:
            self.current = _Open("quote" if self.in_quote else "paragraph", self.part)

    def _close(self) -> None:
        if self.current is None:
            return
        segments = _normalise(self.current.segments)
        if segments:
            self.blocks.append(
                Block(
                    self.current.kind,
                    self.current.part,
                    segments,
                    self.current.list_id,
                    self.current.continued,
                )
            )
            if self.current.list_id is not None:
                self.item_blocks += 1
        self.current = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _ELEMENTS:
            raise _TemplateProblem(f"<{tag}> is not an element the letter can hold")
        if tag == "section":
            self._close()
            self.part = attributes.get("data-part") or ""
        elif tag in _HEADINGS:
            self._open(_HEADINGS[tag])
        elif tag == "p":
            if self.current is not None and not self.current.has_content():
                return
            self._close()
            if self.in_item or self.in_quote:
                self._open_implicit()
            else:
                self.current = _Open(
                    _BLOCK_CLASSES.get(attributes.get("class") or "", "paragraph"), self.part
                )
        elif tag in ("ul", "ol"):
            self._close()
            self.list_count += 1
            self.lists.append(("number" if tag == "ol" else "bullet", self.list_count))
        elif tag == "li":
            self._close()
            if not self.lists:
                raise _TemplateProblem("<li> outside <ul> or <ol>")
            self.in_item, self.item_blocks = True, 0
            self._open_implicit()
        elif tag == "blockquote":
            self._close()
            self.in_quote = True
        elif tag == "br":
            if self.current is None:
                self._open_implicit()
            assert self.current is not None
            self.current.segments.append(Segment("break"))
        elif tag == "span":
            if attributes.get("class") != "gap":
                raise _TemplateProblem('<span> without class="gap"')
            self.in_gap = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "h1", "h2", "h3", "section"):
            self._close()
        elif tag == "li":
            self._close()
            self.in_item = False
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.in_quote = False
        elif tag == "span":
            self.in_gap = False

    def handle_data(self, data: str) -> None:
        if self.current is None:
            if not data.strip():
                return
            self._open_implicit()
        assert self.current is not None
        self.current.segments.append(Segment("gap" if self.in_gap else "text", data))

    def close(self) -> None:
        super().close()
        self._close()


def _normalise(segments: list[Segment]) -> tuple[Segment, ...]:
    """Collapse white space as HTML does, keeping gap markers and breaks in place."""
    result: list[Segment] = []
    pending_space = False
    for segment in segments:
        if segment.kind == "break":
            if result and result[-1].kind == "text":
                result[-1] = Segment("text", result[-1].text.rstrip(" "))
            result.append(segment)
            pending_space = False
            continue
        text = _SPACE.sub(" ", segment.text)
        if text.startswith(" "):
            pending_space = True
            text = text[1:]
        if not text:
            continue
        if pending_space and result and result[-1].kind != "break":
            result.append(Segment("text", " "))
        if segment.kind == "gap":
            result.append(Segment("gap", text.strip()))
            pending_space = text.endswith(" ")
        else:
            pending_space = text.endswith(" ")
            result.append(Segment("text", text.rstrip(" ")))
    merged: list[Segment] = []
    for segment in result:
        if merged and segment.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Segment("text", merged[-1].text + segment.text)
        else:
            merged.append(segment)
    while merged and merged[-1].kind == "break":
        merged.pop()
    return tuple(s for s in merged if s.kind != "text" or s.text)


def read_blocks(source: str, where: str) -> list[Block]:
    reader = _Reader()
    try:
        reader.feed(source)
        reader.close()
    except _TemplateProblem as err:
        raise InputError(
            Problem(
                where,
                "",
                str(err),
                expected="h1-h3, p, ul, ol, li, blockquote, br and gap() markers",
            )
        ) from None
    return reader.blocks
