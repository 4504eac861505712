"""Find a report's items in its blocks: the rules, in the order they apply.

**Sections.** A heading (or a short paragraph standing as a label) opens a section:

* "Area(s) for improvement [N]" → areas for improvement;
* "[Accelerated] cause(s) of concern [N]" → causes of concern;
* "Recommendation(s) [N]", "Our recommendations", "Recommendations for chief constables",
  "Recommendation 1 – To Chief Constables" → recommendations (the words after "for"/"to"
  give the addressee of every recommendation in the section that names none of its own).

Inside a section a heading that is only a deadline ("Immediately", "Within three
months", "By 31 March 2015") keeps the section and gives that deadline to the items under
it that state none. Inside a recommendations section an addressee heading ("For the Home
Office", "To chief constables") changes the addressee and keeps the section. Any other
heading closes the section: what follows is narrative until the next label.

**Items.** In a section an item is a paragraph or list entry that reads as an action:
a subject of at most 15 words ("the force", "By 30 September 2022, chief constables",
"HMIC recommends that within six months the force") followed by "should", "must",
"needs to", "is to" or "are to". A subject that is a pronoun or a finding ("This", "It",
"We found that the force") is narrative. Then:

* under a singular label ("Area for improvement", "Recommendation 3") the first action
  is the item and what follows is narrative; under a plural label every action is one,
  until a paragraph that is not an action;
* a cause of concern is the first paragraph after its label, action or not (causes of
  concern state a shortcoming); the recommendations that follow it, up to the next
  heading that is not a "Recommendations" label, get ``parent:`` its ref;
* a **stem**, an action ending in a colon ("The force should immediately:", "HMIC
  recommends that within six months the force should:") followed by list entries, gives
  one item per entry; the item's text is the stem and the entry joined by a space, so
  that it reads whole and carries the stem's deadline and addressee;
* a list after a colon that is not an action ("… as a result of its failure to:") is
  narrative, and so are its entries.

Outside any section only two forms are taken, as recommendations: "HMIC[FRS] recommends
that …" / "We recommend that …", and a paragraph that opens with its deadline ("By 31
March 2015 all forces should …", "Within six months, the force should …"). Both are
listed for the analyst to check.

**Refs.** The report's number where it gives one ("Recommendation 4" → ``R4``, "Area for
improvement 2" → ``AFI2``, an entry numbered 3 in an ``<ol>`` → ``R3``; entries under a
numbered recommendation → ``R4a``, ``R4b``); otherwise ``R``, ``AFI``, ``CoC`` numbered
on from the highest so far.

**Repeats.** An item whose text is already taken (a summary that lists recommendations
again in the body) is taken once, at its first place, and the repeat is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from toolkit.importer.document import Block
from toolkit.importer.due import find_due
from toolkit.vocabulary import ItemKind

__all__ = ["Found", "Scan", "find_items"]

_SEP = r"\s*(?:[:.\-–—]\s*)"
_AFI = re.compile(
    rf"^(?P<label>areas?\s+for\s+improvement)(?:\s+(?P<num>\d{{1,3}}))?(?:{_SEP}(?P<rest>.*))?$",
    re.IGNORECASE,
)
_COC = re.compile(
    rf"^(?P<label>(?:accelerated\s+)?causes?\s+of\s+concern)(?:\s+(?P<num>\d{{1,3}}))?"
    rf"(?:{_SEP}(?P<rest>.*))?$",
    re.IGNORECASE,
)
_REC = re.compile(
    rf"^(?:our\s+|summary\s+of\s+|national\s+|local\s+)?(?P<label>recommendations?)"
    rf"(?:\s+(?P<num>\d{{1,3}}[a-z]?))?(?P<sep>{_SEP})?(?P<rest>.*)$",
    re.IGNORECASE,
)
_LEAD_IN = r"^(?:(?:the|our|summary\s+of(?:\s+the)?|previous|new)\s+)?"
_TAIL = r"(?P<num>)(?P<sep>)(?P<rest>)(?:\s+(?:and|&)\s+(?:our\s+)?recommendations?)?[:.]?$"
_AFI_IN = re.compile(_LEAD_IN + r"(?P<label>areas?\s+for\s+improvement)" + _TAIL, re.I)
_COC_IN = re.compile(
    _LEAD_IN + r"(?P<label>(?:accelerated\s+)?causes?\s+of\s+concern)" + _TAIL, re.I
)
_REC_IN = re.compile(_LEAD_IN + r"(?P<label>recommendations?)" + _TAIL, re.I)
_ADDRESSEE_HEAD = re.compile(
    r"^(?:recommendations?\s+)?(?:for|to)\s+(?P<who>.+?)\s*:?$", re.IGNORECASE
)
_KNOWN_ADDRESSEES = re.compile(
    r"^(?:the\s+)?(?:chief\s+constables?|all\s+forces|forces|police\s+forces|the\s+force"
    r"|national\s+police\s+chiefs['’]?\s+council|npcc|college\s+of\s+policing|home\s+office"
    r"|national\s+crime\s+agency|nca|cps(?:\s+area\s+leads)?|crown\s+prosecution\s+service"
    r"|iopc|independent\s+office\s+for\s+police\s+conduct|government|police\s+and\s+crime"
    r"\s+commissioners|pccs|ministry\s+of\s+justice|department\s+\w+.*)$",
    re.IGNORECASE,
)
_MODAL = re.compile(
    r"\b(?:should|must|needs?\s+to|is\s+to|are\s+to|ought\s+to|will\s+need\s+to)\b", re.IGNORECASE
)
_RECOMMENDS = re.compile(
    r"^(?:HMIC(?:FRS)?|HM\s+Inspectorate\b[^,]*?|we|the\s+inspectorate)\s+(?:therefore\s+)?"
    r"recommends?\s+that\s*,?\s*",
    re.IGNORECASE,
)
_DEADLINE_LEAD = re.compile(
    r"^(?:by|not\s+later\s+than|no\s+later\s+than|within|with\s+immediate\s+effect|immediately"
    r"|before)\b[^,]*?(?:,\s*|\s+(?=(?:the|all|each|every|chief|forces|police)\b))",
    re.IGNORECASE,
)
_NARRATIVE_SUBJECT = re.compile(
    r"^(?:this|it|these|those|that|which|there|they|he|she|you|i|such|its|their|we\s+found"
    r"|we\s+(?:also\s+)?(?:saw|heard|were|are|would)|in\s+our|if|when|where|while|although"
    r"|as|because|however|victims|officers|staff|people)\b",
    re.IGNORECASE,
)
_DEADLINE_HEAD = re.compile(
    r"^(?:immediately|with\s+immediate\s+effect|within\s+\w+\s+(?:months?|weeks?)"
    r"|(?:by|not\s+later\s+than|no\s+later\s+than)\s+.+\d{4})[:.]?$",
    re.IGNORECASE,
)
_LOOSE_NUMBER = re.compile(r"^(?P<num>\d{1,2})\s+(?P<rest>[A-Z][a-z].*)$")
_NOT_A_STEM = re.compile(
    r"\b(?:failure|failed|because|found\s+that|for\s+example|such\s+as)\b", re.I
)
_PREFIX = {
    ItemKind.RECOMMENDATION: "R",
    ItemKind.AREA_FOR_IMPROVEMENT: "AFI",
    ItemKind.CAUSE_OF_CONCERN: "CoC",
}


@dataclass
class Found:
    """One item drafted from the report's text, with where it was found."""

    ref: str
    kind: ItemKind
    text: str
    where: str
    addressee: str | None = None
    due: date | str | None = None
    due_form: str = ""
    parent: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Scan:
    """What :func:`find_items` found: the items, and every passage to check."""

    items: list[Found] = field(default_factory=list)
    unsure: list[tuple[str, str]] = field(default_factory=list)
    """``(where, what)`` for each passage the analyst should look at."""


def _clip(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _tidy_addressee(who: str) -> str | None:
    who = re.sub(r"^(?:that|the\s+)?\s*", lambda m: "the " if m[0].strip() == "the" else "", who)
    who = who.strip(" ,;:–—-")
    if not who:
        return None
    return ("the" + who[3:]) if who.startswith("The ") else who


def action(text: str) -> tuple[str | None, bool] | None:
    """``(addressee, opens_with_deadline)`` when ``text`` reads as an action, else ``None``.

    The addressee is the subject before the modal verb, without the deadline or
    "HMIC recommends that"; ``None`` when the text starts at the verb ("review its …").
    """
    first = re.split(r"(?<=[.;!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
    modal = _MODAL.search(first)
    if not modal:
        return None
    subject = first[: modal.start()].strip()
    subject = re.sub(r"^.*?\brecommends?\s+that\s*,?\s*", "", subject, flags=re.IGNORECASE)
    if re.search(r"\b(?:found|saw|concluded|said|noted|expect(?:ed)?)\b", subject, re.I):
        return None
    lead = _DEADLINE_LEAD.match(subject)
    deadline_led = bool(lead)
    if lead:
        subject = subject[lead.end() :]
    subject = re.sub(r"^(?:that\s+)?", "", subject.strip(" ,")).strip()
    # "… the force should, within three months, …": the subject ends at the modal.
    if not subject:
        return None if not deadline_led else (None, True)
    if len(subject.split()) > 15 or _NARRATIVE_SUBJECT.match(subject):
        return None
    if re.search(r"\b(?:we|our)\b", subject, re.IGNORECASE):
        return None
    weak = re.fullmatch(r"(?:is|are)\s+to", modal[0], re.IGNORECASE)
    if weak and not _KNOWN_ADDRESSEES.match(subject):
        return None  # "The aim of this inspection is to …" states a purpose, not an action
    return _tidy_addressee(subject), deadline_led


def _label(block: Block) -> tuple[ItemKind, re.Match[str]] | None:
    """The section label a block carries, if any. A paragraph is a label only when it is
    the label alone, or the label is followed by a number or a separator
    ("Recommendation 2: …", "Area for improvement – The force should …"). A list entry or
    a table cell is never a label (a table of contents, a column headed "Recommendation")."""
    if block.kind in ("entry", "cell"):
        return None
    for kind, pattern in (
        (ItemKind.AREA_FOR_IMPROVEMENT, _AFI),
        (ItemKind.CAUSE_OF_CONCERN, _COC),
        (ItemKind.RECOMMENDATION, _REC),
    ):
        match = pattern.match(block.text)
        if not match:
            continue
        if block.kind == "heading" or match["num"] or not (match["rest"] or "").strip():
            return kind, match
        if kind is ItemKind.RECOMMENDATION and match["sep"]:
            return kind, match
        if kind is not ItemKind.RECOMMENDATION and match["rest"] is not None:
            return kind, match
    if block.kind == "heading" and block.level != 1:
        # "Causes of concern and recommendations", "The cause of concern"
        for kind, pattern in (
            (ItemKind.CAUSE_OF_CONCERN, _COC_IN),
            (ItemKind.AREA_FOR_IMPROVEMENT, _AFI_IN),
            (ItemKind.RECOMMENDATION, _REC_IN),
        ):
            found = pattern.search(block.text)
            if found:
                return kind, found
    return None


@dataclass
class _State:
    kind: ItemKind | None = None
    plural: bool = False
    number: str = ""
    taken: int = 0
    addressee: str | None = None
    parent: str | None = None
    coc_open: bool = False
    where: str = ""
    heading: bool = False
    """The section was opened by a heading (an empty one is reported)."""
    due_heading: str = ""
    """A deadline heading the section's items fall under ("Within three months")."""


class _Refs:
    def __init__(self) -> None:
        self.used: set[str] = set()
        self.highest: dict[str, int] = {}

    def make(self, kind: ItemKind, number: str = "", sub: str = "") -> tuple[str, str]:
        """A ref and a note ("" unless the report's number was already used)."""
        prefix = _PREFIX[kind]
        note = ""
        if number:
            ref = f"{prefix}{number}{sub}"
            if ref not in self.used:
                self._use(prefix, ref, number)
                return ref, ""
            note = f"the report's number {number} is used twice: numbered on instead"
        top = self.highest.get(prefix, 0) + 1
        ref = f"{prefix}{top}{sub}"
        while ref in self.used:
            top += 1
            ref = f"{prefix}{top}{sub}"
        self._use(prefix, ref, str(top))
        return ref, note

    def _use(self, prefix: str, ref: str, number: str) -> None:
        self.used.add(ref)
        digits = re.match(r"\d+", number)
        if digits:
            self.highest[prefix] = max(self.highest.get(prefix, 0), int(digits[0]))


def _subletters(count: int) -> list[str]:
    return [chr(ord("a") + i) if i < 26 else f"_{i + 1}" for i in range(count)]


class _Finder:
    """One pass over a document's blocks (:func:`find_items`)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.scan = Scan()
        self.refs = _Refs()
        self.state = _State()
        self.seen: dict[str, str] = {}

    # -- taking items -------------------------------------------------------------------
    def take(
        self,
        kind: ItemKind,
        text: str,
        where: str,
        *,
        addressee: str | None,
        number: str = "",
        sub: str = "",
        notes: list[str] | None = None,
    ) -> Found | None:
        key = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
        if key in self.seen:
            self.scan.unsure.append((where, f"repeats the item at {self.seen[key]}; taken once"))
            self.state.taken += 1  # the section's item is there, at its first place
            return None
        self.seen[key] = where
        ref, ref_note = self.refs.make(kind, number, sub)
        due, due_notes = find_due(text)
        if due is None and self.state.due_heading:
            due, due_notes = find_due(self.state.due_heading + ", the force should")
        found = Found(
            ref=ref,
            kind=kind,
            text=text,
            where=where,
            addressee=addressee,
            due=due.value if due else None,
            due_form=due.form if due else "",
            parent=self.state.parent if kind is ItemKind.RECOMMENDATION else None,
            notes=[*(notes or []), *due_notes, *([ref_note] if ref_note else [])],
        )
        if len(text.split()) > 90:
            found.notes.append(f"{len(text.split())} words: it may run into narrative")
        self.scan.items.append(found)
        self.state.taken += 1
        for note in found.notes:
            self.scan.unsure.append((where, f"{ref}: {note}"))
        return found

    def entries_after(self, start: int) -> list[Block]:
        out = []
        for block in self.blocks[start:]:
            if block.kind != "entry":
                break
            out.append(block)
        return out

    def take_stem(
        self,
        stem: Block,
        start: int,
        kind: ItemKind,
        addressee: str | None,
        notes: list[str] | None = None,
    ) -> int:
        """Items from the list entries after a stem; returns how many entries were used."""
        entries = self.entries_after(start)
        letters = _subletters(len(entries))
        number = self.state.number
        for position, entry in enumerate(entries):
            if number:
                sub = entry.marker if entry.marker.isalpha() else letters[position]
                ref_number, ref_sub = number, sub
            elif entry.marker.isdigit():
                ref_number, ref_sub = entry.marker, ""
            else:
                ref_number, ref_sub = "", ""
            self.take(
                kind,
                f"{stem.text} {entry.text}",
                entry.where,
                addressee=addressee or self.state.addressee,
                number=ref_number,
                sub=ref_sub,
                notes=notes,
            )
        self.state.number = ""
        return len(entries)

    def skip_list(self, start: int) -> int:
        """A narrative list (after "as a result of its failure to:"): skipped whole."""
        return len(self.entries_after(start))

    # -- sections -----------------------------------------------------------------------
    def close_section(self) -> None:
        state = self.state
        if state.kind is not None and state.taken == 0 and state.heading:
            self.scan.unsure.append(
                (state.where, f"a {state.kind.value} heading with no item found under it")
            )
        self.state = _State()

    def open_section(self, block: Block, kind: ItemKind, match: re.Match[str], index: int) -> int:
        state = self.state
        rest = (match["rest"] or "").strip()
        number = match["num"] or ""
        plural = not number and bool(
            re.match(r"^(?:\w+\s+)?(?:areas|causes|recommendations)\b", match["label"], re.I)
        )
        parent = state.parent if kind is ItemKind.RECOMMENDATION else None
        previous_addressee = state.addressee if state.kind is kind else None
        if state.kind is not None and state.taken == 0 and state.heading and state.kind is not kind:
            self.scan.unsure.append(
                (state.where, f"a {state.kind.value} heading with no item found under it")
            )
        addressee = None
        who = re.match(r"^(?:to|for)\s+(.+)$", rest, re.IGNORECASE) if rest else None
        if who and not _MODAL.search(rest):
            addressee, rest = _tidy_addressee(who[1]), ""
        elif rest and not _MODAL.search(rest) and _KNOWN_ADDRESSEES.match(rest):
            addressee, rest = _tidy_addressee(rest), ""  # "Recommendation 2: the NPCC"
        self.state = _State(
            kind=kind,
            plural=plural,
            number=number,
            addressee=addressee or previous_addressee,
            parent=parent,
            where=block.where,
            due_heading=state.due_heading if state.kind is kind else "",
            heading=block.kind == "heading",
        )
        if rest and (kind is ItemKind.CAUSE_OF_CONCERN or action(rest) is not None):
            return self.in_section(Block(block.kind, rest, block.where), index)
        return 0

    def in_section(self, block: Block, index: int) -> int:
        """A paragraph or entry inside a section; returns how many later blocks it used."""
        state = self.state
        assert state.kind is not None
        kind = state.kind
        loose = _LOOSE_NUMBER.match(block.text) if block.kind == "para" else None
        if loose and action(loose["rest"]) is not None:
            # "1 The force should …": a number set apart by space only (PDFs, plain text)
            block = Block("entry", loose["rest"], block.where, loose["num"])
        if kind is ItemKind.CAUSE_OF_CONCERN and not state.coc_open:
            if len(block.text.split()) < 4:
                return 0
            found = self.take(
                kind,
                block.text,
                block.where,
                addressee=_addressee_of(block.text),
                number=state.number,
            )
            state.coc_open = True
            state.number = ""
            state.parent = found.ref if found else None
            return 0
        if kind is ItemKind.CAUSE_OF_CONCERN:
            # After the cause of concern: its recommendations, as a stem or actions.
            read = action(block.text)
            if read is None and not _RECOMMENDS.match(block.text):
                return 0
            state.kind, state.plural, state.taken = ItemKind.RECOMMENDATION, True, 0
            return self.in_section(block, index)
        single_done = not state.plural and state.taken > 0
        read = action(block.text)
        recommends = bool(_RECOMMENDS.match(block.text))
        if block.text.endswith(":"):
            entries = self.entries_after(index)
            if (read is not None or recommends) and not _NOT_A_STEM.search(block.text) and entries:
                addressee = read[0] if read else None
                return self.take_stem(block, index, kind, addressee)
            return self.skip_list(index) if entries else 0
        if single_done:
            return 0
        if read is None and not recommends:
            if state.taken and state.plural and block.kind == "para":
                state.plural = False  # a run of actions ended by narrative
            return 0
        addressee = (read[0] if read else None) or state.addressee
        number = state.number or (block.marker if block.marker.isdigit() else "")
        before = self.blocks[index - 2] if index >= 2 else None
        if not number and block.kind == "cell" and before is not None and before.kind == "cell":
            numbered = re.fullmatch(
                r"(?:R|Rec(?:ommendation)?\.?\s*)?(\d{1,3}[a-z]?)\.?", before.text
            )
            number = numbered[1] if numbered else ""  # a table's "No." column
        self.take(
            kind,
            block.text,
            block.where,
            addressee=addressee,
            number=number,
            notes=_run_on(block.text),
        )
        state.number = ""
        return 0

    def outside(self, block: Block, index: int) -> int:
        """A paragraph outside any section: only "… recommends that" and deadline-led
        actions are taken; an action with a known addressee is reported, not taken."""
        read = action(block.text)
        recommends = bool(_RECOMMENDS.match(block.text))
        deadline_led = bool(read and read[1] and block.text[:1].isupper())
        note = "found outside a recommendations section"
        if recommends or deadline_led:
            if block.text.endswith(":"):
                entries = self.entries_after(index)
                if entries and not _NOT_A_STEM.search(block.text):
                    return self.take_stem(
                        block,
                        index,
                        ItemKind.RECOMMENDATION,
                        read[0] if read else None,
                        notes=[note],
                    )
                return 0
            self.take(
                ItemKind.RECOMMENDATION,
                block.text,
                block.where,
                addressee=read[0] if read else None,
                notes=[note],
            )
            return 0
        if read is not None and read[0] and _KNOWN_ADDRESSEES.match(read[0]):
            self.scan.unsure.append((block.where, f"not taken (narrative?): {_clip(block.text)!r}"))
        if block.text.endswith(":"):
            return self.skip_list(index)
        return 0

    def run(self) -> Scan:
        index = 0
        blocks = self.blocks
        while index < len(blocks):
            block = blocks[index]
            index += 1
            label = _label(block)
            if label is not None:
                index += self.open_section(block, *label, index)
                continue
            if block.kind == "heading":
                if self.state.kind is not None and _DEADLINE_HEAD.match(block.text):
                    self.state.due_heading = block.text.rstrip(":.")
                    continue
                if self.state.kind is ItemKind.RECOMMENDATION:
                    head = _ADDRESSEE_HEAD.match(block.text)
                    if head or _KNOWN_ADDRESSEES.match(block.text):
                        self.state.addressee = _tidy_addressee(head["who"] if head else block.text)
                        self.state.parent = None
                        continue
                self.close_section()
                continue
            if self.state.kind is not None:
                index += self.in_section(block, index)
            else:
                index += self.outside(block, index)
        self.close_section()
        return self.scan


def _run_on(text: str) -> list[str]:
    """A note when an item's paragraph runs on into findings ("… We found it did not.")."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    if any(re.match(r"(?:We|HMIC(?:FRS)?|Our)\b", s) for s in sentences[1:]):
        return ["the paragraph runs on into findings: check where the item ends"]
    return []


def _addressee_of(text: str) -> str | None:
    read = action(text)
    return read[0] if read else None


def find_items(blocks: list[Block]) -> Scan:
    """Every item in the blocks, by the rules of this module, and the passages to check."""
    return _Finder(blocks).run()
