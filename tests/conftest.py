"""Shared fixtures: hand-written params roots copied to a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import write_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).resolve().parents[1]


# 2019-20-Q2 for the register fixture: written as Excel, with display labels.
REGISTER_Q2_ROWS: list[list[object]] = [
    ["report", "ref", "status", "update", "evidence", "owner", "target_date"],
    ["alpha", "R1", "Pending sign-off", "Awaiting board.", None, "ACC", None],
    ["alpha", "R3", "in progress", "New supervision model.", None, "DCS", "2019-12-31"],
    [
        "beta",
        "R1",
        "Not accepted",
        "The national framework does not fit local needs.",
        None,
        "CC",
        None,
    ],
]


@pytest.fixture
def register_root(tmp_path: Path) -> Path:
    """The two-report, three-quarter register fixture, with its .xlsx quarter."""
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    write_xlsx(root / "updates" / "2019-20-Q2.xlsx", REGISTER_Q2_ROWS)
    return root
