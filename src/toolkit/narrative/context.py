"""What the letter templates get from the briefing: the context, its filters and gap().

:func:`_context` is the mapping every part template renders with; :func:`_gap`,
:func:`_full_stop` and :func:`_words` are the global and filters the templates use.

Decisions where the contract is silent
--------------------------------------
* **Salutation**: from the addressee's second line (its title) when that names an office:
  "Home Secretary" gives "Dear Home Secretary", "Secretary of State …" gives "Dear Secretary
  of State", "… Minister …" gives "Dear Minister"; anything else gives "Dear Sir or Madam".
  The close follows British usage: "Yours sincerely" after a named salutation, "Yours
  faithfully" after "Dear Sir or Madam".
* **Gaps**: where the params lack a fact the letter needs, the draft says so in brackets
  (``[No update recorded for R4 — explanation required]``) instead of inventing text. In
  HTML a gap has class ``gap``, in Markdown it stays bracketed plain text, in Word it is a
  yellow-highlighted run.
* **Order of items**: recommendations, causes of concern, areas for improvement and local
  actions appear in report order, each explained from its latest update at or before the
  briefing's quarter.
* **Figures** (``response.cite_figures``): one sentence per crime type of the report, from
  data.police.uk, with the range of peer forces' rates; left out when there are no figures,
  and flagged as incomplete when a month of the quarter has no data. The sentence names the
  quarter the figures describe (``police_uk.quarter``: the latest complete quarter at or
  before the letter's), which may be earlier than the briefing's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from toolkit.narrative.model import PARTS

if TYPE_CHECKING:
    from toolkit.briefing import Briefing
    from toolkit.register import ItemStatus

_NOUNS = {
    "recommendation": "recommendation",
    "cause-of-concern": "cause of concern",
    "area-for-improvement": "area for improvement",
    "local-action": "local action",
}
_CHIEF_CONSTABLES = re.compile(r"\bchief\s+constables?\b", re.IGNORECASE)
_SALUTATIONS = (
    ("home secretary", "Dear Home Secretary"),
    ("secretary of state", "Dear Secretary of State"),
    ("minister", "Dear Minister"),
)
_FALLBACK_SALUTATION = "Dear Sir or Madam"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _gap(text: str) -> Markup:
    """A visible gap marker, ``[text]``, for something the params do not give."""
    return Markup('<span class="gap">[{}]</span>').format(text)


def _full_stop(text: str) -> str:
    """End a sentence with a full stop unless it already ends with punctuation."""
    text = str(text).rstrip()
    return text if not text or text[-1] in ".!?" else text + "."


def _words(count: int) -> str:
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


@dataclass(frozen=True)
class Entry:
    """One item as the letter explains it (from :class:`toolkit.register.ItemStatus`).

    ``update`` is the latest update's text at or before the quarter (empty when there is
    none, or none was written); ``has_update`` says whether any update row exists.
    ``report_due`` is the report's due date and ``target`` the force's latest target date;
    ``due`` is the first of them that is set (the register's rule for overdue).
    """

    ref: str
    kind: str
    noun: str
    text: str
    addressee: str
    status: str
    open: bool
    due: date | None
    has_update: bool
    update: str
    report_due: date | None = None
    target: date | None = None

    @classmethod
    def of(cls, row: ItemStatus) -> Entry:
        """The entry for one row of the register."""
        latest = row.latest
        return cls(
            ref=row.item.ref,
            kind=row.item.kind,
            noun=_NOUNS[row.item.kind],
            text=row.item.text,
            addressee=row.item.addressee or "",
            status=row.status,
            open=row.open,
            due=row.due,
            has_update=latest is not None,
            update=(latest.update or "").strip() if latest is not None else "",
            report_due=row.report_due,
            target=row.target,
        )


def _context(briefing: Briefing) -> dict[str, Any]:
    report = briefing.report
    force = briefing.params.force
    order = {item.ref: index for index, item in enumerate(report.items)}
    rows = sorted(briefing.items, key=lambda r: order.get(r.item.ref, len(order)))
    entries = [Entry.of(row) for row in rows]

    def of_kind(kind: str) -> list[Entry]:
        return [e for e in entries if e.kind == kind]

    recommendations = of_kind("recommendation")
    greeting = salutation(list(force.addressee))
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
        "salutation": greeting,
        "closing": "Yours faithfully" if greeting == _FALLBACK_SALUTATION else "Yours sincerely",
        "sent": report.response.sent,
        "deadline": report.deadline,
        "welcome": list(report.response.welcome),
        "concerns": list(report.response.concerns),
        "recommendations": recommendations,
        "for_chief_constables": sum(
            bool(_CHIEF_CONSTABLES.search(e.addressee)) for e in recommendations
        ),
        "causes": of_kind("cause-of-concern"),
        "afis": of_kind("area-for-improvement"),
        "local_actions": of_kind("local-action"),
        "chief_constable_comments": report.response.chief_constable_comments or "",
        "recommendations_statement": report.response.recommendations or "",
        "figures": _figures(briefing) if report.response.cite_figures else None,
        "monitoring": report.response.monitoring or force.letter.monitoring or "",
        "publication": force.letter.publication or "",
        "website": force.pcc.website or "",
        "signature_title": force.letter.signature_title
        or f"Police and Crime Commissioner for {force.pcc.area}",
    }


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


def _figures(briefing: Briefing) -> dict[str, Any] | None:
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
        rows.append(
            {
                "crime_type": name,
                "label": _crime_label(name),
                "count": int(count),
                "rate": _number((figures or {}).get("rate_per_1000")),
                "peer_count": len(peer_rates),
                "peer_min": min(peer_rates) if peer_rates else None,
                "peer_max": max(peer_rates) if peer_rates else None,
            }
        )
    if not rows:
        return None
    from toolkit.quarters import Quarter

    described = Quarter.parse(data["quarter"]) if data.get("quarter") else briefing.quarter
    return {
        "rows": rows,
        "complete": data.get("complete") is True,
        "quarter": described,
        "lagged": bool(data.get("lag")),
    }
