"""The run's progress displays, fed hand-written events (no kernels)."""

from __future__ import annotations

import io

from rich.console import Console

from toolkit.runner.progress import LineProgress, LiveProgress
from toolkit.runner.results import Event
from toolkit.vocabulary import RunState


def test_plain_lines_say_when_a_briefing_starts_and_how_it_ended():
    lines: list[str] = []
    progress = LineProgress(lines.append)
    for event in (
        Event("a-report", RunState.QUEUED),
        Event("a-report", RunState.WAITING, 0.1),
        Event("a-report", RunState.RUNNING, 0.2),
        Event("a-report", RunState.EXPORTING, 3.0),
        Event("a-report", RunState.OK, 3.46),
        Event("b-report", RunState.FAILED, 12.04, "NameError: name 'x' is not defined"),
    ):
        progress(event)
    assert lines == [
        "a-report: running",
        "a-report: ok in 3.5 s",
        "b-report: failed after 12.0 s: NameError: name 'x' is not defined",
    ]


def test_the_live_table_shows_every_briefing_and_the_tally():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    progress = LiveProgress(console, ["a-report", "b-report", "c-report"])
    progress(Event("a-report", RunState.OK, 2.0))
    progress(Event("b-report", RunState.FAILED, 1.5, "KeyError: '[/bold] [x]'"))
    console.print(progress)
    text = out.getvalue()
    assert "2 of 3 done, 1 failed" in text
    assert "KeyError: '[/bold] [x]'" in text  # shown as written, not read as markup
    assert "c-report" in text and "queued" in text
    assert "2.0 s" in text and "1.5 s" in text
