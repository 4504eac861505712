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
  item's; the dates are the report's due date and the force's target date
  (:func:`target_date`), both when both are known.
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
  than the briefing's; the letter then says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from toolkit.narrative.blocks import PARTS
from toolkit.quarters import Quarter
from toolkit.updates import Update
from toolkit.vocabulary import ItemKind, Status

if TYPE_CHECKING:
    from toolkit.facts import Facts
    from toolkit.register import ItemStatus

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
    (:attr:`toolkit.register.ItemStatus.target`); ``None`` when none."""
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
    """One item as the letter explains it (from :class:`toolkit.register.ItemStatus`).

    ``update`` is the force's latest update text at or before the quarter (empty when there
    is none, or none was written); ``has_update`` says whether any update row exists.
    ``explanation`` is the PCC's own words for the item (``response.explanations``).
    ``due`` is the date the report sets, ``target`` the force's own target date, ``owner``
    the latest update's owner or else the item's. ``earlier_progress`` describes an earlier
    update reporting progress on an item now recorded as not accepted ("" otherwise).
    """

    ref: str
    kind: str
    noun: str
    text: str
    addressee: str
    status: str
    open: bool
    due: date | None
    target: date | None
    owner: str
    has_update: bool
    update: str
    explanation: str = ""
    earlier_progress: str = ""

    @property
    def for_opcc(self) -> bool:
        """Owned by the PCC's office rather than the force."""
        return is_opcc(self.owner)

    @classmethod
    def of(cls, row: ItemStatus, explanation: str = "", history: Sequence[Update] = ()) -> Entry:
        """The entry for one row of the register.

        Parameters
        ----------
        row
            The item as at the briefing's quarter.
        explanation
            The PCC's own words for it, from ``response.explanations``.
        history
            The item's updates at or before the briefing's quarter, oldest first.
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


def paragraphs(text: str) -> list[str]:
    """Text split at blank lines into paragraphs (YAML keeps them in folded blocks)."""
    return [part.strip() for part in re.split(r"\n\s*\n", str(text)) if part.strip()]


def letter_context(briefing: Facts) -> dict[str, Any]:
    report = briefing.report
    response = report.response
    force = briefing.params.force
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
                if u.quarter <= briefing.quarter
            ],
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
        "deadline": report.deadline,
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
        "figures": _figures(briefing) if response.cite_figures else None,
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


def _figures_quarter(briefing: Facts, data: dict[str, Any]) -> Quarter:
    """The quarter the figures describe: ``police_uk.quarter`` when given, else the quarter
    of their first month, else the briefing's own."""
    named = data.get("quarter")
    if isinstance(named, str):
        return Quarter.parse(named)
    months = data.get("months")
    if isinstance(months, list) and months and isinstance(months[0], str):
        return Quarter.of_month(months[0])
    return briefing.quarter


def _figures(briefing: Facts) -> dict[str, Any] | None:
    """The figures the letter may cite, or ``None`` when there are none to cite."""
    data = briefing.police_uk
    if not isinstance(data, dict):
        return None
    crime_types = data.get("crime_types") or {}
    peers = data.get("peers") or {}
    focus = data.get("focus") or list(briefing.report.crime_types)
    rows = []
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
        rows.append(
            {
                "crime_type": name,
                "label": _crime_label(name),
                "count": int(count),
                "previous_year": None if previous is None else int(previous),
                "rate": _number((figures or {}).get("rate_per_1000")),
                "peer_count": len(peer_rates),
                "peer_min": min(peer_rates) if peer_rates else None,
                "peer_max": max(peer_rates) if peer_rates else None,
            }
        )
    if not rows:
        return None
    proactive = [row["crime_type"] for row in rows if row["crime_type"] in PROACTIVE]
    return {
        "rows": rows,
        "complete": data.get("complete") is True,
        "quarter": _figures_quarter(briefing, data),
        "lagged": bool(data.get("lag")),
        "proactive": _and(proactive).capitalize() + " offences" if proactive else "",
    }


def _and(names: list[str]) -> str:
    """``Drugs`` and ``Possession of weapons`` → ``drugs and possession of weapons``."""
    words = [name.lower() for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
