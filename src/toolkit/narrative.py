"""The draft s55 response letter: one wording, rendered as HTML, Markdown and Word.

How the letter is made
----------------------
The wording lives in Jinja2 templates, ``templates/letter/parts/<part>.html.j2``, one per
part of a published response (``draft.html.j2`` lists them in order). They are rendered with
autoescaping into a small, fixed vocabulary of HTML elements (``h1``-``h3``, ``p`` with a
class for the letter's furniture, ``ul``/``ol``/``li``, ``blockquote``, ``br`` and
``<span class="gap">`` for a gap marker), which is read back into a :class:`Letter`: a list of
typed :class:`Block` s made of typed :class:`Segment` s. Because every value from params is
autoescaped on the way in, text such as ``<script>`` or ``{{ 7*7 }}`` in a recommendation can
only ever become text in the model, never structure or code. The model is then rendered three
ways: ``letter/render.html.j2`` (the briefing, escaped), ``letter/render.md.j2`` (Markdown,
every piece of text escaped by the ``md`` filter) and python-docx (literal runs).

A force changes the wording by naming a folder in ``force.yaml`` (``templates: templates``)
that holds a file of the same name, e.g. ``templates/letter/parts/monitoring.html.j2``; that
file is used instead of the shipped one, part by part.

Decisions where the contract is silent
--------------------------------------
* **Date**: the letter is dated ``response.sent`` when the report file gives it; otherwise
  the date line is the gap marker ``[Date of sending]``, filled in when the letter goes.
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
  and flagged as incomplete when a month of the quarter has no data.

Compliance checks
-----------------
:attr:`Letter.compliance` lists :class:`Check` s with these ids: ``report-facts``,
``recommendations-explained`` (s55(5B)), ``chief-constable-comments`` (s55(4), (5)),
``publication-stated`` (s55(5)), ``copies-sent`` (s55(6)), ``sent-in-time`` (s55(5A)) and
``no-gaps``. They are reported, not enforced: a draft with failing checks is still written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jinja2 import Environment, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from toolkit.errors import InputError, Problem
from toolkit.render import environment, uk_date

if TYPE_CHECKING:
    from toolkit.briefing import Briefing
    from toolkit.register import ItemStatus

PARTS = (
    "addressee",
    "date",
    "salutation",
    "title",
    "opening",
    "welcome",
    "recommendations",
    "chief-constable",
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


# --------------------------------------------------------------------------- the model


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
class Check:
    """One s55 compliance check: ``requirement`` in words, whether it ``passed``, and why."""

    id: str
    requirement: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-native form, for ``figures.json``."""
        return {
            "id": self.id,
            "requirement": self.requirement,
            "passed": self.passed,
            "detail": self.detail,
        }


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
        path = Path(path)
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            _write_docx(self, temporary)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


# --------------------------------------------------------------------------- drafting


def draft_letter(briefing: Briefing) -> Letter:
    """Draft the s55 response for one briefing.

    Parameters
    ----------
    briefing
        From :func:`toolkit.briefing.build`: the report, the force file, and the register's
        items as at the briefing's quarter.

    Raises
    ------
    InputError
        When a letter template (shipped or the force's own) cannot be rendered or uses an
        element the letter cannot hold.
    """
    from toolkit.render import template_override

    override = template_override(briefing)
    context = _context(briefing)
    env = environment(override)  # shared per process; adding the same names is idempotent
    env.globals["gap"] = _gap
    env.filters.update(full_stop=_full_stop, words=_words)
    try:
        source = env.get_template("letter/draft.html.j2").render(**context)
    except TemplateSyntaxError as err:
        raise InputError(
            Problem(
                err.filename or err.name or "letter template",
                "",
                err.message or "",
                line=err.lineno,
            )
        ) from None
    except TemplateError as err:
        raise InputError(
            Problem(_template_name(override), "", f"cannot render the letter: {err.message}")
        ) from None
    blocks = _read(source, _template_name(override))
    return Letter(
        blocks=tuple(blocks),
        compliance=tuple(_checks(briefing, context, blocks)),
        templates=override,
        author=briefing.params.force.pcc.name,
    )


def _template_name(override: Path | None) -> str:
    return f"letter templates ({override})" if override else "letter templates"


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
    return {"rows": rows, "complete": data.get("complete") is True}


# --------------------------------------------------------------------------- reading back

_BLOCK_CLASSES: dict[str, BlockKind] = {
    "address": "address",
    "date": "date",
    "salutation": "salutation",
    "closing": "closing",
    "signature": "signature",
}
_HEADINGS: dict[str, BlockKind] = {"h1": "title", "h2": "heading", "h3": "subheading"}
_ELEMENTS = ("section", "h1", "h2", "h3", "p", "ul", "ol", "li", "blockquote", "br", "span")
_SPACE = re.compile(r"\s+")


class _TemplateProblem(Exception):
    pass


@dataclass
class _Open:
    kind: BlockKind
    part: str
    segments: list[Segment] = field(default_factory=list)
    list_id: int | None = None
    continued: bool = False

    def has_content(self) -> bool:
        return any(s.kind != "text" or s.text.strip() for s in self.segments)


class _Reader(HTMLParser):
    """Reads the rendered letter templates back into blocks (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.part = ""
        self.lists: list[tuple[BlockKind, int]] = []
        self.list_count = 0
        self.item_blocks = 0
        self.in_item = False
        self.in_quote = False
        self.in_gap = False
        self.current: _Open | None = None

    def _open(self, kind: BlockKind) -> None:
        self._close()
        self.current = _Open(kind, self.part)

    def _open_implicit(self) -> None:
        if self.in_item and self.lists:
            kind, list_id = self.lists[-1]
            self.current = _Open(kind, self.part, list_id=list_id, continued=self.item_blocks > 0)
        else:
            self.current = _Open("quote" if self.in_quote else "paragraph", self.part)

    def _close(self) -> None:
        if self.current is None:
            return
        segments = _normalise(self.current.segments)
        if segments:
            self.blocks.append(
                Block(
                    self.current.kind,
                    self.current.part,
                    segments,
                    self.current.list_id,
                    self.current.continued,
                )
            )
            if self.current.list_id is not None:
                self.item_blocks += 1
        self.current = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _ELEMENTS:
            raise _TemplateProblem(f"<{tag}> is not an element the letter can hold")
        if tag == "section":
            self._close()
            self.part = attributes.get("data-part") or ""
        elif tag in _HEADINGS:
            self._open(_HEADINGS[tag])
        elif tag == "p":
            if self.current is not None and not self.current.has_content():
                return
            self._close()
            if self.in_item or self.in_quote:
                self._open_implicit()
            else:
                self.current = _Open(
                    _BLOCK_CLASSES.get(attributes.get("class") or "", "paragraph"), self.part
                )
        elif tag in ("ul", "ol"):
            self._close()
            self.list_count += 1
            self.lists.append(("number" if tag == "ol" else "bullet", self.list_count))
        elif tag == "li":
            self._close()
            if not self.lists:
                raise _TemplateProblem("<li> outside <ul> or <ol>")
            self.in_item, self.item_blocks = True, 0
            self._open_implicit()
        elif tag == "blockquote":
            self._close()
            self.in_quote = True
        elif tag == "br":
            if self.current is None:
                self._open_implicit()
            assert self.current is not None
            self.current.segments.append(Segment("break"))
        elif tag == "span":
            if attributes.get("class") != "gap":
                raise _TemplateProblem('<span> without class="gap"')
            self.in_gap = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "h1", "h2", "h3", "section"):
            self._close()
        elif tag == "li":
            self._close()
            self.in_item = False
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.in_quote = False
        elif tag == "span":
            self.in_gap = False

    def handle_data(self, data: str) -> None:
        if self.current is None:
            if not data.strip():
                return
            self._open_implicit()
        assert self.current is not None
        self.current.segments.append(Segment("gap" if self.in_gap else "text", data))

    def close(self) -> None:
        super().close()
        self._close()


def _normalise(segments: list[Segment]) -> tuple[Segment, ...]:
    """Collapse white space as HTML does, keeping gap markers and breaks in place."""
    result: list[Segment] = []
    pending_space = False
    for segment in segments:
        if segment.kind == "break":
            if result and result[-1].kind == "text":
                result[-1] = Segment("text", result[-1].text.rstrip(" "))
            result.append(segment)
            pending_space = False
            continue
        text = _SPACE.sub(" ", segment.text)
        if text.startswith(" "):
            pending_space = True
            text = text[1:]
        if not text:
            continue
        if pending_space and result and result[-1].kind != "break":
            result.append(Segment("text", " "))
        if segment.kind == "gap":
            result.append(Segment("gap", text.strip()))
            pending_space = text.endswith(" ")
        else:
            pending_space = text.endswith(" ")
            result.append(Segment("text", text.rstrip(" ")))
    merged: list[Segment] = []
    for segment in result:
        if merged and segment.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Segment("text", merged[-1].text + segment.text)
        else:
            merged.append(segment)
    while merged and merged[-1].kind == "break":
        merged.pop()
    return tuple(s for s in merged if s.kind != "text" or s.text)


def _read(source: str, where: str) -> list[Block]:
    reader = _Reader()
    try:
        reader.feed(source)
        reader.close()
    except _TemplateProblem as err:
        raise InputError(
            Problem(
                where,
                "",
                str(err),
                expected="h1-h3, p, ul, ol, li, blockquote, br and gap() markers",
            )
        ) from None
    return reader.blocks


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


# --------------------------------------------------------------------------- Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]<>#~|$]|&(?=[#A-Za-z]))")
_MD_LINE_START = re.compile(r"^(?:([+\-=])|(\d+)([.)]))")


def _md_text(text: str) -> str:
    """Escape Markdown syntax so that ``text`` renders literally."""
    return _MD_INLINE.sub(r"\\\1", text)


def _md_line_start(line: str) -> str:
    """Escape what would start a list, heading underline or rule at the start of a line."""
    match = _MD_LINE_START.match(line)
    if not match:
        return line
    if match.group(1):
        return "\\" + line
    digits = match.group(2)
    return f"{digits}\\{line[len(digits) :]}"


def _md_block(block: Block, indent: str = "") -> str:
    """A block's text as escaped Markdown; line breaks continue with ``indent``."""
    lines = [""]
    for segment in block.segments:
        if segment.kind == "break":
            lines.append("")
        else:
            lines[-1] += _md_text(segment.text)
    lines = [_md_line_start(line) for line in lines]
    return ("\\\n" + indent).join(lines)


def _markdown_environment(override: Path | None) -> Environment:
    env = environment(override).overlay(autoescape=False)
    env.filters = {**env.filters, "md": _md_block}
    return env


# --------------------------------------------------------------------------- checks


def _checks(briefing: Briefing, context: dict[str, Any], blocks: list[Block]) -> list[Check]:
    report = briefing.report
    published, deadline = report.published, report.deadline
    body = " ".join(
        b.text for b in blocks if b.part not in ("addressee", "salutation", "title")
    ).casefold()
    whole = " ".join(b.text for b in blocks)
    gaps = [gap for b in blocks for gap in b.gaps]
    checks = []

    states_date = uk_date(published) in whole
    checks.append(
        Check(
            "report-facts",
            "The letter names the report and the date HMICFRS published it, from which the "
            "s55(5A) period of 56 days runs (publication day is day 1).",
            bool(report.title) and states_date,
            f"Published {uk_date(published)}; the response is due by {uk_date(deadline)}."
            if states_date
            else f"The letter does not state the publication date ({uk_date(published)}).",
        )
    )

    recommendations = context["recommendations"]
    missing = [e.ref for e in recommendations if not e.update]
    statement = context["recommendations_statement"]
    if not recommendations and statement:
        missing = ["(not itemised)"]
        detail = (
            "The report's recommendations are not itemised in the register, so the letter "
            "gives a general statement (response.recommendations): add each recommendation as "
            "an item with its verbatim text to explain each one."
        )
    elif not recommendations:
        detail = "The report makes no recommendations for the force; the letter says so."
    elif missing:
        detail = (
            f"No explanation for {', '.join(missing)}: record an update (for a not-accepted "
            "recommendation, the reason) in the quarter's update file."
        )
    else:
        count = len(recommendations)
        detail = f"{'All ' if count > 1 else ''}{count} recommendation{'s' if count != 1 else ''}"
        detail += f" {'have' if count != 1 else 'has'} an explanation."
    checks.append(
        Check(
            "recommendations-explained",
            "s55(5B): for each recommendation, the action taken or proposed, or why none is.",
            not missing,
            detail,
        )
    )

    comments = bool(context["chief_constable_comments"])
    checks.append(
        Check(
            "chief-constable-comments",
            "s55(4) and (5): the chief constable's comments, invited by the PCC, are published "
            "with the PCC's.",
            comments,
            "The letter quotes the Chief Constable's comments."
            if comments
            else "No comments from the Chief Constable (response.chief_constable_comments).",
        )
    )

    publication = [b for b in blocks if b.part == "publication"]
    stated = bool(publication) and not any(b.gaps for b in publication)
    where = context["website"] or "the place given in force.yaml (letter.publication)"
    checks.append(
        Check(
            "publication-stated",
            "s55(5): the letter says where the comments are published.",
            stated,
            f"Published on {where}."
            if stated
            else "No publication place: give pcc.website or letter.publication in force.yaml.",
        )
    )

    inspectorate = "hmicfrs" in body or "inspectorate of constabulary" in body
    home_secretary = "home secretary" in body or "secretary of state" in body
    checks.append(
        Check(
            "copies-sent",
            "s55(6): a copy goes to HMICFRS and to the Home Secretary.",
            inspectorate and home_secretary,
            "The letter says a copy goes to HMICFRS and to the Home Secretary."
            if inspectorate and home_secretary
            else "The letter does not say that a copy goes to "
            + " and ".join(
                name
                for name, ok in (("HMICFRS", inspectorate), ("the Home Secretary", home_secretary))
                if not ok
            )
            + ".",
        )
    )

    sent: date | None = report.response.sent
    if sent is None:
        on_time, detail = False, f"Not sent yet (response.sent): due by {uk_date(deadline)}."
    else:
        day = (sent - published).days + 1
        late = (sent - deadline).days
        on_time = late <= 0
        detail = f"Sent on {uk_date(sent)}, day {day} of the 56"
        if not on_time:
            detail = (
                f"Sent on {uk_date(sent)} (day {day}), {late} day{'s' if late != 1 else ''} "
                f"after the deadline of {uk_date(deadline)}"
            )
        detail += "."
    checks.append(
        Check(
            "sent-in-time",
            "s55(5A): published before the end of 56 days beginning with the day the report was "
            f"published (by {uk_date(deadline)}).",
            on_time,
            detail,
        )
    )

    checks.append(
        Check(
            "no-gaps",
            "Every gap marked in the draft is filled before the response is sent.",
            not gaps,
            "No gaps."
            if not gaps
            else f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}: " + "; ".join(gaps),
        )
    )
    return checks


# --------------------------------------------------------------------------- Word

_FONT = "Arial"
_STYLE_SIZES = {"Normal": 11, "Heading 1": 14, "Heading 2": 12, "Heading 3": 11, "Quote": 11}
_DOCX_STYLES: dict[str, str] = {
    "title": "Heading 1",
    "heading": "Heading 2",
    "subheading": "Heading 3",
    "bullet": "List Bullet",
    "number": "List Number",
    "quote": "Quote",
}


def _set_font(style: Any, size: int) -> None:
    """Arial in black at ``size`` points, replacing the template's theme fonts."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = _FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:cs"), _FONT)


def _set_language(style: Any, language: str = "en-GB") -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def _prepare_document(letter: Letter) -> Any:
    """A blank A4 document with the letter's styles."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    styles = document.styles
    for name, size in _STYLE_SIZES.items():
        _set_font(styles[name], size)
    _set_language(styles["Normal"])
    normal = styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(8), 1.15
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.bold = True
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    styles["Quote"].font.italic = True
    quote = styles["Quote"].paragraph_format
    quote.left_indent = quote.right_indent = Cm(1)
    properties = document.core_properties
    properties.title = letter.title
    properties.author = letter.author
    properties.subject = "Draft response under section 55 of the Police Act 1996"
    properties.language = "en-GB"
    return document


def _restart_numbering(document: Any) -> int:
    """A new numbering instance of "List Number" that starts again at 1."""
    numbering = document.part.numbering_part.element
    style = document.styles["List Number"].element
    abstract = numbering.num_having_numId(style.pPr.numPr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _write_docx(letter: Letter, path: Path) -> None:
    """Write ``letter`` as a Word document at ``path`` (not atomic: see ``Letter.to_docx``)."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Cm, Pt

    document = _prepare_document(letter)
    numbering: dict[int, int] = {}
    for block in letter.blocks:
        if block.continued:
            paragraph = document.add_paragraph(style="List Continue")
        else:
            paragraph = document.add_paragraph(style=_DOCX_STYLES.get(block.kind, "Normal"))
        fmt = paragraph.paragraph_format
        if block.kind == "number" and block.list_id is not None and not block.continued:
            if block.list_id not in numbering:
                numbering[block.list_id] = _restart_numbering(document)
            numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numpr.get_or_add_ilvl().val = 0
            numpr.get_or_add_numId().val = numbering[block.list_id]
        if block.kind == "date":
            fmt.space_before, fmt.space_after = Pt(18), Pt(18)
        elif block.kind == "address":
            fmt.space_after = Pt(0)
        elif block.kind == "signature":
            fmt.space_before = Pt(42)
        if block.kind in ("closing", "salutation") or (block.list_id and not block.continued):
            fmt.keep_with_next = True  # a close never ends a page without its signature
        elif block.continued:
            fmt.left_indent, fmt.space_after = Cm(0.63), Pt(10)
        for segment in block.segments:
            if segment.kind == "break":
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(segment.text)
            if segment.kind == "gap":
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                run.bold = True
    document.save(str(path))


__all__ = ["PARTS", "Block", "Check", "Entry", "Letter", "Segment", "draft_letter", "salutation"]
