"""The vocabulary: every word as the contract spells it, and written out unchanged."""

from __future__ import annotations

import json

import pytest
from jinja2 import Environment

from toolkit.vocabulary import (
    CLOSED,
    ItemKind,
    RunState,
    S55State,
    Status,
    tag_colour,
)


def test_the_contract_spells_the_values():
    # DESIGN.md: the kinds of a report file's items and the statuses of an update file.
    assert list(ItemKind) == [
        "recommendation",
        "area-for-improvement",
        "cause-of-concern",
        "local-action",
    ]
    assert list(Status) == [
        "not-started",
        "in-progress",
        "pending-sign-off",
        "complete",
        "superseded",
        "not-accepted",
    ]
    assert list(S55State) == ["sent", "not-published", "due", "overdue"]
    assert {"complete", "superseded", "not-accepted"} == CLOSED


@pytest.mark.parametrize(
    ("status", "label", "colour"),
    [
        (Status.NOT_STARTED, "Not started", "grey"),
        (Status.IN_PROGRESS, "In progress", "blue"),
        (Status.PENDING_SIGN_OFF, "Pending sign-off", "purple"),
        (Status.COMPLETE, "Complete", "green"),
        (Status.SUPERSEDED, "Superseded", "grey"),
        (Status.NOT_ACCEPTED, "Not accepted", "yellow"),
    ],
)
def test_each_status_carries_its_label_and_tag_colour(status, label, colour):
    assert status.label == label
    assert status.colour == colour
    assert tag_colour(str(status)) == colour


def test_kinds_carry_their_names_in_each_place():
    assert ItemKind.AREA_FOR_IMPROVEMENT.label == "Area for improvement"
    assert ItemKind.AREA_FOR_IMPROVEMENT.noun == "area for improvement"
    assert ItemKind.AREA_FOR_IMPROVEMENT.short == "AFI"
    assert ItemKind.LOCAL_ACTION.label == "Local action"


@pytest.mark.parametrize(
    ("word", "colour"),
    [("overdue", "red"), ("due", "blue"), ("sent", "green"), ("not-published", "grey"),
     ("failed", "red"), ("stale", "yellow"), ("pass", "green"), ("fail", "red"),
     ("anything else", "grey")],
)  # fmt: skip
def test_tag_colours_of_the_other_words(word, colour):
    assert tag_colour(word) == colour


def test_members_are_written_as_their_values():
    data = {
        "by_status": {Status.IN_PROGRESS: 2},
        "state": S55State.DUE,
        "kind": ItemKind.LOCAL_ACTION,
    }
    expected = {"by_status": {"in-progress": 2}, "state": "due", "kind": "local-action"}
    assert json.dumps(data) == json.dumps(expected)
    assert json.dumps(data, indent=2) == json.dumps(expected, indent=2)
    template = Environment(autoescape=True).from_string("{{ s }} {{ k }} {{ r }}")
    rendered = template.render(s=Status.NOT_ACCEPTED, k=ItemKind.CAUSE_OF_CONCERN, r=RunState.OK)
    assert rendered == "not-accepted cause-of-concern ok"
    assert f"{Status.COMPLETE}" == "complete"


def test_run_states():
    assert [s for s in RunState if s.finished] == ["ok", "failed"]
    assert [s for s in RunState if s.busy] == ["waiting", "running", "exporting"]
