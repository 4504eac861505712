"""import-report: each fixture form read from .html, .txt and a PDF, against hand answer keys.

The fixtures in ``fixtures/importer`` were written by hand in the forms HMICFRS uses (PEEL
2021/22 onwards, PEEL 2014-2019, a national thematic, an accelerated cause of concern
letter), each with narrative that must not be taken; ``<name>.key.yaml`` is the answer key,
worked out by hand from the fixture's text.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.importer import import_report
from toolkit.importer.document import Block, blocks_from_lines, join_lines
from toolkit.importer.due import find_due
from toolkit.importer.items import find_items
from toolkit.importer.write import read_document
from toolkit.record.params import load_params

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTER = FIXTURES / "importer"
NAMES = ["peel-2023", "peel-2017", "county-lines-2022", "accelerated-2024"]
TODAY = date(2026, 1, 5)


def _key(name: str) -> dict:
    return yaml.safe_load((IMPORTER / f"{name}.key.yaml").read_text(encoding="utf-8"))


def _as_text(due: object) -> str | None:
    return None if due is None else str(due)


def _check(found: list, key: dict) -> None:
    """Every item in the key, in order, and nothing else."""
    expected = key["items"]
    assert [i.ref for i in found] == [e["ref"] for e in expected]
    for item, want in zip(found, expected, strict=True):
        where = f"{want['ref']}"
        assert item.kind.value == want["kind"], where
        assert item.parent == want.get("parent"), where
        assert item.addressee == want.get("addressee"), where
        assert _as_text(item.due) == _as_text(want.get("due")), where
        assert item.text.startswith(want["starts"]), (where, item.text)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "params"
    shutil.copytree(FIXTURES / "lineage", folder)
    shutil.rmtree(folder / "reports")
    shutil.rmtree(folder / "updates")
    return folder


@pytest.mark.parametrize("suffix", [".html", ".txt"])
@pytest.mark.parametrize("name", NAMES)
def test_items_match_the_answer_key(name, suffix):
    doc = read_document(IMPORTER / f"{name}{suffix}")
    key = _key(name)
    _check(find_items(doc.blocks).items, key)
    assert doc.title == key["title"]
    assert doc.published == key["published"]


def test_narrative_is_never_taken():
    texts = []
    for name in NAMES:
        for suffix in (".html", ".txt"):
            texts += [
                i.text for i in find_items(read_document(IMPORTER / f"{name}{suffix}").blocks).items
            ]
    for never in (
        "should never be taken from the site header",
        "should not be read",
        "We expect that the force",
        "The public should be able",
        "plan its staffing",
        "The force should be commended",
        "In 2016 we said",
        "Forces should use the existing guidance",
        "the person should be treated as a victim",
        "We consider that the force should continue",
        "answer emergency calls promptly",
        "The actions that agencies should take",
    ):
        assert not any(never in text for text in texts), never


@pytest.mark.parametrize(
    ("text", "due", "form"),
    [
        ("By 31 March 2022, the force should act.", date(2022, 3, 31), "by a date"),
        ("By September 2014, forces should act.", date(2014, 9, 30), "by a month"),
        ("By February 2024 the force should act.", date(2024, 2, 29), "by a month"),
        ("Not later than 31 March 2015 those forces should act.", date(2015, 3, 31), "by a date"),
        ("The Home Office should act no later than 1st June 2023.", date(2023, 6, 1), "by a date"),
        ("With immediate effect, all forces should act.", "immediately", "immediately"),
        ("The force should immediately review its policy.", "immediately", "immediately"),
        ("Within six months, the force should review it.", "within 6 months", "within N months"),
        ("HMIC recommends that within three months the force should act.", "within 3 months",
         "within N months"),
        ("The force should, within 12 weeks, publish it.", "within 12 weeks", "within N weeks"),
        ("The force should update victims within four weeks of a report.", None, ""),
        ("The force should answer calls within 10 seconds.", None, ""),
        ("The force should improve its records.", None, ""),
    ],
)  # fmt: skip
def test_due_forms(text, due, form):
    found, _ = find_due(text)
    assert (found.value if found else None) == due
    assert (found.form if found else "") == form


def test_a_deadline_that_is_not_a_date_is_noted_not_written():
    found, notes = find_due("By spring 2023, chief constables should act.")
    assert found is None
    assert notes == ["deadline 'By spring 2023' is not a date: no due written"]


def test_plain_text_rules_rejoin_words_and_drop_footnote_markers():
    assert join_lines(["The force should improve its organis-", "ation of co-", "ordination."]) == (
        "The force should improve its organisation of co-ordination."
    )
    blocks = blocks_from_lines(
        [("Area for improvement", "line 1"), ("", ""),
         ("The force should record crime accurately.12 It", "line 3"),
         ("has not.", "line 4"), ("", ""), ("a) first", "line 6"), ("(b) second", "line 7")]
    )  # fmt: skip
    assert blocks == [
        Block("heading", "Area for improvement", "line 1"),
        Block("para", "The force should record crime accurately. It has not.", "line 3"),
        Block("entry", "first", "line 6", "a"),
        Block("entry", "second", "line 7", "b"),
    ]


def test_summary_repeats_are_taken_once_and_reported():
    blocks = [
        Block("heading", "Summary of recommendations", "line 1"),
        Block("para", "Recommendation 1: Chief constables should act on county lines.", "line 2"),
        Block("heading", "Recommendations", "line 9"),
        Block("heading", "Recommendation 1", "line 10"),
        Block("para", "Chief constables should act on county lines.", "line 11"),
    ]
    scan = find_items(blocks)
    assert [(i.ref, i.where) for i in scan.items] == [("R1", "line 2")]
    assert scan.unsure == [("line 11", "repeats the item at line 2; taken once")]


def test_import_writes_a_file_that_validates(root):
    result = import_report(IMPORTER / "peel-2023.html", root, "peel-2023", today=TODAY)
    assert result.by_kind() == {
        "recommendation": 5, "area-for-improvement": 4, "cause-of-concern": 2,
    }  # fmt: skip
    assert result.due_forms() == {"within N months": 3, "by a date": 2, "no deadline": 6}
    report = load_params(root).reports["peel-2023"]
    assert report.published == date(2024, 3, 14)
    assert report.kind == "peel"
    assert [(i.ref, i.parent) for i in report.items if i.parent] == [
        ("R1", "CoC1"), ("R2", "CoC1"), ("R3", "CoC1"), ("R4", "CoC2"), ("R5", "CoC2"),
    ]  # fmt: skip
    assert str(report.items[1].due) == "within 3 months"
    text = (root / "reports" / "peel-2023.yaml").read_text(encoding="utf-8")
    assert "  # line 25\n  - ref: R1\n" in text


def test_cli_refuses_to_overwrite_with_one_line(root):
    runner = CliRunner()
    args = ["import-report", str(IMPORTER / "county-lines-2022.txt"), "--id", "cl",
            "--params", str(root)]  # fmt: skip
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (
        "9 item(s): 8 recommendation, 1 area-for-improvement, 0 cause-of-concern." in first.output
    )
    before = (root / "reports" / "cl.yaml").read_bytes()
    second = runner.invoke(app, args)
    assert second.exit_code == 2
    assert second.output.strip().splitlines() == [
        "reports/cl.yaml: the report already exists; import-report never overwrites a report "
        "file (expected a new --id, or edit the existing file, got 'cl')"
    ]
    assert (root / "reports" / "cl.yaml").read_bytes() == before


def test_new_report_from_does_the_same(root):
    result = CliRunner().invoke(
        app, ["new-report", "acc", "--from", str(IMPORTER / "accelerated-2024.txt"),
              "--params", str(root)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_params(root).reports["acc"]
    assert [i.ref for i in report.items] == ["CoC1", "R1", "R2", "R3", "R4"]
    assert report.kind == "follow-up"


def test_missing_publication_date_is_a_placeholder_validate_warns_about(root, tmp_path):
    source = tmp_path / "r.txt"
    source.write_text("A report\n\nRecommendation 1\n\nChief constables should act.\n")
    result = CliRunner().invoke(app, ["import-report", str(source), "--id", "r",
                                      "--params", str(root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "published: not stated in the document" in result.output
    checked = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert checked.exit_code == 0
    assert (
        "warning: reports/r.yaml:7: published: still the placeholder toolkit import-report "
        "wrote (expected the publication date as YYYY-MM-DD; the document does not state it)"
    ) in checked.output


def test_the_documents_date_wins_and_bad_options_are_refused(root):
    """The publication date the document states is used; --published fills in only when
    it states none, and a different one is reported. --title and --kind override."""
    result = import_report(IMPORTER / "accelerated-2024.html", root, "a", published="2024-07-03",
                           kind="force", title="  Revisit  letter ")  # fmt: skip
    report = load_params(root).reports["a"]
    assert (report.published, report.kind, report.title) == (date(2024, 7, 2), "force",
                                                             "Revisit letter")  # fmt: skip
    assert result.notes == [
        "published: the document states 2024-07-02, which is used; --published 2024-07-03 "
        "is not (edit the file if the document is wrong)"
    ]
    assert result.notes[0] in result.summary()
    source = root / "no-date.txt"
    source.write_text("A report\n\nRecommendation 1\n\nChief constables should act.\n")
    assert import_report(source, root, "c", published="2024-07-03").published == date(2024, 7, 3)
    with pytest.raises(InputError) as err:
        import_report(IMPORTER / "accelerated-2024.html", root, "b", published="3/7/24",
                      kind="national")  # fmt: skip
    assert str(err.value).splitlines() == [
        "command line: --published: not a date (expected the publication date as YYYY-MM-DD, "
        "got '3/7/24')",
        "command line: --kind: unknown kind (expected one of thematic, force, joint, peel, "
        "follow-up, got 'national')",
    ]
    assert not (root / "reports" / "b.yaml").exists()


def test_unknown_suffix_and_missing_file(root, tmp_path):
    with pytest.raises(InputError, match=r"PATH: not a report file this command reads"):
        import_report(tmp_path / "r.docx", root, "x")
    with pytest.raises(InputError, match=r"r.txt: PATH: no such file"):
        import_report(tmp_path / "r.txt", root, "x")


# -- PDFs ---------------------------------------------------------------------------------

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _pdf() -> object:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists() or not BOLD.exists():
        pytest.skip("DejaVu fonts not installed")
    pdf = fpdf.FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_auto_page_break(False)
    return pdf


def _page(pdf, number: int) -> None:
    pdf.add_page()
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(15, 8)
    pdf.cell(0, 4, "PEEL 2023–25: Wessex Police")
    pdf.set_xy(15, 285)
    pdf.cell(0, 4, f"Page {number} of 3")


def _column(pdf, x: float, y: float, rows: list[tuple[str, str]]) -> None:
    """Rows of (style, line) set at a fixed place: style "h" heading, "" body, "s" a
    body line ending in a small superscript footnote number."""
    for style, line in rows:
        if style == "h":
            y += 3
            pdf.set_font("DejaVu", "B", 13)
            pdf.set_xy(x, y)
            pdf.cell(85, 6, line)
            y += 9
            continue
        pdf.set_font("DejaVu", "", 10)
        pdf.set_xy(x, y)
        if style == "s":
            text, mark = line.rsplit(" ", 1)
            pdf.cell(pdf.get_string_width(text) + 0.5, 5, text)
            pdf.set_font("DejaVu", "", 6)
            pdf.set_xy(pdf.get_x(), y - 1)
            pdf.cell(3, 4, mark)
        else:
            pdf.cell(85, 5, line)
        y += 5
        if style == "p":
            y += 4


def test_two_column_pdf_with_running_header_hyphenation_and_footnotes(root, tmp_path):
    """Hand-set pages: two columns, the left read before the right; headers, footers and
    page numbers left out; a word broken across lines rejoined; a footnote number dropped;
    an item cut by a page break joined. The answer: CoC1, R1, R2 (parent CoC1, within 3
    months) in the left column, AFI1 at the top of the right, AFI2 on page 2 running on
    to page 3."""
    pdf = _pdf()
    for number in (1, 2, 3):
        _page(pdf, number)
        if number == 1:
            _column(pdf, 15, 25, [
                ("h", "Cause of concern"),
                ("", "The force needs to improve how it"),
                ("s", "protects vulnerable victims. 7"),
                ("", ""),
                ("h", "Recommendations"),
                ("", "Within three months, the force should:"),
                ("", "• improve its safeguarding organis-"),
                ("", "  ation for children;"),
                ("", "• review its missing persons policy."),
            ])  # fmt: skip
            _column(pdf, 110, 25, [
                ("h", "Area for improvement"),
                ("", "The force should improve how it"),
                ("", "records crime."),
                ("", ""),
                ("", "We found that supervisors should"),
                ("", "do more, and the force agreed."),
            ])  # fmt: skip
        elif number == 2:
            _column(pdf, 15, 25, [
                ("h", "Area for improvement"),
                ("", "The force should make sure it"),
            ])  # fmt: skip
        else:
            _column(pdf, 15, 25, [("", "responds to calls on time."), ("p", ""),
                                  ("", "Annex: our methods.")])  # fmt: skip
    path = tmp_path / "two-column.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    scan = find_items(doc.blocks)
    assert [(i.ref, i.parent, _as_text(i.due), i.where) for i in scan.items] == [
        ("CoC1", None, None, "page 1"),
        ("R1", "CoC1", "within 3 months", "page 1"),
        ("R2", "CoC1", "within 3 months", "page 1"),
        ("AFI1", None, None, "page 1"),
        ("AFI2", None, None, "page 2"),
    ]
    texts = [i.text for i in scan.items]
    assert texts[0] == "The force needs to improve how it protects vulnerable victims."
    assert texts[1] == (
        "Within three months, the force should: improve its safeguarding organisation for children;"
    )
    assert texts[3] == "The force should improve how it records crime."
    assert texts[4] == "The force should make sure it responds to calls on time."
    every = " ".join(b.text for b in doc.blocks)
    assert "Page" not in every and "PEEL 2023–25: Wessex Police" not in every


def test_image_only_pdf_is_one_line_exit_2(root, tmp_path):
    pdf = _pdf()
    pdf.add_page()
    image = tmp_path / "scan.png"
    from PIL import Image

    Image.new("RGB", (200, 280), "white").save(image)
    pdf.image(str(image), x=10, y=10, w=190)
    path = tmp_path / "scanned.pdf"
    pdf.output(str(path))
    result = CliRunner().invoke(app, ["import-report", str(path), "--id", "scan",
                                      "--params", str(root)])  # fmt: skip
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"{path}: no text layer: none of its 1 page(s) has text; it is probably scanned: save "
        "the report's web page (.html) instead, or run it through OCR first"
    ]
    assert not (root / "reports" / "scan.yaml").exists()


def test_a_file_that_is_not_a_pdf_is_one_line_exit_2(root, tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is not a PDF at all")
    result = CliRunner().invoke(app, ["import-report", str(path), "--id", "broken",
                                      "--params", str(root)])  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: no text layer: ")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_pdf_printed_from_the_html_matches_the_answer_key(name, tmp_path):
    """The fixture page printed by headless Chromium, as a browser's "Save as PDF" does
    (bullets drawn as shapes, headings in larger type, two pages)."""
    from toolkit.publish.pdf import find_chromium, html_to_pdf

    if find_chromium() is None:
        pytest.skip("Chromium is not installed")
    path = tmp_path / f"{name}.pdf"
    html_to_pdf(IMPORTER / f"{name}.html", path)
    doc = read_document(path)
    key = _key(name)
    _check(find_items(doc.blocks).items, key)
    assert doc.title == key["title"]


@pytest.mark.slow
def test_imported_report_validates_and_produces_a_briefing(tmp_path):
    """The shipped example root plus a report drafted from the PEEL fixture: ``validate``
    passes and ``toolkit run`` produces its briefing, quoting the drafted items."""
    project = Path(__file__).resolve().parents[1]
    shutil.copytree(project / "params", tmp_path / "params")
    shutil.copytree(project / "data", tmp_path / "data")
    root, out = tmp_path / "params", tmp_path / "out"
    runner = CliRunner()
    imported = runner.invoke(app, ["import-report", str(IMPORTER / "peel-2023.html"), "--id",
                                   "peel-2023", "--params", str(root)])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    checked = runner.invoke(app, ["validate", "--params", str(root)])
    assert checked.exit_code == 0, checked.output
    ran = runner.invoke(app, ["run", "peel-2023", "--quarter", "2023-24-Q4", "--params",
                              str(root), "--out", str(out), "--jobs", "1"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    html = (out / "2023-24-Q4" / "peel-2023" / "briefing.html").read_text(encoding="utf-8")
    assert "The force should improve how it records the ethnicity of victims." in html
    assert "We recommend that, within three months, the force should: update callers" in html


def test_passages_outside_any_section_are_reported():
    """A deadline-led action outside a labelled section is taken and flagged; an action
    with a known addressee in narrative is not taken but listed; other narrative is silent."""
    blocks = [
        Block("heading", "Our findings", "line 1"),
        Block("para", "By 31 March 2025, the force should publish its plan.", "line 2"),
        Block("para", "The force should have seen this coming. It did not.", "line 3"),
        Block("para", "Officers should be proud of their work.", "line 4"),
        Block("para", "By spring 2023, chief constables should act on it.", "line 5"),
    ]
    scan = find_items(blocks)
    assert [(i.ref, str(i.due), i.addressee) for i in scan.items] == [
        ("R1", "2025-03-31", "the force"),
        ("R2", "None", "chief constables"),
    ]
    assert scan.unsure == [
        ("line 2", "R1: found outside a recommendations section"),
        ("line 3", "not taken (narrative?): 'The force should have seen this coming. It did not.'"),
        ("line 5", "R2: found outside a recommendations section"),
        ("line 5", "R2: deadline 'By spring 2023' is not a date: no due written"),
    ]


def test_addressee_headings_continued_numbering_and_bold_labels():
    """A joint thematic laid out differently from the four keyed fixtures: addressee
    headings over numbered lists whose numbering runs on, a "Recommendation 4:" paragraph,
    "Causes of concern and recommendations" with bold-paragraph labels. Worked by hand."""
    doc = read_document(IMPORTER / "stalking-2023.html")
    scan = find_items(doc.blocks)
    assert [(i.ref, i.kind.value, i.parent, i.addressee, _as_text(i.due)) for i in scan.items] == [
        ("R1", "recommendation", None, "chief constables", "2024-03-31"),
        ("R2", "recommendation", None, "chief constables", "2024-03-31"),
        ("R3", "recommendation", None, "the Home Office", "2024-06-30"),
        ("R4", "recommendation", None, "the College of Policing", "within 6 months"),
        ("CoC1", "cause-of-concern", None, None, None),
        ("R5", "recommendation", "CoC1", "chief constables", "2023-09-30"),
    ]
    assert doc.published == date(2023, 5, 5)
    assert scan.unsure == [
        ("line 20", "not taken (narrative?): 'Forces should take note. Chief constables should "
         "read this report.'"),
    ]  # fmt: skip


def test_a_file_name_with_a_line_break_cannot_write_yaml(root, tmp_path):
    source = tmp_path / "r\ntitle: injected.txt"
    source.write_text("A report\n\nRecommendation 1\n\nChief constables should act.\n")
    import_report(source, root, "r", published="2024-01-02")
    report = load_params(root).reports["r"]
    assert report.title == "A report"
    first = (root / "reports" / "r.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Drafted by toolkit import-report from ") and "\\n" in first


def test_a_table_of_recommendations_and_an_item_that_runs_on():
    """A revisit letter's table (No. | Recommendation | Progress), rows numbered 3 and 4
    as in the original report: each row's recommendation is an item numbered by its first
    column, the status words are not; an
    area for improvement whose paragraph runs on into findings is flagged. Worked by hand."""
    scan = find_items(read_document(IMPORTER / "revisit-table.html").blocks)
    assert [(i.ref, i.addressee, _as_text(i.due)) for i in scan.items] == [
        ("R3", "chief constables", "2023-03-31"),
        ("R4", "the NPCC", None),
        ("AFI1", "the force", None),
    ]
    assert scan.unsure == [
        ("line 9", "AFI1: the paragraph runs on into findings: check where the item ends"),
        ("line 12", "not taken (narrative?): 'The force should continue to report progress to "
         "the PCC.'"),
    ]  # fmt: skip


def test_deadline_headings_and_numbers_set_apart_by_a_space():
    """The 2014 crime-data-integrity layout: recommendations grouped under deadline
    headings, numbered "1 The force should …" (no full stop after the number)."""
    from toolkit.importer.document import read_text

    doc = read_text(
        "Crime data integrity: Wessex Police\n\nRecommendations\n\nImmediately\n\n"
        "1 The force should review its crime recording audit.\n\nWithin three months\n\n"
        "3 The force should train its call handlers.\n\n12 officers were interviewed.\n",
        "cdi.txt",
    )
    scan = find_items(doc.blocks)
    assert [(i.ref, i.text, _as_text(i.due)) for i in scan.items] == [
        ("R1", "The force should review its crime recording audit.", "immediately"),
        ("R3", "The force should train its call handlers.", "within 3 months"),
    ]


def test_an_item_worded_like_an_earlier_one_is_suggested_not_linked(tmp_path):
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "lineage", root)
    source = tmp_path / "peel-2025.txt"
    source.write_text(
        "PEEL 2025: Wessex Police\n\nPublished: 3 March 2025\n\nAreas for improvement\n\n"
        "• The force should improve its understanding of hidden crime.\n"
        "• The force should publish its stop and search data every month.\n",
        encoding="utf-8",
    )
    result = import_report(source, root, "peel-2025")
    assert [w for w, _ in result.unsure] == ["line 7"]
    assert result.unsure[0][1].startswith("AFI1: worded like peel-2017/AFI1 (")
    assert result.unsure[0][1].endswith("add supersedes: peel-2017/AFI1 if this carries it over")
    text = (root / "reports" / "peel-2025.yaml").read_text(encoding="utf-8")
    assert "  # CHECK: worded like peel-2017/AFI1 (" in text
    assert [i.supersedes for i in load_params(root).reports["peel-2025"].items] == [None, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The force should improve its records.", ("the force", False)),
        ("By 30 September 2022, chief constables should act.", ("chief constables", True)),
        ("HMIC recommends that within six months the force should:", ("the force", True)),
        ("Within six months, the NPCC lead should publish it.", ("the NPCC lead", True)),
        ("Chief constables are to publish plans.", ("Chief constables", False)),
        ("The aim of these recommendations is to improve services.", None),
        ("We found that the force should do more.", None),
        ("This should include training.", None),
        ("In 2019 we said that forces should do more.", None),
        ("The force has improved its records.", None),
    ],
)  # fmt: skip
def test_what_reads_as_an_action(text, expected):
    from toolkit.importer.items import action

    assert action(text) == expected
