"""The publishable tracker on the hand-written register of tests/fixtures/overview.

Every row below was worked out by hand as at 2019-20-Q4's end (31 March 2020); the statuses,
targets and owners are derived in tests/test_overview.py's docstring. beta has no items, so
it has no row. alpha's R2 text, A1's update and C1's text begin with "=", "@" and "-": they
must stay text in both files. RAG by hand: R1 and C1 closed (blue); R2 past its due date
and not updated in Q4 (red); A1 past its target, which moved once, 31 Dec 2019 to 28 Feb
2020 (red); G1 due on the quarter's last day and not updated in Q4 (amber); G2 not accepted
with no PCC explanation in gamma's response (red). LibreOffice (headless) opens the workbook
and the CSV; those tests skip when it is not installed (``apt-get install
libreoffice-calc-nogui``), and fail instead when CI is set.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from browser_tools import in_ci
from toolkit.quarters import Quarter
from toolkit.record.params import load_params
from toolkit.record.tracker import COLUMNS, csv_text, tracker_rows, write_tracker

ROOT = Path(__file__).parent / "fixtures" / "overview"
Q4 = Quarter(2019, 4)
R2_TEXT = '=HYPERLINK("http://example.invalid","Audit") the crime recording.'
A1_UPDATE = "@Supervisors trained; the model goes live in February."

HEADER = [
    "Report", "Published", "Ref", "Kind", "Text", "Owner", "Due", "Target date", "Status",
    "Overdue", "Latest update", "Update quarter", "Evidence", "Closed in",
    "RAG", "RAG reason", "Target moved", "Target history", "Closed by", "Signed off by",
    "Carried over",
]  # fmt: skip
ALPHA, GAMMA = "Alpha force inspection", "Gamma follow-up inspection"
A_PUB, G_PUB = date(2019, 4, 10), date(2019, 12, 2)
ROWS = [
    [ALPHA, A_PUB, "R1", "Recommendation", "Improve call handling.", "ACC Operations",
     date(2019, 9, 30), "", "Superseded", "No",
     "Replaced by the national call handling standard.", "2019-20-Q4", "", "2019-20-Q3",
     "Blue", "superseded", "", "", "", "", ""],
    [ALPHA, A_PUB, "R2", "Recommendation", R2_TEXT, "Head of Crime Registry",
     date(2019, 10, 10), "", "In progress", "Yes", "Audit under way.", "2019-20-Q3", "", "",
     "Red", "past the due date; no update this quarter", "", "", "", "", ""],
    [ALPHA, A_PUB, "A1", "Area for improvement", "Supervise investigations better.",
     "DCI Smith", "", date(2020, 2, 28), "In progress", "Yes", A1_UPDATE, "2019-20-Q4", "", "",
     "Red", "past the force's target date; target moved once", 1,
     "28 Feb 2020 (was 31 Dec 2019; moved once)", "", "", ""],
    [ALPHA, A_PUB, "C1", "Cause of concern", "-Safeguarding referrals are late.", "DCI Jones",
     date(2019, 4, 10), "", "Complete", "No", "Referrals are now made on time.", "2019-20-Q4",
     "Audit report", "2019-20-Q4", "Blue", "complete", "", "", "", "", ""],
    [GAMMA, G_PUB, "G1", "Recommendation", "Publish the custody review.", "Ch Supt Custody",
     date(2020, 3, 31), "", "In progress", "No", "Review drafted.", "2019-20-Q3", "", "",
     "Amber", "due within 30 days; no update this quarter", "", "", "", "", ""],
    [GAMMA, G_PUB, "G2", "Local action", "Train custody staff.", "", "", "", "Not accepted",
     "No", "Training is provided nationally; no local course is needed.", "2019-20-Q4", "",
     "2019-20-Q4", "Red", "not accepted, no PCC explanation", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture(scope="module")
def params():
    return load_params(ROOT)


@pytest.fixture(scope="module")
def written(params, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracker") / Q4.id
    csv_path, xlsx_path, count = write_tracker(params, Q4, folder)
    return folder, csv_path, xlsx_path, count


def _text(value: object) -> object:
    """A count as the CSV (and LibreOffice's CSV) writes it: its digits."""
    return str(value) if isinstance(value, int) else value


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_one_row_per_item_of_every_tracked_report(params):
    rows = tracker_rows(params, Q4)
    assert [c.header for c in COLUMNS] == HEADER
    assert [[row[c.key] for c in COLUMNS] for row in rows] == ROWS


def test_an_earlier_quarter_knows_nothing_of_later_updates(params):
    rows = {r["ref"]: r for r in tracker_rows(params, Quarter(2019, 2))}
    assert sorted(rows) == ["A1", "C1", "R1", "R2"]  # gamma is not published yet
    assert (rows["R1"]["status"], rows["R1"]["closed_in"]) == ("Pending sign-off", "")
    assert rows["A1"]["target"] == date(2019, 12, 31)
    assert rows["C1"]["overdue"] == "Yes"


def test_csv_dates_are_iso_and_formula_text_is_quoted(written):
    _, csv_path, _, count = written
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and count == 6
    rows = _csv_rows(csv_path)
    assert rows[0] == HEADER
    expected = [[v.isoformat() if isinstance(v, date) else _text(v) for v in row] for row in ROWS]
    expected[1][4] = "'" + R2_TEXT
    expected[2][10] = "'" + A1_UPDATE
    expected[3][4] = "'-Safeguarding referrals are late."
    assert rows[1:] == expected


def test_workbook_layout_dates_and_text_cells(written):
    _, _, xlsx_path, _ = written
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Tracker", "About"]
    sheet = book["Tracker"]
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "D2"
    assert sheet.auto_filter.ref == "A1:U7"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    expected = [
        [datetime(v.year, v.month, v.day) if isinstance(v, date) else (v or None) for v in row]
        for row in ROWS
    ]
    assert values == expected
    assert sheet["B2"].is_date and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["H4"].is_date  # A1's target date
    # A1's target moved once: a number in the sheet, so that it can be summed or filtered.
    assert (sheet["Q4"].value, sheet["Q4"].data_type) == (1, "n")
    # Formula-looking text is a text cell, not a formula.
    for ref in ("E3", "K4", "E5"):
        assert sheet[ref].data_type == "s", ref
    assert sheet["E3"].value == R2_TEXT
    assert all(c.alignment.wrap_text for c in sheet[3])
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Quarter"] == "2019-20-Q4"
    assert about["As at"] == "the end of Q4 2019/20 (January to March 2020): 31 March 2020"
    assert about["Owner"] == "Who leads the work, as the force last said."


def test_public_tracker_leaves_out_owner_and_evidence(params, tmp_path):
    csv_path, xlsx_path, _ = write_tracker(params, Q4, tmp_path, public=True)
    assert (csv_path.name, xlsx_path.name) == ("tracker-public.csv", "tracker-public.xlsx")
    public_header = [h for h in HEADER if h not in ("Owner", "Evidence")]
    rows = _csv_rows(csv_path)
    assert rows[0] == public_header
    c1_text = "'-Safeguarding referrals are late."
    assert rows[4][:5] == [ALPHA, "2019-04-10", "C1", "Cause of concern", c1_text]
    flat = csv_path.read_text(encoding="utf-8-sig")
    assert "DCI Jones" not in flat and "Audit report" not in flat
    sheet = load_workbook(xlsx_path)["Tracker"]
    assert [c.value for c in sheet[1]] == public_header
    assert "Owner" not in {row[0].value for row in load_workbook(xlsx_path)["About"].iter_rows()}


def test_an_empty_register_writes_the_header_only(params):
    text = csv_text([], public=False)
    assert text == ",".join(HEADER) + "\r\n"


def test_a_failed_write_leaves_the_earlier_tracker(params, tmp_path, monkeypatch):
    csv_path, xlsx_path, _ = write_tracker(params, Q4, tmp_path)
    before = (csv_path.read_bytes(), xlsx_path.read_bytes())

    real = Path.write_bytes

    def broken(self: Path, data: bytes) -> int:
        if self.suffix != ".xlsx":
            return real(self, data)
        real(self, data[:7])  # the workbook's temporary file, cut short
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken)
    with pytest.raises(OSError):
        write_tracker(params, Quarter(2019, 3), tmp_path)
    assert (csv_path.read_bytes(), xlsx_path.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tracker.csv", "tracker.xlsx"]


# ---------------------------------------------------------------------- LibreOffice


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        reason = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
        if in_ci():
            pytest.fail(f"CI is set, so this is an error, not a skip: {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def _convert(source: Path, to: str, out: Path, infilter: str | None = None) -> Path:
    """Convert with headless LibreOffice, with a profile of its own (no shared state)."""
    command = [
        _soffice(),
        f"-env:UserInstallation={(out / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(out),
        str(source),
    ]
    if infilter:
        command[3:3] = [f"--infilter={infilter}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    produced = out / f"{source.stem}.{to.split(':')[0]}"
    assert produced.is_file(), done.stdout + done.stderr
    return produced


CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76,1"


def test_libreoffice_opens_the_workbook_and_round_trips_it(written, tmp_path):
    _, csv_path, xlsx_path, _ = written
    converted = _convert(xlsx_path, f"csv:{CSV_FILTER}", tmp_path)
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == HEADER
    # LibreOffice writes dates as the cells show them (dd/mm/yyyy) and text as it is:
    # the formula-looking text comes back as the same text, not a computed value.
    expected = [[f"{v:%d/%m/%Y}" if isinstance(v, date) else _text(v) for v in row] for row in ROWS]
    assert rows[1:] == expected
    assert rows[2][4] == R2_TEXT


def test_libreoffice_reads_the_csv_formula_text_as_text(written, tmp_path):
    _, csv_path, _, _ = written
    converted = _convert(csv_path, "xlsx", tmp_path, infilter=CSV_FILTER)
    sheet = load_workbook(converted).active
    assert sheet["E3"].data_type == "s" and sheet["E3"].value == "'" + R2_TEXT
    assert sheet["K4"].data_type == "s" and sheet["K4"].value == "'" + A1_UPDATE
    assert sheet.max_row == 7
