"""The params root: ``force.yaml``, ``reports/<id>.yaml`` and ``updates/<quarter>.*``.

Everything a briefing needs from the user is loaded and validated here, before
anything runs. Every problem found in any file is collected and raised together
as one :class:`~toolkit.errors.InputError`, one line per problem::

    reports/peel-2022.yaml:14: items[1].due: not a due date (expected a date as
    YYYY-MM-DD, "immediately" or "within N months", got '31/07/2020')

Paths inside params files are relative to the params root. Nothing here writes
to the params root.

Longer than most modules because it holds the schema of every params file (force, report,
item, response) beside the checks that need more than one file; the schema is the
contract users write to, and splitting it would scatter one document's rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    field_validator,
)

from toolkit.errors import InputError, Problem, shown
from toolkit.files.containment import inside, outside_root
from toolkit.files.letterfile import read_paragraphs
from toolkit.files.snapshot import ORIGIN_FILE, data_copies
from toolkit.files.yamlfile import Loc, problems_from, read_yaml
from toolkit.quarters import FIRST_YEAR, LAST_YEAR, Quarter
from toolkit.record.dates import FORMS as DATE_FORMS
from toolkit.record.dates import NotADate, parse_day
from toolkit.record.rag import RagRules
from toolkit.record.updates import Update, read_updates
from toolkit.text.characters import control_character
from toolkit.vocabulary import (
    POLICE_UK_CRIME_TYPES,
    ItemKind,
    ReportKind,
    closest_crime_type,
    police_uk_crime_type,
)

REPORT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would let "id\n" through
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SUPERSEDES = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/\S.*\Z")
MAX_ID_LENGTH = 100
"""The longest report id: it names files and folders (``.staging-<id>-<pid>``, ...),
which most file systems limit to 255 bytes."""
FAILED_FOLDER = "failed"
"""``<out>/<quarter>/failed/``: where a run keeps the notebook of a briefing that failed."""
RESERVED_IDS = frozenset(
    {FAILED_FOLDER, "index", "manifest", "tracker", "tracker-public", "updates-request",
     "cache", "staging", "old"}
)  # fmt: skip
"""Names the outputs use beside the report folders in ``<out>/<quarter>/`` (the failed
notebooks' folder; the stems of ``index.*``, ``manifest.json``, ``tracker*.*`` and
``updates-request-*.xlsx``; the run's hidden ``.cache``, ``.staging-*`` and ``.old-*``):
no report may be named so, or its folder would replace them or be mistaken for them."""
MAX_WITHIN = 1200
"""The most months or weeks ``due: within N …`` may say (a hundred years of months)."""
ITEM_KINDS = tuple(ItemKind)
"""Every item kind, in the contract's order (:class:`toolkit.vocabulary.ItemKind`)."""
REPORT_KINDS = tuple(ReportKind)
"""Every report kind, in the contract's order (:class:`toolkit.vocabulary.ReportKind`)."""

_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_WITHIN = re.compile(r"^within\s+([a-z0-9-]+)\s+(month|week)s?$")
DUE_FORMS = (
    'a date as YYYY-MM-DD or DD/MM/YYYY, "immediately" or "within N months" / "within N weeks"'
)


@dataclass(frozen=True)
class Due:
    """When an item is due, as the report says it.

    ``kind`` is ``date`` (``on`` is set), ``immediately`` (due on publication) or
    ``within`` (``amount`` months or weeks after publication).
    """

    kind: Literal["date", "immediately", "within"]
    on: date | None = None
    amount: int = 0
    unit: Literal["month", "week", ""] = ""

    def resolve(self, published: date) -> date:
        """The due date, given the report's publication date."""
        if self.kind == "date" and self.on is not None:
            return self.on
        if self.kind == "immediately":
            return published
        if self.unit == "week":
            return published + timedelta(weeks=self.amount)
        month_index = published.month - 1 + self.amount
        year, month = published.year + month_index // 12, month_index % 12 + 1
        for day in range(published.day, 0, -1):  # 31 Aug + 6 months = 28/29 Feb
            try:
                return date(year, month, day)
            except ValueError:
                continue
        raise AssertionError("unreachable")

    def __str__(self) -> str:
        if self.kind == "date":
            return self.on.isoformat() if self.on else ""
        if self.kind == "immediately":
            return "immediately"
        return f"within {self.amount} {self.unit}{'s' if self.amount != 1 else ''}"


def parse_due(value: object) -> Due | None:
    """Parse a due date as written in a report file.

    Raises
    ------
    ValueError
        With the expected forms, when ``value`` is none of them.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return Due("date", on=_due_in_range(value))
    if isinstance(value, str):
        text = " ".join(value.strip().lower().split())
        try:
            day = parse_day(text)
        except NotADate as err:
            if str(err) != "not a date":  # a date's shape, but no such day
                raise ValueError(f"{err} (expected {DUE_FORMS}, got {shown(value)})") from None
        else:
            if day is not None:
                return Due("date", on=_due_in_range(day))
        if text == "immediately":
            return Due("immediately")
        match = _WITHIN.match(text)
        if match:
            amount_text, unit = match[1], match[2]
            amount = int(amount_text) if amount_text.isdigit() else _NUMBERS.get(amount_text)
            if amount and amount <= MAX_WITHIN:
                return Due("within", amount=amount, unit=unit)  # type: ignore[arg-type]
    raise ValueError(f"not a due date (expected {DUE_FORMS}, got {shown(value)})")


def _in_range(value: date) -> date:
    """Refuse a date outside the years a quarter can name (deadlines are computed from it)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            f"the year is out of range (expected a year from {FIRST_YEAR} to {LAST_YEAR}, "
            f"got {shown(value.isoformat())})"
        )
    return value


def _due_in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            f"not a due date (expected a date in the years {FIRST_YEAR} to {LAST_YEAR}, "
            f"got {shown(value.isoformat())})"
        )
    return value


def _due(value: object) -> Due | None:
    return parse_due(value)


def _strip(value: object) -> object:
    if isinstance(value, str) and (control := control_character(value)):
        raise ValueError(
            f"{control} cannot go into the briefing or the letter "
            f"(expected printable text, got {shown(value)})"
        )
    return value.strip() if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_strip)]


def _one_line(value: object) -> object:
    """An identifier (a ref): no line break, tab or other control character at all."""
    if isinstance(value, str) and (control := control_character(value, one_line=True)):
        raise ValueError(
            f"{control} cannot go into a ref (expected one line of printable text, "
            f"got {shown(value)})"
        )
    return _strip(value)


Line = Annotated[str, BeforeValidator(_one_line)]
"""Text that names something (a ref): one line, so that messages listing it stay one line."""

URL_SCHEMES = ("http", "https")


def _web_address(value: str) -> str:
    """A URL field: ``http://`` or ``https://`` and a host, nothing else.

    The one rule for every field that becomes a link (``url``, ``pcc.website``): a
    ``javascript:``, ``data:`` or ``file:`` address, or a relative path, is refused at
    validate rather than left to the page's Content Security Policy. The placeholder
    ``toolkit init`` writes (``[FILL IN: …]``) passes, and is warned about.
    """
    if value.startswith("[FILL IN:"):
        return value
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in URL_SCHEMES
        or not parts.hostname
        or any(ch.isspace() for ch in value)
    ):
        raise ValueError(
            "not a web address (expected an address starting http:// or https://, "
            f"e.g. https://www.example.gov.uk/, got {shown(value)})"
        )
    return value


Url = Annotated[str, BeforeValidator(_one_line), AfterValidator(_web_address)]


def _day(value: object) -> object:
    """A date in a report file: ``YYYY-MM-DD`` or ``DD/MM/YYYY``, as update files accept."""
    if not isinstance(value, str):
        return value
    try:
        return parse_day(value)
    except NotADate as err:
        raise ValueError(f"{err} (expected a date as {DATE_FORMS}, got {shown(value)})") from None


Day = Annotated[date, BeforeValidator(_day), AfterValidator(_in_range)]
"""A date in a report file, in the years quarters can name (``published: 9999-12-31`` is
refused: no deadline or quarter could hold it)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class ForceIdentity(_Model):
    """``force:`` in ``force.yaml``."""

    name: Text
    police_uk: Text
    home_office: Text | None = None

    @field_validator("police_uk")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(
                "not a data.police.uk force slug (expected lower-case words joined by "
                f"hyphens such as devon-and-cornwall, got {shown(value)})"
            )
        return value


class Pcc(_Model):
    """``pcc:`` in ``force.yaml``."""

    name: Text
    area: Text
    website: Url | None = None


class DataSources(_Model):
    """``data:`` in ``force.yaml``: where the public data is, relative to the root."""

    police_uk: Text | None = None
    population: Text | None = None
    recorded_crime: Text | None = None


class LetterSettings(_Model):
    """``letter:`` in ``force.yaml``: wording a force sets once for every response."""

    monitoring: Text | None = None
    publication: Text | None = None
    signature_title: Text | None = None
    copy_to: list[Text] | None = None
    """Who gets a copy, named on the letter's ``Copy:`` line; ``None`` (not given) names
    HMICFRS unless the addressee already does, ``[]`` prints no copy line."""
    voice: Literal["pcc", "joint"] = "pcc"
    """``joint``: what the PCC and the chief constable say together is written "The Chief
    Constable and I …"; ``pcc`` (default): "I …"."""
    leads: bool = False
    """Print each open item's lead (its owner, often an internal role title) in the letter."""
    reference: Text | None = None
    """A reference printed on its own line under the letter's date."""


class ForceFile(_Model):
    """``force.yaml``."""

    force: ForceIdentity
    pcc: Pcc
    chief_constable: Text
    addressee: list[Text]
    peers: list[Text] = []
    peers_basis: Text | None = None
    """How the peers were chosen, as the letter names them: "neighbouring forces",
    "its Most Similar Group" …; the letter compares with peers only when it is given."""
    data: DataSources = DataSources()
    templates: Text | None = None
    letter: LetterSettings = LetterSettings()
    rag: RagRules = RagRules()
    """The RAG rules' colours and thresholds (:mod:`toolkit.record.rag`)."""

    @field_validator("peers")
    @classmethod
    def _peers(cls, value: list[str]) -> list[str]:
        for slug in value:
            if not SLUG.match(slug):
                raise ValueError(
                    f"not a data.police.uk force slug (expected e.g. wiltshire, got {shown(slug)})"
                )
        return value


class Item(_Model):
    """One recommendation, area for improvement, cause of concern or local action."""

    ref: Line
    kind: ItemKind
    text: Text
    addressee: Text | None = None
    due: Annotated[Due | None, BeforeValidator(_due)] = None
    owner: Text | None = None
    parent: Line | None = None
    """The ref of the cause of concern (in the same report) a recommendation answers."""
    supersedes: Line | None = None
    """``<report-id>/<ref>``: the earlier report's item this one carries over."""

    @field_validator("ref")
    @classmethod
    def _ref(cls, value: str) -> str:
        if not value:
            raise ValueError("an item needs a ref such as R1")
        return value

    @field_validator("supersedes")
    @classmethod
    def _supersedes(cls, value: str | None) -> str | None:
        if value is not None and not SUPERSEDES.match(value):
            raise ValueError(
                "not an item of another report (expected <report-id>/<ref>, e.g. "
                f"peel-2022/AFI3, got {shown(value)})"
            )
        return value

    @property
    def supersedes_key(self) -> tuple[str, str] | None:
        """``(report id, ref)`` of the item this one supersedes, or ``None``."""
        if not self.supersedes:
            return None
        report_id, ref = self.supersedes.split("/", 1)
        return report_id, ref


class Response(_Model):
    """``response:`` in a report file: material for the letter.

    ``recommendations`` is what the letter says about the report's recommendations
    when they are not itemised under ``items`` (e.g. a national report whose
    recommendations are for chief constables collectively). The letter marks it as a gap
    and the s55(5B) check fails, since each recommendation needs its own explanation.

    Whose words are whose: ``chief_constable_comments`` is the chief constable's statement,
    printed whole and signed with the chief constable's name; ``pcc_reply`` is the PCC's
    reply to it (s55(5)(c)); ``explanations`` maps an item's ref to the PCC's own words for
    it (required for a not-accepted recommendation; for any other item it replaces the
    force's latest update in the letter). Everything else is the PCC's.

    ``file`` names the letter actually sent (a ``.docx`` or ``.md`` in the params root);
    the briefing then shows its text instead of a draft and runs the s55 checks that can
    be made on text. It needs ``sent``.
    """

    sent: Day | None = None
    file: Text | None = None
    thanks: Text | None = None
    welcome: list[Text] = []
    chief_constable_comments: Text | None = None
    pcc_reply: Text | None = None
    recommendations: Text | None = None
    explanations: dict[Line, Text] = {}
    concerns: list[Text] = []
    local_context: Text | None = None
    partnership: Text | None = None
    plan: Text | None = None
    monitoring: Text | None = None
    cite_figures: bool = False
    late_reason: Text | None = None
    """The PCC's words for why the response is later than 56 days (s55(5A))."""
    no_force_recommendations: bool = False
    """Confirms that the report makes no recommendation for the force or the PCC: with
    no items, the letter then says so instead of showing a gap."""


class Report(_Model):
    """One HMICFRS report (``reports/<id>.yaml``)."""

    title: Text
    published: Day
    kind: ReportKind
    url: Url | None = None
    crime_types: list[Text] = []
    response: Response = Response()
    items: list[Item] = []

    @field_validator("crime_types")
    @classmethod
    def _crime_types(cls, value: list[str]) -> list[str]:
        """data.police.uk's spelling of each type (case ignored); an unknown one refused."""
        spelled = []
        for given in value:
            known = police_uk_crime_type(given)
            if known is None:
                close = closest_crime_type(given)
                hint = f"; did you mean {close!r}?" if close else ""
                raise ValueError(
                    f"not a data.police.uk crime type{hint} (expected one of "
                    f"{', '.join(POLICE_UK_CRIME_TYPES)}, got {shown(given)})"
                )
            spelled.append(known)
        return spelled

    @property
    def deadline(self) -> date:
        """The s55(5A) deadline: publication day is day 1 of 56."""
        return self.published + timedelta(days=55)


@dataclass
class Params:
    """A loaded, validated params root.

    ``reports`` maps report id → :class:`Report`; ``files`` lists every params file
    read (for provenance); ``update_files`` maps quarter → its update file and
    ``updates`` holds their checked rows, in quarter order.
    """

    root: Path
    force: ForceFile
    reports: dict[str, Report]
    update_files: dict[Quarter, Path] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    base: Path | None = None
    """Where paths in params files are resolved: the root, or for a run's snapshot of
    the params (:mod:`toolkit.files.snapshot`) the root it was copied from."""
    copies: dict[Path, Path] = field(default_factory=dict)
    """For a run's snapshot: the run's own copy of each data path (``{original: copy}``,
    :func:`toolkit.files.snapshot.data_snapshot`), read instead of the original."""

    def path(self, relative: str) -> Path:
        """A path from a params file, resolved against the params root (for a run: its
        copy of the file, where it has one)."""
        base = self.base or self.root
        found = (base / relative).resolve() if not Path(relative).is_absolute() else Path(relative)
        return self.copies.get(found.resolve(), found) if self.copies else found

    def source_of(self, path: Path) -> Path:
        """The user's file a path of :meth:`path` stands for (itself, or the original
        of a run's copy)."""
        for original, copy in self.copies.items():
            if path == copy:
                return original
            if path.is_relative_to(copy):
                return original / path.relative_to(copy)
        return path

    @property
    def origin(self) -> Path:
        """The params root as the user named it (not a run's snapshot of it)."""
        return self.base or self.root

    @property
    def files(self) -> list[Path]:
        """Every params file this root is made of, sorted: each under :attr:`root`, so that
        its path relative to the root is the one the params files write (a letter as sent
        in a run's snapshot is its copy there, not the original reached from outside)."""
        found = [
            self.root / "force.yaml",
            *(self.root / "reports" / f"{r}.yaml" for r in self.reports),
            *(self.root / r.response.file for r in self.reports.values() if r.response.file),
        ]
        return sorted(found + list(self.update_files.values()))


def printable(name: str) -> str:
    """A file name as one line of a message: control characters escaped (``\\n``)."""
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def check_report_id(report_id: str, source: str = "report id") -> None:
    """Refuse a report id that is not a safe file name (before any file is touched).

    Raises
    ------
    InputError
        When ``report_id`` is not lower-case letters, digits and hyphens.
    """
    if not isinstance(report_id, str) or not REPORT_ID.match(report_id):
        stem = Path(report_id).stem if isinstance(report_id, str) else ""
        named_file = isinstance(report_id, str) and report_id.endswith((".yaml", ".yml"))
        hint = f"; did you mean {stem!r}?" if named_file and REPORT_ID.match(stem) else ""
        raise InputError(
            Problem(
                source,
                "report",
                f"not a report id{hint}",
                expected="lower-case letters, digits and hyphens, e.g. peel-2023",
                got=shown(report_id),
            )
        )
    if report_id in RESERVED_IDS:
        raise InputError(reserved_id(source, report_id))
    if len(report_id) > MAX_ID_LENGTH:
        raise InputError(
            Problem(
                source,
                "report",
                "the report id is too long",
                expected=f"at most {MAX_ID_LENGTH} characters",
                got=f"{len(report_id)} characters",
            )
        )


def reserved_id(display: str, report_id: str) -> Problem:
    """The problem of a report id that is one of :data:`RESERVED_IDS`."""
    return Problem(
        display,
        "",
        f"the report id {report_id!r} is a name the outputs use",
        expected="another id, not one of " + ", ".join(sorted(RESERVED_IDS)),
        got=shown(report_id),
    )


def _load_model(
    path: Path, display: str, model: type[_Model]
) -> tuple[object, list[Problem], dict[Loc, int]]:
    """The validated model (or ``None``), its problems, and the line of every key."""
    data, lines, problems = read_yaml(path, display)
    if problems:
        return None, problems, lines
    try:
        return model.model_validate(data), [], lines
    except ValidationError as err:
        return None, problems_from(err, model, display, lines), lines


SENT_LETTER_SUFFIXES = (".docx", ".md")


def _sent_file_problems(
    report: Report, display: str, lines: dict[Loc, int], root: Path
) -> list[Problem]:
    """``response.file``: a .docx or .md in the params root, with ``response.sent`` set."""
    name = report.response.file
    if not name:
        return []
    line = lines.get(("response", "file"))
    expected = "a .docx or .md file in the params root, e.g. responses/letter.docx"
    path = Path(name)
    if path.suffix.lower() not in SENT_LETTER_SUFFIXES:
        return [
            Problem(display, "response.file", "not a letter file", expected=expected,
                    got=shown(name), line=line)
        ]  # fmt: skip
    resolved = root / path
    if path.is_absolute() or not inside(resolved, root):
        return [
            Problem(display, "response.file", "outside the params root", expected=expected,
                    got=shown(name), line=line)
        ]  # fmt: skip
    if not resolved.is_file():
        return [
            Problem(display, "response.file", "no such file", expected=expected,
                    got=shown(name), line=line)
        ]  # fmt: skip
    try:
        read_paragraphs(resolved, name)
    except InputError as err:
        return [
            replace(p, path=display, line=line, message=f"{shown(name)}: {p.message}")
            for p in err.problems
        ]
    if report.response.sent is None:
        return [
            Problem(display, "response.sent", "the letter as sent needs the date it was sent",
                    expected="response.sent: YYYY-MM-DD beside response.file", got="none",
                    line=line)
        ]  # fmt: skip
    return []


def _report_problems(report: Report, display: str, lines: dict[Loc, int]) -> list[Problem]:
    """Checks that need the whole report: duplicate refs, explanations of unknown items."""
    seen: dict[str, int] = {}
    problems = []
    refs = [item.ref for item in report.items]
    for ref in report.response.explanations:
        if ref not in refs:
            problems.append(
                Problem(
                    display,
                    f"response.explanations.{ref}",
                    "no item with this ref",
                    expected=f"one of {', '.join(refs)}" if refs else "an item's ref (none listed)",
                    got=shown(ref),
                    line=lines.get(("response", "explanations", ref)),
                )
            )
    kinds = {item.ref: item.kind for item in report.items}
    for index, item in enumerate(report.items):
        if item.parent is not None and (
            kinds.get(item.parent) is not ItemKind.CAUSE_OF_CONCERN or item.parent == item.ref
        ):
            causes = [r for r, k in kinds.items() if k is ItemKind.CAUSE_OF_CONCERN]
            problems.append(
                Problem(
                    display,
                    f"items[{index}].parent",
                    "not a cause of concern of this report",
                    expected="the ref of one of its causes of concern ("
                    + (", ".join(causes) or "it lists none")
                    + ")",
                    got=shown(item.parent),
                    line=lines.get(("items", index, "parent")),
                )
            )
        if item.ref in seen:
            problems.append(
                Problem(
                    display,
                    f"items[{index}].ref",
                    f"duplicate ref {item.ref!r} (already used by items[{seen[item.ref]}])",
                    line=lines.get(("items", index, "ref")),
                )
            )
        else:
            seen[item.ref] = index
    return problems


def lineage_problems(
    reports: dict[str, Report],
    lines: dict[str, dict[Loc, int]] | None = None,
    present: set[str] | None = None,
) -> list[Problem]:
    """``supersedes:`` checks across reports: the item it names exists, is not itself, and
    no chain of ``supersedes`` comes back to where it started (each cycle reported once).

    ``present``: ids of every report file found, loaded or not; an item naming a report
    whose file has problems of its own is checked once that file is fixed."""
    lines = lines or {}
    present = present or set()
    problems = []
    links: dict[tuple[str, str], tuple[str, str]] = {}
    for report_id, report in sorted(reports.items()):
        for index, item in enumerate(report.items):
            target = item.supersedes_key
            if target is None:
                continue
            line = lines.get(report_id, {}).get(("items", index, "supersedes"))
            display, field_name = f"reports/{report_id}.yaml", f"items[{index}].supersedes"
            other = reports.get(target[0])
            if other is None and target[0] in present:
                continue
            if other is None:
                problems.append(
                    Problem(display, field_name, "no such report",
                            expected="<report-id>/<ref> naming a file in reports/",
                            got=shown(item.supersedes), line=line)
                )  # fmt: skip
            elif target[1] not in {i.ref for i in other.items}:
                refs = ", ".join(i.ref for i in other.items) or "none"
                problems.append(
                    Problem(display, field_name, f"no item with this ref in {target[0]}",
                            expected=f"one of its refs ({refs})",
                            got=shown(item.supersedes), line=line)
                )  # fmt: skip
            elif target == (report_id, item.ref):
                problems.append(
                    Problem(display, field_name, "an item cannot supersede itself",
                            expected="an earlier report's item", got=shown(item.supersedes),
                            line=line)
                )  # fmt: skip
            else:
                links[(report_id, item.ref)] = target
    reported: set[frozenset[tuple[str, str]]] = set()
    for start in sorted(links):
        path = [start]
        node = links.get(start)
        while node is not None and node not in path:
            path.append(node)
            node = links.get(node)
        if node is None or node != start:
            continue
        cycle = frozenset(path)
        if cycle in reported:
            continue
        reported.add(cycle)
        report_id, ref = start
        index = next(i for i, it in enumerate(reports[report_id].items) if it.ref == ref)
        chain = " → ".join(f"{r}/{f}" for r, f in [*path, start])
        problems.append(
            Problem(f"reports/{report_id}.yaml", f"items[{index}].supersedes",
                    "supersedes goes round in a circle",
                    expected="a chain from later reports to earlier ones", got=chain,
                    line=lines.get(report_id, {}).get(("items", index, "supersedes")))
        )  # fmt: skip
    return problems


def _data_problems(force: ForceFile, root: Path, lines: dict[Loc, int]) -> list[Problem]:
    """Each ``data:`` path that does not exist, with its line in ``force.yaml``."""
    problems = []
    for name in ("police_uk", "population", "recorded_crime"):
        value = getattr(force.data, name)
        if value and not (root / value).exists():
            problems.append(
                Problem(
                    "force.yaml",
                    f"data.{name}",
                    "no such file or folder",
                    line=lines.get(("data", name)),
                    expected="a path relative to the params root",
                    got=shown(value),
                )
            )
    return problems


def _template_problems(force: ForceFile, root: Path) -> list[Problem]:
    """The force's template folder and every file in it must lie inside the params root."""
    if not force.templates:
        return []
    folder = root / force.templates
    display = f"force.yaml: templates: {force.templates}"
    found = outside_root(folder, root, display)
    if found is not None or not folder.is_dir():
        return [found] if found is not None else []
    problems = []
    for path in sorted(folder.rglob("*")):
        found = outside_root(path, root, f"{force.templates}/{path.relative_to(folder).as_posix()}")
        if found is not None:
            problems.append(found)
    return problems


def template_call_problems(params: Params) -> list[Problem]:
    """Each call in the force's templates that the sandbox refuses (``x.read_text()``).

    The sandbox refuses such a call when it renders (:mod:`toolkit.text.sandbox`);
    this finds it at ``validate`` and before every run, by file and line. A template
    Jinja cannot parse is left for the render, which names the line.
    """
    templates = params.force.templates
    if not templates or _template_problems(params.force, params.root):
        return []
    folder = params.root / templates
    problems = []
    # Every file, not only *.j2: a template may {% include %} any file of the folder.
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and path.stat().st_size <= _TEMPLATE_SCAN_LIMIT:
            display = f"{templates}/{path.relative_to(folder).as_posix()}"
            problems += _template_call_problems(path, display)
    return problems


_TEMPLATE_SCAN_LIMIT = 1 << 20  # a larger file is no wording; the sandbox still guards it


def _template_call_problems(path: Path, display: str) -> list[Problem]:
    from jinja2 import TemplateSyntaxError

    from toolkit.text.sandbox import TemplateSandbox, forbidden_calls

    try:
        tree = TemplateSandbox().parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TemplateSyntaxError):
        return []
    return [
        Problem(
            display,
            "templates",
            f"a template may not call {what}: templates cannot reach files or programs",
            line=line,
            expected="filters, macros and text methods such as upper or join",
        )
        for line, what in forbidden_calls(tree)
    ]


def _params_file_problem(path: Path, root: Path, display: str) -> list[Problem]:
    found = outside_root(path, root, display)
    return [found] if found is not None else []


def require_root(root: Path) -> None:
    """Refuse a folder that is not a params root (it has no ``force.yaml``).

    Raises
    ------
    InputError
        Naming the folder and what a params root holds.
    """
    if not root.exists():
        raise InputError(
            Problem(
                str(root),
                "",
                f"no such folder (looked in {root.resolve()}); give the params root with "
                "--params DIR, or cd to the folder that holds it",
            )
        )
    if not (root / "force.yaml").is_file():
        raise InputError(
            Problem(
                str(root),
                "force.yaml",
                "no force.yaml in the params root",
                expected="a params folder with force.yaml, reports/ and updates/",
                got="a folder" if root.is_dir() else "no such folder",
            )
        )


def load_force(root: Path) -> ForceFile:
    """``force.yaml`` alone, for commands that need no report or update file.

    Raises
    ------
    InputError
        When the root has no ``force.yaml`` or it is not valid.
    """
    require_root(root)
    problems = _params_file_problem(root / "force.yaml", root, "force.yaml")
    if problems:
        raise InputError(problems)
    force, problems, _ = _load_model(root / "force.yaml", "force.yaml", ForceFile)
    if problems:
        raise InputError(problems)
    assert isinstance(force, ForceFile)
    return force


def load_params(root: Path, *, only: list[str] | None = None) -> Params:
    """Load and validate every file of a params root.

    Parameters
    ----------
    root
        The params root (``--params DIR``; ``params/`` by default).
    only
        Report ids that must exist (from ``toolkit run ID …``); all reports are
        still loaded and validated.

    Raises
    ------
    InputError
        With every problem found, one per line.
    """
    root = Path(root)
    if only:
        for report_id in only:
            check_report_id(report_id)
    require_root(root)
    problems: list[Problem] = _params_file_problem(root / "force.yaml", root, "force.yaml")
    if problems:
        raise InputError(problems)
    force, found, force_lines = _load_model(root / "force.yaml", "force.yaml", ForceFile)
    problems += found
    base = _origin(root)
    if isinstance(force, ForceFile):
        problems += _data_problems(force, base or root, force_lines)
        problems += _template_problems(force, root)
    reports: dict[str, Report] = {}
    report_lines: dict[str, dict[Loc, int]] = {}
    for path in sorted((root / "reports").glob("*.y*ml")):
        display = f"reports/{printable(path.name)}"
        if path.suffix not in (".yaml", ".yml"):
            continue
        if not REPORT_ID.match(path.stem) or len(path.stem) > MAX_ID_LENGTH:
            too_long = REPORT_ID.match(path.stem) is not None
            problems.append(
                Problem(
                    display,
                    "",
                    "the file name is not a report id",
                    expected="lower-case letters, digits and hyphens"
                    + (f", at most {MAX_ID_LENGTH} characters" if too_long else ""),
                    got=f"{len(path.stem)} characters" if too_long else shown(path.stem),
                )
            )
            continue
        if path.stem in RESERVED_IDS:
            problems.append(reserved_id(display, path.stem))
            continue
        if linked := _params_file_problem(path, root, display):
            problems += linked
            continue
        report, found, lines = _load_model(path, display, Report)
        problems += found
        if isinstance(report, Report):
            problems += _report_problems(report, display, lines)
            problems += _sent_file_problems(report, display, lines, root)
            reports[path.stem] = report
            report_lines[path.stem] = lines
    present = {p.stem for p in (root / "reports").glob("*.y*ml")}
    problems += lineage_problems(reports, report_lines, present)
    for report_id in only or []:
        if report_id not in reports and not any(
            p.path == f"reports/{report_id}.yaml" for p in problems
        ):
            problems.append(
                Problem(
                    f"reports/{report_id}.yaml",
                    "",
                    "no such report",
                    expected=f"one of {', '.join(sorted(reports)) or '(none)'}",
                    got=shown(report_id),
                )
            )
    update_files: dict[Quarter, Path] = {}
    updates_dir = root / "updates"
    for path in sorted(updates_dir.glob("*")) if updates_dir.is_dir() else []:
        if path.name.startswith((".", "~$")) or path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        try:
            quarter = Quarter.parse(path.stem, source=f"updates/{path.name}", field="file name")
        except InputError as err:
            problems.append(
                Problem(
                    f"updates/{path.name}",
                    "file name",
                    "an update file must be named for its quarter",
                    expected="e.g. updates/2018-19-Q3.csv",
                    got=shown(path.name),
                )
            )
            del err
            continue
        if quarter in update_files:
            problems.append(
                Problem(
                    f"updates/{path.name}",
                    "file name",
                    f"two update files for {quarter.id}",
                    expected="one .csv or .xlsx per quarter",
                    got=f"{update_files[quarter].name} and {path.name}",
                )
            )
            continue
        if linked := _params_file_problem(path, root, f"updates/{path.name}"):
            problems += linked
            continue
        update_files[quarter] = path
    broken = {p.path.removeprefix("reports/").rsplit(".", 1)[0] for p in problems}
    refs = {rid: {item.ref for item in r.items} for rid, r in reports.items()}
    updates: list[Update] = []
    for quarter, path in sorted(update_files.items()):
        rows, found = read_updates(path, quarter, f"updates/{path.name}", refs)
        # Rows naming a report whose own file is broken are checked once it is fixed.
        problems += [
            p for p in found if not (p.field == "report" and p.got and p.got.strip("'") in broken)
        ]
        updates += rows
    if problems:
        raise InputError(problems)
    assert isinstance(force, ForceFile)
    return Params(
        root=root,
        force=force,
        reports=reports,
        update_files=update_files,
        updates=updates,
        base=base,
        copies=data_copies(root) if base is not None else {},
    )


def _origin(root: Path) -> Path | None:
    """The root a run's params snapshot was copied from (``None`` for a real root)."""
    marker = root / ORIGIN_FILE
    if not marker.is_file():
        return None
    return Path(marker.read_text(encoding="utf-8").strip())
