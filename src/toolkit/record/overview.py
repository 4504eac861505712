"""The quarter overview: where every tracked report's items stand, in one picture.

Pure functions over the register (:class:`toolkit.record.register.Register`); nothing here
reads earlier runs' outputs, so the overview of a quarter is the same whichever
briefings were run, and an earlier quarter's figures are worked out from the updates
given at or before it (nothing from a later quarter reaches them).

Definitions (each quarter's figures are as at its last day):

* **Tracked reports**: published by the quarter's end, or already holding updates
  (:meth:`Register.tracked`). Only their items are counted.
* **Open / overdue / changed / new**: the register's rules (``DESIGN.md``): overdue is
  open and due (the report's due date, failing that the force's latest target date)
  before the quarter's end; days overdue count from that date to the quarter's end.
* **Closed this quarter**: closed (complete, superseded or not accepted) at the
  quarter's end but not at the previous quarter's end.
* **New this quarter**: items of reports published during the quarter.
* **s55 responses**, as at the quarter's end: *sent* (sent on or before it), *due*
  (not sent, deadline not yet passed: by s55(5A) always within the next 56 days), or
  *overdue* (not sent, deadline passed). A response sent after the quarter's end
  counts as not yet sent in that quarter; a report published after it is not counted.
* **Series**: the same counts for each of the last :data:`SERIES_QUARTERS` quarters
  up to the briefed one, starting at the first quarter with a tracked report.
* **Owner**: the latest update that names one, else the report file's ``owner``.
* **RAG**: each item's rating (:mod:`toolkit.record.rag`), counted by colour; open items listed
  red first, with the reasons in words.
* **Expected closures**: open items by the quarter of the force's latest target date
  (else the report's due date): past it, each of the next four quarters, later, no date.
* **No update file**: the quarter has no ``updates/<Q>.*`` although items are tracked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from toolkit.quarters import Quarter
from toolkit.record.params import Params, Report
from toolkit.record.register import ItemStatus, Register
from toolkit.text.display import uk_date
from toolkit.vocabulary import CLOSED, ItemKind, Rag, S55State, Status

SERIES_QUARTERS = 8
"""How many quarters the overview's series goes back (the briefed one included)."""

UNASSIGNED = "Not assigned"
"""The owner shown for an item no file gives an owner."""


@dataclass(frozen=True)
class Headline:
    """The quarter's headline figures."""

    reports: int
    items: int
    open: int
    overdue: int
    closed_this_quarter: int
    new_this_quarter: int
    changed: int
    s55_due: int
    s55_sent: int
    s55_overdue: int
    stale: int = 0
    """Open items with no update for two quarters or more (the briefing's "stale")."""


@dataclass(frozen=True)
class OverdueItem:
    """One overdue item, for the overview's list."""

    report: str
    title: str
    ref: str
    kind: ItemKind
    owner: str
    due: date | None
    target: date | None
    days_overdue: int
    status: Status
    latest_update: str
    latest_quarter: str


@dataclass(frozen=True)
class Change:
    """An item whose status moved this quarter."""

    report: str
    title: str
    ref: str
    kind: ItemKind
    previous: Status
    status: Status


@dataclass(frozen=True)
class QuarterCounts:
    """Open, closed and overdue items at one quarter's end, and what moved in it."""

    quarter: str
    label: str
    reports: int
    open: int
    closed: int
    overdue: int
    closed_in_quarter: int
    new_in_quarter: int


@dataclass(frozen=True)
class OwnerCounts:
    """One owner's items."""

    owner: str
    open: int
    overdue: int
    closed: int


@dataclass(frozen=True)
class S55:
    """One tracked report's s55 response as at the quarter's end."""

    report: str
    title: str
    published: date
    deadline: date
    sent: date | None
    state: S55State
    days: int
    """Days to the deadline (due), past it (overdue), or the day sent on (sent)."""


@dataclass(frozen=True)
class RatedItem:
    """One open item with its RAG rating, for the overview's list (red first)."""

    report: str
    title: str
    ref: str
    kind: ItemKind
    owner: str
    status: Status
    rag: str
    reasons: list[str]
    target: str
    """The force's target date with how it moved (``30 Sep 2022 (was …; moved twice)``),
    or ``""``."""


@dataclass(frozen=True)
class ClosureBucket:
    """Open items whose expected closing date (the force's target, else the report's due
    date) falls in one quarter, later, or nowhere."""

    key: str
    """A quarter id; ``past`` (on or before the briefed quarter's end), ``later`` or
    ``none``."""
    label: str
    count: int
    items: list[str]
    """``<report> <ref>`` of each item, in report then file order."""


@dataclass(frozen=True)
class Link:
    """An item carried over by a later report's item (``supersedes``), as at the quarter."""

    earlier: str
    """``<report-id>/<ref>`` of the item superseded."""
    earlier_title: str
    later: str
    """``<report-id>/<ref>`` of the item that carries it over."""
    later_title: str
    status: Status
    """The earlier item's status at the quarter's end (``superseded`` unless it closed first)."""


@dataclass(frozen=True)
class Overview:
    """Everything the quarter overview page and ``index.json`` say."""

    quarter: str
    label: str
    as_at: date
    headline: Headline
    overdue: list[OverdueItem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    series: list[QuarterCounts] = field(default_factory=list)
    owners: list[OwnerCounts] = field(default_factory=list)
    s55: list[S55] = field(default_factory=list)
    rag: dict[str, int] = field(default_factory=dict)
    """Items by RAG rating (every item of the tracked reports), red first."""
    rated: list[RatedItem] = field(default_factory=list)
    closures: list[ClosureBucket] = field(default_factory=list)
    update_missing: bool = False
    """No update file was received for the quarter although items are tracked."""
    lineage: list[Link] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """JSON-native form (dates as ``YYYY-MM-DD``), for ``index.json``."""
        data = _jsonable(asdict(self))
        assert isinstance(data, dict)
        return data


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def tracked_reports(register: Register, quarter: Quarter) -> list[str]:
    """Ids of the reports tracked in ``quarter``, sorted."""
    return [rid for rid in sorted(register.params.reports) if register.tracked(rid, quarter)]


def item_rows(register: Register, quarter: Quarter) -> list[ItemStatus]:
    """Every item of every tracked report as at ``quarter``, in report then file order."""
    return [
        register.item_status(rid, item, quarter)
        for rid in tracked_reports(register, quarter)
        for item in register.params.reports[rid].items
    ]


def s55_as_at(report_id: str, report: Report, quarter: Quarter) -> S55 | None:
    """The report's s55 response as at ``quarter``'s end; ``None`` before publication."""
    end = quarter.end
    if report.published > end:
        return None
    sent = report.response.sent
    deadline = report.deadline
    if sent is not None and sent <= end:
        state, days = S55State.SENT, (sent - report.published).days + 1
    elif end <= deadline:
        state, days = S55State.DUE, (deadline - end).days
    else:
        state, days = S55State.OVERDUE, (end - deadline).days
    return S55(report_id, report.title, report.published, deadline, sent, state, days)


def _s55_order(s55: S55) -> tuple[int, date]:
    """Overdue responses first, then those due, then those sent; by deadline within each."""
    return {S55State.OVERDUE: 0, S55State.DUE: 1}.get(s55.state, 2), s55.deadline


def quarter_counts(register: Register, quarter: Quarter) -> QuarterCounts:
    """Open, closed and overdue items at ``quarter``'s end, closed and new during it."""
    rows = item_rows(register, quarter)
    return QuarterCounts(
        quarter=quarter.id,
        label=quarter.short,
        reports=len(tracked_reports(register, quarter)),
        open=sum(r.open for r in rows),
        closed=sum(not r.open for r in rows),
        overdue=sum(r.overdue for r in rows),
        closed_in_quarter=sum(_closed_now(r) for r in rows),
        new_in_quarter=sum(r.new for r in rows),
    )


def series(
    register: Register, quarter: Quarter, count: int = SERIES_QUARTERS
) -> list[QuarterCounts]:
    """:func:`quarter_counts` for up to ``count`` quarters ending with ``quarter``, from the
    first of them in which any report is tracked."""
    quarters = [quarter.shift(-back) for back in range(count - 1, -1, -1)]
    while len(quarters) > 1 and not tracked_reports(register, quarters[0]):
        quarters.pop(0)
    return [quarter_counts(register, q) for q in quarters]


def _closed_now(row: ItemStatus) -> bool:
    return not row.open and row.previous_status not in CLOSED


def overdue_items(register: Register, quarter: Quarter) -> list[OverdueItem]:
    """Every overdue item across tracked reports, most overdue first (then report, ref)."""
    found = []
    for row in item_rows(register, quarter):
        if not row.overdue or row.due is None:
            continue
        report = register.params.reports[row.report_id]
        latest = row.latest
        found.append(
            OverdueItem(
                report=row.report_id,
                title=report.title,
                ref=row.item.ref,
                kind=row.item.kind,
                owner=register.owner(row.report_id, row.item, quarter) or UNASSIGNED,
                due=row.item.due.resolve(report.published) if row.item.due else None,
                target=row.target,
                days_overdue=(quarter.end - row.due).days,
                status=row.status,
                latest_update=latest.update if latest else "",
                latest_quarter=latest.quarter.id if latest else "",
            )
        )
    return sorted(found, key=lambda o: (-o.days_overdue, o.report, o.ref))


def changes(register: Register, quarter: Quarter) -> list[Change]:
    """Items whose status differs from the previous quarter's, in report then file order."""
    return [
        Change(
            report=row.report_id,
            title=register.params.reports[row.report_id].title,
            ref=row.item.ref,
            kind=row.item.kind,
            previous=row.previous_status,
            status=row.status,
        )
        for row in item_rows(register, quarter)
        if row.changed
    ]


def lineage_links(register: Register, quarter: Quarter) -> list[Link]:
    """Every ``supersedes`` link whose later report is published by ``quarter``'s end, in
    the later report's then its file order."""
    reports = register.params.reports
    links = []
    for row in item_rows(register, quarter):
        target = row.item.supersedes_key
        if target is None or target[0] not in reports:
            continue
        links.append(
            Link(
                earlier=f"{target[0]}/{target[1]}",
                earlier_title=reports[target[0]].title,
                later=f"{row.report_id}/{row.item.ref}",
                later_title=reports[row.report_id].title,
                status=register.status(target[0], target[1], quarter),
            )
        )
    return links


def owners(register: Register, quarter: Quarter) -> list[OwnerCounts]:
    """Items per owner: most overdue first, then most open, then by name; unassigned last."""
    open_, overdue, closed = Counter[str](), Counter[str](), Counter[str]()
    for row in item_rows(register, quarter):
        name = register.owner(row.report_id, row.item, quarter) or UNASSIGNED
        open_[name] += row.open
        overdue[name] += row.overdue
        closed[name] += not row.open
    names = set(open_) | set(closed)
    ordered = sorted(names, key=lambda n: (n == UNASSIGNED, -overdue[n], -open_[n], n.casefold()))
    return [OwnerCounts(n, open_[n], overdue[n], closed[n]) for n in ordered]


def rated_items(register: Register, quarter: Quarter) -> tuple[dict[str, int], list[RatedItem]]:
    """Every tracked item's RAG rating counted by colour (red, amber, green, blue), and the
    open items with theirs: red first, then amber, then green, by report and file order."""
    counts = {rag.value: 0 for rag in Rag}
    rated = []
    for row in item_rows(register, quarter):
        rating = register.rating(row)
        counts[rating.rag.value] += 1
        if not row.open:
            continue
        slips = register.slips(row.report_id, row.item.ref, quarter)
        rated.append(
            (
                rating.rag.rank,
                RatedItem(
                    report=row.report_id,
                    title=register.params.reports[row.report_id].title,
                    ref=row.item.ref,
                    kind=row.item.kind,
                    owner=register.owner(row.report_id, row.item, quarter) or UNASSIGNED,
                    status=row.status,
                    rag=rating.rag.value,
                    reasons=list(rating.reasons),
                    target=slips.text if slips else "",
                ),
            )
        )
    rated.sort(key=lambda pair: pair[0])  # stable: report and file order within a colour
    return counts, [item for _, item in rated]


CLOSURE_QUARTERS = 4
"""How many quarters after the briefed one the expected closures name one by one."""


def closures(register: Register, quarter: Quarter) -> list[ClosureBucket]:
    """Open items by the quarter they are expected to close in: the force's latest target
    date, else the report's due date. Buckets, always all shown: on or before the quarter's
    end (past their date), each of the next :data:`CLOSURE_QUARTERS` quarters, later, and
    no date."""
    ahead = [quarter.shift(step) for step in range(1, CLOSURE_QUARTERS + 1)]
    found: dict[str, list[str]] = {"past": [], **{q.id: [] for q in ahead}, "later": []}
    found["none"] = []
    for row in item_rows(register, quarter):
        if not row.open:
            continue
        when = row.target or row.report_due
        name = f"{row.report_id} {row.item.ref}"
        if when is None:
            found["none"].append(name)
        elif when <= quarter.end:
            found["past"].append(name)
        elif when > ahead[-1].end:
            found["later"].append(name)
        else:
            found[Quarter.containing(when).id].append(name)
    labels = {
        "past": f"By {uk_date(quarter.end)} (past its date)",
        **{q.id: q.short for q in ahead},
        "later": f"Later than {ahead[-1].short}",
        "none": "No date",
    }
    return [ClosureBucket(key, labels[key], len(names), names) for key, names in found.items()]


def build_overview(params: Params, quarter: Quarter, register: Register | None = None) -> Overview:
    """The quarter overview for ``quarter``.

    Parameters
    ----------
    params
        The loaded params root.
    quarter
        ``--quarter``: every figure is as at its last day.
    register
        The register over ``params`` (built when not given).
    """
    register = register or Register(params)
    rows = item_rows(register, quarter)
    responses = [
        found
        for rid in tracked_reports(register, quarter)
        if (found := s55_as_at(rid, params.reports[rid], quarter)) is not None
    ]
    states = Counter(s.state for s in responses)
    rag_counts, rated = rated_items(register, quarter)
    headline = Headline(
        reports=len(tracked_reports(register, quarter)),
        items=len(rows),
        open=sum(r.open for r in rows),
        overdue=sum(r.overdue for r in rows),
        closed_this_quarter=sum(_closed_now(r) for r in rows),
        new_this_quarter=sum(r.new for r in rows),
        changed=sum(r.changed for r in rows),
        s55_due=states[S55State.DUE],
        s55_sent=states[S55State.SENT],
        s55_overdue=states[S55State.OVERDUE],
        stale=sum(r.stale for r in rows),
    )
    return Overview(
        quarter=quarter.id,
        label=quarter.label,
        as_at=quarter.end,
        headline=headline,
        overdue=overdue_items(register, quarter),
        changes=changes(register, quarter),
        series=series(register, quarter),
        owners=owners(register, quarter),
        s55=sorted(responses, key=_s55_order),
        rag=rag_counts,
        rated=rated,
        closures=closures(register, quarter),
        update_missing=quarter not in params.update_files and any(r.item for r in rows),
        lineage=lineage_links(register, quarter),
    )
