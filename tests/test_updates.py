"""Update files as forces really send them, and every message about them."""

from datetime import date
from pathlib import Path

import pytest

from helpers import write_xlsx
from toolkit.quarters import Quarter
from toolkit.record.updates import normalise_status, read_updates

REFS = {"alpha": {"R1", "R2"}, "beta": {"R1", "L1"}}
Q = Quarter.parse("2019-20-Q1")
HEADER = "report,ref,status,update,evidence,owner,target_date"


def read(tmp_path: Path, data: bytes, name: str = "2019-20-Q1.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_updates(path, Q, f"updates/{name}", REFS)


def messages(found) -> list[str]:
    return [str(p) for p in found[1]]


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("In progress", "in-progress"),
        ("IN PROGRESS", "in-progress"),
        ("Pending sign-off", "pending-sign-off"),
        ("pending sign off", "pending-sign-off"),
        ("Not accepted", "not-accepted"),
        ("not_started", "not-started"),
        ("Completed", "complete"),
        (" superseded ", "superseded"),
        ("done", None),
        ("", None),
    ],
)
def test_status_labels(label, status):
    assert normalise_status(label) == status


def test_utf8_bom_crlf_and_blank_trailing_rows(tmp_path):
    data = (
        f"\ufeff{HEADER}\r\nalpha,R1,In progress,Caf\u00e9 opened,,ACC,31/07/2019\r\n,,,,,,\r\n\r\n"
    ).encode()
    rows, found = read(tmp_path, data)
    assert found == []
    assert [(r.ref, r.status, r.update, r.target_date, r.row) for r in rows] == [
        ("R1", "in-progress", "Caf\u00e9 opened", date(2019, 7, 31), 2)
    ]


def test_windows_1252_is_decoded_not_mangled(tmp_path):
    data = f"{HEADER}\nalpha,R1,complete,Caf\u00e9 \u2013 \u00a3500 spent,,,\n".encode("cp1252")
    rows, found = read(tmp_path, data)
    assert found == []
    assert rows[0].update == "Caf\u00e9 \u2013 \u00a3500 spent"


def test_undecodable_bytes_are_refused(tmp_path):
    data = f"{HEADER}\nalpha,R1,complete,x".encode() + b"\x81\xff,,,\n"
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:2: cannot tell the file's encoding (expected UTF-8 (Excel: "
        "Save As > CSV UTF-8), got byte 0x81)"
    ]


def test_empty_file(tmp_path):
    assert messages(read(tmp_path, b"")) == [
        "updates/2019-20-Q1.csv: the file is empty (expected a header row: "
        "report,ref,status,update,evidence,owner,target_date)"
    ]


def test_missing_column(tmp_path):
    assert messages(read(tmp_path, b"report,ref,state\nalpha,R1,complete\n")) == [
        "updates/2019-20-Q1.csv:1: status: missing column (expected columns "
        "report,ref,status,update,evidence,owner,target_date, got report,ref,state)"
    ]


def test_row_messages(tmp_path):
    data = (
        f"{HEADER}\nalpha,R1,done,,,,\nnope,R1,complete,,,,\nbeta,R9,complete,,,,\n"
        "beta,R1,not accepted,,,,\nbeta,L1,complete,x,,,\nbeta,L1,complete,y,,,\n"
        "alpha,R2,complete,,,,2019-02-30\n"
    ).encode()
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:2: status: unknown status (expected one of not-started, "
        "in-progress, pending-sign-off, complete, superseded, not-accepted, got 'done')",
        "updates/2019-20-Q1.csv:3: report: unknown report (expected one of alpha, beta, "
        "got 'nope')",
        "updates/2019-20-Q1.csv:4: ref: no item 'R9' in report beta (expected one of L1, R1, "
        "got 'R9')",
        "updates/2019-20-Q1.csv:5: update: a not-accepted item needs the reason in 'update' "
        "(s55(5B)) (expected the reason no action is taken, got an empty cell)",
        "updates/2019-20-Q1.csv:7: ref: a second row for beta L1 in one quarter (first on row 6)",
        "updates/2019-20-Q1.csv:8: target_date: 30 February 2019 is not a date (expected "
        "YYYY-MM-DD or DD/MM/YYYY, got '2019-02-30')",
    ]


def test_xlsx_with_real_dates_and_extra_columns(tmp_path):
    from datetime import datetime

    path = write_xlsx(
        tmp_path / "2019-20-Q1.xlsx",
        [
            ["Report", "Ref", "Status", "Update", "Evidence", "Owner", "Target date", "Notes"],
            [
                "alpha",
                "R1",
                "Pending sign-off",
                "Awaiting board",
                None,
                "ACC",
                datetime(2019, 9, 30),
                "ignored",
            ],
            [None, None, None, None, None, None, None, None],
        ],
    )
    rows, found = read_updates(path, Q, "updates/2019-20-Q1.xlsx", REFS)
    assert found == []
    assert [(r.status, r.target_date) for r in rows] == [("pending-sign-off", date(2019, 9, 30))]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "2019-20-Q1.xlsx"
    path.write_bytes(b"this is not a zip")
    _, found = read_updates(path, Q, "updates/2019-20-Q1.xlsx", REFS)
    assert len(found) == 1
    assert str(found[0]).startswith("updates/2019-20-Q1.xlsx: not a readable Excel workbook (")


def test_refs_are_matched_regardless_of_case_and_kept_as_the_report_spells_them(tmp_path):
    data = f"{HEADER}\nalpha,r2,In progress,Started.,,,\nbeta,l1,complete,Done.,,,\n".encode()
    rows, found = read(tmp_path, data)
    assert found == []
    assert [(r.report, r.ref, r.status) for r in rows] == [
        ("alpha", "R2", "in-progress"),
        ("beta", "L1", "complete"),
    ]


def test_a_ref_that_matches_no_item_in_any_case_is_still_refused(tmp_path):
    data = f"{HEADER}\nalpha,r3,complete,Done.,,,\n".encode()
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:2: ref: no item 'r3' in report alpha (expected one of R1, R2, "
        "got 'r3')"
    ]


def test_the_same_item_twice_in_two_cases_is_one_item_given_twice(tmp_path):
    data = f"{HEADER}\nalpha,R1,complete,Done.,,,\nalpha,r1,complete,Done.,,,\n".encode()
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:3: ref: a second row for alpha R1 in one quarter (first on row 2)"
    ]


def test_a_month_first_date_says_dates_are_day_first(tmp_path):
    data = f"{HEADER}\nalpha,R1,in-progress,,,,11/15/2018\n".encode()
    (message,) = messages(read(tmp_path, data))
    assert "dates are day first (DD/MM/YYYY) or YYYY-MM-DD" in message
    assert "15 is not a month" in message


# --------------------------------------------------------------------------- dated updates
# Q is 2019-20-Q1: 1 April to 30 June 2019.


def test_rows_with_their_own_as_at_dates_are_all_kept_in_date_order(tmp_path):
    data = (
        f"{HEADER},as_at\n"
        "alpha,R1,complete,Signed off.,,ACC,,2019-06-20\n"
        "alpha,R1,in-progress,Started.,,ACC,,15/04/2019\n"
        "alpha,R2,in-progress,Begun.,,,,\n"
    ).encode()
    rows, found = read(tmp_path, data)
    assert found == []
    # Sorted by day; a blank as_at is the quarter's last day.
    assert [(r.ref, r.status, r.as_at, r.day, r.row) for r in rows] == [
        ("R1", "in-progress", date(2019, 4, 15), date(2019, 4, 15), 3),
        ("R1", "complete", date(2019, 6, 20), date(2019, 6, 20), 2),
        ("R2", "in-progress", None, date(2019, 6, 30), 4),
    ]


@pytest.mark.parametrize(
    ("as_at", "message"),
    [
        (
            "2019-07-01",
            "updates/2019-20-Q1.csv:2: as_at: date outside the file's quarter 2019-20-Q1 "
            "(expected a date from 2019-04-01 to 2019-06-30, got 2019-07-01)",
        ),
        (
            "31/03/2019",
            "updates/2019-20-Q1.csv:2: as_at: date outside the file's quarter 2019-20-Q1 "
            "(expected a date from 2019-04-01 to 2019-06-30, got 2019-03-31)",
        ),
        (
            "soon",
            "updates/2019-20-Q1.csv:2: as_at: not a date (expected YYYY-MM-DD or DD/MM/YYYY, "
            "got 'soon')",
        ),
    ],
)
def test_an_as_at_outside_the_quarter_or_not_a_date_is_one_line(tmp_path, as_at, message):
    data = f"{HEADER},as_at\nalpha,R1,complete,Done.,,,,{as_at}\n".encode()
    assert messages(read(tmp_path, data)) == [message]


def test_two_rows_for_one_item_on_the_same_day_are_refused(tmp_path):
    data = (
        f"{HEADER},as_at\n"
        "alpha,R1,in-progress,Started.,,,,2019-05-01\n"
        "alpha,R1,complete,Done.,,,,01/05/2019\n"
        "alpha,R2,in-progress,Started.,,,,\n"
        "alpha,R2,complete,Done.,,,,2019-06-30\n"
    ).encode()
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:3: as_at: a second row for alpha R1 as at 2019-05-01 "
        "(first on row 2)",
        "updates/2019-20-Q1.csv:5: as_at: a second row for alpha R2 as at 2019-06-30 "
        "(first on row 4)",
    ]


def test_every_check_of_a_row_is_reported_in_column_then_check_order(tmp_path):
    # One row wrong five ways: the control characters first (in column order, the
    # report's as well as its unknown name), then each check in turn.
    data = (
        b"report,ref,status,update,evidence,owner,target_date,closed_by,as_at\n"
        b"gam\x07a,R1,Done,,,Head\x1b,2019-02-30,PCC,2019-07-01\n"
    )
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:2: report: a control character (U+0007) cannot go into the "
        "briefing or the letter (expected printable text, got 'gam\\x07a')",
        "updates/2019-20-Q1.csv:2: owner: a control character (U+001B) cannot go into the "
        "briefing or the letter (expected printable text, got 'Head\\x1b')",
        "updates/2019-20-Q1.csv:2: report: unknown report (expected one of alpha, beta, "
        "got 'gam\\x07a')",
        "updates/2019-20-Q1.csv:2: status: unknown status (expected one of not-started, "
        "in-progress, pending-sign-off, complete, superseded, not-accepted, got 'Done')",
        "updates/2019-20-Q1.csv:2: closed_by: not who closed the item (expected one of opcc, "
        "hmicfrs, force or an empty cell, got 'PCC')",
        "updates/2019-20-Q1.csv:2: target_date: 30 February 2019 is not a date "
        "(expected YYYY-MM-DD or DD/MM/YYYY, got '2019-02-30')",
        "updates/2019-20-Q1.csv:2: as_at: date outside the file's quarter 2019-20-Q1 "
        "(expected a date from 2019-04-01 to 2019-06-30, got 2019-07-01)",
    ]


def test_a_not_accepted_row_without_an_update_column_still_needs_its_reason(tmp_path):
    data = b"report,ref,status\nalpha,R2,Not accepted\n"
    assert messages(read(tmp_path, data)) == [
        "updates/2019-20-Q1.csv:2: update: a not-accepted item needs the reason in 'update' "
        "(s55(5B)) (expected the reason no action is taken, got an empty cell)"
    ]


def test_the_row_model_gives_typed_values():
    from toolkit.record.updates import UpdateRow
    from toolkit.vocabulary import ClosedBy, Status

    row = UpdateRow.model_validate(
        {"report": "beta", "ref": "L1", "status": "Pending Sign-off", "target_date": "31/07/2019",
         "closed_by": "OPCC", "as_at": "2019-05-01"},
        context={"refs": REFS, "quarter": Q},
    )  # fmt: skip
    assert row.status is Status.PENDING_SIGN_OFF and row.closed_by is ClosedBy.OPCC
    assert (row.target_date, row.as_at, row.update) == (date(2019, 7, 31), date(2019, 5, 1), "")
