"""The toolkit's words, each spelled once: item kinds, report kinds, statuses, s55 states,
run states, and data.police.uk's crime types.

Every member is a :class:`enum.StrEnum`, so it *is* its value: it compares equal to
the string the contract spells (``Status.IN_PROGRESS == "in-progress"``), serialises
as that string in ``json.dumps`` and prints as it in templates and f-strings. The
words the pages show (label, noun, tag colour) live on the members, so renaming a
status's label or changing its colour touches this file only.

The shapes that ``figures.json`` and the run's index carry are typed here too
(:class:`S55Facts`, :class:`ItemsSummary`, :class:`IndexRow`): a reader of those
dictionaries sees their keys without reading the code that fills them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple, TypedDict


class ItemKind(StrEnum):
    """What a register item is (``items[].kind`` in a report file).

    ``label`` is the capitalised name (the workbook's Kind column), ``noun`` the name in
    running text (the letter: "this area for improvement"), ``short`` the name in a
    compact listing (``toolkit status``: "AFI").
    """

    RECOMMENDATION = "recommendation"
    AREA_FOR_IMPROVEMENT = "area-for-improvement"
    CAUSE_OF_CONCERN = "cause-of-concern"
    LOCAL_ACTION = "local-action"

    @property
    def label(self) -> str:
        return _KIND_WORDS[self][0]

    @property
    def noun(self) -> str:
        return _KIND_WORDS[self][1]

    @property
    def short(self) -> str:
        return _KIND_WORDS[self][2]


_KIND_WORDS: dict[ItemKind, tuple[str, str, str]] = {
    ItemKind.RECOMMENDATION: ("Recommendation", "recommendation", "recommendation"),
    ItemKind.AREA_FOR_IMPROVEMENT: ("Area for improvement", "area for improvement", "AFI"),
    ItemKind.CAUSE_OF_CONCERN: ("Cause of concern", "cause of concern", "cause of concern"),
    ItemKind.LOCAL_ACTION: ("Local action", "local action", "local action"),
}
"""label, noun, short: see :class:`ItemKind`."""


class ReportKind(StrEnum):
    """What an HMICFRS report is (``kind`` in a report file).

    ``label`` is the name in running text and listings ("PEEL inspection").
    """

    THEMATIC = "thematic"
    FORCE = "force"
    JOINT = "joint"
    PEEL = "peel"
    FOLLOW_UP = "follow-up"

    @property
    def label(self) -> str:
        return _REPORT_KIND_LABELS[self]


_REPORT_KIND_LABELS: dict[ReportKind, str] = {
    ReportKind.THEMATIC: "Thematic inspection",
    ReportKind.FORCE: "Force inspection",
    ReportKind.JOINT: "Joint inspection",
    ReportKind.PEEL: "PEEL inspection",
    ReportKind.FOLLOW_UP: "Follow-up inspection",
}


def report_kinds_text() -> str:
    """The report kinds as a sentence lists them: ``thematic, force, joint, peel or
    follow-up`` (command-line help, "expected" in messages)."""
    values = [kind.value for kind in ReportKind]
    return ", ".join(values[:-1]) + " or " + values[-1]


class Status(StrEnum):
    """Where an item stands at a quarter's end (``status`` in an update file).

    ``label`` is the display label (pages, tracker, workbook drop-down; accepted as
    input too), ``colour`` the tag colour class that reinforces the label on the pages
    (never alone), ``closed`` whether no further work is expected (not open, never
    overdue), ``meaning`` one line on when to use it (the workbook's guidance sheet).
    """

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    PENDING_SIGN_OFF = "pending-sign-off"
    COMPLETE = "complete"
    SUPERSEDED = "superseded"
    NOT_ACCEPTED = "not-accepted"

    @property
    def label(self) -> str:
        return _STATUS_WORDS[self].label

    @property
    def colour(self) -> str:
        return _STATUS_WORDS[self].colour

    @property
    def closed(self) -> bool:
        return _STATUS_WORDS[self].closed

    @property
    def meaning(self) -> str:
        return _STATUS_WORDS[self].meaning


class _StatusWords(NamedTuple):
    label: str
    colour: str
    closed: bool
    meaning: str


_STATUS_WORDS: dict[Status, _StatusWords] = {
    Status.NOT_STARTED: _StatusWords("Not started", "grey", False, "No work has started yet."),
    Status.IN_PROGRESS: _StatusWords("In progress", "blue", False, "Work is under way."),
    Status.PENDING_SIGN_OFF: _StatusWords(
        "Pending sign-off",
        "purple",
        False,
        "The work is done and awaits sign-off (e.g. by a board).",
    ),
    Status.COMPLETE: _StatusWords(
        "Complete", "green", True, "Done and signed off. Say what shows it in Evidence."
    ),
    Status.SUPERSEDED: _StatusWords(
        "Superseded",
        "grey",
        True,
        "Overtaken by a later recommendation or national change; say which.",
    ),
    Status.NOT_ACCEPTED: _StatusWords(
        "Not accepted",
        "yellow",
        True,
        "The force will not act on it. Give the reason in Update (required).",
    ),
}

CLOSED = frozenset(status for status in Status if status.closed)
"""The statuses under which an item is no longer open."""

_STATUS_ALIASES = {"completed": "complete", "pending-signoff": "pending-sign-off"}


def parse_status(value: str) -> Status | None:
    """A status as an analyst or the force may write it: ``"Pending Sign-off"``,
    ``pending_sign_off`` or ``Completed`` → :attr:`Status.PENDING_SIGN_OFF` (any case,
    spaces, hyphens or underscores; the display label too); ``None`` if it is no status."""
    key = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    key = _STATUS_ALIASES.get(key, key)
    return Status(key) if key in Status._value2member_map_ else None


POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
"""The crime types data.police.uk's street-level files use (``Crime type``), as spelled
there: the only values ``crime_types:`` in a report file may hold."""

POLICE_UK_FORMER_CRIME_TYPES = ("Violent crime", "Public disorder and weapons")
"""Types data.police.uk used before May 2013 (since split into the ones above); accepted
for reports that look back that far."""


def police_uk_crime_type(value: str) -> str | None:
    """The data.police.uk crime type ``value`` names, spelled as the data spells it.

    Case and runs of spaces are ignored (``drugs`` and ``POSSESSION OF  WEAPONS`` are
    unambiguous); ``None`` when it names none.
    """
    wanted = " ".join(value.split()).casefold()
    for known in (*POLICE_UK_CRIME_TYPES, *POLICE_UK_FORMER_CRIME_TYPES):
        if known.casefold() == wanted:
            return known
    return None


def closest_crime_type(value: str) -> str | None:
    """The data.police.uk crime type nearest to a misspelt ``value`` (``Drug`` → ``Drugs``)."""
    import difflib

    wanted = " ".join(value.split()).casefold()
    folded = {known.casefold(): known for known in POLICE_UK_CRIME_TYPES}
    containing = [known for fold, known in folded.items() if wanted and wanted in fold]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


class S55State(StrEnum):
    """Where a report's s55 response stands (``s55.state`` in ``figures.json``);
    ``colour`` is the tag colour class the pages use for it."""

    SENT = "sent"
    NOT_PUBLISHED = "not-published"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def colour(self) -> str:
        return _S55_COLOURS[self]


_S55_COLOURS = {
    S55State.SENT: "green",
    S55State.NOT_PUBLISHED: "grey",
    S55State.DUE: "blue",
    S55State.OVERDUE: "red",
}


class RunState(StrEnum):
    """A briefing's state during a run (progress events; ``status`` of an index row is
    ``ok`` or ``failed``)."""

    QUEUED = "queued"
    WAITING = "waiting"
    RUNNING = "running"
    EXPORTING = "exporting"
    OK = "ok"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """The briefing has ended, produced or not."""
        return self in (RunState.OK, RunState.FAILED)

    @property
    def busy(self) -> bool:
        """The briefing holds (or waits for) a kernel: waiting, running or exporting."""
        return self in (RunState.WAITING, RunState.RUNNING, RunState.EXPORTING)


OTHER_TAG_COLOURS = {
    "failed": "red",
    "stale": "yellow",
    "pass": "green",
    "fail": "red",
    "cannot-check": "yellow",
}
"""Tag colours for the words that are no status or s55 state (flags, check results)."""


def tag_colour(word: str) -> str:
    """The colour class of a tag showing ``word`` (a status, s55 state or flag); grey
    for any other word."""
    if word in Status._value2member_map_:
        return Status(word).colour
    if word in S55State._value2member_map_:
        return S55State(word).colour
    return OTHER_TAG_COLOURS.get(word, "grey")


class S55Facts(TypedDict):
    """A report's s55 facts as :func:`toolkit.record.register.s55_state` computes them:
    dates as dates (:func:`s55_json` gives ``figures.json``'s ``s55``)."""

    published: date
    deadline: date
    sent: date | None
    state: S55State
    state_text: str
    as_at: date


class S55Json(TypedDict):
    """``figures.json`` ``s55``: :class:`S55Facts` with ISO dates."""

    published: str
    deadline: str
    sent: str | None
    state: S55State
    state_text: str
    as_at: str


def s55_json(facts: S55Facts) -> S55Json:
    """The s55 facts as ``figures.json`` and the index write them (dates ISO)."""
    sent = facts["sent"]
    return {
        "published": facts["published"].isoformat(),
        "deadline": facts["deadline"].isoformat(),
        "sent": sent.isoformat() if sent else None,
        "state": facts["state"],
        "state_text": facts["state_text"],
        "as_at": facts["as_at"].isoformat(),
    }


class ItemsSummary(TypedDict):
    """``figures.json`` ``items`` as :func:`toolkit.record.register.summary` computes it (the
    briefing adds ``history``, ``closed_in`` and ``since_response``)."""

    total: int
    by_status: dict[str, int]
    by_status_all: dict[str, int]
    by_kind: dict[str, int]
    overdue: int
    past_target: int
    changed: int
    stale: int
    new: int
    open: int
    recommendations: int
    dates: dict[str, dict[str, str | None]]
    days_open: dict[str, int | None]
    days_overdue: dict[str, int | None]
    days_past_target: dict[str, int | None]


class IndexRow(TypedDict):
    """One report's row on the run's index page and in ``index.json`` ``reports``."""

    id: str
    title: str
    status: str
    ok: bool
    error: str
    failed_notebook: str | None
    published: str
    deadline: str
    s55_state: str
    s55_text: str
    by_status: dict[str, int]
    overdue: int | None
    past_target: int | None
    past_target_with_due: int | None
    """Of those, the items the report also gave a due date (the rest count as overdue)."""
    data_quarter: str | None
    data_notice: str | None
    briefing: str | None


class Rag(StrEnum):
    """An item's RAG rating at a quarter's end (``items.rag`` in ``figures.json``, the
    tracker's ``RAG`` column): blue is closed, then green, amber and red for open items.

    ``label`` is the word the pages, tracker and ``toolkit status`` show (the colour only
    reinforces it), ``colour`` the tag colour class, ``rank`` the order from worst (red,
    0) to closed (blue, 3), so a list sorted by it puts red first.
    """

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def colour(self) -> str:
        return _RAG_COLOURS[self]

    @property
    def rank(self) -> int:
        return list(Rag).index(self)


_RAG_COLOURS = {Rag.RED: "red", Rag.AMBER: "yellow", Rag.GREEN: "green", Rag.BLUE: "blue"}


class ClosedBy(StrEnum):
    """Who closed an item (``closed_by`` in an update file); ``label`` as pages show it."""

    OPCC = "opcc"
    HMICFRS = "hmicfrs"
    FORCE = "force"

    @property
    def label(self) -> str:
        return {"opcc": "OPCC", "hmicfrs": "HMICFRS", "force": "the force"}[self.value]


# -- figures.json ``police_uk``: made by toolkit.performance, drawn by toolkit.charts ---------


class CrimeTypeFigures(TypedDict):
    """One crime type of the force in ``police_uk.crime_types``."""

    count: int | None
    previous_year: int | None
    rate_per_1000: float | None
    change: int | None
    change_pct: float | None


class PeerTypeFigures(TypedDict):
    """One crime type of a peer in ``police_uk.peers``."""

    count: int | None
    rate_per_1000: float | None


class TrendPoint(TypedDict):
    """One quarter of ``police_uk.trend``: counts of the focus types (``None`` without data)."""

    quarter: str
    label: str
    complete: bool
    counts: dict[str, int | None]


class ProvisionalFigures(TypedDict):
    """What the data holds of a lagged briefing's own quarter (``police_uk.provisional``)."""

    quarter: str
    months: list[str]
    missing_months: list[str]
    counts: dict[str, int | None]


class PeriodFigures(TypedDict):
    """The year-earlier quarter compared with (``police_uk.previous_year``)."""

    quarter: str
    months: list[str]
    complete: bool


class PopulationFigures(TypedDict):
    """The population estimate rates are per (``police_uk.population``)."""

    year: int
    value: int


class OutcomeFigures(TypedDict):
    """Shares of the quarter's crimes charged or closed with no suspect
    (``police_uk.outcomes``; percentages to 1 dp, ``None`` with no crimes)."""

    crimes: int
    charged: int
    charged_pct: float | None
    no_suspect: int
    no_suspect_pct: float | None
    outcome_months: list[str]
    charge_outcomes: list[str]


class PoliceUkFigures(TypedDict):
    """``figures.json`` ``police_uk``: data.police.uk figures for the force and its peers,
    as :func:`toolkit.performance.police_uk_figures` computes them (JSON-native)."""

    force: str
    quarter: str
    lag: int
    briefing_quarter: str
    lag_note: str | None
    provisional: ProvisionalFigures | None
    months: list[str]
    complete: bool
    missing_months: list[str]
    empty_months: list[str]
    crime_types: dict[str, CrimeTypeFigures]
    previous_year: PeriodFigures
    peers: dict[str, dict[str, PeerTypeFigures]]
    peers_complete: dict[str, bool]
    population: PopulationFigures | None
    focus: list[str]
    trend: list[TrendPoint]
    outcomes: OutcomeFigures | None
    notes: list[str]
