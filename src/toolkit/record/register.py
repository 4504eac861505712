"""The recommendation register: every item of every report and where it stands.

Rules (``DESIGN.md`` and the decisions taken where it is silent):

* An item's status in quarter Q is its latest update at or before Q; an item with
  no update yet is ``not-started``. Within a quarter, updates are ordered by their
  ``as_at`` day (blank: the quarter's last day), so the latest is the status at its end.
* An item's position at a day is its latest update whose ``as_at`` day is on or before
  it (:meth:`Register.position`); a register made with ``until`` holds only the updates
  known on that day (the letter of a response sent mid-quarter is drafted from one).
* Due date: the item's ``due`` resolved against the report's publication date
  ("immediately" = publication day, "within N months/weeks" = from publication);
  where the item has none, the latest ``target_date`` given at or before Q.
* Overdue: open (not complete, superseded or not-accepted) and due before Q's end.
* Target date: the force's latest ``target_date`` given at or before Q, shown beside
  the report's due date. Past target: open and that target date before Q's end (a
  separate count from overdue, which is measured against the report's due date, or
  the target where the report sets none).
* Days open: from the day the item was opened (the report's publication, or the
  first day of the quarter of its first update when that quarter is earlier than the
  publication's) to Q's end, for open items. Days overdue / past target: from the
  due / target date to Q's end.
* Changed: the status in Q differs from the status in the quarter before.
* Stale: open, and the latest update is from two or more quarters before Q (or
  there is none and the report was published two or more quarters before Q).
* New: the report was published during Q, so its items were not there before.
* Lineage (applied last, :meth:`Register.lineage`): an item that a later report's item
  ``supersedes`` is ``superseded`` from the quarter that later report was published in,
  whatever its updates say, unless it is already closed (complete, superseded or not
  accepted) by then (at a day, :meth:`Register.status_on`: from the later report's
  publication day); the later item is "carried over from" it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from toolkit.quarters import Quarter
from toolkit.record.params import Item, Params, Report
from toolkit.record.rag import Conditions, Rating, Slips, rate, slips_of
from toolkit.record.updates import Update
from toolkit.text.display import uk_date
from toolkit.vocabulary import CLOSED, ItemKind, ItemsSummary, S55Facts, S55State, Status


@dataclass(frozen=True)
class ItemStatus:
    """One item as at one quarter."""

    report_id: str
    item: Item
    status: Status
    previous_status: Status
    latest: Update | None
    due: date | None
    due_source: str
    overdue: bool
    stale: bool
    new: bool
    report_due: date | None = None
    target: date | None = None
    past_target: bool = False
    opened: date | None = None
    as_at: date | None = None
    original_target: date | None = None
    superseded_by: tuple[str, ...] = ()
    """``<report-id>/<ref>`` of the later items that carry this one over, once published."""
    carried_over_from: str | None = None
    """``<report-id>/<ref>`` of the earlier item this one supersedes."""

    @property
    def days_open(self) -> int | None:
        """Days from opening to the quarter's end, for an open item; ``None`` when closed."""
        if not self.open or self.opened is None or self.as_at is None:
            return None
        return max((self.as_at - self.opened).days, 0)

    @property
    def days_overdue(self) -> int | None:
        """Days from the due date to the quarter's end, for an overdue item."""
        if not self.overdue or self.due is None or self.as_at is None:
            return None
        return (self.as_at - self.due).days

    @property
    def days_past_target(self) -> int | None:
        """Days from the force's target date to the quarter's end, when past it."""
        if not self.past_target or self.target is None or self.as_at is None:
            return None
        return (self.as_at - self.target).days

    @property
    def open(self) -> bool:
        """Not complete, superseded or not-accepted."""
        return self.status not in CLOSED

    @property
    def changed(self) -> bool:
        """The status differs from the previous quarter's."""
        return self.status != self.previous_status

    @property
    def updated(self) -> bool:
        """The force gave an update on the item in this quarter (its status may repeat
        the last one: "unchanged"); false is "no update this quarter"."""
        return (
            self.latest is not None
            and self.as_at is not None
            and self.latest.quarter == Quarter.containing(self.as_at)
        )


def closed_in(path: list[tuple[Quarter, Status]]) -> Quarter | None:
    """The first quarter of the closed run a status path ends with; ``None`` if it ends
    open. ``path`` is ``(quarter, status)`` in order: an item's updates, or its status at
    each quarter's end (:func:`toolkit.record.history.item_history`); both give the same quarter."""
    closed = None
    for at, status in reversed(path):
        if status not in CLOSED:
            break
        closed = at
    return closed


class Register:
    """Items of every report and their status history.

    Parameters
    ----------
    params
        A loaded params root (:func:`toolkit.record.params.load_params`).
    until
        When given, only the updates whose day (``as_at``, else their quarter's end) is on
        or before it: the register as it stood that day.

    Update files are read and checked by :func:`toolkit.record.params.load_params`.
    """

    def __init__(self, params: Params, until: date | None = None) -> None:
        self.params = params
        self.until = until
        self.history: dict[tuple[str, str], list[Update]] = {}
        rows = [u for u in params.updates if until is None or u.day <= until]
        for row in sorted(rows, key=lambda u: (u.quarter, u.day)):
            self.history.setdefault((row.report, row.ref), []).append(row)
        self.successors: dict[tuple[str, str], list[tuple[str, str, date]]] = {}
        for report_id, report in sorted(params.reports.items()):
            for item in report.items:
                target = item.supersedes_key
                if target is not None:
                    self.successors.setdefault(target, []).append(
                        (report_id, item.ref, report.published)
                    )

    def superseded_on(self, report_id: str, ref: str, day: date) -> tuple[str, ...]:
        """``<report-id>/<ref>`` of the items that supersede this one in reports published
        on or before ``day`` (in publication order)."""
        later = sorted(self.successors.get((report_id, ref), []), key=lambda s: s[2])
        return tuple(f"{rid}/{lref}" for rid, lref, published in later if published <= day)

    def superseded_by(self, report_id: str, ref: str, quarter: Quarter) -> tuple[str, ...]:
        """:meth:`superseded_on` the quarter's last day: from the later report's
        publication quarter on."""
        return self.superseded_on(report_id, ref, quarter.end)

    def lineage(self, report_id: str, ref: str, quarter: Quarter | date, status: Status) -> Status:
        """The status after the lineage step: ``superseded`` once a later report's item
        carries this one over (from that report's publication quarter, or day when
        ``quarter`` is a day), unless the item's own status is already closed; otherwise
        ``status`` unchanged."""
        day = quarter.end if isinstance(quarter, Quarter) else quarter
        if status in CLOSED or not self.superseded_on(report_id, ref, day):
            return status
        return Status.SUPERSEDED

    def position(self, report_id: str, ref: str, day: date) -> Update | None:
        """The item's latest update whose day is on or before ``day`` (``None``: none yet)."""
        rows = [u for u in self.history.get((report_id, ref), []) if u.day <= day]
        return rows[-1] if rows else None

    def status_on(self, report_id: str, ref: str, day: date) -> Status:
        """The item's status on ``day`` (:meth:`position`; ``not-started`` before any),
        then the lineage step as on that day."""
        latest = self.position(report_id, ref, day)
        return self.lineage(report_id, ref, day, latest.status if latest else Status.NOT_STARTED)

    def original_target(self, report_id: str, ref: str, quarter: Quarter) -> date | None:
        """The first target date the force gave for the item, at or before ``quarter``."""
        for u in self.history.get((report_id, ref), []):
            if u.quarter <= quarter and u.target_date is not None:
                return u.target_date
        return None

    def tracked(self, report_id: str, quarter: Quarter) -> bool:
        """Whether the report is tracked in ``quarter``: published by its end, or already
        holding updates at or before it (a register back-filled from earlier trackers)."""
        report = self.params.reports[report_id]
        if report.published <= quarter.end:
            return True
        return any(
            u.quarter <= quarter
            for (rid, _), rows in self.history.items()
            if rid == report_id
            for u in rows
        )

    def first_quarter(self, report_id: str) -> Quarter:
        """The report's first tracked quarter: that of its publication, or of its first
        update when the register holds one from before it."""
        report = self.params.reports[report_id]
        quarters = [
            u.quarter for (rid, _), rows in self.history.items() if rid == report_id for u in rows
        ]
        return min([Quarter.containing(report.published), *quarters])

    def target(self, report_id: str, ref: str, quarter: Quarter) -> date | None:
        """The force's latest target date for the item: from the latest update at or before
        ``quarter`` that gives one (a later update that leaves it blank keeps it)."""
        with_target = [
            u
            for u in self.history.get((report_id, ref), [])
            if u.quarter <= quarter and u.target_date is not None
        ]
        return with_target[-1].target_date if with_target else None

    def _opened(self, report_id: str, ref: str) -> date:
        report = self.params.reports[report_id]
        rows = self.history.get((report_id, ref), [])
        if rows and rows[0].quarter < Quarter.containing(report.published):
            return rows[0].quarter.start
        return report.published

    def _latest(self, report_id: str, ref: str, quarter: Quarter) -> Update | None:
        rows = [u for u in self.history.get((report_id, ref), []) if u.quarter <= quarter]
        return rows[-1] if rows else None

    def latest_update(self, report_id: str, ref: str, quarter: Quarter) -> Update | None:
        """The item's latest update at or before ``quarter`` (its ``quarter`` says when)."""
        return self._latest(report_id, ref, quarter)

    def owner(self, report_id: str, item: Item, quarter: Quarter) -> str:
        """Who owns the item at ``quarter``'s end: the latest update that names an owner,
        else the report file's ``owner``; ``""`` when neither does."""
        named = [
            u.owner for u in self.history.get((report_id, item.ref), []) if u.quarter <= quarter
        ]
        named = [name for name in named if name]
        return named[-1] if named else (item.owner or "")

    def closed_in(self, report_id: str, ref: str, quarter: Quarter) -> Quarter | None:
        """The quarter in which the item was closed, for an item closed at ``quarter``'s end:
        the first of the run of closed updates that ends with its latest (complete, then
        superseded, was closed when it became complete). ``None`` while it is open."""
        rows = self.history.get((report_id, ref), [])
        if self.superseded_by(report_id, ref, quarter):
            first = min(self.first_quarter(report_id), quarter)
            span = (quarter.year * 4 + quarter.number) - (first.year * 4 + first.number)
            path = [(first.shift(i), self.status(report_id, ref, first.shift(i))) for i in
                    range(span + 1)]  # fmt: skip
            return closed_in(path)
        return closed_in([(u.quarter, u.status) for u in rows if u.quarter <= quarter])

    def status(self, report_id: str, ref: str, quarter: Quarter) -> Status:
        """The item's status as at ``quarter``'s end (its updates, then the lineage step)."""
        latest = self._latest(report_id, ref, quarter)
        return self.lineage(
            report_id, ref, quarter, latest.status if latest else Status.NOT_STARTED
        )

    def item_status(self, report_id: str, item: Item, quarter: Quarter) -> ItemStatus:
        """Everything the briefing says about one item in ``quarter``."""
        report = self.params.reports[report_id]
        latest = self._latest(report_id, item.ref, quarter)
        status = self.lineage(
            report_id, item.ref, quarter, latest.status if latest else Status.NOT_STARTED
        )
        due, source = None, ""
        report_due = item.due.resolve(report.published) if item.due is not None else None
        target = self.target(report_id, item.ref, quarter)
        if report_due is not None:
            due, source = report_due, f"report ({item.due})"
        elif target is not None:
            due, source = target, "force's target date"
        is_open = status not in CLOSED
        published_in = Quarter.containing(report.published)
        stale_before = quarter.shift(-2)
        stale = is_open and (
            latest.quarter <= stale_before if latest else published_in <= stale_before
        )
        return ItemStatus(
            report_id=report_id,
            item=item,
            status=status,
            previous_status=self.status(report_id, item.ref, quarter.previous()),
            latest=latest,
            due=due,
            due_source=source,
            overdue=is_open and due is not None and due < quarter.end,
            stale=stale,
            new=published_in == quarter,
            report_due=report_due,
            target=target,
            past_target=is_open and target is not None and target < quarter.end,
            opened=self._opened(report_id, item.ref),
            as_at=quarter.end,
            original_target=self.original_target(report_id, item.ref, quarter),
            superseded_by=self.superseded_by(report_id, item.ref, quarter),
            carried_over_from=item.supersedes,
        )

    def slips(self, report_id: str, ref: str, quarter: Quarter) -> Slips | None:
        """How the item's target date moved in the updates at or before ``quarter``
        (:func:`toolkit.record.rag.slips_of`); ``None`` when no update gave one."""
        rows = self.history.get((report_id, ref), [])
        return slips_of([u.target_date for u in rows if u.quarter <= quarter])

    def rating(self, row: ItemStatus) -> Rating:
        """The item's RAG rating at its quarter's end, under ``force.yaml``'s ``rag:``
        rules (:mod:`toolkit.record.rag`)."""
        assert row.as_at is not None
        quarter = Quarter.containing(row.as_at)
        report = self.params.reports[row.report_id]
        slips = self.slips(row.report_id, row.item.ref, quarter)
        due_ahead, target_ahead = (
            (day - row.as_at).days if day is not None and day >= row.as_at else None
            for day in (row.report_due, row.target)
        )
        ahead = [days for days in (due_ahead, target_ahead) if days is not None]
        facts = Conditions(
            status=row.status,
            closed=not row.open,
            explained=bool(report.response.explanations.get(row.item.ref)),
            past_due=row.overdue and row.report_due is not None,
            past_target=row.past_target,
            moves=slips.count if slips else 0,
            days_to_date=min(ahead) if ahead else None,
            no_update=row.open and not row.new and not row.updated,
            soon_is_target=row.report_due is not None
            and target_ahead is not None
            and (due_ahead is None or target_ahead < due_ahead),
        )
        return rate(facts, self.params.force.rag)

    def closing_update(self, report_id: str, ref: str, quarter: Quarter) -> Update | None:
        """The update that closed the item (the first of the closed run its updates end
        with at ``quarter``: who signed it off, who closed it, when); ``None`` while open."""
        rows = [u for u in self.history.get((report_id, ref), []) if u.quarter <= quarter]
        closing = None
        for row in reversed(rows):
            if row.status not in CLOSED:
                break
            closing = row
        return closing

    def items(self, report_id: str, quarter: Quarter) -> list[ItemStatus]:
        """The report's items in ``quarter``: overdue first, then in report order."""
        report = self.params.reports[report_id]
        rows = [self.item_status(report_id, item, quarter) for item in report.items]
        return sorted(rows, key=lambda r: not r.overdue)

    def open_items(self, quarter: Quarter) -> list[ItemStatus]:
        """Open items of every report: overdue first, then by due date, report and ref."""
        rows = [
            row
            for report_id in sorted(self.params.reports)
            for row in self.items(report_id, quarter)
            if row.open
        ]
        return sorted(rows, key=lambda r: (not r.overdue, r.due or date.max, r.report_id))


def summary(rows: list[ItemStatus]) -> ItemsSummary:
    """``figures.json``'s ``items`` block for one report's rows.

    ``by_status`` lists only statuses that occur (in the canonical order);
    ``by_status_all`` and ``by_kind`` list every status and kind.
    """
    counts = Counter(r.status for r in rows)
    kinds = Counter(r.item.kind for r in rows)
    return {
        "total": len(rows),
        "by_status": {s: counts[s] for s in Status if counts[s]},
        "by_status_all": {s: counts[s] for s in Status},
        "by_kind": {k: kinds[k] for k in ItemKind},
        "overdue": sum(r.overdue for r in rows),
        "past_target": sum(r.past_target for r in rows),
        "changed": sum(r.changed for r in rows),
        "stale": sum(r.stale for r in rows),
        "new": sum(r.new for r in rows),
        "open": sum(r.open for r in rows),
        "recommendations": sum(r.item.kind is ItemKind.RECOMMENDATION for r in rows),
        "dates": {
            r.item.ref: {
                "due": r.report_due.isoformat() if r.report_due else None,
                "target": r.target.isoformat() if r.target else None,
            }
            for r in rows
        },
        "days_open": {r.item.ref: r.days_open for r in rows if r.open},
        "days_overdue": {r.item.ref: r.days_overdue for r in rows if r.overdue},
        "days_past_target": {r.item.ref: r.days_past_target for r in rows if r.past_target},
    }


def s55_state(report: Report, quarter: Quarter) -> S55Facts:
    """The s55 facts and the response's state.

    A response that has been sent is reported as sent (on day N, counting
    publication day as day 1), whichever quarter is briefed: the letter is a
    fixed public fact. Otherwise the state is as at the quarter's end: "due in N
    days", "overdue by N days", or "not yet published" for a quarter that ends
    before the report came out.
    """
    sent = report.response.sent
    deadline = report.deadline
    as_at = quarter.end
    if sent is not None:
        day = (sent - report.published).days + 1
        late = (sent - deadline).days
        state = S55State.SENT
        text = f"response sent on {uk_date(sent)}, day {day}" + (
            f", {late} days late" if late > 0 else ""
        )
    elif as_at < report.published:
        state, text = S55State.NOT_PUBLISHED, "report not yet published at the quarter's end"
    elif as_at <= deadline:
        days = (deadline - as_at).days
        state, text = S55State.DUE, f"due in {days} day{'s' if days != 1 else ''}"
    else:
        days = (as_at - deadline).days
        state, text = S55State.OVERDUE, f"overdue by {days} day{'s' if days != 1 else ''}"
    return {
        "published": report.published,
        "deadline": deadline,
        "sent": sent,
        "state": state,
        "state_text": text,
        "as_at": as_at,
    }
