"""What the letter templates get from the briefing: the context, its filters and gap().

:func:`letter_context` is the mapping every part template renders with; :func:`gap_marker`,
:func:`full_stop`, :func:`words` and :func:`paragraphs` are the global and filters the
templates use.

Decisions where the contract is silent
--------------------------------------
* **Salutation**: from the addressee's second line (its title) when that names an office:
  "Home Secretary" gives "Dear Home Secretary", "Secretary of State …" gives "Dear Secretary
  of State", "… Minister …" gives "Dear Minister"; anything else gives "Dear Sir or Madam".
  The close follows British usage: "Yours sincerely" after a named salutation, "Yours
  faithfully" after "Dear Sir or Madam".
* **Gaps**: where the params lack a fact the letter needs, the draft says so in brackets
  (``[No update recorded for R4 — explanation required]``) instead of inventing text or
  asserting a default. In HTML a gap has class ``gap``, in Markdown it stays bracketed plain
  text, in Word it is a yellow-highlighted run. Gaps stand for: a statement in place of
  itemised recommendations; an item with no update; a not-accepted recommendation without
  the PCC's explanation (quoting the force's reason and any earlier progress it reported);
  an open item without a lead or a date; an action of the PCC's office without the PCC's own
  words; a comparison with peers whose basis (``peers_basis``) is not given; the Chief
  Constable's comments, monitoring, the date of sending and the publication place.
* **Order of items**: in report order, each explained from its latest update at or before
  the briefing's quarter (or the PCC's words in ``response.explanations``).
* **Lead and dates** (open items only): the lead is the latest update's ``owner``, else the
  item's, printed only with ``letter.leads``; the dates are the report's due date and the
  force's target date (:func:`target_date`), both when both are known, said as at the
  letter's date: "It was due by …" once past, "moved from …" when the force first gave
  another target, "… has passed" for a past target.
* **Addressees**: the count "addressed to chief constables or forces" uses
  :func:`addressed_to_forces`, and is left out when any recommendation has no addressee.
* **The PCC's office**: a local action whose owner :func:`is_opcc` is answered in the PCC's
  words under "Action by my office", never under the force's actions.
* **Figures** (``response.cite_figures``): one sentence per crime type of the report, from
  data.police.uk, for the quarter the figures describe (``police_uk.quarter``, else the
  quarter of their first month), with the same quarter a year earlier when known and the
  range of the peers' rates named by ``peers_basis``; for drugs and possession of weapons
  (:data:`PROACTIVE`) a sentence on what a rise or fall can mean. Left out when there are no
  figures, and flagged as incomplete when a month of the quarter has no data. The quarter
  described is the latest complete quarter at or before the letter's, which may be earlier
  than the briefing's; the letter then says so. Figures whose quarter is more than
  :data:`FRESH_QUARTERS` quarters before the letter's are not cited: a gap names that
  quarter. The proactive-policing caveat stands only beside a rise or fall, and a broad
  category (:data:`BROAD_CATEGORIES`) is said to be wider than the report's subject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from markupsafe import Markup

from toolkit.letter.blocks import PARTS
from toolkit.quarters import Quarter
from toolkit.record.updates import Update
from toolkit.vocabulary import ItemKind, Status

if TYPE_CHECKING:
    from toolkit.facts import Facts
    from toolkit.record.params import ForceFile, Pcc, Report
    from toolkit.record.register import ItemStatus
    from toolkit.vocabulary import PoliceUkFigures

_OTHER_BODIES = re.compile(
    r"national police chiefs'? council|police,? (?:fire )?and crime commissioners?|"
    r"police and crime panels?|college of policing|police federation|police scotland|"
    r"independent office for police conduct|british transport police authority"
)
_FORCES = re.compile(r"\b(?:chief\s+constables?|forces?|police)\b")
_OPCC = re.compile(
    r"\b(?:o?pf?cc|police,? (?:fire )?and crime commissioner|commissioner|mopac|"
    r"mayor's office for policing and crime)\b",
    re.IGNORECASE,
)
_PROGRESS = frozenset({Status.IN_PROGRESS, Status.PENDING_SIGN_OFF, Status.COMPLETE})
_STATUS_PHRASES: dict[str, str] = {
    Status.NOT_STARTED: "not yet started",
    Status.IN_PROGRESS: "in progress",
    Status.PENDING_SIGN_OFF: "complete and awaiting sign-off",
    Status.COMPLETE: "complete",
    Status.SUPERSEDED: "superseded",
    Status.NOT_ACCEPTED: "not accepted",
}
_LOWER_STARTS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "its",
        "all",
        "each",
        "every",
        "some",
        "no",
        "work",
        "plans",
        "training",
    ]
)
"""First words of an update that read as ordinary words after "reports that" (a name such
as "Dorset Police" or an acronym never does, so anything else is quoted instead)."""
BROAD_CATEGORIES = {
    "Drugs": "drugs offences include possession as well as supply",
    "Possession of weapons": "possession of weapons offences cover any offensive weapon",
    "Violence and sexual offences": (
        "violence and sexual offences cover all violence against the person and all sexual "
        "offences, whoever the victim"
    ),
    "Public order": "public order offences cover every kind of public order offence",
    "Other crime": "other crime is a residual category of many offences",
    "Anti-social behaviour": "anti-social behaviour covers incidents of every kind",
    "Criminal damage and arson": "criminal damage and arson covers damage of every kind",
}
"""What each broad data.police.uk category counts, for the letter's caveat that a category
is wider than a report's subject (a VAWG report cited with "Violence and sexual offences")."""
PROACTIVE = ("Drugs", "Possession of weapons")
"""data.police.uk crime types found mostly through proactive policing (stop and search,
warrants), whose counts rise and fall with police activity as much as with offending."""
_HMICFRS = "HM Inspectorate of Constabulary and Fire & Rescue Services"
_SALUTATIONS = (
    ("home secretary", "Dear Home Secretary"),
    ("secretary of state", "Dear Secretary of State"),
    ("minister", "Dear Minister"),
)
_FALLBACK_SALUTATION = "Dear Sir or Madam"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def gap_marker(text: str) -> Markup:
    """A visible gap marker, ``[text]``, for something the params do not give."""
    return Markup('<span class="gap">[{}]</span>').format(text)


def full_stop(text: str) -> str:
    """End a sentence with a full stop unless it already ends with punctuation."""
    text = str(text).rstrip()
    return text if not text or text[-1] in ".!?" else text + "."


def words(count: int) -> str:
    """Numbers below ten as words, as British style writes them."""
    return _WORDS[count] if 0 <= count < len(_WORDS) else f"{count:,}"


def salutation(addressee: list[str]) -> str:
    """``Dear Home Secretary`` when the addressee's second line names the office, etc.

    See the module docstring for the rule; ``Dear Sir or Madam`` otherwise.
    """
    if len(addressee) >= 2:
        office = addressee[1].casefold()
        for key, words in _SALUTATIONS:
            if key in office:
                return words
    return _FALLBACK_SALUTATION


def target_date(row: ItemStatus) -> date | None:
    """The force's own target date for an item: the latest given at or before the quarter
    (:attr:`toolkit.record.register.ItemStatus.target`); ``None`` when none."""
    return row.target


def addressed_to_forces(addressee: str) -> bool:
    """Whether a recommendation's addressee includes chief constables or forces.

    HMICFRS writes "chief constables", "all forces", "police", "forces and the NPCC", "the
    Chief Constable of X Police"; bodies whose names contain "police" (the National Police
    Chiefs' Council, police and crime commissioners, the College of Policing) do not count.
    """
    text = _OTHER_BODIES.sub(" ", addressee.casefold().replace("’", "'"))
    return bool(_FORCES.search(text))


def is_opcc(owner: str) -> bool:
    """Whether an owner names the PCC or their office ("OPCC", "Office of the Police and
    Crime Commissioner", "the PCC", "Mayor's Office for Policing and Crime")."""
    return bool(_OPCC.search(owner))


@dataclass(frozen=True)
class Entry:
    """One item as the letter explains it (from :class:`toolkit.record.register.ItemStatus`).

    ``update`` is the force's latest update text at or before the quarter (empty when there
    is none, or none was written); ``has_update`` says whether any update row exists.
    ``explanation`` is the PCC's own words for the item (``response.explanations``).
    ``due`` is the date the report sets, ``target`` the force's own target date, ``owner``
    the latest update's owner or else the item's. ``earlier_progress`` describes an earlier
    update reporting progress on an item now recorded as not accepted ("" otherwise).
    """

    ref: str
    kind: ItemKind
    noun: str
    text: str
    addressee: str
    status: Status
    open: bool
    due: date | None
    target: date | None
    owner: str
    has_update: bool
    update: str
    explanation: str = ""
    earlier_progress: str = ""
    original_target: date | None = None
    on: date | None = None
    show_lead: bool = False
    force_name: str = ""

    @property
    def for_opcc(self) -> bool:
        """Owned by the PCC's office rather than the force."""
        return is_opcc(self.owner)

    @property
    def for_forces(self) -> bool:
        """Addressed to chief constables or forces, and so answered as the force's own."""
        return bool(self.addressee) and addressed_to_forces(self.addressee)

    @property
    def due_passed(self) -> bool:
        """The report's due date is before the letter's date."""
        return self.due is not None and self.on is not None and self.due < self.on

    @property
    def target_passed(self) -> bool:
        """The force's target date is before the letter's date."""
        return self.target is not None and self.on is not None and self.target < self.on

    @property
    def target_moved(self) -> bool:
        """The force first gave another target date."""
        return self.original_target is not None and self.original_target != self.target

    @property
    def status_phrase(self) -> str:
        """The status as the letter says it: ``in progress``, ``complete and awaiting
        sign-off`` …"""
        return _STATUS_PHRASES.get(self.status, Status(self.status).label.lower())

    @property
    def reported(self) -> str:
        """The force's update, attributed to the force (:func:`force_reports`)."""
        return force_reports(self.update, self.force_name)

    @classmethod
    def of(
        cls,
        row: ItemStatus,
        explanation: str = "",
        history: Sequence[Update] = (),
        on: date | None = None,
        show_lead: bool = False,
        force_name: str = "",
    ) -> Entry:
        """The entry for one row of the register.

        Parameters
        ----------
        row
            The item as at the letter's date.
        explanation
            The PCC's own words for it, from ``response.explanations``.
        history
            The item's updates up to the letter's date, oldest first.
        on
            The day the letter is drafted as at: due and target dates before it are
            written as past.
        show_lead
            Print the item's lead (``letter.leads``; owners are often internal role titles).
        force_name
            The force's name, which an update may start with ("Dorset Police has …").
        """
        latest = row.latest
        owner = (latest.owner.strip() if latest is not None else "") or row.item.owner or ""
        return cls(
            ref=row.item.ref,
            kind=row.item.kind,
            noun=ItemKind(row.item.kind).noun,
            text=row.item.text,
            addressee=row.item.addressee or "",
            status=row.status,
            open=row.open,
            due=row.report_due,
            target=row.target,
            owner=owner,
            has_update=latest is not None,
            update=(latest.update or "").strip() if latest is not None else "",
            explanation=explanation.strip(),
            earlier_progress=_earlier_progress(row.status, history),
            original_target=row.original_target,
            on=on,
            show_lead=show_lead,
            force_name=force_name,
        )


def _earlier_progress(status: str, history: Sequence[Update]) -> str:
    """For a not-accepted item, the last earlier update that reported progress on it."""
    if status != Status.NOT_ACCEPTED:
        return ""
    progress = [u for u in history[:-1] if u.status in _PROGRESS]
    if not progress:
        return ""
    last = progress[-1]
    said = f": \u201c{full_stop(last.update.strip())}\u201d" if last.update.strip() else ""
    return f"{Status(last.status).label.lower()} in {last.quarter.label}{said}"


def force_reports(update: str, force_name: str = "") -> str:
    """The force's update attributed to it, never as the PCC's statement: "The force reports
    that a team is in place." when the update starts with an ordinary word
    (:data:`_LOWER_STARTS`); "The force reports that it has …" when it starts with "The
    force" or the force's name; otherwise quoted: "The force reports: “Update 3: done.”"."""
    text = full_stop(update.strip())
    for subject in ("The force", "This force", force_name):
        if subject and text.casefold().startswith(subject.casefold() + " "):
            return "The force reports that it " + text[len(subject) + 1 :]
    first = text.split(" ", 1)[0]
    rest = first[1:]
    if first.casefold() in _LOWER_STARTS and first[:1].isupper() and (not rest or rest.islower()):
        return "The force reports that " + text[:1].lower() + text[1:]
    if first.casefold() in _LOWER_STARTS and first.islower():
        return "The force reports that " + text
    return f"The force reports: \u201c{text}\u201d"


def paragraphs(text: str) -> list[str]:
    """Text split at blank lines into paragraphs (YAML keeps them in folded blocks)."""
    return [part.strip() for part in re.split(r"\n\s*\n", str(text)) if part.strip()]


class FigureRow(TypedDict):
    """One crime type the letter cites: its count, the year-earlier count and change, its
    rate and the range of the peers' rates."""

    crime_type: str
    label: str
    count: int
    previous_year: int | None
    change: int | None
    rate: float | None
    peer_count: int
    peer_min: float | None
    peer_max: float | None


class LetterFigures(TypedDict):
    """The figures the letter may cite (``figures`` in :class:`LetterContext`); with
    ``stale`` true, ``rows`` is empty and the letter names ``quarter`` in a gap."""

    rows: list[FigureRow]
    stale: bool
    quarter: Quarter
    oldest: Quarter
    complete: bool
    lagged: bool
    proactive: str
    changed: bool
    population_year: int | None
    broad: list[str]


class LetterContext(TypedDict):
    """What every letter template renders with (:func:`letter_context`): the names a part
    template may use, dates as :class:`datetime.date` (the templates word them)."""

    b: Facts
    parts: tuple[str, ...]
    report: Report
    force: ForceFile
    force_name: str
    pcc: Pcc
    chief_constable: str
    quarter: Quarter
    addressee: list[str]
    copy_to: list[str]
    salutation: str
    closing: str
    sent: date | None
    letter_date: date
    deadline: date
    late: bool
    late_reason: str
    joint: bool
    we: str
    leads: bool
    reference: str
    no_force_recommendations: bool
    thanks: str
    welcome: list[str]
    concerns: list[str]
    recommendations: list[Entry]
    for_forces: int
    addressees_known: bool
    causes: list[Entry]
    afis: list[Entry]
    local_actions: list[Entry]
    opcc_actions: list[Entry]
    chief_constable_comments: str
    pcc_reply: str
    recommendations_statement: str
    local_context: str
    partnership: str
    plan: str
    figures: LetterFigures | None
    peers_basis: str
    monitoring: str
    publication: str
    website: str
    signature_title: str


def letter_context(briefing: Facts) -> LetterContext:
    """What every letter template renders with (the briefing's facts as at the letter's
    date, :attr:`toolkit.facts.Facts.letter_date`)."""
    report = briefing.report
    response = report.response
    force = briefing.params.force
    # The facts drafted from are the letter's own (Briefing.letter makes them as at the
    # letter's date), so their day is the letter's: dates before it are written as past.
    on = briefing.as_at
    order = {item.ref: index for index, item in enumerate(report.items)}
    rows = sorted(briefing.items, key=lambda r: order.get(r.item.ref, len(order)))
    history = briefing.register.history
    entries = [
        Entry.of(
            row,
            response.explanations.get(row.item.ref, ""),
            [
                u
                for u in history.get((briefing.report_id, row.item.ref), [])
                if u.quarter <= briefing.quarter and u.day <= on
            ],
            on=on,
            show_lead=force.letter.leads,
            force_name=force.force.name,
        )
        for row in rows
    ]

    def of_kind(kind: str) -> list[Entry]:
        return [e for e in entries if e.kind == kind]

    recommendations = of_kind(ItemKind.RECOMMENDATION)
    local_actions = of_kind(ItemKind.LOCAL_ACTION)
    greeting = salutation(list(force.addressee))
    addressed = " ".join(force.addressee).casefold()
    copy_to = force.letter.copy_to
    if copy_to is None:
        copy_to = [] if _names_hmicfrs(addressed) else [_HMICFRS]
    return {
        "b": briefing,
        "parts": PARTS,
        "report": report,
        "force": force,
        "force_name": force.force.name,
        "pcc": force.pcc,
        "chief_constable": force.chief_constable,
        "quarter": briefing.quarter,
        "addressee": list(force.addressee),
        "copy_to": list(copy_to),
        "salutation": greeting,
        "closing": "Yours faithfully" if greeting == _FALLBACK_SALUTATION else "Yours sincerely",
        "sent": response.sent,
        "letter_date": on,
        "deadline": report.deadline,
        "late": (response.sent or on) > report.deadline,
        "late_reason": response.late_reason or "",
        "joint": force.letter.voice == "joint",
        "we": "The Chief Constable and I" if force.letter.voice == "joint" else "I",
        "leads": force.letter.leads,
        "reference": force.letter.reference or "",
        "no_force_recommendations": response.no_force_recommendations,
        "thanks": response.thanks or "",
        "welcome": list(response.welcome),
        "concerns": list(response.concerns),
        "recommendations": recommendations,
        "for_forces": sum(addressed_to_forces(e.addressee) for e in recommendations),
        "addressees_known": all(e.addressee for e in recommendations),
        "causes": of_kind(ItemKind.CAUSE_OF_CONCERN),
        "afis": of_kind(ItemKind.AREA_FOR_IMPROVEMENT),
        "local_actions": [e for e in local_actions if not e.for_opcc],
        "opcc_actions": [e for e in local_actions if e.for_opcc],
        "chief_constable_comments": response.chief_constable_comments or "",
        "pcc_reply": response.pcc_reply or "",
        "recommendations_statement": response.recommendations or "",
        "local_context": response.local_context or "",
        "partnership": response.partnership or "",
        "plan": response.plan or "",
        "figures": _figures(briefing, on) if response.cite_figures else None,
        "peers_basis": force.peers_basis or "",
        "monitoring": response.monitoring or force.letter.monitoring or "",
        "publication": force.letter.publication or "",
        "website": force.pcc.website or "",
        "signature_title": force.letter.signature_title
        or f"Police and Crime Commissioner for {force.pcc.area}",
    }


def _names_hmicfrs(text: str) -> bool:
    return "hmicfrs" in text or "inspectorate of constabulary" in text


def _crime_label(crime_type: str) -> str:
    """``Drugs`` → ``drugs offences``, as a count reads in a sentence."""
    label = crime_type.strip().lower()
    if label == "anti-social behaviour":
        return "incidents of anti-social behaviour"
    if label.endswith(("offences", "crime")):
        return label
    return f"{label} offences"


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _figures_quarter(briefing: Facts, data: PoliceUkFigures) -> Quarter:
    """The quarter the figures describe: ``police_uk.quarter`` when given, else the quarter
    of their first month, else the briefing's own."""
    named = data.get("quarter")
    if isinstance(named, str):
        return Quarter.parse(named)
    months = data.get("months")
    if isinstance(months, list) and months and isinstance(months[0], str):
        return Quarter.of_month(months[0])
    return briefing.quarter


FRESH_QUARTERS = 2
"""Figures are cited only for a quarter at most this many quarters before the letter's."""


def _figures(briefing: Facts, on: date) -> LetterFigures | None:
    """The figures the letter may cite, or ``None`` when there are none to cite.

    ``stale`` is true (and ``rows`` empty) when the latest quarter held is more than
    :data:`FRESH_QUARTERS` before the quarter of the letter's date ``on``: the letter then
    names that quarter in a gap instead of citing it as current.
    """
    data = briefing.police_uk
    if not isinstance(data, dict):
        return None
    quarter = _figures_quarter(briefing, data)
    oldest = Quarter.containing(on).shift(-FRESH_QUARTERS)
    if quarter < oldest:
        return {
            "rows": [],
            "stale": True,
            "quarter": quarter,
            "oldest": oldest,
            "complete": data.get("complete") is True,
            "lagged": bool(data.get("lag")),
            "proactive": "",
            "changed": False,
            "population_year": None,
            "broad": [],
        }
    # Read defensively: figures.json may come from an older toolkit or be written by hand.
    crime_types: Mapping[str, Mapping[str, object]] = data.get("crime_types") or {}
    peers: Mapping[str, Mapping[str, Mapping[str, object]]] = data.get("peers") or {}
    focus = data.get("focus") or list(briefing.report.crime_types)
    rows: list[FigureRow] = []
    for name in focus:
        figures = crime_types.get(name) if isinstance(crime_types, dict) else None
        count = _number((figures or {}).get("count"))
        if count is None:
            continue
        peer_rates = [
            rate
            for peer in (peers.values() if isinstance(peers, dict) else [])
            if isinstance(peer, dict)
            for rate in [_number((peer.get(name) or {}).get("rate_per_1000"))]
            if rate is not None
        ]
        previous = _number((figures or {}).get("previous_year"))
        change = None if previous is None else int(count) - int(previous)
        rows.append(
            {
                "crime_type": name,
                "label": _crime_label(name),
                "count": int(count),
                "previous_year": None if previous is None else int(previous),
                "change": change,
                "rate": _number((figures or {}).get("rate_per_1000")),
                "peer_count": len(peer_rates),
                "peer_min": min(peer_rates) if peer_rates else None,
                "peer_max": max(peer_rates) if peer_rates else None,
            }
        )
    if not rows:
        return None
    # The caveat on proactive policing goes only beside a rise or fall it explains.
    proactive = [
        row["crime_type"] for row in rows if row["crime_type"] in PROACTIVE and row["change"]
    ]
    population = data.get("population")
    year = population.get("year") if isinstance(population, dict) else None
    return {
        "rows": rows,
        "stale": False,
        "quarter": quarter,
        "oldest": oldest,
        "complete": data.get("complete") is True,
        "lagged": bool(data.get("lag")),
        "proactive": _and(proactive).capitalize() + " offences" if proactive else "",
        "changed": any(row["change"] for row in rows),
        "population_year": year if isinstance(year, int) else None,
        "broad": [
            BROAD_CATEGORIES[r["crime_type"]] for r in rows if r["crime_type"] in BROAD_CATEGORIES
        ],
    }


def _and(names: list[str]) -> str:
    """``Drugs`` and ``Possession of weapons`` → ``drugs and possession of weapons``."""
    words = [name.lower() for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
