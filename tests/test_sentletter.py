"""The letter as sent (``response.file``) and the checks made on its text.

On the register fixture's ``alpha`` (title "Alpha force inspection", published 15 May 2019,
deadline 9 July 2019, sent 1 July 2019 = day 48; recommendations R1 "Improve call
handling." and R2 "Review the crime recording audit."). The Markdown letter names R1 and
quotes R2's text; the Word letter names only "R12" (not R1) and neither text, and no website.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from toolkit.errors import InputError
from toolkit.publish.briefing import build
from toolkit.publish.render import section
from toolkit.record.params import load_params

MARKDOWN = """Home Secretary

1 July 2019

Dear Home Secretary

Response to the HMICFRS report “Alpha Force Inspection”, published on 15 May 2019

On R1, the force has rebuilt its call handling. We will also review the crime recording
audit, as the report asks.

This response is published on my office's website. A copy goes to HMICFRS.

<script>alert(1)</script>
"""


def _use(root: Path, name: str) -> None:
    report = root / "reports" / "alpha.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("  sent: 2019-07-01\n", f"  sent: 2019-07-01\n  file: {name}\n"))


def _docx(path: Path) -> None:
    document = Document()
    for text in (
        "Home Secretary",
        "Response to the HMICFRS report Alpha force inspection",
        "On R12 (a different recommendation) the force has acted.",
    ):
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Copied to HM Inspectorate of Constabulary."
    document.save(str(path))


def _checks(briefing) -> dict[str, tuple[bool, str]]:
    return {c["id"]: (c["passed"], c["detail"]) for c in briefing.figures["compliance"]}


def test_a_markdown_letter_with_every_recommendation_passes(register_root):
    (register_root / "letters").mkdir()
    (register_root / "letters" / "alpha.md").write_text(MARKDOWN, encoding="utf-8")
    _use(register_root, "letters/alpha.md")
    briefing = build("alpha", "2019-20-Q3", register_root)
    assert _checks(briefing) == {
        "report-named": (
            True,
            "The letter gives the report's title; it states the publication date (15 May 2019).",
        ),
        "sent-in-time": (
            True,
            "Sent on 1 July 2019, day 48 of the 56; the letter shows that date.",
        ),
        "publication-stated": (True, "The letter says where it is published."),
        "copies-sent": (
            True,
            "The letter is addressed or copied to HMICFRS and to the Home Secretary.",
        ),
        "recommendations-found": (True, "All 2 found by ref or text."),
    }
    assert briefing.figures["s55"]["file"] == "letters/alpha.md"
    html = section("response", briefing)
    assert "The s55 response as sent" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "Section 55 checks on the letter as sent: 5 of 5 passed" in html


def test_a_word_letter_missing_a_recommendation_lists_it(register_root):
    (register_root / "alpha.docx").parent.mkdir(exist_ok=True)
    _docx(register_root / "alpha.docx")
    _use(register_root, "alpha.docx")
    checks = _checks(build("alpha", "2019-20-Q3", register_root))
    assert checks == {
        "report-named": (
            True,
            "The letter gives the report's title; it does not state the publication date.",
        ),
        "sent-in-time": (
            True,
            "Sent on 1 July 2019, day 48 of the 56; the letter's text does not show that date.",
        ),
        "publication-stated": (
            False,
            "The letter does not say where it is published (no website named).",
        ),
        "copies-sent": (
            True,
            "The letter is addressed or copied to HMICFRS and to the Home Secretary.",
        ),
        "recommendations-found": (False, "Not found by ref or text: R1, R2."),
    }


@pytest.mark.parametrize(
    ("name", "sent", "message"),
    [
        (
            "letters/none.md",
            True,
            "reports/alpha.yaml:6: response.file: no such file (expected a .docx or .md file "
            "in the params root, e.g. responses/letter.docx, got 'letters/none.md')",
        ),
        (
            "force.yaml",
            True,
            "reports/alpha.yaml:6: response.file: not a letter file (expected a .docx or .md "
            "file in the params root, e.g. responses/letter.docx, got 'force.yaml')",
        ),
        (
            "../outside.md",
            True,
            "reports/alpha.yaml:6: response.file: outside the params root (expected a .docx or "
            ".md file in the params root, e.g. responses/letter.docx, got '../outside.md')",
        ),
        (
            "letters/alpha.md",
            False,
            "reports/alpha.yaml:5: response.sent: the letter as sent needs the date it was sent "
            "(expected response.sent: YYYY-MM-DD beside response.file, got none)",
        ),
    ],
)
def test_a_bad_response_file_is_one_line(register_root, name, sent, message):
    (register_root / "letters").mkdir()
    (register_root / "letters" / "alpha.md").write_text(MARKDOWN, encoding="utf-8")
    (register_root.parent / "outside.md").write_text(MARKDOWN, encoding="utf-8")
    _use(register_root, name)
    if not sent:
        report = register_root / "reports" / "alpha.yaml"
        report.write_text(report.read_text().replace("  sent: 2019-07-01\n", ""))
    with pytest.raises(InputError) as caught:
        load_params(register_root)
    assert [str(p) for p in caught.value.problems] == [message]
