"""The letter as data: :class:`Letter`, made of :class:`Block` s of :class:`Segment` s.

A :class:`Letter` renders itself: as an escaped HTML fragment through
``letter/render.html.j2``, as Markdown (:mod:`toolkit.narrative.markdown`) and as Word
(:mod:`toolkit.narrative.word`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from toolkit import atomic
from toolkit.narrative.compliance import Check
from toolkit.narrative.markdown import _markdown_environment
from toolkit.narrative.word import _write_docx
from toolkit.render import environment

PARTS = (
    "addressee",
    "date",
    "salutation",
    "title",
    "opening",
    "welcome",
    "chief-constable",
    "recommendations",
    "local-actions",
    "monitoring",
    "publication",
    "sign-off",
)
"""The letter's parts, in order; each is ``templates/letter/parts/<part>.html.j2``."""

SegmentKind = Literal["text", "gap", "break"]
BlockKind = Literal[
    "address", "date", "salutation", "title", "heading", "subheading", "paragraph",
    "bullet", "number", "quote", "closing", "signature",
]  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """A run of text inside a block: plain ``text``, a ``gap`` marker or a line ``break``."""

    kind: SegmentKind
    text: str = ""


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit of the letter.

    ``part`` is the part it belongs to (one of :data:`PARTS`). List items (``bullet``,
    ``number``) carry ``list_id`` (items with the same id form one list) and
    ``continued`` (a further paragraph of the item before it).
    """

    kind: BlockKind
    part: str
    segments: tuple[Segment, ...]
    list_id: int | None = None
    continued: bool = False

    @property
    def text(self) -> str:
        """Plain text, gap markers included, line breaks as newlines."""
        return "".join("\n" if s.kind == "break" else s.text for s in self.segments)

    @property
    def gaps(self) -> list[str]:
        """The gap markers in this block."""
        return [s.text for s in self.segments if s.kind == "gap"]


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

    def compliance_json(self) -> list[dict[str, Any]]:
        """The compliance checks as JSON-native dicts (``figures.json`` ``compliance``)."""
        return [check.as_dict() for check in self.compliance]

    def html(self, level: int = 3) -> Markup:
        """The letter as an escaped HTML fragment; the subject line is an ``h<level>``."""
        env = environment(self.templates)
        template = env.get_template("letter/render.html.j2")
        return Markup(template.render(groups=_groups(self.blocks), level=level))

    def to_markdown(self) -> str:
        """The letter as Markdown in which every character from params renders literally."""
        env = _markdown_environment(self.templates)
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
            _write_docx(self, temporary)


def _groups(blocks: tuple[Block, ...] | list[Block]) -> list[dict[str, Any]]:
    """Blocks grouped for rendering: single blocks, and lists of items of blocks."""
    groups: list[dict[str, Any]] = []
    for block in blocks:
        if block.list_id is None:
            groups.append({"list": False, "block": block})
            continue
        last = groups[-1] if groups else None
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
