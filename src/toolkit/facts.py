"""The facts of one briefing: a report and a quarter, computed once from a params root.

:class:`Facts` holds what the drafting, rendering and checking code reads about a
briefing -- the report, its items and their history as at the quarter, the s55 state, the
figures from data. :class:`toolkit.publish.briefing.Briefing` builds on it with what is made from
those facts (the draft letter, ``figures.json``, the notebook's sections), so that the
modules making those depend on this one and never on the briefing that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.files import reads
from toolkit.files.containment import require_inside
from toolkit.quarters import Quarter
from toolkit.record.history import Move, letter_quarter, moves_between, report_history
from toolkit.record.params import Params, Report
from toolkit.record.rag import Rating, Slips
from toolkit.record.register import ItemStatus, Register, closed_in, s55_state
from toolkit.record.updates import Update
from toolkit.vocabulary import PoliceUkFigures, S55Facts, Status

if TYPE_CHECKING:
    from toolkit.performance.policeuk import Parsings
    from toolkit.performance.recorded_crime import RecordedCrimeFigures

__all__ = ["Facts"]


@dataclass
class Facts:
    """What one briefing is about, computed from a validated params root: the report, its
    items and s55 state as at the quarter, their history, and the figures from data.

    The letter, the pages and the sent-letter checks read these;
    :class:`~toolkit.publish.briefing.Briefing`
    adds them on top (the drafted letter, ``figures.json``, the notebook's sections).

    ``until``, when given, is a day inside ``quarter``: the facts as they stood that day
    (updates dated on or before it, figures from the quarters ended by it). The letter of a
    response sent mid-quarter is drafted from such facts (:meth:`as_of`).
    """

    params: Params
    report_id: str
    quarter: Quarter
    cache_dir: Path | None = None
    until: date | None = None
    files_read: set[Path] = field(default_factory=set)
    """The data files the figures were computed from, as the readers recorded them
    (:mod:`toolkit.files.reads`); shared with the facts a letter is drafted from."""
    parsed: Parsings = field(default_factory=dict)
    """The data.police.uk files parsed for these facts; shared, like :attr:`files_read`, with
    the facts a letter is drafted from, which read the same files."""
    register: Register = field(init=False)

    def __post_init__(self) -> None:
        self.register = Register(self.params, until=self.until)

    @property
    def as_at(self) -> date:
        """The day these facts are as at: ``until``, else the quarter's last day."""
        return self.until if self.until is not None else self.quarter.end

    @property
    def letter_date(self) -> date:
        """The day the letter is drafted as at: ``response.sent`` when set (and not after
        this briefing's day: an earlier quarter's briefing knows nothing after its end),
        else the briefing's day (its quarter's last day)."""
        sent = self.report.response.sent
        return min(sent, self.as_at) if sent is not None else self.as_at

    @property
    def data_quarter(self) -> Quarter:
        """The latest quarter whose figures the facts may use: the briefing's own, or for
        facts as at a day before its end, the last quarter ended by that day."""
        if self.until is None or self.until >= self.quarter.end:
            return self.quarter
        return letter_quarter(self.until)

    @property
    def report(self) -> Report:
        """The report this briefing is for."""
        return self.params.reports[self.report_id]

    @cached_property
    def items(self) -> list[ItemStatus]:
        """The report's items as at the quarter: overdue first."""
        return self.register.items(self.report_id, self.quarter)

    @cached_property
    def s55(self) -> S55Facts:
        """Publication, deadline, sent, and the response's state."""
        return s55_state(self.report, self.quarter)

    @cached_property
    def rag(self) -> dict[str, Rating]:
        """Each item's RAG rating and its reasons (:mod:`toolkit.record.rag`), by ref."""
        return {row.item.ref: self.register.rating(row) for row in self.items}

    @cached_property
    def slips(self) -> dict[str, Slips]:
        """How each item's target date moved, by ref (items given a target date only)."""
        found = {
            item.ref: self.register.slips(self.report_id, item.ref, self.quarter)
            for item in self.report.items
        }
        return {ref: slips for ref, slips in found.items() if slips is not None}

    @cached_property
    def closures(self) -> dict[str, Update]:
        """For each closed item, the update that closed it (who signed it off, who
        closed it, in which quarter), by ref."""
        found = {
            row.item.ref: self.register.closing_update(self.report_id, row.item.ref, self.quarter)
            for row in self.items
            if not row.open
        }
        return {ref: update for ref, update in found.items() if update is not None}

    @property
    def update_missing(self) -> bool:
        """No update file was received for the quarter although the report has items
        (:func:`toolkit.gaps.missing_update_file`)."""
        from toolkit.gaps import missing_update_file

        return bool(self.report.items) and missing_update_file(self.params, self.quarter)

    @cached_property
    def police_uk_unavailable(self) -> str | None:
        """Why the briefing has no data.police.uk figures, when ``data.police_uk`` is set
        but holds no street-level file at all (nothing fetched yet, or the fetch failed);
        ``None`` otherwise (:func:`toolkit.gaps.police_uk_absent`)."""
        from toolkit.gaps import police_uk_absent

        return police_uk_absent(self.params)

    @cached_property
    def police_uk(self) -> PoliceUkFigures | None:
        """data.police.uk figures for the force and its peers; ``None`` if unconfigured,
        or configured with no street-level file at all (:attr:`police_uk_unavailable`)."""
        source = self.params.force.data.police_uk
        if not source or self.police_uk_unavailable:
            return None
        from toolkit.performance import police_uk_figures

        population = self.params.force.data.population
        with reads.recording(self.files_read):
            return police_uk_figures(
                source=self.params.path(source),
                force=self.params.force.force.police_uk,
                peers=list(self.params.force.peers),
                quarter=self.data_quarter,
                crime_types=list(self.report.crime_types),
                population=self.params.path(population) if population else None,
                cache_dir=self.cache_dir,
                parsed=self.parsed,
            )

    @property
    def figures_quarter(self) -> Quarter:
        """The quarter the data.police.uk figures describe (``police_uk.quarter``): the
        latest complete quarter at or before the briefing's, or the briefing's own."""
        figures = self.police_uk
        return Quarter.parse(figures["quarter"]) if figures else self.data_quarter

    @cached_property
    def recorded_crime(self) -> RecordedCrimeFigures | None:
        """Home Office recorded crime for the report's theme; ``None`` if unconfigured."""
        source = self.params.force.data.recorded_crime
        if not source:
            return None
        from toolkit.performance import recorded_crime_figures

        with reads.recording(self.files_read):
            return recorded_crime_figures(
                source=self.params.path(source),
                force=self.params.force.force.police_uk,
                home_office_name=self.params.force.force.home_office,
                quarter=self.data_quarter,
                crime_types=list(self.report.crime_types),
                cache_dir=self.cache_dir,
            )

    @cached_property
    def history(self) -> dict[str, list[tuple[Quarter, Status]]]:
        """Each item's status in every quarter from the report's first tracked one."""
        return report_history(self.register, self.report_id, self.quarter)

    @cached_property
    def closed_in(self) -> dict[str, Quarter | None]:
        """The quarter each item closed (``None`` while open)."""
        return {ref: closed_in(path) for ref, path in self.history.items()}

    @property
    def letter_quarter(self) -> Quarter:
        """The latest quarter whose figures the letter may describe.

        A sent response is a record: it is drafted from the register as it stood on the
        sent day (:attr:`letter_date`) and figures for quarters ended by then (the last one,
        :func:`toolkit.record.history.letter_quarter`), in that quarter and every later one. A
        briefing of an earlier quarter knows nothing after its own end, so its draft is as at
        its own quarter, as is the draft of a response not yet sent.
        """
        sent = self.report.response.sent
        return min(letter_quarter(sent), self.quarter) if sent is not None else self.quarter

    @cached_property
    def since_response(self) -> list[Move] | None:
        """Items whose position on the sent date differs from their position at this
        briefing's day (progress since the response); ``None`` when not sent."""
        if self.report.response.sent is None:
            return None
        return moves_between(self.register, self.report_id, self.letter_date, self.as_at)


def template_override(briefing: Facts) -> Path | None:
    """The force's own template folder (``templates:`` in ``force.yaml``), if it names one."""
    folder = briefing.params.force.templates
    if not folder:
        return None
    # Against the root itself: a run's snapshot of the params holds its own copy.
    root = briefing.params.root
    path = require_inside(root / folder, root, f"force.yaml: templates: {folder}")
    return path.resolve()
