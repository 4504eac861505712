"""Swapping a briefing's new outputs in, and recovering what a killed run left (no kernels).

The kill between the two renames is tested with a real SIGKILL in
``tests/test_batch.py::test_a_run_killed_during_the_swap_in_loses_no_briefing``.
"""

from __future__ import annotations

from toolkit.kernels.staging import recover_interrupted, swap_in


def _folder(path, text):
    path.mkdir(parents=True)
    (path / "briefing.html").write_text(text)
    return path


def test_swap_in_replaces_the_old_briefing_and_leaves_nothing_beside_it(tmp_path):
    final = _folder(tmp_path / "sent-report", "old")
    staging = _folder(tmp_path / ".staging-sent-report-4242", "new")
    swap_in(staging, final)
    assert (final / "briefing.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sent-report"]


def test_swap_in_puts_a_first_briefing_in_place(tmp_path):
    staging = _folder(tmp_path / ".staging-due-report-4242", "first")
    swap_in(staging, tmp_path / "due-report")
    assert (tmp_path / "due-report" / "briefing.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["due-report"]


def test_recovery_restores_a_briefing_moved_aside_and_removes_the_litter(tmp_path):
    _folder(tmp_path / ".old-sent-report-99", "the previous good one")  # cut between renames
    _folder(tmp_path / "due-report", "in place")
    _folder(tmp_path / ".old-due-report-98", "end of a finished swap")
    _folder(tmp_path / ".staging-overdue-report-97", "half written")
    _folder(tmp_path / ".old-a-report-with-dashes-96", "dashes in the id")
    recover_interrupted(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a-report-with-dashes",
        "due-report",
        "sent-report",
    ]
    assert (tmp_path / "sent-report" / "briefing.html").read_text() == "the previous good one"
    assert (tmp_path / "due-report" / "briefing.html").read_text() == "in place"


def test_recovery_of_a_quarter_never_run_does_nothing(tmp_path):
    recover_interrupted(tmp_path / "2019-20-Q1")
    assert not (tmp_path / "2019-20-Q1").exists()
