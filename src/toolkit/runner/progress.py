"""The ``toolkit run`` progress displays: plain lines for a log or pipe, a live table on a terminal.

Both are called with each :class:`~toolkit.runner.results.Event` of the run (from worker
threads); only the CLI uses them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from toolkit.runner.results import Event
from toolkit.vocabulary import RunState


class LineProgress:
    """Progress as plain lines (a log file, a pipe): one line when a briefing starts or ends.

    Parameters
    ----------
    write
        Where each line goes (the CLI's error console).
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        if event.state is RunState.RUNNING:
            line = f"{event.report_id}: running"
        elif event.state is RunState.OK:
            line = f"{event.report_id}: ok in {event.elapsed:.1f} s"
        elif event.state is RunState.FAILED:
            line = f"{event.report_id}: failed after {event.elapsed:.1f} s: {event.error}"
        else:
            return
        with self._lock:
            self._write(line)


class LiveProgress:
    """Progress on a terminal: a live table of every briefing's state, elapsed time, error.

    Parameters
    ----------
    console
        A :class:`rich.console.Console` on a terminal.
    report_ids
        The briefings of the run, in order.
    """

    def __init__(self, console: Any, report_ids: list[str]) -> None:
        from rich.live import Live

        self._rows: dict[str, tuple[RunState, float, str]] = {
            r: (RunState.QUEUED, 0.0, "") for r in report_ids
        }
        self._since: dict[str, float] = {}
        self._lock = threading.Lock()
        self._live = Live(
            console=console, get_renderable=self.__rich__, refresh_per_second=4, transient=False
        )

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def __call__(self, event: Event) -> None:
        with self._lock:
            if event.state is RunState.WAITING:
                self._since[event.report_id] = time.perf_counter() - event.elapsed
            self._rows[event.report_id] = (event.state, event.elapsed, event.error)

    def __rich__(self) -> Any:
        """The table as it stands (rich's protocol: ``console.print(progress)`` shows it)."""
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Briefings", title_justify="left")
        table.add_column("Report")
        table.add_column("State")
        table.add_column("Elapsed", justify="right")
        table.add_column("Error")
        styles = {
            RunState.OK: "green",
            RunState.FAILED: "bold red",
            RunState.RUNNING: "cyan",
            RunState.EXPORTING: "cyan",
        }
        with self._lock:
            rows = list(self._rows.items())
            since = dict(self._since)
        done = sum(state.finished for _, (state, _, _) in rows)
        failed = sum(state == RunState.FAILED for _, (state, _, _) in rows)
        now = time.perf_counter()
        for report_id, (state, elapsed, error) in rows:
            if state.busy and report_id in since:
                elapsed = now - since[report_id]
            shown = f"{elapsed:.1f} s" if state != RunState.QUEUED else ""
            # Text, not markup: a report id or an error may hold "[" (and "[]" is no style).
            table.add_row(
                Text(report_id), Text(state, style=styles.get(state, "")), shown, Text(error)
            )
        table.caption = f"{done} of {len(rows)} done, {failed} failed"
        return table
