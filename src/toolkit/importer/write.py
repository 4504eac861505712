"""Write the drafted report file, and what ``toolkit import-report`` prints.

The file is in the contract's form (``title``, ``published``, ``kind``, ``items`` with
``ref``, ``kind``, ``parent``, ``addressee``, ``text``, ``due``), every value written by
:func:`yaml.safe_dump`, so any text survives. Above each item a comment names its place in
the source (``# line 42``, ``# page 7``) and, prefixed ``CHECK:``, anything the importer
was unsure of. A publication date the document does not state and ``--published`` does
not give is written as the day of the import, marked ``[FILL IN: …]``: the file loads,
and ``toolkit validate`` and ``toolkit run`` warn until the line is corrected
(:func:`report_placeholder_warnings`).

An item worded much like an earlier report's item of the same kind (in the same params
root) gets a ``CHECK`` note naming it, as a ``supersedes`` to consider; the importer never
writes ``supersedes`` itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import InputError, Problem, shown
from toolkit.importer.document import Document, read_text
from toolkit.importer.items import Found, Scan, find_items
from toolkit.record.newreport import (
    kind_option,
    new_report_path,
    published_option,
    write_new_report,
)
from toolkit.record.params import check_report_id, printable
from toolkit.vocabulary import ItemKind, ReportKind

__all__ = ["Imported", "import_report", "read_document", "report_placeholder_warnings"]

PLACEHOLDER = "[FILL IN:"
SIMILAR = 0.75
"""How alike (difflib's ratio of the words) an earlier item must be to be suggested."""
SUFFIXES = (".html", ".htm", ".pdf", ".txt")


@dataclass
class Imported:
    """What an import wrote and found: the summary ``toolkit import-report`` prints."""

    path: Path
    title: str
    published: date | None
    items: list[Found] = field(default_factory=list)
    unsure: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_kind(self) -> dict[str, int]:
        """Items found, by kind (every kind the importer finds, zeros included)."""
        counts = Counter(item.kind for item in self.items)
        kinds = (
            ItemKind.RECOMMENDATION,
            ItemKind.AREA_FOR_IMPROVEMENT,
            ItemKind.CAUSE_OF_CONCERN,
        )
        return {kind.value: counts[kind] for kind in kinds}

    def due_forms(self) -> dict[str, int]:
        """How many items carry each due form ("by a date", "within N months", none)."""
        return dict(Counter(item.due_form or "no deadline" for item in self.items))

    def summary(self) -> list[str]:
        """The lines printed after an import."""
        kinds = ", ".join(f"{n} {k}" for k, n in self.by_kind().items())
        forms = ", ".join(f"{n} {f}" for f, n in sorted(self.due_forms().items()))
        parents = sum(1 for item in self.items if item.parent)
        lines = [
            f"Wrote {self.path}: {len(self.items)} item(s): {kinds}.",
            f"Due forms: {forms or 'none'}. Recommendations under a cause of concern: {parents}.",
        ]
        if self.published is None:
            lines.append("published: not stated in the document; fill it in (marked [FILL IN]).")
        lines += self.notes
        if self.unsure:
            lines.append(f"Check these {len(self.unsure)} passage(s) against the report:")
            lines += [f"  {where or 'place unknown'}: {what}" for where, what in self.unsure]
        lines.append("Review the file against the report, then run toolkit validate.")
        return lines


def report_placeholder_warnings(root: Path) -> list[str]:
    """One warning per ``[FILL IN: …]`` still in a report file (one import-report wrote)."""
    warnings = []
    for path in sorted((root / "reports").glob("*.y*ml")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # load_params reports unreadable files
        for number, line in enumerate(lines, start=1):
            if PLACEHOLDER in line and not line.lstrip().startswith("#"):
                field_name = line.split(":", 1)[0].strip() or "value"
                wanted = line.split(PLACEHOLDER, 1)[1].strip(" ]")
                warnings.append(
                    f"reports/{path.name}:{number}: {field_name}: still the placeholder "
                    f"toolkit import-report wrote (expected {wanted})"
                )
    return warnings


def read_document(path: Path) -> Document:
    """The report at ``path`` read into blocks, by its suffix.

    Raises
    ------
    InputError
        For a missing or unreadable file, an unknown suffix, or a PDF with no text layer
        (``no text layer: …``).
    """
    from toolkit.importer.html import read_html
    from toolkit.importer.pdf import NoTextLayer, read_pdf

    display = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            Problem(display, "PATH", "not a report file this command reads",
                    expected="a .html page saved from the HMICFRS website, a .pdf or a .txt",
                    got=shown(path.suffix or path.name))
        )  # fmt: skip
    if not path.is_file():
        raise InputError(Problem(display, "PATH", "no such file"))
    try:
        if suffix == ".pdf":
            return read_pdf(path, display)
        data = path.read_bytes()
        if suffix == ".txt":
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
            return read_text(text, display)
        return read_html(data, display)
    except NoTextLayer as err:
        raise InputError(Problem(display, "", f"no text layer: {err}")) from None
    except OSError as err:
        raise InputError(
            Problem(display, "PATH", f"cannot read the file ({err.strerror or err})")
        ) from None
    except ValueError as err:
        raise InputError(Problem(display, "PATH", str(err))) from None


def _guess_kind(title: str) -> ReportKind:
    """The report's kind from its title: revisit/accelerated/closure → ``follow-up``,
    PEEL → ``peel``, joint → ``joint``, a force named ("… Police", "… Constabulary") →
    ``force``, else ``thematic``."""
    lowered = title.lower()
    if re.search(r"\b(?:revisit|accelerated|progress|follow[- ]up|closure)\b", lowered):
        return ReportKind.FOLLOW_UP
    if "peel" in lowered:
        return ReportKind.PEEL
    if re.search(r"\bjoint\b", lowered):
        return ReportKind.JOINT
    if re.search(r"\b(?:Police|Constabulary)\b", title):
        return ReportKind.FORCE
    return ReportKind.THEMATIC


def _earlier_items(root: Path, report_id: str, published: date | None) -> list[tuple[str, Any]]:
    """``(report id, item)`` of every report in the root published before ``published``
    (all of them when it is not known); reports that do not load are passed over."""
    from toolkit.record.params import load_params

    try:
        params = load_params(root)
    except InputError:
        return []
    return [
        (rid, item)
        for rid, report in sorted(params.reports.items())
        if rid != report_id and (published is None or report.published < published)
        for item in report.items
    ]


def _similar(scan: Scan, earlier: list[tuple[str, Any]]) -> None:
    """Note, on each drafted item, an earlier report's item of the same kind worded much
    the same (a carried-over AFI, a repeated recommendation): a ``supersedes`` to consider.
    Nothing is written to ``supersedes``: the analyst decides."""

    def words(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

    for item in scan.items:
        best, ratio = None, 0.0
        for rid, other in earlier:
            if other.kind != item.kind:
                continue
            score = SequenceMatcher(None, words(item.text), words(other.text)).ratio()
            if score > ratio:
                best, ratio = f"{rid}/{other.ref}", score
        if best is not None and ratio >= SIMILAR:
            note = (
                f"worded like {best} ({ratio:.0%} alike): add supersedes: {best} if this "
                "carries it over"
            )
            item.notes.append(note)
            scan.unsure.append((item.where, f"{item.ref}: {note}"))


def _dump(mapping: dict[str, object]) -> str:
    return yaml.safe_dump(
        mapping, allow_unicode=True, default_flow_style=False, sort_keys=False, width=1_000_000
    )


def report_yaml(
    doc: Document, scan: Scan, *, title: str, published: date | None, kind: ReportKind, today: date
) -> str:
    """The report file's text."""
    head = [
        f"# Drafted by toolkit import-report from {printable(doc.source)} on {today.isoformat()}.",
        "# Check every item against the report before relying on it (docs/importing.md",
        "# has the review steps). Lines marked CHECK are passages the importer was",
        "# unsure of. Add supersedes: <report-id>/<ref> to an item carried over from an",
        "# earlier report.",
    ]
    body = _dump({"title": title}).rstrip("\n")
    if published is not None:
        body += "\n" + _dump({"published": published}).rstrip("\n")
    else:
        body += (
            f"\npublished: {today.isoformat()}  {PLACEHOLDER} the publication date as "
            "YYYY-MM-DD; the document does not state it]"
        )
        body = body.replace(f"  {PLACEHOLDER}", f"  # {PLACEHOLDER}", 1)
    body += "\n" + _dump({"kind": kind.value}).rstrip("\n") + "\ncrime_types: []\n"
    lines = [*head, body.rstrip("\n")]
    if not scan.items:
        lines.append("# No items found: a report that makes none for the force keeps items: [].")
        lines.append("items: []")
        return "\n".join(lines) + "\n"
    lines.append("items:")
    for item in scan.items:
        entry: dict[str, object] = {"ref": item.ref, "kind": item.kind.value}
        if item.parent:
            entry["parent"] = item.parent
        if item.addressee:
            entry["addressee"] = item.addressee
        entry["text"] = item.text
        if item.due is not None:
            entry["due"] = item.due
        lines.append(f"  # {item.where}" if item.where else "  #")
        lines += [f"  # CHECK: {note}" for note in item.notes]
        dumped = _dump(entry).rstrip("\n").splitlines()
        lines.append("  - " + dumped[0])
        lines += ["    " + line for line in dumped[1:]]
    return "\n".join(lines) + "\n"


def import_report(
    source: Path,
    root: Path,
    report_id: str,
    *,
    published: str = "",
    title: str = "",
    kind: str = "",
    today: date | None = None,
) -> Imported:
    """Draft ``reports/<report_id>.yaml`` from the report at ``source``; never overwrite.

    Parameters
    ----------
    source
        The report as saved by the user: ``.html``, ``.pdf`` or ``.txt`` (``PATH``).
    root
        The params root (``--params DIR``); it must hold ``force.yaml``.
    report_id
        The new report's id (``--id``).
    published, title, kind
        ``--published`` (``YYYY-MM-DD``): the publication date when the document does not
        state one (a date the document states is used, and a different ``--published``
        is reported). ``--title`` and ``--kind``: used when given; else the document's
        own title, and a kind guessed from the title.
    today
        The import's date (tests fix it).

    Raises
    ------
    InputError
        For an unsafe id, a bad option, an existing report file, a source that cannot be
        read, or a PDF with no text layer.
    """
    check_report_id(report_id, source="command line")
    problems: list[Problem] = []
    given = published_option(published, problems) if published.strip() else None
    if kind:
        kind_option(kind, problems)
    if problems:
        raise InputError(problems)
    root = Path(root)
    target = new_report_path(root, report_id, "import-report")
    doc = read_document(Path(source))
    scan = find_items(doc.blocks)
    chosen_title = " ".join(title.split()) or doc.title or report_id
    when = doc.published or given
    notes = []
    if doc.published and given and given != doc.published:
        notes.append(
            f"published: the document states {doc.published.isoformat()}, which is used; "
            f"--published {given.isoformat()} is not (edit the file if the document is wrong)"
        )
    chosen_kind = ReportKind(kind) if kind else _guess_kind(chosen_title)
    _similar(scan, _earlier_items(root, report_id, when))
    text = report_yaml(
        doc, scan, title=chosen_title, published=when, kind=chosen_kind,
        today=today or date.today(),
    )  # fmt: skip
    write_new_report(target, text, report_id, "import-report")
    return Imported(target, chosen_title, when, scan.items, scan.unsure, notes)
