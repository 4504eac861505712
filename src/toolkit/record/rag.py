"""RAG ratings and slipped targets: what a panel or audit committee asks of each item.

**Slips** (``items.slips``). From the force's updates in order, the first ``target_date``
given is the *original* target and the latest the *current* one; each update that gives a
later date than the one before counts as one *move*; ``days`` is current minus original (a
target brought forward counts no move). An item whose updates never gave a target date has
no slips entry.

**RAG** (``items.rag``), per item as at a quarter's end. *Blue*: closed -- complete,
superseded, or not accepted with the PCC's explanation (``response.explanations``). An open
item (and a not-accepted one the PCC has not explained) is rated by the conditions below:
each that holds gives its colour, and the worst colour wins (red, then amber, then green;
none holding is green, "on track"). The default colours, each overridable in
``force.yaml`` under ``rag:`` (:class:`RagRules`):

=========================  =======  ==============================================
condition                  default  holds when
=========================  =======  ==============================================
``past_due``               red      past the report's due date at the quarter's end
``past_target``            red      past the force's own target date
``moved_often``            red      target moved ``moved_often_count`` (2) times or more
``moved``                  amber    target moved at least once, fewer than that
``due_soon``               amber    the due or target date falls within
                                    ``due_soon_days`` (30) after the quarter's end
                                    ("target date within 30 days" when it is the
                                    force's target and the report's own due date
                                    has passed or comes later)
``no_update``              amber    no update this quarter (items of reports
                                    published in the quarter excepted)
``not_accepted_unexplained`` red    not accepted, and no PCC explanation
=========================  =======  ==============================================

A colour set to ``green`` switches its condition off. Blue is not a setting: it means
closed. Every rating carries its reasons in words, so a page or a tracker never relies on
colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from toolkit.text.display import short_date
from toolkit.vocabulary import Rag, Status

Colour = Literal["red", "amber", "green"]


class RagRules(BaseModel):
    """``rag:`` in ``force.yaml``: the colour each condition gives, and two thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    past_due: Colour = "red"
    past_target: Colour = "red"
    moved_often: Colour = "red"
    moved: Colour = "amber"
    due_soon: Colour = "amber"
    no_update: Colour = "amber"
    not_accepted_unexplained: Colour = "red"
    moved_often_count: Annotated[int, Field(ge=1, le=50, strict=True)] = 2
    """Moves of the target from which ``moved_often`` holds (``moved`` holds below it)."""
    due_soon_days: Annotated[int, Field(ge=0, le=366, strict=True)] = 30
    """Days after the quarter's end within which a due or target date is "soon"."""


_TIMES = {1: "once", 2: "twice"}


def times(count: int) -> str:
    """``1`` → ``once``, ``2`` → ``twice``, ``3`` → ``3 times``."""
    return _TIMES.get(count, f"{count} times")


class SlipsJson(TypedDict):
    """``figures.json`` ``items.slips[ref]``: moves later, first and current target (ISO)."""

    count: int
    original: str
    current: str
    days: int


@dataclass(frozen=True)
class Slips:
    """How an item's target date moved: ``count`` moves later, from ``original`` to
    ``current``."""

    count: int
    original: date
    current: date

    @property
    def days(self) -> int:
        """Days from the original target to the current one."""
        return (self.current - self.original).days

    def as_dict(self) -> SlipsJson:
        """``figures.json`` ``items.slips[ref]``."""
        return {
            "count": self.count,
            "original": self.original.isoformat(),
            "current": self.current.isoformat(),
            "days": self.days,
        }

    @property
    def moved(self) -> str:
        """``moved twice``; ``brought forward`` when it moved earlier only; ``""`` when it
        never moved."""
        if self.count:
            return f"moved {times(self.count)}"
        return "brought forward" if self.current < self.original else ""

    @property
    def text(self) -> str:
        """``30 Sep 2022 (was 31 Mar 2022; moved twice)``; the date alone when it never
        moved; ``(was …; brought forward)`` when it moved earlier only."""
        current = short_date(self.current)
        if self.current == self.original:
            return f"{current} ({self.moved})" if self.count else current
        return f"{current} (was {short_date(self.original)}; {self.moved})"


def slips_of(targets: list[date | None]) -> Slips | None:
    """The slips of one item from the target dates of its updates, oldest first (``None``
    where an update gave none); ``None`` when no update gave one."""
    given = [day for day in targets if day is not None]
    if not given:
        return None
    moves = sum(later > earlier for earlier, later in zip(given, given[1:], strict=False))
    return Slips(moves, given[0], given[-1])


@dataclass(frozen=True)
class Conditions:
    """What the RAG rules read about one item at a quarter's end."""

    status: Status
    closed: bool
    explained: bool
    past_due: bool
    past_target: bool
    moves: int
    days_to_date: int | None
    """Days from the quarter's end to the nearest due or target date on or after it."""
    no_update: bool
    soon_is_target: bool = False
    """``days_to_date`` measures the force's target date of an item the report gave a due
    date of its own (passed, or later than the target): the reason then says "target date
    within N days", never "due within", which would contradict "past the due date"."""


@dataclass(frozen=True)
class Rating:
    """An item's RAG rating and the reasons for it, in words."""

    rag: Rag
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        """``Red: past the due date; target moved twice`` (the tracker's words)."""
        return f"{self.rag.label}: {'; '.join(self.reasons)}"


_ORDER = {"red": 0, "amber": 1, "green": 2}


def rate(facts: Conditions, rules: RagRules) -> Rating:
    """The item's rating under ``rules`` (see the module docstring)."""
    unexplained = facts.status == "not-accepted" and not facts.explained
    if facts.closed and not (unexplained and rules.not_accepted_unexplained != "green"):
        why = {"not-accepted": "not accepted, explained by the PCC"}
        return Rating(Rag.BLUE, (why.get(facts.status, facts.status.replace("-", " ")),))
    found: list[tuple[str, str]] = []
    if facts.closed:
        found.append((rules.not_accepted_unexplained, "not accepted, no PCC explanation"))
    else:
        if facts.past_due:
            found.append((rules.past_due, "past the due date"))
        if facts.past_target:
            found.append((rules.past_target, "past the force's target date"))
        if facts.moves >= rules.moved_often_count:
            found.append((rules.moved_often, f"target moved {times(facts.moves)}"))
        elif facts.moves:
            found.append((rules.moved, f"target moved {times(facts.moves)}"))
        if facts.days_to_date is not None and facts.days_to_date <= rules.due_soon_days:
            near = "target date" if facts.soon_is_target else "due"
            found.append((rules.due_soon, f"{near} within {rules.due_soon_days} days"))
        if facts.no_update:
            found.append((rules.no_update, "no update this quarter"))
    counted = [(colour, why) for colour, why in found if colour != "green"]
    if not counted:
        return Rating(Rag.GREEN, ("on track",))
    worst = min(_ORDER[colour] for colour, _ in counted)
    colour = next(c for c, rank in _ORDER.items() if rank == worst)
    # The reasons behind the rating first, then the lesser ones (still worth reading).
    reasons = [why for c, why in counted if c == colour] + [
        why for c, why in counted if c != colour
    ]
    return Rating(Rag(colour), tuple(reasons))
