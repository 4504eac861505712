"""The register over time: each item's path, and what moved since a response was sent.

Public functions (built on :class:`toolkit.record.register.Register`, whose rule they keep: an
item's status in quarter Q is its latest update at or before Q, ``not-started`` before any):

:func:`item_history`
    ``[(quarter, status), ...]`` for one item, from the report's first tracked quarter
    (:meth:`Register.first_quarter`: its publication's, or its first update's when that is
    earlier) to the quarter asked for.
:func:`report_history`
    The same for every item of a report, in report order; :func:`history_json` is its
    ``figures.json`` form, ``items.history`` (``{ref: [[quarter, status], ...]}``).
:func:`closed_in`
    The quarter an item closed: the first quarter of the closed run that its history ends
    with (an item reopened and closed again closed at the second closing); ``None`` while open.
:func:`letter_quarter`
    The last quarter that ended on or before a sent response's date: the latest quarter whose
    figures its letter may describe (``figures.json`` ``s55.letter_as_at``). The letter's
    register is as at the sent day itself (updates dated on or before it, see
    :meth:`toolkit.facts.Facts.letter_date`).
:func:`moves_between`
    Each item whose position differs between two days (its latest update dated on or
    before the day, :meth:`Register.position`): progress since a response, measured from
    its sent date, from what to what (a status that moved and moved back is no move; the
    history shows the path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from toolkit.quarters import Quarter
from toolkit.record.register import Register, closed_in  # noqa: F401 - history API: the closing quarter
from toolkit.vocabulary import Status

MoveJson = TypedDict("MoveJson", {"ref": str, "from": str, "to": str})
"""``figures.json`` ``items.since_response[]``: an item whose status moved after the response."""


@dataclass(frozen=True)
class Move:
    """An item whose status moved after a response was sent."""

    ref: str
    before: Status
    after: Status

    def as_dict(self) -> MoveJson:
        """``{"ref", "from", "to"}``, for ``figures.json``."""
        return {"ref": self.ref, "from": self.before, "to": self.after}


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, both included (empty when ``last`` is earlier)."""
    span = (last.year * 4 + last.number) - (first.year * 4 + first.number)
    return [first.shift(i) for i in range(span + 1)]


def item_history(
    register: Register, report_id: str, ref: str, quarter: Quarter
) -> list[tuple[Quarter, Status]]:
    """The item's status in every quarter from the report's first tracked one to ``quarter``."""
    first = register.first_quarter(report_id)
    return [(q, register.status(report_id, ref, q)) for q in quarters_between(first, quarter)]


def report_history(
    register: Register, report_id: str, quarter: Quarter
) -> dict[str, list[tuple[Quarter, Status]]]:
    """:func:`item_history` of every item of the report, in report order."""
    report = register.params.reports[report_id]
    return {item.ref: item_history(register, report_id, item.ref, quarter) for item in report.items}


def history_json(history: dict[str, list[tuple[Quarter, Status]]]) -> dict[str, list[list[str]]]:
    """``items.history``: ``{ref: [[quarter id, status], ...]}``."""
    return {ref: [[q.id, status] for q, status in path] for ref, path in history.items()}


def letter_quarter(sent: date) -> Quarter:
    """The last quarter that ended on or before ``sent`` (the latest the letter's figures
    may describe)."""
    containing = Quarter.containing(sent)
    return containing if containing.end == sent else containing.previous()


def moves_between(register: Register, report_id: str, since: date, until: date) -> list[Move]:
    """Items whose position on ``until`` differs from their position on ``since``, in
    report order. Empty when ``until`` is not after ``since``."""
    if until <= since:
        return []
    report = register.params.reports[report_id]
    moves = []
    for item in report.items:
        before = register.status_on(report_id, item.ref, since)
        after = register.status_on(report_id, item.ref, until)
        if before != after:
            moves.append(Move(item.ref, before, after))
    return moves
