"""A quarter's cycle from the command line: new-report, request-updates, the force's
return, validate, status, and fetch-data (against the local archive server of
``test_fetch``).

Hand-worked for the register fixture as at 2019-20-Q4, after the force's return below:
alpha R1 complete (Q3), R2 complete (Q4), R3 in progress with target 30/06/2020 (not
overdue), C1 in progress since Q1 (due 15/05/2019: overdue; stale), beta R1 not accepted,
beta L1 pending sign-off (due 31/01/2020: overdue). Open: C1, L1, R3 -- overdue first,
then by due date.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from test_fetch import MEMBERS, _base, server  # noqa: F401 - the archive server fixture
from toolkit import cli
from toolkit.cli import app
from toolkit.errors import shown
from toolkit.fetch import DEFAULT_ARCHIVE_NAME, DEFAULT_BASE_URL, FetchReport

runner = CliRunner()
COLUMNS = ["Report", "Ref", "Kind", "Text", "Due", "Last status", "Last update", "Status"]
COLUMNS += ["Update", "Evidence", "Owner", "Target date", "As at"]


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def wide(monkeypatch):
    """A console wide enough that no table cell wraps."""
    monkeypatch.setattr(cli.out_console, "width", 200)


def _table_rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("  ") if cell.strip()]
        for line in output.splitlines()
        if line.startswith(("  alpha", "  beta", "  gamma"))
    ]


def _fill_in(path: Path, edits: dict[tuple[int, str], object]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Updates"]
    for (row, header), value in edits.items():
        sheet.cell(row=row, column=COLUMNS.index(header) + 1).value = value
    book.save(path)


# --------------------------------------------------------------------------- the cycle


def test_a_quarter_from_new_report_to_status(register_root, tmp_path, wide):
    made = invoke(
        "new-report",
        "gamma",
        "--title",
        'Gamma: "a thematic" report',
        "--published",
        "2020-02-03",
        "--params",
        register_root,
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"Wrote {register_root / 'reports' / 'gamma.yaml'}.")
    assert invoke("validate", "--params", register_root).exit_code == 0

    request = tmp_path / "to-force.xlsx"
    asked = invoke(
        "request-updates", "--quarter", "2019-20-Q4", "--params", register_root, "--out", request
    )
    assert asked.exit_code == 0, asked.output
    assert asked.stdout.splitlines() == [
        f"Wrote {request}: 4 open items across 2 reports.",
        f"When the force returns it, save it as {register_root / 'updates' / '2019-20-Q4.xlsx'} "
        "and run toolkit validate.",
    ]

    _fill_in(
        request,
        {
            (2, "Status"): "Complete",  # alpha R2
            (2, "Update"): "Audit finished.",
            (3, "Update"): "Model rolled out in two of three areas.",  # alpha R3
            (3, "Target date"): datetime(2020, 6, 30),
            (5, "Status"): "Pending sign-off",  # beta L1
            (5, "Update"): "Every officer trained.",
        },
    )
    shutil.copyfile(request, register_root / "updates" / "2019-20-Q4.xlsx")
    checked = invoke("validate", "--params", register_root)
    assert checked.exit_code == 0, checked.output

    listed = invoke("status", "--quarter", "2019-20-Q4", "--params", register_root)
    assert listed.exit_code == 0, listed.output
    assert _table_rows(listed.stdout) == [
        # Due is the report's (C1 immediately = publication); Target the force's latest:
        # L1's 2020-03-31 from 2019-20-Q3 (the quarter's last day: not past it), R3's set now.
        # RAG: C1 and L1 are overdue (red); R3's target moved once, from 31 Dec 2019 (amber).
        ["alpha", "C1", "cause of concern", "In progress", "Red", "2019-05-15", "none", "DCI",
         "overdue, stale"],
        ["beta", "L1", "local action", "Pending sign-off", "Red", "2020-01-31", "2020-03-31",
         "Ch Supt", "overdue"],
        ["alpha", "R3", "AFI", "In progress", "Amber", "none", "2020-06-30", "DCS"],
    ]  # fmt: skip
    assert "Open items as at 31 March 2020 (2019-20-Q4)" in listed.stdout
    assert listed.stdout.rstrip().endswith("3 open items, 2 overdue.")  # none past a target


def test_a_returned_workbook_with_an_edited_text_fails_validate(register_root, tmp_path):
    request = tmp_path / "to-force.xlsx"
    invoke("request-updates", "-q", "2019-20-Q4", "--params", register_root, "--out", request)
    _fill_in(request, {(4, "Text"): "Referrals are on time."})
    shutil.copyfile(request, register_root / "updates" / "2019-20-Q4.xlsx")
    checked = invoke("validate", "--params", register_root)
    assert checked.exit_code == 2
    assert checked.stderr.splitlines() == [
        "updates/2019-20-Q4.xlsx:4: text: changed by the force (expected 'Safeguarding "
        "referrals are late.', got 'Referrals are on time.')"
    ]


# --------------------------------------------------------------------------- status


def test_status_lists_open_items_overdue_first(register_root, wide):
    listed = invoke("status", "-q", "2019-20-Q3", "--params", register_root)
    assert listed.exit_code == 0, listed.output
    assert _table_rows(listed.stdout) == [
        # RAG: C1 and R2 overdue (red); R3's target is the quarter's last day, so not yet
        # overdue but due within 30 days (amber); L1 due 31 days after the quarter's end and
        # updated in it (green).
        ["alpha", "C1", "cause of concern", "In progress", "Red", "2019-05-15", "none", "DCI",
         "overdue, stale"],
        ["alpha", "R2", "recommendation", "In progress", "Red", "2019-11-15", "none"]
        + ["Head of Crime Registry", "overdue"],
        ["alpha", "R3", "AFI", "In progress", "Amber", "none", "2019-12-31", "DCS"],
        ["beta", "L1", "local action", "In progress", "Green", "2020-01-31", "2020-03-31",
         "Ch Supt"],
    ]  # fmt: skip
    # C1 and R2 have no target date, so none is past the force's target: nothing to add.
    assert listed.stdout.rstrip().endswith("4 open items, 2 overdue.")


def test_status_summary_never_denies_a_target_that_has_passed(wide):
    # The worked example at 30 June 2020: L2 (no due date in the report; the force's target
    # 30 April 2020) is open, so it is overdue by its target. The summary must not add
    # "0 past the force's target" beside it; the briefing's header says "1 open, 1 overdue".
    example = Path(__file__).parents[1] / "params"
    listed = invoke("status", "-q", "2020-21-Q1", "--params", str(example))
    assert listed.exit_code == 0, listed.output
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert [(row[1], row[-1]) for row in rows if row[:1] == ["both-sides-of-the-coin"]] == [
        ("L2", "overdue")
    ]
    assert listed.stdout.rstrip().splitlines()[-1] == "1 open item, 1 overdue."


def test_status_leaves_out_reports_not_yet_published(register_root, wide):
    listed = invoke("status", "-q", "2019-20-Q1", "--params", register_root)
    # beta is published in Q2. Only C1 (due on publication) is overdue; then by due date:
    # R1 (30/09/2019), R2 (within six months: 15/11/2019), R3 (no due date).
    assert [row[:2] for row in _table_rows(listed.stdout)] == [
        ["alpha", "C1"],
        ["alpha", "R1"],
        ["alpha", "R2"],
        ["alpha", "R3"],
    ]


def test_status_needs_a_quarter(register_root):
    listed = invoke("status", "--params", register_root)
    assert listed.exit_code == 2
    assert listed.stderr.splitlines() == [
        "command line: --quarter: a quarter is required (expected e.g. --quarter 2018-19-Q3)"
    ]


def test_status_of_bad_params_exits_2(tmp_path):
    listed = invoke("status", "-q", "2019-20-Q1", "--params", tmp_path / "nowhere")
    assert listed.exit_code == 2
    assert listed.stderr.startswith(f"{tmp_path / 'nowhere'}: no such folder (looked in ")


# --------------------------------------------------------------------------- request-updates


def test_request_updates_writes_to_outputs_by_default(register_root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    asked = invoke("request-updates", "-q", "2019-20-Q4", "--params", register_root)
    assert asked.exit_code == 0, asked.output
    path = Path("outputs/2019-20-Q4/updates-request-2019-20-Q4.xlsx")
    assert asked.stdout.startswith(f"Wrote {path}: 4 open items across 2 reports.")
    assert (tmp_path / path).is_file()


def test_request_updates_says_which_update_file_the_return_replaces(register_root, tmp_path):
    asked = invoke(
        "request-updates",
        "-q",
        "2019-20-Q3",
        "--params",
        register_root,
        "--out",
        tmp_path / "r.xlsx",
    )
    assert asked.stdout.splitlines()[1] == (
        f"When the force returns it, save it as {register_root / 'updates' / '2019-20-Q3.xlsx'} "
        "in place of 2019-20-Q3.csv and run toolkit validate."
    )


def test_request_updates_refuses_a_non_xlsx_out(register_root, tmp_path):
    asked = invoke(
        "request-updates",
        "-q",
        "2019-20-Q4",
        "--params",
        register_root,
        "--out",
        tmp_path / "r.csv",
    )
    assert asked.exit_code == 2
    assert asked.stderr.splitlines() == [
        f"command line: --out: the request is an Excel workbook (expected a file name ending "
        f".xlsx, got {shown(str(tmp_path / 'r.csv'))})"
    ]
    assert not (tmp_path / "r.csv").exists()


# --------------------------------------------------------------------------- new-report


def test_new_report_refuses_to_overwrite_and_unsafe_ids(register_root):
    before = (register_root / "reports" / "alpha.yaml").read_bytes()
    again = invoke(
        "new-report",
        "alpha",
        "--title",
        "A",
        "--published",
        "2020-01-01",
        "--params",
        register_root,
    )
    assert again.exit_code == 2
    assert again.stderr.splitlines() == [
        "reports/alpha.yaml: the report already exists; new-report never overwrites a report "
        "file (expected a new report id, or edit the existing file, got 'alpha')"
    ]
    assert (register_root / "reports" / "alpha.yaml").read_bytes() == before
    unsafe = invoke(
        "new-report", "../x", "--title", "A", "--published", "2020-01-01", "--params", register_root
    )
    assert unsafe.exit_code == 2
    assert unsafe.stderr.splitlines() == [
        "command line: report: not a report id (expected lower-case letters, digits and "
        "hyphens, e.g. peel-2023, got '../x')"
    ]
    assert not (register_root / "x.yaml").exists()


# --------------------------------------------------------------------------- fetch-data


@pytest.fixture
def fetch_root(register_root: Path) -> Path:
    """The register fixture as Dorset, with Wiltshire as its peer."""
    (register_root / "force.yaml").write_text(
        "force: {name: Dorset Police, police_uk: dorset}\n"
        "pcc: {name: A Example, area: Dorset}\n"
        "chief_constable: S Sample\n"
        "addressee: [Home Secretary]\n"
        "peers: [wiltshire, dorset]\n"
        "data:\n"
        "  police_uk: data/police-uk\n",
        encoding="utf-8",
    )
    return register_root


def test_fetch_data_from_the_archive(fetch_root, server):  # noqa: F811
    got = invoke(
        "fetch-data", "--months", "2019-01..2019-03", "--params", fetch_root,
        "--base-url", _base(server),
    )  # fmt: skip
    assert got.exit_code == 0, got.output
    dest = fetch_root / "data" / "police-uk"
    added = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.csv"))
    assert added == [
        "2019-01/2019-01-dorset-outcomes.csv",
        "2019-01/2019-01-dorset-street.csv",
        "2019-01/2019-01-wiltshire-street.csv",
        "2019-02/2019-02-dorset-outcomes.csv",
        "2019-02/2019-02-dorset-street.csv",
        "2019-02/2019-02-wiltshire-street.csv",
        "2019-03/2019-03-dorset-outcomes.csv",
        "2019-03/2019-03-dorset-street.csv",
    ]
    assert (dest / "2019-02/2019-02-dorset-street.csv").read_bytes() == MEMBERS[
        "2019-02/2019-02-dorset-street.csv"
    ]
    assert got.stdout.splitlines() == [
        f"Fetching 2019-01, 2019-02, 2019-03 for dorset, wiltshire into {dest}",
        "missing (not in the archive): 2019-03/2019-03-wiltshire-street.csv",
        "added 8, already present 0, kept (different) 0, missing 1",
    ]
    assert "fetching 2019-01/2019-01-dorset-street.csv" in got.stderr.splitlines()
    again = invoke(
        "fetch-data", "--months", "2019-01", "--forces", "dorset", "--params", fetch_root,
        "--base-url", _base(server), "--archive-name", "2019-03.zip",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == (
        "added 0, already present 2, kept (different) 0, missing 0"
    )


def test_fetch_data_stops_with_one_line_when_the_archive_is_missing(fetch_root, server):  # noqa: F811
    got = invoke(
        "fetch-data", "--months", "2017-01", "--params", fetch_root, "--base-url", _base(server)
    )
    assert got.exit_code == 2
    assert got.stderr.splitlines()[-1] == (
        f"{_base(server)}2017-01.zip: no such archive (HTTP 404) (expected one of the "
        f"archives listed at {_base(server)})"
    )


def test_fetch_data_defaults_come_from_force_yaml(fetch_root, monkeypatch):
    calls = []

    def fake(months, forces, dest, **options):
        calls.append((months, forces, dest, options))
        return FetchReport(added=["2019-01/2019-01-dorset-street.csv"])

    monkeypatch.setattr("toolkit.fetch.fetch_months", fake)
    got = invoke("fetch-data", "--months", "2019-01", "--params", fetch_root)
    assert got.exit_code == 0, got.output
    [(months, forces, dest, options)] = calls
    assert (months, forces, dest) == (
        ["2019-01"],
        ["dorset", "wiltshire"],
        fetch_root / "data" / "police-uk",
    )
    assert (options["base_url"], options["archive_name"]) == (
        DEFAULT_BASE_URL,
        DEFAULT_ARCHIVE_NAME,
    )
    assert callable(options["progress"])
    invoke("fetch-data", "--months", "2019-01", "--forces", "hampshire", "--params", fetch_root)
    assert calls[-1][1] == ["hampshire"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "",
            "force.yaml: data.police_uk: no data.police.uk folder set, so fetch-data has nowhere "
            "to add files (expected a folder relative to the params root, e.g. police_uk: "
            "data/police-uk, got nothing)",
        ),
        (
            "data:\n  police_uk: data/police-uk.zip\n",
            "force.yaml: data.police_uk: fetch-data adds files to a folder, not to a .zip "
            "(expected a folder in data.police.uk layout (YYYY-MM/YYYY-MM-<slug>-street.csv), "
            "got 'data/police-uk.zip')",
        ),
    ],
)
def test_fetch_data_refuses_no_folder_or_a_zip(fetch_root, monkeypatch, data, message):
    force = fetch_root / "force.yaml"
    force.write_text(force.read_text(encoding="utf-8").split("data:")[0] + data, encoding="utf-8")
    monkeypatch.setattr("toolkit.fetch.fetch_months", pytest.fail)
    got = invoke("fetch-data", "--months", "2019-01", "--params", fetch_root)
    assert got.exit_code == 2
    assert got.stderr.splitlines() == [message]


def test_fetch_data_refuses_bad_months_before_reading_params(tmp_path):
    got = invoke("fetch-data", "--months", "2019-13", "--params", tmp_path)
    assert got.exit_code == 2
    assert got.stderr.splitlines()[0].startswith("--months: ")
