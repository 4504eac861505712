"""The request-updates workbook: written, filled in as a force would, and read back.

The register fixture (``tests/fixtures/register``) as at 2019-20-Q3, worked by hand:
open items are alpha R2 (in progress, Head of Crime Registry), alpha R3 (in progress,
DCS, target 31/12/2019), alpha C1 (in progress since Q1, DCI) and beta L1 (in progress,
Ch Supt, target 31/03/2020); alpha R1 is complete and beta R1 not accepted. So the
request for 2019-20-Q4 has those four rows, in report order: rows 2 to 5.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from toolkit.errors import InputError
from toolkit.publish.briefing import build
from toolkit.quarters import Quarter
from toolkit.record.params import load_params
from toolkit.record.register import Register
from toolkit.record.workbook import SENT_SHEET, SHEET, default_path, write_request

Q4 = Quarter.parse("2019-20-Q4")
COLUMNS = [
    "Report",
    "Ref",
    "Kind",
    "Text",
    "Due",
    "Last status",
    "Last update",
    "Status",
    "Update",
    "Evidence",
    "Owner",
    "Target date",
    "As at",
    "Signed off by",
    "Closed by",
]


@pytest.fixture
def request_path(register_root: Path, tmp_path: Path) -> Path:
    path = tmp_path / "out" / "updates-request-2019-20-Q4.xlsx"
    write_request(load_params(register_root), Q4, path)
    return path


def _fill_in(path: Path, edits: dict[tuple[int, str], object]) -> None:
    """Edit cells (row, header) as a force would in Excel, and save."""
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    for (row, header), value in edits.items():
        sheet.cell(row=row, column=COLUMNS.index(header) + 1).value = value
    book.save(path)


def _return(path: Path, root: Path, name: str = "2019-20-Q4.xlsx") -> Path:
    target = root / "updates" / name
    shutil.copyfile(path, target)
    return target


FORCE_EDITS: dict[tuple[int, str], object] = {
    (2, "Status"): "Complete",  # alpha R2
    (2, "Update"): "Audit finished and reported to the board.",
    (2, "Evidence"): "Audit report v2",
    (3, "Update"): "Model rolled out in two of three areas.",  # alpha R3, status left as is
    (3, "Target date"): datetime(2020, 6, 30),
    # row 4, alpha C1: left exactly as sent
    (5, "Status"): "Pending sign-off",  # beta L1
    (5, "Update"): "Every officer trained.",
}


def test_rows_are_the_open_items_with_what_was_last_said(request_path):
    sheet = openpyxl.load_workbook(request_path)[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [(r[0], r[1], r[2], r[5], r[7], r[10]) for r in rows[1:]] == [
        ("alpha", "R2", "Recommendation", "In progress", "In progress", "Head of Crime Registry"),
        ("alpha", "R3", "Area for improvement", "In progress", "In progress", "DCS"),
        ("alpha", "C1", "Cause of concern", "In progress", "In progress", "DCI"),
        ("beta", "L1", "Local action", "In progress", "In progress", "Ch Supt"),
    ]
    assert [r[6] for r in rows[1:]] == [
        "Audit under way.",
        "New supervision model.",
        "Referral process under review.",
        "Half of officers trained.",
    ]


def test_dates_are_real_date_cells(request_path):
    sheet = openpyxl.load_workbook(request_path)[SHEET]
    due, target = sheet["E2"], sheet["L3"]  # alpha R2: within six months of 15/05/2019
    assert (due.value, due.is_date, due.number_format) == (
        datetime(2019, 11, 15),
        True,
        "dd/mm/yyyy",
    )
    assert (target.value, target.is_date) == (datetime(2019, 12, 31), True)
    assert sheet["E3"].value is None  # alpha R3: the report gives no due date


def test_status_drop_down_and_protection(request_path):
    book = openpyxl.load_workbook(request_path)
    sheet = book[SHEET]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 2
    assert lists[0].formula1 == (
        '"Not started,In progress,Pending sign-off,Complete,Superseded,Not accepted"'
    )
    assert str(lists[0].sqref) == "H2:H5"
    # Closed by (column N): who closed the item, or nothing.
    assert (lists[1].formula1, str(lists[1].sqref)) == ('"opcc,hmicfrs,force"', "O2:O5")
    assert lists[1].allow_blank is True
    assert sheet.protection.sheet is True
    assert not sheet.protection.password
    locked = {h: sheet.cell(row=2, column=i + 1).protection.locked for i, h in enumerate(COLUMNS)}
    assert [h for h, is_locked in locked.items() if not is_locked] == [
        "Status",
        "Update",
        "Evidence",
        "Owner",
        "Target date",
        "As at",
        "Signed off by",
        "Closed by",
    ]
    # "As at": a date inside the quarter asked for (Excel's day numbers 43831 to 43921 are
    # 1 January and 31 March 2020), blank allowed for the quarter's last day.
    as_at = [v for v in sheet.data_validations.dataValidation if v.promptTitle == "As at"]
    assert [(v.type, v.formula1, v.formula2, str(v.sqref)) for v in as_at] == [
        ("date", "43831", "43921", "M2:M5")
    ]
    assert book.sheetnames == [SHEET, "Instructions", SENT_SHEET]
    assert book[SENT_SHEET].sheet_state == "veryHidden"
    assert book["Instructions"]["A1"].value == "Testshire Constabulary: status updates for " + (
        "Q4 2019/20 (January to March 2020)"
    )
    assert book.security.lockStructure


def test_round_trip_gives_the_register_the_new_statuses(request_path, register_root):
    _fill_in(request_path, FORCE_EDITS)
    _return(request_path, register_root)
    params = load_params(register_root)
    q4 = [u for u in params.updates if u.quarter == Q4]
    # alpha C1 was left as sent: no update for the quarter.
    assert [(u.report, u.ref, u.status, u.row) for u in q4] == [
        ("alpha", "R2", "complete", 2),
        ("alpha", "R3", "in-progress", 3),
        ("beta", "L1", "pending-sign-off", 5),
    ]
    r3 = q4[1]
    assert (r3.update, r3.owner, r3.target_date) == (
        "Model rolled out in two of three areas.",
        "DCS",
        date(2020, 6, 30),
    )
    register = Register(params)
    statuses = {(r.report_id, r.item.ref): r.status for r in register.open_items(Q4)}
    assert statuses == {
        ("alpha", "R3"): "in-progress",
        ("alpha", "C1"): "in-progress",
        ("beta", "L1"): "pending-sign-off",
    }
    c1 = register.item_status("alpha", params.reports["alpha"].items[3], Q4)
    assert (c1.latest.quarter.id, c1.stale) == ("2019-20-Q1", True)


def test_round_trip_briefing_counts(request_path, register_root):
    _fill_in(request_path, FORCE_EDITS)
    _return(request_path, register_root)
    alpha = build("alpha", "2019-20-Q4", register_root).figures["items"]
    # R1 complete (Q3), R2 complete (Q4), R3 in progress (target 30/06/2020: not overdue),
    # C1 in progress (due 15/05/2019: overdue; last update Q1: stale); changed: R2 only.
    assert {k: alpha[k] for k in ("total", "by_status", "overdue", "changed", "stale")} == {
        "total": 4,
        "by_status": {"in-progress": 2, "complete": 2},
        "overdue": 1,
        "changed": 1,
        "stale": 1,
    }
    beta = build("beta", "2019-20-Q4", register_root).figures["items"]
    assert {k: beta[k] for k in ("by_status", "changed")} == {
        "by_status": {"pending-sign-off": 1, "not-accepted": 1},
        "changed": 1,
    }


def test_an_edited_read_only_cell_is_an_error(request_path, register_root):
    _fill_in(
        request_path,
        {(4, "Text"): "Safeguarding referrals are mostly on time.", (5, "Last status"): "Complete"},
    )
    _return(request_path, register_root)
    with pytest.raises(InputError) as caught:
        load_params(register_root)
    assert [str(p) for p in caught.value.problems] == [
        "updates/2019-20-Q4.xlsx:4: text: changed by the force (expected 'Safeguarding "
        "referrals are late.', got 'Safeguarding referrals are mostly on time.')",
        "updates/2019-20-Q4.xlsx:5: last_status: changed by the force (expected 'In progress', "
        "got 'Complete')",
    ]


def test_the_message_shows_the_whole_original_text_to_put_back(register_root, tmp_path):
    long = (
        "Safeguarding referrals are late: the force should make sure that every referral "
        "to children's services is made within one working day, and audit this quarterly."
    )
    report = register_root / "reports" / "alpha.yaml"
    report.write_text(
        report.read_text().replace("text: Safeguarding referrals are late.", f'text: "{long}"')
    )
    path = tmp_path / "request.xlsx"
    write_request(load_params(register_root), Q4, path)
    _fill_in(path, {(4, "Text"): "Referrals are on time now."})
    _return(path, register_root)
    with pytest.raises(InputError) as caught:
        load_params(register_root)
    assert [str(p) for p in caught.value.problems] == [
        f"updates/2019-20-Q4.xlsx:4: text: changed by the force (expected {long!r}, "
        "got 'Referrals are on time now.')"
    ]


def test_the_instructions_begin_with_a_capital(request_path):
    book = openpyxl.load_workbook(request_path)
    first_words = [str(row[0].value) for row in book["Instructions"].iter_rows() if row[0].value]
    assert first_words[1].startswith("The Office of the Police and Crime Commissioner for ")
    assert all(text[0].isupper() for text in first_words)


def test_a_workbook_saved_as_another_quarter_is_refused(request_path, register_root):
    _return(request_path, register_root, "2020-21-Q1.xlsx")
    with pytest.raises(InputError) as caught:
        load_params(register_root)
    assert [str(p) for p in caught.value.problems] == [
        "updates/2020-21-Q1.xlsx: file name: this request-updates workbook asks for 2019-20-Q4 "
        "updates (expected updates/2019-20-Q4.xlsx, got '2020-21-Q1.xlsx')"
    ]


def test_a_cleared_status_means_unchanged_and_not_accepted_needs_a_reason(
    request_path, register_root
):
    _fill_in(
        request_path,
        {
            (2, "Status"): None,  # alpha R2: cleared, with an update: still in progress
            (2, "Update"): "Second audit booked.",
            (3, "Status"): "Not accepted",  # alpha R3: no reason given
        },
    )
    _return(request_path, register_root)
    with pytest.raises(InputError) as caught:
        load_params(register_root)
    assert [str(p) for p in caught.value.problems] == [
        "updates/2019-20-Q4.xlsx:3: update: a not-accepted item needs the reason in 'update' "
        "(s55(5B)) (expected the reason no action is taken, got an empty cell)"
    ]
    _fill_in(request_path, {(3, "Status"): "In progress"})
    _return(request_path, register_root)
    q4 = [u for u in load_params(register_root).updates if u.quarter == Q4]
    assert [(u.ref, u.status, u.update) for u in q4] == [
        ("R2", "in-progress", "Second audit booked.")
    ]


def test_a_returned_as_at_date_dates_the_update(request_path, register_root):
    _fill_in(
        request_path,
        {
            (2, "Status"): "Complete",  # alpha R2
            (2, "Update"): "Audit finished.",
            (2, "As at"): datetime(2020, 2, 14),
            (5, "As at"): datetime(2020, 2, 1),  # beta L1: a date alone is no update
        },
    )
    _return(request_path, register_root)
    register = Register(load_params(register_root))
    (r2,) = [u for u in register.history[("alpha", "R2")] if u.quarter == Q4]
    assert (r2.status, r2.as_at) == ("complete", date(2020, 2, 14))
    assert [u.quarter for u in register.history[("beta", "L1")]] == [Quarter.parse("2019-20-Q3")]
    assert register.status_on("alpha", "R2", date(2020, 2, 13)) == "in-progress"
    assert register.status_on("alpha", "R2", date(2020, 2, 14)) == "complete"


def test_a_returned_as_at_outside_the_quarter_is_an_error(request_path, register_root):
    _fill_in(request_path, {(2, "Update"): "Audit finished.", (2, "As at"): datetime(2020, 4, 1)})
    _return(request_path, register_root)
    with pytest.raises(InputError) as err:
        load_params(register_root)
    assert str(err.value.problems[0]) == (
        "updates/2019-20-Q4.xlsx:2: as_at: date outside the file's quarter 2019-20-Q4 "
        "(expected a date from 2020-01-01 to 2020-03-31, got 2020-04-01)"
    )


def test_a_changed_owner_alone_is_an_update(request_path, register_root):
    _fill_in(request_path, {(4, "Owner"): "Det Supt Safeguarding"})
    _return(request_path, register_root)
    q4 = [u for u in load_params(register_root).updates if u.quarter == Q4]
    assert [(u.ref, u.status, u.owner) for u in q4] == [
        ("C1", "in-progress", "Det Supt Safeguarding")
    ]


def test_text_from_params_is_never_a_formula(register_root, tmp_path):
    report = register_root / "reports" / "alpha.yaml"
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "Review the crime recording audit.", '\'=HYPERLINK("http://x","y")\''
        ),
        encoding="utf-8",
    )
    path = tmp_path / "request.xlsx"
    write_request(load_params(register_root), Q4, path)
    cell = openpyxl.load_workbook(path)[SHEET]["D2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_closed_items_and_later_reports_are_left_out(register_root, tmp_path):
    # As at 2019-20-Q1 beta is not yet published; alpha's items are all open.
    path = tmp_path / "request.xlsx"
    rows = write_request(load_params(register_root), Quarter.parse("2019-20-Q1"), path)
    assert [(r.report, r.ref, r.last_status) for r in rows] == [
        ("alpha", "R1", "not-started"),
        ("alpha", "R2", "not-started"),
        ("alpha", "R3", "not-started"),
        ("alpha", "C1", "not-started"),
    ]


def test_default_path():
    assert default_path(Q4) == Path("outputs/2019-20-Q4/updates-request-2019-20-Q4.xlsx")


def test_a_returned_sign_off_is_read_and_alone_is_an_update(request_path, register_root):
    # Row 4 (alpha C1) marked complete with a sign-off and who closed it, no evidence;
    # row 5 (beta L1) left as sent but for a sign-off: that alone is new information.
    _fill_in(
        request_path,
        {
            (4, "Status"): "Complete",
            (4, "Signed off by"): "Accountability Board",
            (4, "Closed by"): "opcc",
            (5, "Signed off by"): "Head of Audit",
        },
    )
    _return(request_path, register_root)
    rows = {u.ref: u for u in load_params(register_root).updates if u.quarter == Q4}
    assert (rows["C1"].status, rows["C1"].signed_off_by, rows["C1"].closed_by) == (
        "complete",
        "Accountability Board",
        "opcc",
    )
    assert (rows["L1"].status, rows["L1"].signed_off_by) == ("in-progress", "Head of Audit")
    assert "R2" not in rows  # left exactly as sent
