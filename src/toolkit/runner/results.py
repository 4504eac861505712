"""How a run went: each briefing's :class:`Result`, the whole :class:`Batch`, and the
:class:`Event` a progress display follows while it runs.

The runner (:mod:`toolkit.runner.batch`) fills them in; the quarter's index rows
(:mod:`toolkit.runner.index_rows`), ``manifest.json`` (:mod:`toolkit.runner.manifest`) and the
CLI's progress displays (:mod:`toolkit.runner.progress`) read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from toolkit.quarters import Quarter
from toolkit.vocabulary import RunState

STAGES = ("wait", "kernel_start", "imports", "cells", "export", "pdf", "shutdown")
"""Where a briefing's time goes (seconds, in :attr:`Result.timings`).

``wait`` is time spent waiting for a ready kernel; ``kernel_start`` and ``imports``
are the kernel's launch and warm-up, which happen before the briefing is assigned
(overlapping other briefings); ``shutdown`` happens after it, in the background.
"""


@dataclass
class Result:
    """How one briefing went.

    Attributes
    ----------
    report_id
        The report.
    ok
        Whether the briefing was produced and put in place.
    out_dir
        ``<out>/<quarter>/<report_id>/``.
    seconds
        Wall time from start to outputs in place (or failure).
    error
        The error's first line, for a failed briefing.
    failed_notebook
        Where the failed notebook was kept, when it ran far enough to have one.
    outputs
        The files written, for an ok briefing.
    started, ended
        UTC times.
    timings
        Seconds per stage (see :data:`STAGES`).
    data_read
        The data files the briefing read, as its readers recorded them
        (:mod:`toolkit.files.reads`); ``None`` when it recorded none (it failed first).
    """

    report_id: str
    ok: bool
    out_dir: Path
    seconds: float = 0.0
    error: str = ""
    failed_notebook: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    started: datetime | None = None
    ended: datetime | None = None
    timings: dict[str, float] = field(default_factory=dict)
    data_read: list[Path] | None = None

    @property
    def status(self) -> RunState:
        """``ok`` or ``failed``."""
        return RunState.OK if self.ok else RunState.FAILED


@dataclass
class Batch:
    """A whole run: every briefing's result and the quarter's index and manifest."""

    quarter: Quarter
    results: list[Result]
    index: Path | None = None
    manifest: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every briefing was produced."""
        return all(r.ok for r in self.results)


@dataclass(frozen=True)
class Event:
    """A briefing changed state: ``queued``, ``waiting`` (for a kernel), ``running``,
    ``exporting``, ``ok`` or ``failed``."""

    report_id: str
    state: RunState
    elapsed: float = 0.0
    error: str = ""


OnEvent = Callable[[Event], None]
