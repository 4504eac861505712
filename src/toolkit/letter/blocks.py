"""The letter's building blocks: :class:`Segment`, :class:`Block`, its :data:`PARTS`, and
the :class:`Check` s made on it.

Plain data, importing nothing else of the package: the reader makes blocks, the checks,
Markdown and Word read them, and :class:`toolkit.letter.model.Letter` holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

__all__ = ["PARTS", "Block", "BlockKind", "Check", "Segment", "SegmentKind"]

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


class CheckJson(TypedDict):
    """One s55 check as ``figures.json`` ``compliance`` holds it (:meth:`Check.as_dict`)."""

    id: str
    requirement: str
    passed: bool
    state: str
    detail: str


@dataclass(frozen=True)
class Check:
    """One s55 compliance check: ``requirement`` in words, whether it ``passed``, and why.

    ``unknown`` marks a check the inputs cannot decide (``passed`` is then false): it is
    shown as "Cannot check", amber, with the reason in ``detail``.
    """

    id: str
    requirement: str
    passed: bool
    detail: str
    unknown: bool = False

    @property
    def state(self) -> str:
        """``pass``, ``fail`` or ``cannot-check``."""
        return "cannot-check" if self.unknown else ("pass" if self.passed else "fail")

    def as_dict(self) -> CheckJson:
        """JSON-native form, for ``figures.json``."""
        return {
            "id": self.id,
            "requirement": self.requirement,
            "passed": self.passed,
            "state": self.state,
            "detail": self.detail,
        }
