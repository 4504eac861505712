"""How the draft s55 response reads, point by point, in its Markdown and its Word text.

Two drafts are read here as a policy officer reads them against published responses:

* ``itemised-inspection`` in ``tests/fixtures/narrative/params`` (briefed at 2020-21-Q1,
  not sent yet): R1 with an owner, the report's due date and the force's target date; R2
  not accepted without the PCC's explanation, after the force reported it in progress a
  quarter earlier; R3 not accepted with the PCC's explanation; R4 complete; a force action
  (L1) and an action the PCC's office owns (L2); thanks, the Chief Constable's statement and
  the PCC's reply, partnership working and the Police and Crime Plan.
* The shipped example (Dorset, "Both sides of the coin", briefed in 2019-20-Q4) whose
  recommendations are not itemised, with the figures of its latest complete quarter. Its
  response was sent (and the letter as sent is the record the briefing shows), so the draft
  here is :func:`draft_letter` on the register as at 2019-20-Q4: the wording the letter would
  have with that quarter's updates.

Every expected sentence below was written by hand from those params files.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from markdown_it import MarkdownIt

from toolkit.letter import Letter, draft_letter
from toolkit.letter.context import addressed_to_forces, is_opcc
from toolkit.publish import render
from toolkit.publish.briefing import Briefing, build
from toolkit.text import templating

PROJECT = Path(__file__).resolve().parent.parent
PARAMS = Path(__file__).parent / "fixtures" / "narrative" / "params"
REPORT = "itemised-inspection"
QUARTER = "2020-21-Q1"

# The force's update is attributed to the force; the owner (an internal role title) is left
# out (letter.leads is false by default). The draft is as at 30 June 2020, the quarter's end:
# the due date of 31 July 2020 is ahead, and the target date is that very day.
R1 = (
    "The force reports that a lead has been named and is setting up a delivery group. It "
    "records this recommendation as in progress. It is due by 31 July 2020, the date the "
    "report sets. The force’s target date is 30 June 2020."
)
R2_GAP = (
    "[Your explanation for not accepting R2 (response.explanations) — the force’s reason: "
    "“Funding for victim support is a matter for the Ministry of Justice and is outside the "
    "force's control.” — check: the force reported it in progress in Q4 2019/20 (January to "
    "March 2020): “Funding bid with the OPCC.”]"
)
# The PCC's own words, verbatim: no label in front of them.
R3 = (
    "Victim support in Testshire is commissioned by my office, which already funds an "
    "independent advocate for every referral."
)
LATE_GAP = "[Why the response is later than the deadline of 4 May 2020 (response.late_reason)]"
STATEMENT_GAP = (
    "[Each of the report’s recommendations, quoted, with the action taken or proposed on it or "
    "why none is — required under section 55(5B); list them under items]"
)
COMMENTS_GAP = (
    "I invited the Chief Constable to comment on the report. [Confirm that the Chief Constable "
    "made no comments, or give them (response.chief_constable_comments): section 55(5) "
    "requires them to be published with this response]"
)
PROACTIVE = (
    "Drugs offences are mostly found through proactive policing, such as stop and search, so a "
    "rise or fall in them can reflect police activity as much as offending."
)
BROAD = (
    "The categories are broader than the report’s subject: violence and sexual offences cover "
    "all violence against the person and all sexual offences, whoever the victim; drugs "
    "offences include possession as well as supply."
)


@dataclass
class Draft:
    """A letter as its two files read: the rendered Markdown's text and Word's paragraphs."""

    letter: Letter
    markdown: str
    seen: str
    word: list[tuple[str, str]]
    highlighted: list[str]

    def has(self, text: str, style: str = "Normal") -> None:
        """``text`` is a whole paragraph of the Word file, in ``style``, and reads the same
        in the rendered Markdown."""
        assert (style, text) in self.word, (style, text)
        assert _normal(text) in self.seen, text

    def lacks(self, text: str) -> None:
        assert text not in self.seen
        assert not any(text in paragraph for _, paragraph in self.word)

    def index(self, text: str) -> int:
        return [paragraph for _, paragraph in self.word].index(text)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _draft(letter: Letter, folder: Path) -> Draft:
    markdown = letter.to_markdown()
    page = MarkdownIt("commonmark").render(markdown)
    seen = _normal(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    path = folder / "response-draft.docx"
    letter.to_docx(path)
    paragraphs = Document(str(path)).paragraphs
    return Draft(
        letter=letter,
        markdown=markdown,
        seen=seen,
        word=[(p.style.name, p.text) for p in paragraphs],
        highlighted=[
            run.text
            for p in paragraphs
            for run in p.runs
            if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
        ],
    )


def _copy(tmp_path: Path, source: Path = PARAMS) -> Path:
    root = tmp_path / "params"
    shutil.copytree(source, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _checks(letter: Letter) -> dict[str, tuple[bool, str]]:
    return {c.id: (c.passed, c.detail) for c in letter.compliance}


@pytest.fixture(scope="module")
def itemised(tmp_path_factory: pytest.TempPathFactory) -> Draft:
    letter = build(REPORT, QUARTER, PARAMS).letter
    return _draft(letter, tmp_path_factory.mktemp("itemised"))


@pytest.fixture(scope="module")
def example_briefing() -> Briefing:
    briefing = build("both-sides-of-the-coin", "2019-20-Q4", PROJECT / "params")
    # The shipped data ends in February 2019: the letter cites the latest complete quarter.
    briefing.police_uk = build("both-sides-of-the-coin", "2018-19-Q3", PROJECT / "params").police_uk
    return briefing


@pytest.fixture(scope="module")
def example(example_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Draft:
    return _draft(draft_letter(example_briefing), tmp_path_factory.mktemp("example"))


# ---------------------------------------------------------------- 1. s55(5B) never looks done


def test_a_statement_in_place_of_answers_is_a_gap(example: Draft) -> None:
    example.has("The Chief Constable and I agree with the recommendations the report makes.")
    example.has(STATEMENT_GAP)
    assert STATEMENT_GAP in example.highlighted
    assert "\\[Each of the report’s recommendations" in example.markdown
    checks = _checks(example.letter)
    assert checks["recommendations-explained"] == (
        False,
        "The letter gives a statement (response.recommendations) in place of an answer to "
        "each recommendation: add each recommendation as an item with its verbatim text, and "
        "explain each one.",
    )
    passed, detail = checks["no-gaps"]
    assert not passed and STATEMENT_GAP in detail


def test_the_briefing_checklist_fails_the_statement(tmp_path: Path) -> None:
    # Without the letter as sent, the briefing shows the draft and its checklist.
    root = _copy(tmp_path, PROJECT / "params")
    (tmp_path / "data").symlink_to(PROJECT / "data")  # force.yaml's ../data/sample/...
    _edit(
        root / "reports" / "both-sides-of-the-coin.yaml",
        "  file: responses/both-sides-of-the-coin.md\n",
        "",
    )
    page = render.section("response", build("both-sides-of-the-coin", "2019-20-Q4", root))
    assert "No gaps." not in page
    assert html.escape(STATEMENT_GAP, quote=False) in page


# ---------------------------------------------------------------- 2. each answered in turn


def test_each_recommendation_is_numbered_once_quoted_and_answered(itemised: Draft) -> None:
    itemised.has("Recommendation R1 (for chief constables)", "Heading 3")
    itemised.has(
        "By 31 July 2020, chief constables should appoint a lead for violence against women "
        "and girls.",
        "Quote",
    )
    itemised.has(R1)
    itemised.has("Recommendation R4 (for forces and the NPCC)", "Heading 3")
    itemised.has(
        "The force reports that the data standard was agreed in June 2020. It records this "
        "recommendation as complete."
    )
    assert "\n### Recommendation R1 (for chief constables)\n" in itemised.markdown
    assert "\n> By 31 July 2020, chief constables should" in itemised.markdown
    # The ref is the only number: no list numbering in either file.
    assert "List Number" not in {style for style, _ in itemised.word}
    assert not re.search(r"^\d+\. ", itemised.markdown, re.M)
    # The later quarter's update is not used.
    itemised.lacks("must not appear")


# ---------------------------------------------------------------- 3. the PCC's own explanation


def test_not_accepted_without_the_pccs_explanation_is_a_gap(itemised: Draft) -> None:
    itemised.has("Recommendation R2 (for police)", "Heading 3")
    itemised.has(R2_GAP)
    assert R2_GAP in itemised.highlighted
    # The force's reason appears only inside the gap, never as the PCC's words.
    itemised.lacks("Our reason")
    assert itemised.seen.count("Funding for victim support") == 1
    checks = _checks(itemised.letter)
    assert checks["recommendations-explained"] == (
        False,
        "Not accepted without the PCC's explanation: R2: give the reason in the PCC's own "
        "words in response.explanations (the force's update is its reason, not the PCC's).",
    )
    assert checks["not-accepted-history"] == (
        False,
        "R2 is recorded as not accepted, but the force reported it in progress in Q4 2019/20 "
        "(January to March 2020): “Funding bid with the OPCC.” Look at this before giving the "
        "PCC's explanation.",
    )


def test_not_accepted_with_the_pccs_explanation_is_answered_in_their_words(
    itemised: Draft,
) -> None:
    itemised.has("Recommendation R3 (for all forces)", "Heading 3")
    itemised.has(R3)
    itemised.lacks("Victim services are commissioned by the OPCC")  # the force's update


def test_giving_the_explanation_fills_the_gap_and_passes(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root / "reports" / f"{REPORT}.yaml",
        "  explanations:\n",
        "  explanations:\n    R2: Advocates are funded through my victims' grant\n",
    )
    draft = _draft(build(REPORT, QUARTER, root).letter, tmp_path)
    draft.has("Advocates are funded through my victims' grant.")
    draft.lacks("No action is proposed")
    draft.lacks("[Your explanation")
    checks = _checks(draft.letter)
    assert checks["recommendations-explained"] == (
        True,
        "All 4 recommendations have an explanation.",
    )
    assert checks["not-accepted-history"][0] is True
    assert checks["not-accepted-history"][1].endswith(
        "The PCC's explanation is given: check that it addresses this."
    )
    assert checks["no-gaps"][0] is False  # the date of sending is still to come
    # Not sent by the deadline of 4 May 2020, and drafted as at 30 June 2020: late.
    assert draft.letter.gaps == ["[Date of sending]", LATE_GAP]


# ---------------------------------------------------------------- 4. statement and reply


def test_the_chief_constables_statement_is_printed_whole_and_signed(itemised: Draft) -> None:
    itemised.has(
        "I invited the Chief Constable to comment on the report. The Chief Constable’s "
        "comments, as provided, are:"
    )
    itemised.has("Testshire Police welcomes the report.", "Quote")
    itemised.has(
        "We have already begun to act on every recommendation for chief constables.", "Quote"
    )
    itemised.has("Sam Sample\nChief Constable, Testshire Police", "Quote")
    assert (
        "> Testshire Police welcomes the report.\n>\n> We have already begun to act on every "
        "recommendation for chief constables.\n>\n> Sam Sample\\\n> Chief Constable, Testshire "
        "Police\n"
    ) in itemised.markdown
    itemised.has("My reply to the Chief Constable’s comments", "Heading 3")
    itemised.has("I welcome the Chief Constable's commitment and will test it at my board.")
    # The statement comes before the recommendations.
    assert itemised.index("The Chief Constable’s comments") < itemised.index(
        "The report’s recommendations"
    )


def test_the_briefing_shows_the_statement_as_one_quotation() -> None:
    page = render.section("response", build(REPORT, QUARTER, PARAMS))
    assert page.count("<blockquote>") == 5  # the statement and the four recommendations
    assert re.search(
        r"<blockquote>\s*<p>Testshire Police welcomes the report.</p>\s*<p>We have already "
        r"begun to act on every recommendation for chief constables.</p>\s*<p>Sam Sample<br>"
        r"Chief Constable, Testshire Police</p>\s*</blockquote>",
        page,
    )


def test_without_the_statement_the_draft_marks_it(example: Draft) -> None:
    example.has(COMMENTS_GAP)
    assert _checks(example.letter)["chief-constable-comments"][0] is False
    # The published letter's own account of the force is the PCC's, not a quotation.
    example.has(
        "Dorset Police recognised the risk of county lines at an early stage. Intelligence, "
        "investigative and neighbourhood policing resources have been focused on the issues "
        "involved, especially the associated exploitation of vulnerable people."
    )
    example.has(
        "Dorset Police has been proactive in recognising, acknowledging and responding to the "
        "threat of county lines, as HMICFRS acknowledged in its 2018/19 inspection."
    )
    assert "Quote" not in {style for style, _ in example.word}


# ---------------------------------------------------------------- 5. no claims beyond params


@pytest.mark.parametrize(
    ("addressee", "expected"),
    [
        ("chief constables", True),
        ("all forces", True),
        ("police", True),
        ("forces and the NPCC", True),
        ("the Chief Constable of Testshire Police", True),
        ("police forces", True),
        ("Chief constables and police and crime commissioners", True),
        ("the NPCC", False),
        ("the National Police Chiefs’ Council", False),
        ("the College of Policing", False),
        ("police and crime commissioners", False),
        ("the Home Office", False),
        ("the National Crime Agency", False),
    ],
)
def test_addressees_hmicfrs_uses(addressee: str, expected: bool) -> None:
    assert addressed_to_forces(addressee) is expected


def test_the_count_of_recommendations_for_forces(itemised: Draft) -> None:
    itemised.has(
        "The report makes four recommendations that bear on Testshire Police or on my office, "
        "all of them addressed to chief constables or all forces, and so to Testshire Police. "
        "For each, I set out the action taken or proposed, or why none is; the force’s "
        "progress is as it had reported it by 30 June 2020."
    )


def test_an_unknown_addressee_makes_no_claim(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root / "reports" / f"{REPORT}.yaml", "    addressee: police\n", "")
    draft = _draft(build(REPORT, QUARTER, root).letter, tmp_path)
    draft.has(
        "The report makes four recommendations that bear on Testshire Police or on my office. "
        "For each, I set out the action taken or proposed, or why none is; the force’s "
        "progress is as it had reported it by 30 June 2020."
    )
    draft.lacks("chief constables or forces")


# ---------------------------------------------------------------- 6. figures, honestly


def _with_figures(root: Path, police_uk: dict) -> Letter:
    briefing = build(REPORT, QUARTER, root)
    briefing.police_uk = police_uk
    return briefing.letter


FIGURES = {
    "months": ["2020-01", "2020-02", "2020-03"],
    "complete": True,
    "crime_types": {
        "Violence and sexual offences": {
            "count": 2100,
            "previous_year": 1900,
            "rate_per_1000": 3.0,
        },
        "Drugs": {"count": 300, "previous_year": None, "rate_per_1000": 0.43},
    },
    "peers": {
        "north": {
            "Drugs": {"rate_per_1000": 0.5},
            "Violence and sexual offences": {"rate_per_1000": 2.5},
        },
        "south": {
            "Drugs": {"rate_per_1000": 0.25},
            "Violence and sexual offences": {"rate_per_1000": 3.25},
        },
    },
    "focus": ["Violence and sexual offences", "Drugs"],
}


def test_figures_name_the_peer_basis_and_what_proactive_counts_mean(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("peers_basis: its Most Similar Group\n")
    draft = _draft(_with_figures(root, FIGURES), tmp_path)
    draft.has(
        "In Q4 2019/20 (January to March 2020), Testshire Police recorded 2,100 violence and "
        "sexual offences (1,900 in the same quarter a year earlier, a rise), a rate of 3.00 per "
        "1,000 people; the rates of its two comparison forces (its Most Similar Group) ranged "
        "from 2.50 to 3.25. It recorded 300 drugs offences, a rate of 0.43 per 1,000 people; "
        "the rates of the same forces ranged from 0.25 to 0.50. These are street-level crimes "
        "recorded on data.police.uk, in the data held. " + BROAD
    )
    # Drugs has no year-earlier count, so no rise or fall: no caveat on proactive policing.
    draft.lacks("proactive")


def test_the_proactive_caveat_stands_beside_a_rise_or_fall(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    drugs = {"count": 300, "previous_year": 250, "rate_per_1000": 0.43}
    figures = {
        **FIGURES,
        "crime_types": {**FIGURES["crime_types"], "Drugs": drugs},
        "focus": ["Drugs"],
        "population": {"year": 2019, "value": 700000},
    }
    draft = _draft(_with_figures(root, figures), tmp_path)
    draft.has(
        "In Q4 2019/20 (January to March 2020), Testshire Police recorded 300 drugs offences "
        "(250 in the same quarter a year earlier, a rise), a rate of 0.43 per 1,000 people "
        "(using the mid-2019 population estimate); [How the comparison forces were chosen "
        "(force.yaml peers_basis), before comparing with them]. These are street-level crimes "
        "recorded on data.police.uk, in the data held. The categories are broader than the "
        "report’s subject: drugs offences include possession as well as supply. " + PROACTIVE
    )


def test_without_a_peer_basis_the_comparison_is_a_gap(tmp_path: Path) -> None:
    only = {**FIGURES, "focus": ["Violence and sexual offences"]}
    draft = _draft(_with_figures(PARAMS, only), tmp_path)
    gap = (
        "[How the comparison forces were chosen (force.yaml peers_basis), before comparing "
        "with them]"
    )
    assert gap in draft.highlighted
    draft.lacks("ranged from")
    draft.lacks("proactive")  # no proactive crime type is cited


def test_no_figures_unless_the_report_file_asks(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root / "reports" / f"{REPORT}.yaml", "cite_figures: true", "cite_figures: false")
    _draft(_with_figures(root, FIGURES), tmp_path).lacks("data.police.uk")


def test_the_example_does_not_cite_stale_figures_as_current(
    example: Draft, example_briefing: Briefing
) -> None:
    # The shipped data's latest complete quarter is Q3 2018/19: five quarters before the
    # letter's quarter (Q4 2019/20), more than the two allowed, so it is named in a gap.
    assert example_briefing.police_uk is not None
    assert example_briefing.police_uk["crime_types"]["Drugs"]["count"] == 380
    gap = (
        "[Figures: the latest complete quarter in the data held is Q3 2018/19 (October to "
        "December 2018), more than two quarters before this letter, so it is not cited as "
        "current — fetch later data.police.uk months (toolkit fetch-data), or give the force’s "
        "own current figures]"
    )
    example.has(gap)
    assert gap in example.highlighted
    example.lacks("380")
    example.lacks("proactive policing")
    example.lacks("peer forces")


# ---------------------------------------------------------------- 7. local actions


def test_the_forces_actions_and_the_pccs_own_are_apart(itemised: Draft) -> None:
    itemised.has("Specific actions by Testshire Police", "Heading 2")
    itemised.has("The force has reviewed its domestic abuse training this year.")
    itemised.has("Testshire Police reports the following action in response to the report:")
    itemised.has(
        "Half of response officers have been trained. The force’s target date is 31 December 2020.",
        "List Bullet",
    )
    itemised.has("Action by my office", "Heading 2")
    itemised.has("I convened a summit of partners on safety at home.")
    assert itemised.index("Action by my office") > itemised.index(
        "Half of response officers have been trained. The force’s target date is 31 December 2020."
    )
    # local_context opens the force's section; partnership working has its own heading.
    assert itemised.index("Specific actions by Testshire Police") + 1 == itemised.index(
        "The force has reviewed its domestic abuse training this year."
    )
    itemised.has("Partnership working", "Heading 2")
    itemised.has("The Police and Crime Plan", "Heading 2")
    # No repeated text: the commitment is not printed beside its progress.
    itemised.lacks("Train every response officer in coercive control")
    itemised.lacks("The PCC held the summit")


def test_an_opcc_action_without_the_pccs_words_is_a_gap(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root / "reports" / f"{REPORT}.yaml",
        "    L2: I convened a summit of partners on safety at home\n",
        "",
    )
    draft = _draft(build(REPORT, QUARTER, root).letter, tmp_path)
    draft.has(
        "[In your own words, what your office has done on L2 (response.explanations) — the "
        "latest update reads: “The PCC held the summit in May 2020.”]"
    )


def test_the_example_local_actions_read_as_a_letter(example: Draft) -> None:
    example.has("Specific actions by Dorset Police", "Heading 2")
    example.has("Dorset Police reports the following actions in response to the report:")
    example.has(
        "A dedicated County Lines team is in place in the west of the county.", "List Bullet"
    )
    example.has(
        "The force is forming a similar team in the east of the county. The force’s target "
        "date is 30 April 2020.",
        "List Bullet",
    )
    example.has("Action by my office", "Heading 2")
    example.has(
        "Working closely with the Local Safeguarding Children Boards, I hosted a county lines "
        "problem-solving forum with partner agencies, in response to the Joint Targeted Area "
        "Inspection's concerns about the partnership response to children at risk of "
        "exploitation."
    )
    example.lacks("Complete:")
    example.lacks("Create a dedicated County Lines team")
    example.lacks("The PCC hosted")
    assert example.index("Specific actions by Dorset Police") < example.index("Action by my office")


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("Office of the Police and Crime Commissioner", True),
        ("OPCC", True),
        ("the PCC", True),
        ("Office of the Police, Fire and Crime Commissioner", True),
        ("OPFCC", True),
        ("Mayor's Office for Policing and Crime", True),
        ("Dorset Police", False),
        ("ACC Safeguarding", False),
        ("Head of Learning", False),
    ],
)
def test_who_counts_as_the_pccs_office(owner: str, expected: bool) -> None:
    assert is_opcc(owner) is expected


# ---------------------------------------------------------------- 8. address and courtesy


def test_address_copy_and_courtesy(itemised: Draft) -> None:
    itemised.has("Rt Hon Jane Example MP\nHome Secretary\n2 Marsham Street\nLondon SW1P 4DF")
    itemised.has("Copy: HM Inspectorate of Constabulary and Fire & Rescue Services")
    assert itemised.word[-1] == (
        "Normal",
        "Copy: HM Inspectorate of Constabulary and Fire & Rescue Services",
    )
    itemised.has("I thank HMICFRS for this report and for the care its inspectors took.")
    itemised.has(
        "Much of this work depends on our partners in the Testshire Community Safety Partnership."
    )
    itemised.has("Keeping women and girls safe is the first priority of my Police and Crime Plan.")
    itemised.lacks("due by 4 May")  # the s55 deadline is for the checklist, not the letter
    assert itemised.seen.count("10 March 2020") == 1
    assert _checks(itemised.letter)["copies-sent"] == (
        True,
        "The letter is addressed or copied to HMICFRS and to the Home Secretary.",
    )
    assert _checks(itemised.letter)["sent-in-time"] == (
        False,
        "Not sent yet (response.sent): due by 4 May 2020.",
    )


def test_the_optional_parts_are_absent_when_not_given(example: Draft) -> None:
    example.lacks("I thank")
    example.lacks("Police and Crime Plan")
    example.lacks("due by")
    assert example.seen.count("10 January 2020") == 1
    example.has(
        "I will hold the Chief Constable to account for progress through my quarterly "
        "Accountability Board, where the force reports on every open item."
    )


def test_without_a_copy_line_or_hmicfrs_the_copies_check_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("letter:\n  copy_to: []\n")
    letter = build(REPORT, QUARTER, root).letter
    assert not any(b.text.startswith("Copy:") for b in letter.blocks)
    assert _checks(letter)["copies-sent"] == (
        False,
        "The letter is not addressed or copied to HMICFRS.",
    )


def test_hmicfrs_in_the_addressee_needs_no_copy_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root / "force.yaml",
        "  - London SW1P 4DF\n",
        "  - London SW1P 4DF\n  - and HM Chief Inspector of Constabulary, HMICFRS\n",
    )
    letter = build(REPORT, QUARTER, root).letter
    assert not any(b.text.startswith("Copy:") for b in letter.blocks)
    assert _checks(letter)["copies-sent"][0] is True


# ---------------------------------------------------------------- the shared environment


def test_drafting_leaves_the_shared_environment_as_it_was(itemised: Draft) -> None:
    shared = templating.environment()
    assert "gap" not in shared.globals
    assert not {"full_stop", "words", "paragraphs", "md"} & set(shared.filters)
    assert shared.autoescape is True
