"""One briefing: a report, a quarter and a params root, computed once.

The notebook is thin: it calls :func:`build`, shows each section with
:meth:`Briefing.show` and, when the runner passes an ``output_dir``, writes
``figures.json`` and the draft response with :meth:`Briefing.save`. Everything
it shows or writes is computed here and in the modules this one calls.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from toolkit.errors import DataError, InputError, Problem
from toolkit.facts import Facts
from toolkit.files import atomic, reads
from toolkit.quarters import Quarter
from toolkit.record.history import MoveJson, history_json
from toolkit.record.params import check_report_id, load_params
from toolkit.record.rag import SlipsJson
from toolkit.record.register import summary
from toolkit.vocabulary import ItemsSummary, PoliceUkFigures, ReportKind, S55Json, s55_json

if TYPE_CHECKING:
    from toolkit.letter.blocks import CheckJson
    from toolkit.letter.model import Letter
    from toolkit.letter.sent import SentLetter
    from toolkit.performance.recorded_crime import RecordedCrimeFigures

log = logging.getLogger("toolkit")


def resolve_params_dir(params_dir: str | os.PathLike[str]) -> Path:
    """Find the params root named by a notebook parameter.

    A relative path is looked up from the working directory, then from its
    parent (so the default ``params`` works both from the project folder, as
    papermill is usually run, and from ``notebooks/``, as Jupyter opens it).
    """
    path = Path(params_dir)
    if path.is_absolute() or (path / "force.yaml").exists():
        return path
    parent = Path.cwd().parent / path
    return parent if (parent / "force.yaml").exists() else path


class Period(TypedDict):
    """First and last day (ISO) of the briefing's quarter (``figures.json`` ``period``)."""

    start: str
    end: str


class Closure(TypedDict):
    """Who closed an item and in which quarter (``items.closed_by[ref]``)."""

    quarter: str
    signed_off_by: str | None
    closed_by: str | None


class BriefingItems(ItemsSummary):
    """``figures.json`` ``items``: the register's summary and what the briefing adds."""

    history: dict[str, list[list[str]]]
    closed_in: dict[str, str | None]
    since_response: list[MoveJson] | None
    rag: dict[str, str]
    rag_reasons: dict[str, list[str]]
    slips: dict[str, SlipsJson]
    closed_by: dict[str, Closure]
    no_update: list[str]


class BriefingS55(S55Json):
    """``figures.json`` ``s55``: the response's state and, once sent, what the letter is as at."""

    letter_as_at: str | None
    letter_date: str | None
    file: str | None


class UpdateFile(TypedDict):
    """Whether the quarter's update file was received (``figures.json`` ``update_file``)."""

    quarter: str
    received: bool


class BriefingFigures(TypedDict):
    """``figures.json``: the contract's keys, then the extras (dates as ISO strings)."""

    report: str
    quarter: str
    period: Period
    s55: BriefingS55
    items: BriefingItems
    police_uk: PoliceUkFigures | None
    police_uk_unavailable: str | None
    update_file: UpdateFile | None
    recorded_crime: RecordedCrimeFigures | None
    title: str
    kind: ReportKind
    force: str
    compliance: list[CheckJson]


@dataclass
class Briefing(Facts):
    """Everything one briefing shows: its :class:`~toolkit.facts.Facts`, and the draft
    letter, the compliance checks, ``figures.json`` and the sections made from them."""

    @cached_property
    def letter(self) -> Letter:
        """The draft s55 response (:class:`toolkit.letter.Letter`), as at
        :attr:`letter_date`: byte-identical in every quarter once the response is sent."""
        from toolkit.letter import draft_letter

        day = self.letter_date
        if day == self.as_at:
            return draft_letter(self)
        at = Quarter.containing(day)
        until = None if day == at.end else day
        # Its reads are this briefing's (the set is shared), as are the files it parses.
        earlier = Briefing(
            self.params,
            self.report_id,
            at,
            self.cache_dir,
            until,
            files_read=self.files_read,
            parsed=self.parsed,
        )
        return draft_letter(earlier)

    @cached_property
    def sent_letter(self) -> SentLetter | None:
        """The letter actually sent (``response.file``) with its checks, or ``None``."""
        name = self.report.response.file
        if not name:
            return None
        from toolkit.files.containment import require_inside
        from toolkit.letter.sent import read_sent_letter

        # The run's copy of the params, and only inside it (the rule validate applies).
        root = self.params.root
        return read_sent_letter(self, require_inside(root / name, root, name), name)

    @property
    def compliance(self) -> list[CheckJson]:
        """The s55 checks the briefing shows: on the letter as sent when it is supplied,
        otherwise on the draft."""
        if self.sent_letter is not None:
            return [check.as_dict() for check in self.sent_letter.checks]
        return list(self.letter.compliance_json())

    @cached_property
    def figures(self) -> BriefingFigures:
        """``figures.json``: the contract's keys, then the extras."""
        report = self.report
        sent = report.response.sent
        items: BriefingItems = {
            **summary(self.items),
            "history": history_json(self.history),
            "closed_in": {
                ref: quarter.id if quarter else None for ref, quarter in self.closed_in.items()
            },
            "since_response": (
                [move.as_dict() for move in self.since_response]
                if self.since_response is not None
                else None
            ),
            "rag": {ref: rating.rag.value for ref, rating in self.rag.items()},
            "rag_reasons": {ref: list(rating.reasons) for ref, rating in self.rag.items()},
            "slips": {ref: slips.as_dict() for ref, slips in self.slips.items()},
            "closed_by": {
                ref: {
                    "quarter": update.quarter.id,
                    "signed_off_by": update.signed_off_by or None,
                    "closed_by": update.closed_by or None,
                }
                for ref, update in self.closures.items()
            },
            "no_update": [row.item.ref for row in self.items if row.open and not row.updated],
        }
        s55: BriefingS55 = {
            **s55_json(self.s55),
            "letter_as_at": self.letter_quarter.id if sent else None,
            "letter_date": self.letter_date.isoformat() if sent else None,
            "file": report.response.file or None,
        }
        return {
            "report": self.report_id,
            "quarter": self.quarter.id,
            "period": {
                "start": self.quarter.start.isoformat(),
                "end": self.quarter.end.isoformat(),
            },
            "s55": s55,
            "items": items,
            "police_uk": self.police_uk,
            "police_uk_unavailable": self.police_uk_unavailable,
            "update_file": {"quarter": self.quarter.id, "received": not self.update_missing}
            if self.report.items
            else None,
            "recorded_crime": self.recorded_crime,
            "title": report.title,
            "kind": report.kind,
            "force": self.params.force.force.name,
            "compliance": self.compliance,
        }

    def register_frame(self) -> Any:
        """The report's items as at the quarter, one row each, as a pandas DataFrame.

        Columns: ``ref, kind, status, previous_status, changed, overdue, stale, due,
        due_source, target_date, owner, update, text`` (what the status section shows).
        """
        import pandas as pd

        rows = [
            {
                "ref": row.item.ref,
                "kind": row.item.kind,
                "status": row.status,
                "previous_status": row.previous_status,
                "changed": row.changed,
                "overdue": row.overdue,
                "stale": row.stale,
                "due": row.due,
                "due_source": row.due_source,
                "target_date": row.latest.target_date if row.latest else None,
                "owner": (row.latest.owner if row.latest else "") or row.item.owner or "",
                "update": row.latest.update if row.latest else "",
                "text": row.item.text,
            }
            for row in self.items
        ]
        columns = [
            "ref", "kind", "status", "previous_status", "changed", "overdue", "stale", "due",
            "due_source", "target_date", "owner", "update", "text",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def figures_frame(self) -> Any:
        """data.police.uk counts and rates for the force and its peers, as a DataFrame.

        One row per force and crime type: ``force, crime_type, count, rate_per_1000,
        previous_year`` (``previous_year`` for the force only), from :attr:`figures`.
        """
        import pandas as pd

        police_uk = self.police_uk
        # .get: a notebook may set hand-made figures with fewer keys.
        own = (police_uk.get("crime_types") or {}) if police_uk else {}
        peers = (police_uk.get("peers") or {}) if police_uk else {}
        rows = [
            {
                "force": police_uk.get("force") if police_uk else None,
                "crime_type": crime_type,
                "count": values.get("count"),
                "rate_per_1000": values.get("rate_per_1000"),
                "previous_year": values.get("previous_year"),
            }
            for crime_type, values in own.items()
        ]
        for peer, types in peers.items():
            rows += [
                {
                    "force": peer,
                    "crime_type": crime_type,
                    "count": peer_values.get("count"),
                    "rate_per_1000": peer_values.get("rate_per_1000"),
                    "previous_year": None,
                }
                for crime_type, peer_values in types.items()
                if isinstance(peer_values, dict)
            ]
        columns = ["force", "crime_type", "count", "rate_per_1000", "previous_year"]
        return pd.DataFrame(rows, columns=columns)

    def show(self, section: str) -> Any:
        """An HTML section for the notebook to display (``header``, ``status``, …).

        The header also carries the status tags' colours (:func:`render.notebook_style`)
        for the notebook's own view; the briefing page has them in its stylesheet.
        """
        from IPython.display import HTML

        from toolkit.publish import render

        html = render.section(section, self)
        return HTML(render.notebook_style() + html if section == "header" else html)

    def save(self, output_dir: str | os.PathLike[str]) -> list[Path]:
        """Write ``figures.json`` and the draft response into ``output_dir``.

        Does nothing when ``output_dir`` is empty (a notebook run by hand).
        """
        if not output_dir:
            return []
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [
            _write_text(out / "figures.json", json.dumps(self.figures, indent=2) + "\n"),
            _write_text(out / "response-draft.md", self.letter.to_markdown()),
        ]
        docx = out / "response-draft.docx"
        self.letter.to_docx(docx)
        written.append(docx)
        # For the run's manifest (taken out by the runner, never published).
        reads.write_record(out, self.files_read)
        return written


def _write_text(path: Path, text: str) -> Path:
    return atomic.write_text(path, text)


def build(
    report_id: str,
    quarter: str,
    params_dir: str | os.PathLike[str] = "params",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Briefing:
    """Load, validate and compute the briefing for one report and quarter.

    Parameters
    ----------
    report_id, quarter, params_dir
        The notebook's parameters (JSON-native strings).
    cache_dir
        Where parsed data files are cached; empty or ``None`` for no cache.

    Raises
    ------
    InputError
        For a bad report id, quarter or params root (every problem listed).
    """
    check_report_id(report_id)
    parsed = Quarter.parse(quarter)
    root = resolve_params_dir(params_dir)
    params = load_params(root, only=[report_id])
    briefing = Briefing(params, report_id, parsed, Path(cache_dir) if cache_dir else None)
    return briefing


__all__ = ["Briefing", "build", "resolve_params_dir", "DataError", "InputError", "Problem"]
