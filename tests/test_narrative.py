"""The draft s55 response (``toolkit.letter``), against a hand-written params root.

``tests/fixtures/narrative/params`` holds Testshire: ``testshire-inspection`` (published
10 January 2020, so due by 5 March 2020; sent 6 March 2020, day 57) with seven
recommendations, one per status at 2020-21-Q1 plus one full of markup, a cause of concern,
an area for improvement and a local action; and ``no-recommendations``, a thematic report with
no items and no letter material. Expected values below were worked out by hand from those files.
``itemised-inspection``, in the same root, is read by ``tests/test_narrative_letter.py``,
which pins how the letter answers each point of a published response.

The drafting tests call :func:`draft_letter` on a briefing of 2020-21-Q1 directly: they test
the wording for a register as at that quarter. ``Briefing.letter`` drafts a sent response as at
its sent date instead (``tests/test_history.py``).
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from toolkit.errors import InputError
from toolkit.letter import (
    PARTS,
    Block,
    Letter,
    Segment,
    draft_letter,
    salutation,
)
from toolkit.letter.markdown import md_block
from toolkit.publish import render
from toolkit.publish.briefing import Briefing, build

FIXTURES = Path(__file__).parent / "fixtures" / "narrative"
PARAMS = FIXTURES / "params"
QUARTER = "2020-21-Q1"
MARKUP = (
    "Check <script>alert(1)</script> and <img src=x onerror=alert(1)> and {{ 7*7 }} and "
    "**bold** and [link](http://example.com) _under_ `code`"
)
# The force's updates are the force's words, attributed to it; leads are left out
# (letter.leads is false by default), so no lead gap either. The letter is as at 30 June 2020
# (draft_letter on the 2020-21-Q1 briefing), so R2's due date of 31 July 2020 is ahead.
EXPLANATIONS = {
    "R2": "The force reports that a working group meets monthly. It records this "
    "recommendation as in progress. It is due by 31 July 2020, the date the report sets.",
    "R3": "The force reports that it has contributed to the draft guidance. It records this "
    "recommendation as complete and awaiting sign-off. [Target date for R3 not recorded]",
    "R4": "The force reports that every officer has completed the training. It records this "
    "recommendation as complete.",
    "R5": "The force reports that the College has replaced this with new guidance. It records "
    "this recommendation as superseded.",
    "R6": "[Your explanation for not accepting R6 (response.explanations) — the force’s reason: "
    "“The force's existing teams already cover this work.”]",
    "R7": "The force reports: “Update with <b>tags</b>, **stars** and {{ 6*7 }}.” It records "
    "this recommendation as in progress. [Target date for R7 not recorded]",
}
LATE_GAP = "[Why the response is later than the deadline of 5 March 2020 (response.late_reason)]"
R1_GAP = "[No update recorded for R1 — explanation required]"
A1_GAP = "[No update recorded for A1 — explanation required]"
BROAD = (
    "The categories are broader than the report’s subject: drugs offences include possession "
    "as well as supply."
)
STATEMENT_GAP = (
    "[Each of the report’s recommendations, quoted, with the action taken or proposed on it or "
    "why none is — required under section 55(5B); list them under items]"
)
MONITORING_GAP = (
    "[How you will monitor the force’s progress on this report (response.monitoring, or "
    "letter.monitoring in force.yaml)]"
)


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return build("testshire-inspection", QUARTER, PARAMS)


@pytest.fixture(scope="module")
def markdown(briefing: Briefing) -> str:
    return draft_letter(briefing).to_markdown()


@pytest.fixture(scope="module")
def docx_paragraphs(briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> list:
    path = tmp_path_factory.mktemp("docx") / "response-draft.docx"
    draft_letter(briefing).to_docx(path)
    return list(Document(str(path)).paragraphs)


def _rendered_text(markdown: str) -> str:
    """What a reader sees when the Markdown is rendered: the HTML's text, tags removed."""
    import re

    page = MarkdownIt("commonmark").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _normal(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the parts


def test_every_part_is_in_the_letter(briefing: Briefing) -> None:
    letter = draft_letter(briefing)
    for part in PARTS:
        assert letter.part(part), f"part {part} is empty"
    assert letter.part("addressee")[0].text == (
        "Rt Hon Jane Example MP\nHome Secretary\n2 Marsham Street\nLondon SW1P 4DF"
    )
    assert letter.part("date")[0].text == "6 March 2020"
    assert letter.part("salutation")[0].text == "Dear Home Secretary"
    assert letter.title == (
        "Response to the HMICFRS report “Testing times: an inspection of <Testshire> & its "
        "*response*”"
    )
    opening = letter.part("opening")[0].text
    assert "section 55 of the Police Act 1996" in opening
    assert "local policing body" in opening
    assert "Chief Constable" not in opening  # "I invited the Chief Constable" is said once
    assert letter.text().count("I invited the Chief Constable to comment") == 1
    assert opening.endswith("which HMICFRS published on 10 January 2020.")
    # Sent on day 57: the letter says it is late, and asks for the reason.
    assert [b.text for b in letter.part("opening")[1:]] == [
        "This response is published after the end of the 56 days that section 55(5A) of the "
        "Act allows, which ended on 5 March 2020.",
        LATE_GAP,
    ]
    assert "due by 5 March" not in letter.text()
    welcome = [b.text for b in letter.part("welcome") if b.kind == "bullet"]
    assert welcome == [
        "the force's early work with schools",
        "partnership <em>tasking</em> meetings",
        "referrals are not always recorded",
        "training has not reached every officer",
    ]
    assert [b.text for b in letter.part("sign-off")] == [
        "Yours sincerely",
        "Alex Example\nPolice and Crime Commissioner for Testshire",
        "Copy: HM Inspectorate of Constabulary and Fire & Rescue Services",
    ]


def test_the_recommendations_are_counted_and_each_explained(briefing: Briefing) -> None:
    blocks = draft_letter(briefing).part("recommendations")
    intro = blocks[1].text
    # R1, R2 (the Chief Constable of Testshire Police), R4, R6 and R7 are for chief constables;
    # R3 (the NPCC) and R5 (the College of Policing) are not.
    assert intro.startswith(
        "The report makes seven recommendations that bear on Testshire Police or on my office, "
        "five of them addressed to chief constables or all forces, and so to Testshire Police."
    )
    assert intro.endswith("the force’s progress is as it had reported it by 30 June 2020.")
    headings = [b.text for b in blocks if b.kind == "subheading"]
    assert headings == [
        "Recommendation R1 (for chief constables)",
        "Recommendation R2 (for the Chief Constable of Testshire Police)",
        "Recommendation R3 (for the NPCC)",
        "Recommendation R4 (for chief constables)",
        "Recommendation R5 (for the College of Policing)",
        "Recommendation R6 (for chief constables)",
        "Recommendation R7 (for chief constables)",
    ]
    quotes = [b.text for b in blocks if b.kind == "quote"]
    assert quotes[0] == "Review the recording of referrals."
    assert quotes[6] == MARKUP
    explanations = [b.text for b in blocks[2:] if b.kind == "paragraph"]
    assert explanations == [R1_GAP, *EXPLANATIONS.values()]
    # Nothing is numbered twice: the ref is the only number.
    assert not [b for b in blocks if b.kind == "number"]
    # The later quarter's update for R1 and the earlier one for R2 are not used.
    text = draft_letter(briefing).text()
    assert "must not appear" not in text
    assert "Superseded plan" not in text
    # Causes of concern and areas for improvement have their own headings, before (not
    # under) the force's specific actions.
    local = draft_letter(briefing).part("local-actions")
    assert [b.text for b in local if b.kind in ("heading", "subheading")] == [
        "Cause of concern",
        "Cause of concern C1",
        "Area for improvement",
        "Area for improvement A1",
        "Specific actions by Testshire Police",
    ]
    assert [b.text for b in local if b.kind == "paragraph"][:5] == [
        "The report raises one cause of concern about Testshire Police:",
        "The force reports that a new screening tool is being piloted. It records this cause "
        "of concern as in progress. [Target date for C1 not recorded]",
        "The report identifies one area for improvement for Testshire Police:",
        A1_GAP,
        "Testshire Police reports the following action in response to the report:",
    ]


def test_the_other_parts(briefing: Briefing) -> None:
    letter = draft_letter(briefing)
    comments = letter.part("chief-constable")
    assert [b.kind for b in comments[-2:]] == ["quote", "quote"]
    assert comments[-2].text == "We accept the report's findings and have *already* acted."
    assert comments[-1].text == "Sam Sample\nChief Constable, Testshire Police"
    actions = [b.text for b in letter.part("local-actions") if b.kind == "bullet"]
    assert actions == ["The desk opened in May 2020."]
    # cite_figures is true, but the force has no data: no figures sentence.
    assert "data.police.uk" not in letter.text()
    # Neither the report file nor force.yaml says how progress is monitored.
    assert [b.text for b in letter.part("monitoring")] == ["Monitoring progress", MONITORING_GAP]
    assert "accountability board" not in letter.text().casefold()
    publication = letter.part("publication")[0].text
    assert publication == (
        "This response, with the Chief Constable’s comments, will be published on my office’s "
        "website, https://www.testshire-pcc.example/."
    )


def test_a_report_with_no_items_says_so_and_marks_its_gaps() -> None:
    letter = draft_letter(build("no-recommendations", "2019-20-Q4", PARAMS))
    # No items, and nothing confirms that the report makes none for the force: a gap asks.
    confirm = (
        "[The register lists none of the report’s recommendations: list each one under items, "
        "or confirm that the report makes none for Testshire Police or for you "
        "(response.no_force_recommendations: true)]"
    )
    assert letter.part("recommendations")[1].text == confirm
    assert "makes no recommendations" not in letter.text()
    assert letter.part("local-actions") == []
    # Not sent, and the deadline (29 March 2020) passed before the quarter's end: the draft
    # says it is late and asks why.
    assert letter.gaps == [
        "[Date of sending]",
        "[Why the response is later than the deadline of 29 March 2020 (response.late_reason)]",
        "[What the Police and Crime Commissioner welcomes in the report (response.welcome)]",
        "[Confirm that the Chief Constable made no comments, or give them "
        "(response.chief_constable_comments): section 55(5) requires them to be published "
        "with this response]",
        confirm,
        MONITORING_GAP,
    ]
    assert "I invited the Chief Constable to comment on the report." in letter.text()
    assert "with the Chief Constable’s comments" not in letter.text()
    results = {c["id"]: c["passed"] for c in letter.compliance_json()}
    assert results == {
        "report-facts": True,
        "recommendations-explained": False,
        "not-accepted-history": True,
        "chief-constable-comments": False,
        "publication-stated": True,
        "copies-sent": True,
        "sent-in-time": False,
        "no-gaps": False,
    }


# --------------------------------------------------------------------------- compliance


def test_compliance_checks_as_worked_by_hand(briefing: Briefing) -> None:
    checks = draft_letter(briefing).compliance_json()
    assert json.loads(json.dumps(checks)) == checks
    by_id = {c["id"]: c for c in checks}
    assert list(by_id) == [
        "report-facts",
        "recommendations-explained",
        "not-accepted-history",
        "chief-constable-comments",
        "publication-stated",
        "copies-sent",
        "sent-in-time",
        "no-gaps",
    ]
    assert {k: c["passed"] for k, c in by_id.items()} == {
        "report-facts": True,
        "recommendations-explained": False,  # R1 has no update; R6 has no PCC explanation
        "not-accepted-history": True,  # R6 was never reported in progress
        "chief-constable-comments": True,
        "publication-stated": True,
        "copies-sent": True,
        "sent-in-time": False,  # 6 March 2020 is day 57
        "no-gaps": False,  # lateness, R1, R3, R6, R7, C1, A1 and monitoring
    }
    assert by_id["recommendations-explained"]["detail"] == (
        "No explanation for R1: record an update in the quarter's update file, or give the "
        "PCC's own words in response.explanations. Not accepted without the PCC's explanation: "
        "R6: give the reason in the PCC's own words in response.explanations (the force's "
        "update is its reason, not the PCC's)."
    )
    assert by_id["recommendations-explained"]["requirement"].startswith("s55(5B)")
    assert by_id["sent-in-time"]["requirement"].startswith("s55(5A)")
    assert by_id["copies-sent"]["requirement"].startswith("s55(6)")
    assert by_id["sent-in-time"]["detail"] == (
        "Sent on 6 March 2020 (day 57), 1 day after the deadline of 5 March 2020."
    )
    gaps = [
        LATE_GAP,
        R1_GAP,
        "[Target date for R3 not recorded]",
        EXPLANATIONS["R6"],
        "[Target date for R7 not recorded]",
        "[Target date for C1 not recorded]",
        A1_GAP,
        MONITORING_GAP,
    ]
    assert by_id["no-gaps"]["detail"] == "8 gaps: " + "; ".join(gaps)
    assert briefing.figures["compliance"] == briefing.letter.compliance_json()


def test_a_response_sent_on_the_last_day_is_in_time(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    report = root / "reports" / "testshire-inspection.yaml"
    report.write_text(report.read_text().replace("sent: 2020-03-06", "sent: 2020-03-05"))
    checks = {
        c.id: c for c in draft_letter(build("testshire-inspection", QUARTER, root)).compliance
    }
    assert checks["sent-in-time"].passed
    assert checks["sent-in-time"].detail == "Sent on 5 March 2020, day 56 of the 56."


def test_without_a_website_the_publication_place_is_a_gap(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    force = root / "force.yaml"
    force.write_text(
        force.read_text().replace("  website: https://www.testshire-pcc.example/\n", "")
    )
    letter = draft_letter(build("testshire-inspection", QUARTER, root))
    assert "[OPCC website address]" in letter.part("publication")[0].gaps
    assert not {c.id: c for c in letter.compliance}["publication-stated"].passed


# --------------------------------------------------------------------------- renderings


def test_markdown_holds_the_same_text_literally(markdown: str, briefing: Briefing) -> None:
    seen = _normal(_rendered_text(markdown))
    for block in draft_letter(briefing).blocks:
        assert _normal(block.text) in seen, block.text
    assert MARKUP in seen
    assert EXPLANATIONS["R6"] in seen
    assert R1_GAP in seen
    page = MarkdownIt("commonmark").render(markdown)
    for tag in ("<script", "<img", "<strong", "<em", "<a ", "<b>", "<code"):
        assert tag not in page
    assert "49" not in page and "42" not in page
    assert "**" not in markdown.replace("\\*\\*", "")
    assert markdown.startswith("Rt Hon Jane Example MP\\\nHome Secretary\\\n")
    assert "\n# Response to the HMICFRS report" in markdown
    assert "\n## The report’s recommendations\n" in markdown


def test_markdown_renders_literally_in_mistune_too(markdown: str) -> None:
    import mistune

    page = str(mistune.html(markdown))
    for tag in ("<script", "<img", "<strong", "<em>", "<a ", "<b>"):
        assert tag not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_word_document(docx_paragraphs: list) -> None:
    texts = [p.text for p in docx_paragraphs]
    styles = [p.style.name for p in docx_paragraphs]
    assert texts[0] == "Rt Hon Jane Example MP\nHome Secretary\n2 Marsham Street\nLondon SW1P 4DF"
    assert texts[1:3] == ["6 March 2020", "Dear Home Secretary"]
    assert styles[3] == "Heading 1" and texts[3].startswith("Response to the HMICFRS report")
    subheadings = [t for t, s in zip(texts, styles, strict=True) if s == "Heading 3"]
    assert subheadings[6] == "Recommendation R7 (for chief constables)"
    quotes = [t for t, s in zip(texts, styles, strict=True) if s == "Quote"]
    assert MARKUP in quotes
    bullets = [t for t, s in zip(texts, styles, strict=True) if s == "List Bullet"]
    assert bullets[0] == "the force's early work with schools"
    assert "partnership <em>tasking</em> meetings" in bullets
    for explanation in EXPLANATIONS.values():
        assert explanation in texts
    assert "We accept the report's findings and have *already* acted." in quotes
    assert "List Number" not in styles
    assert texts[-3:] == [
        "Yours sincerely",
        "Alex Example\nPolice and Crime Commissioner for Testshire",
        "Copy: HM Inspectorate of Constabulary and Fire & Rescue Services",
    ]
    gaps = [
        run.text
        for p in docx_paragraphs
        for run in p.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert gaps[:2] == [LATE_GAP, R1_GAP] and gaps[-2:] == [A1_GAP, MONITORING_GAP]
    assert len(gaps) == 8


def test_word_lists_restart_their_numbering(tmp_path: Path) -> None:
    # No shipped part numbers a list any more, but a force's own template may.
    def item(list_id: int, text: str) -> Block:
        return Block("number", "recommendations", (Segment("text", text),), list_id)

    letter = Letter(blocks=(item(1, "a"), item(1, "b"), item(2, "c"), item(3, "d")))
    path = tmp_path / "numbered.docx"
    letter.to_docx(path)
    paragraphs = Document(str(path)).paragraphs
    num_ids = [p._p.pPr.numPr.numId.val for p in paragraphs if p.style.name == "List Number"]
    assert len(num_ids) == 4
    assert num_ids[0] == num_ids[1] and len(set(num_ids)) == 3


def test_to_docx_replaces_the_file_and_leaves_no_temporary(
    briefing: Briefing, tmp_path: Path
) -> None:
    path = tmp_path / "response-draft.docx"
    path.write_text("old")
    draft_letter(briefing).to_docx(path)
    assert Document(str(path)).paragraphs[1].text == "6 March 2020"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["response-draft.docx"]


def test_the_html_section_escapes_params(briefing: Briefing) -> None:
    page = render.section("response", briefing)
    assert "<script" not in page and "<img" not in page and "<em>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page
    assert f'<span class="gap">{html.escape(R1_GAP)}</span>' in page
    assert '<strong class="tag tag--red">Fail</strong>' in page
    assert "Section 55 checks on the draft: 5 of 8 passed" in page
    assert '<div class="letter"' in page


# --------------------------------------------------------------------------- overrides


def _copy_params(tmp_path: Path) -> Path:
    root = tmp_path / "params"
    shutil.copytree(PARAMS, root)
    return root


def test_a_force_template_changes_the_wording(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    shutil.copytree(FIXTURES / "templates", root / "templates")
    with (root / "force.yaml").open("a") as file:
        file.write("templates: templates\n")
    letter = draft_letter(build("testshire-inspection", QUARTER, root))
    assert [b.text for b in letter.part("monitoring")] == [
        "The Testshire Police and Crime Panel will review progress on this report at every meeting."
    ]
    assert "accountability board" not in letter.to_markdown()
    assert "Police and Crime Panel will review" in letter.to_markdown()


def test_a_force_template_with_an_unknown_element_is_refused(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    parts = root / "templates" / "letter" / "parts"
    parts.mkdir(parents=True)
    (parts / "monitoring.html.j2").write_text("<p>See <a href='x'>here</a>.</p>\n")
    with (root / "force.yaml").open("a") as file:
        file.write("templates: templates\n")
    with pytest.raises(InputError) as caught:
        draft_letter(build("testshire-inspection", QUARTER, root))
    assert "<a> is not an element the letter can hold" in str(caught.value)


# --------------------------------------------------------------------------- figures


def _with_figures(police_uk: dict | None) -> Briefing:
    briefing = build("testshire-inspection", QUARTER, PARAMS)
    briefing.police_uk = police_uk
    return briefing


def test_figures_are_cited_with_the_peer_range() -> None:
    police_uk = {
        "complete": True,
        "crime_types": {"Drugs": {"count": 1380, "rate_per_1000": 1.49}},
        "peers": {
            "north": {"Drugs": {"count": 244, "rate_per_1000": 0.34}},
            "south": {"Drugs": {"count": 500, "rate_per_1000": 0.5}},
            "east": {},
        },
        "focus": ["Drugs"],
    }
    text = draft_letter(_with_figures(police_uk)).part("local-actions")[-1].text
    # force.yaml gives no peers_basis: the comparison is a gap until it says how they were chosen.
    assert text == (
        "In Q1 2020/21 (April to June 2020), Testshire Police recorded 1,380 drugs offences, a "
        "rate of 1.49 per 1,000 people; [How the comparison forces were chosen (force.yaml "
        "peers_basis), before comparing with them]. These are street-level crimes recorded on "
        "data.police.uk, in the data held. " + BROAD
    )
    assert "proactive" not in text  # no rise or fall reported, so no caveat on one


def test_incomplete_or_partial_figures_are_said_to_be_so() -> None:
    police_uk = {"complete": False, "crime_types": {"Drugs": {"count": 12}}}
    text = draft_letter(_with_figures(police_uk)).part("local-actions")[-1].text
    assert text.startswith("In Q1 2020/21 (April to June 2020), Testshire Police recorded 12 drugs")
    assert "offences. These are" in text
    assert text.endswith("so the figures for the quarter are incomplete. " + BROAD)


def test_no_usable_figures_means_no_sentence() -> None:
    for police_uk in (None, {}, {"crime_types": {"Robbery": {"count": 3}}}):
        assert "data.police.uk" not in draft_letter(_with_figures(police_uk)).text()


# --------------------------------------------------------------------------- small rules


@pytest.mark.parametrize(
    ("addressee", "expected"),
    [
        (["Rt Hon Priti Patel MP", "Home Secretary", "2 Marsham Street"], "Dear Home Secretary"),
        (["A Person", "Secretary of State for the Home Department"], "Dear Secretary of State"),
        (["A Person MP", "Minister of State for Crime and Policing"], "Dear Minister"),
        (["The Home Office", "2 Marsham Street"], "Dear Sir or Madam"),
        (["Home Secretary"], "Dear Sir or Madam"),
        ([], "Dear Sir or Madam"),
    ],
)
def test_salutation(addressee: list[str], expected: str) -> None:
    assert salutation(addressee) == expected


_TEXT = (
    st.text(
        alphabet=st.characters(min_codepoint=32, max_codepoint=0x17F, exclude_characters="\x7f"),
        min_size=1,
    )
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)


@given(_TEXT, _TEXT)
def test_any_text_renders_literally_in_markdown(first: str, second: str) -> None:
    block = Block(
        "paragraph",
        "opening",
        (Segment("text", first), Segment("break"), Segment("gap", second)),
    )
    page = MarkdownIt("commonmark").render(md_block(block))
    assert page.startswith("<p>") and page.endswith("</p>\n")
    assert html.unescape(page[3:-5]) == f"{first}<br />\n{second}"


def test_recommendations_not_itemised_use_the_statement_and_fail_5b(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    report = root / "reports" / "no-recommendations.yaml"
    report.write_text(
        report.read_text(encoding="utf-8")
        + "response:\n  recommendations: We agree with the <b>report's</b> recommendations.\n",
        encoding="utf-8",
    )
    letter = draft_letter(build("no-recommendations", QUARTER, root))
    markdown = letter.to_markdown()
    assert "We agree with the \\<b\\>report's\\</b\\> recommendations." in markdown
    assert "makes no recommendations" not in markdown
    assert STATEMENT_GAP.replace("[", "\\[").replace("]", "\\]") in markdown
    check = next(c for c in letter.compliance_json() if c["id"] == "recommendations-explained")
    assert check["passed"] is False
    assert check["detail"].startswith("The letter gives a statement (response.recommendations)")
    assert STATEMENT_GAP in letter.gaps


def test_a_title_longer_than_words_properties_still_makes_a_document(tmp_path: Path) -> None:
    root = _copy_params(tmp_path)
    report = root / "reports" / "testshire-inspection.yaml"
    title = "An inspection of " + "very " * 60 + "long titles"  # 322 characters
    text = report.read_text(encoding="utf-8")
    report.write_text(
        text.replace(
            'title: "Testing times: an inspection of <Testshire> & its *response*"',
            f"title: {title}",
        ),
        encoding="utf-8",
    )
    path = tmp_path / "response-draft.docx"
    build("testshire-inspection", QUARTER, root).letter.to_docx(path)
    document = Document(str(path))
    assert len(document.core_properties.title) == 255
    expected = f"Response to the HMICFRS report “{title}”"
    assert document.core_properties.title == expected[:254] + "…"
    assert any(title in p.text for p in document.paragraphs)  # the letter shows it whole
