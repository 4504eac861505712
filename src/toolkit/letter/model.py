"""The letter as data: :class:`Letter`, made of :class:`Block` s of :class:`Segment` s.

A :class:`Letter` renders itself: as an escaped HTML fragment through
``letter/render.html.j2``, as Markdown (:mod:`toolkit.letter.markdown`) and as Word
(:mod:`toolkit.letter.word`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypedDict

from markupsafe import Markup

from toolkit.files import atomic
from toolkit.letter.blocks import PARTS, Block, Check, CheckJson
from toolkit.letter.markdown import markdown_environment
from toolkit.letter.word import write_docx
from toolkit.text.templating import environment


@dataclass(frozen=True)
class Letter:
    """A draft s55 response as structured data, with its compliance checks.

    Build one with :func:`draft_letter`; render it with :meth:`html`, :meth:`to_markdown`
    and :meth:`to_docx`.
    """

    blocks: tuple[Block, ...]
    compliance: tuple[Check, ...] = ()
    templates: Path | None = None
    author: str = ""
    parts: tuple[str, ...] = field(default=PARTS)
    dated: date | None = None
    """The letter's date (sent, or the day it is drafted as at): the Word file's created and
    modified date, so the same letter is the same bytes whenever it is written."""

    @property
    def title(self) -> str:
        """The subject line."""
        return next((b.text for b in self.blocks if b.kind == "title"), "")

    @property
    def gaps(self) -> list[str]:
        """Every gap marker in the draft, in order."""
        return [gap for block in self.blocks for gap in block.gaps]

    def part(self, name: str) -> list[Block]:
        """The blocks of one part (empty when the part says nothing)."""
        return [b for b in self.blocks if b.part == name]

    def text(self) -> str:
        """The whole letter as plain text, one block per paragraph."""
        return "\n\n".join(b.text for b in self.blocks) + "\n"

    def compliance_json(self) -> list[CheckJson]:
        """The compliance checks as JSON-native dicts (``figures.json`` ``compliance``)."""
        return [check.as_dict() for check in self.compliance]

    def html(self, level: int = 3) -> Markup:
        """The letter as an escaped HTML fragment; the subject line is an ``h<level>``."""
        env = environment(self.templates)
        template = env.get_template("letter/render.html.j2")
        return Markup(template.render(groups=_groups(self.blocks), level=level))

    def to_markdown(self) -> str:
        """The letter as Markdown in which every character from params renders literally."""
        env = markdown_environment(self.templates)
        text = env.get_template("letter/render.md.j2").render(groups=_groups(self.blocks))
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"

    def to_docx(self, path: Path) -> None:
        """Write the letter as a Word document, atomically (a temporary file, then a rename).

        Parameters
        ----------
        path
            Where to write, normally ``<out>/response-draft.docx``.
        """
        with atomic.replacing(Path(path)) as temporary:
            write_docx(self.blocks, self.title, self.author, temporary, self.dated)


class _Group(TypedDict, total=False):
    """A single block (``list`` false, ``block``) or a list (``id``, ``ordered`` and
    ``items``, each item the blocks of one list item), as the render templates read it."""

    list: bool
    block: Block
    id: int
    ordered: bool
    items: list[list[Block]]


def _groups(blocks: tuple[Block, ...] | list[Block]) -> list[_Group]:
    """Blocks grouped for rendering: single blocks, and lists of items of blocks."""
    groups: list[_Group] = []
    for block in blocks:
        if block.list_id is None:
            groups.append({"list": False, "block": block})
            continue
        last: _Group | None = groups[-1] if groups else None
        if last is None or not last["list"] or last["id"] != block.list_id:
            last = {
                "list": True,
                "id": block.list_id,
                "ordered": block.kind == "number",
                "items": [],
            }
            groups.append(last)
        if block.continued and last["items"]:
            last["items"][-1].append(block)
        else:
            last["items"].append([block])
    return groups
