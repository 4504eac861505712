"""The letter a PCC signs: drafted as at the day it is sent, in the PCC's voice, with dates
and figures that hold on that day.

``tests/fixtures/letter/params`` holds Sampleshire's ``midquarter`` report, worked by hand:
published 10 January 2020 (deadline 5 March 2020), response sent 6 February 2020, in the
middle of 2019-20-Q4. Its Q4 update file has dated rows on both sides of that day:

  R1 (all forces, due 31 January 2020)  in progress 20 January; complete 15 March
  R2 (the NPCC)                          in progress 20 February
  R3 (chief constables)                  not accepted 25 January; the PCC's explanation given
  L1 (local action)                      not started 15 January, target 28 February;
                                         in progress 3 February, target 30 April
  2020-21-Q1 (undated, so 30 June 2020): L1 complete.

So the letter, as at 6 February, has R1 in progress and past its due date, no update for R2,
R3 in the PCC's words, and L1 in progress with its target moved from 28 February to 30 April.
Progress since the response: at 31 March, R1 in progress → complete and R2 not started → in
progress; at 30 June, L1 in progress → complete as well.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

from toolkit.letter import draft_letter
from toolkit.publish import render
from toolkit.publish.briefing import build
from toolkit.record.params import load_params

HERE = Path(__file__).parent
PARAMS = HERE / "fixtures" / "letter" / "params"
NARRATIVE = HERE / "fixtures" / "narrative" / "params"
PROJECT = HERE.parent
REPORT = "midquarter"

R1 = (
    "The force reports that work started on the review. It records this recommendation as in "
    "progress. It was due by 31 January 2020, the date the report set."
)
R2_GAP = "[No update recorded for R2 — explanation required]"
R3 = "My office funds the advocacy service, so no action is proposed for the force."
L1 = (
    "A team is being formed. The force’s target date is 30 April 2020, moved from 28 February 2020."
)


def _copy(tmp_path: Path, source: Path = PARAMS) -> Path:
    root = tmp_path / "params"
    shutil.copytree(source, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _paragraphs(letter) -> list[str]:
    return [b.text for b in letter.blocks]


# --------------------------------------------------------------------------- as at the sent day


def test_the_letter_holds_only_what_was_known_on_the_day_it_was_sent():
    letter = build(REPORT, "2019-20-Q4", PARAMS).letter
    texts = _paragraphs(letter)
    assert texts[1] == "6 February 2020"
    assert R1 in texts
    assert R2_GAP in texts  # R2's update is dated 20 February, after the letter
    assert R3 in texts
    assert L1 in texts
    whole = letter.text()
    assert "signed the review off" not in whole  # 15 March
    assert "Draft guidance" not in whole  # 20 February
    assert "The team is in place" not in whole  # 2020-21-Q1
    assert "as it had reported it by 6 February 2020" in whole


def test_progress_since_the_response_is_the_moves_after_the_sent_day():
    q4 = build(REPORT, "2019-20-Q4", PARAMS)
    assert q4.figures["items"]["since_response"] == [
        {"ref": "R1", "from": "in-progress", "to": "complete"},
        {"ref": "R2", "from": "not-started", "to": "in-progress"},
    ]
    assert q4.figures["s55"]["letter_date"] == "2020-02-06"
    q1 = build(REPORT, "2020-21-Q1", PARAMS)
    assert q1.figures["items"]["since_response"] == [
        {"ref": "R1", "from": "in-progress", "to": "complete"},
        {"ref": "R2", "from": "not-started", "to": "in-progress"},
        {"ref": "L1", "from": "in-progress", "to": "complete"},
    ]
    html = render.section("status", q4)
    assert "Progress since the response" in html
    assert "<strong>R2</strong>: Not started" in html


def test_the_sent_letter_is_the_same_bytes_in_every_later_quarter(tmp_path):
    files = {}
    for quarter in ("2019-20-Q4", "2020-21-Q1", "2020-21-Q2"):
        out = tmp_path / quarter
        build(REPORT, quarter, PARAMS).save(out)
        files[quarter] = [
            (out / name).read_bytes() for name in ("response-draft.md", "response-draft.docx")
        ]
    assert files["2019-20-Q4"] == files["2020-21-Q1"] == files["2020-21-Q2"]


def test_a_briefing_before_the_sending_quarter_drafts_as_at_its_own_end():
    # 2019-20-Q3 ends on 31 December 2019, before the report: nothing is known yet.
    letter = build(REPORT, "2019-20-Q3", PARAMS).letter
    assert "[No update recorded for R1 — explanation required]" in _paragraphs(letter)


# --------------------------------------------------------------------------- the .docx


def test_two_runs_write_the_same_docx_bytes(tmp_path, monkeypatch):
    letter = build(REPORT, "2019-20-Q4", PARAMS).letter
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    letter.to_docx(first)
    # A day later by the clock: zip time stamps and document properties must not follow it.
    real = zipfile.time.time
    monkeypatch.setattr(zipfile.time, "time", lambda: real() + 86_400 + 3_601)
    build(REPORT, "2019-20-Q4", PARAMS).letter.to_docx(second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist()[0] == "[Content_Types].xml"
    properties = Document(str(first)).core_properties
    assert properties.created is not None and properties.created.date().isoformat() == (
        "2020-02-06"
    )
    assert properties.modified == properties.created


# --------------------------------------------------------------------------- dates that add up


def test_a_late_letter_without_a_reason_asks_for_one():
    # Testshire: published 10 January 2020, deadline 5 March 2020, sent 6 March (day 57).
    letter = build("testshire-inspection", "2020-21-Q1", NARRATIVE).letter
    opening = _paragraphs(letter)[4:7]
    assert opening[1:] == [
        "This response is published after the end of the 56 days that section 55(5A) of the "
        "Act allows, which ended on 5 March 2020.",
        "[Why the response is later than the deadline of 5 March 2020 (response.late_reason)]",
    ]


def test_a_late_letter_gives_the_pccs_reason_in_their_words(tmp_path):
    root = _copy(tmp_path, NARRATIVE)
    _edit(
        root / "reports" / "testshire-inspection.yaml",
        "  cite_figures: true",
        "  late_reason: |-\n    I waited for the force's audit\n\n"
        "    I apologise for the delay\n  cite_figures: true",
    )
    letter = build("testshire-inspection", "2020-21-Q1", root).letter
    texts = _paragraphs(letter)
    start = texts.index(
        "This response is published after the end of the 56 days that section 55(5A) of the "
        "Act allows, which ended on 5 March 2020."
    )
    assert texts[start + 1 : start + 3] == [
        "I waited for the force's audit.",
        "I apologise for the delay.",
    ]
    assert not any("late_reason" in gap for gap in letter.gaps)


def test_a_letter_in_time_says_nothing_of_lateness():
    assert "56 days" not in build(REPORT, "2019-20-Q4", PARAMS).letter.text()


def test_no_chief_constable_statement_says_the_comments_were_invited_once():
    letter = build(REPORT, "2019-20-Q4", PARAMS).letter
    whole = letter.text()
    assert whole.count("I invited the Chief Constable to comment") == 1
    assert "with the Chief Constable’s comments" not in whole
    assert (
        "[Confirm that the Chief Constable made no comments, or give them "
        "(response.chief_constable_comments): section 55(5) requires them to be published "
        "with this response]" in letter.gaps
    )
    assert _paragraphs(letter)[-4] == (
        "This response will be published on my office’s website, "
        "https://www.sampleshire-pcc.example/."
    )


def test_the_briefing_shows_the_day_a_dated_update_describes():
    # R1's latest Q4 row is dated 15 March 2020 (as_at); R2's 20 February 2020.
    html = render.section("status", build(REPORT, "2019-20-Q4", PARAMS))
    assert "Update for Q4 2019/20 (January to March 2020), as at 15 March 2020" in html
    assert "Update for Q4 2019/20 (January to March 2020), as at 20 February 2020" in html


def test_the_example_readme_claims_no_chief_constable_comments_the_example_lacks():
    # The shipped example's response has no chief_constable_comments (Dorset's published
    # response gave none), so its README must not list them among what is real.
    example = HERE.parent / "params"
    report = load_params(example).reports["both-sides-of-the-coin"]
    assert report.response.chief_constable_comments is None
    readme = " ".join((example / "README.md").read_text(encoding="utf-8").split())
    claimed = readme[readme.index("`reports/both-sides-of-the-coin.yaml`") :]
    claimed = claimed[: claimed.index("(real")]
    assert "Chief Constable's comments" not in claimed


# --------------------------------------------------------------------------- voice and leads


def test_the_pcc_voice_by_default_and_no_leads():
    letter = build(REPORT, "2019-20-Q4", PARAMS).letter
    whole = letter.text()
    assert "I welcome the report, and in particular what it finds about:" in whole
    assert "The Chief Constable and I" not in whole
    assert "ACC Safeguarding" not in whole and "DCI Public Protection" not in whole
    assert "Lead" not in whole


def test_the_joint_voice_leads_and_a_reference(tmp_path):
    root = _copy(tmp_path)
    _edit(
        root / "force.yaml",
        "letter:\n",
        "letter:\n  voice: joint\n  leads: true\n  reference: OPCC/2020/14\n",
    )
    letter = build(REPORT, "2019-20-Q4", root).letter
    texts = _paragraphs(letter)
    assert texts[1:3] == ["6 February 2020", "Our reference: OPCC/2020/14"]
    assert texts[3] == "Dear Home Secretary"
    assert "and following consultation with the Chief Constable, Chris Sample, I provide" in (
        letter.text().replace("\n", " ")
    )
    assert "The Chief Constable and I welcome the report, and in particular what it finds " in (
        letter.text()
    )
    assert (
        "The force reports that work started on the review. It records this recommendation as "
        "in progress. Lead: ACC Safeguarding. It was due by 31 January 2020, the date the "
        "report set." in texts
    )
    assert (
        "A team is being formed. Lead: DCI Public Protection. The force’s target date is 30 "
        "April 2020, moved from 28 February 2020." in texts
    )
    # R3 is closed (not accepted): no lead; the PCC's words stand alone.
    assert R3 in texts


def test_leads_on_with_no_owner_is_a_gap(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "force.yaml", "letter:\n", "letter:\n  leads: true\n")
    _edit(root / "reports" / "midquarter.yaml", "    owner: ACC Safeguarding\n", "")
    _edit(
        root / "updates" / "2019-20-Q4.csv",
        "midquarter,R1,in-progress,Work started on the review.,,ACC Safeguarding,,",
        "midquarter,R1,in-progress,Work started on the review.,,,,",
    )
    letter = build(REPORT, "2019-20-Q4", root).letter
    assert "[Lead for R1 not recorded]" in letter.gaps


@pytest.mark.parametrize(
    ("update", "said"),
    [
        (
            "The force has trained 40 officers.",
            "The force reports that it has trained 40 officers.",
        ),
        ("Sampleshire Police has a plan.", "The force reports that it has a plan."),
        ("Work began in May", "The force reports that work began in May."),
        ("NPCC guidance awaited", "The force reports: “NPCC guidance awaited.”"),
        ("We have done it.", "The force reports: “We have done it.”"),
    ],
)
def test_the_forces_words_are_attributed_to_it(update, said):
    from toolkit.letter.context import force_reports

    assert force_reports(update, "Sampleshire Police") == said


# --------------------------------------------------------------------------- structure


def test_no_items_and_confirmed_none_for_the_force(tmp_path):
    root = _copy(tmp_path, NARRATIVE)
    _edit(
        root / "reports" / "no-recommendations.yaml",
        "kind: thematic",
        "kind: thematic\nresponse:\n  no_force_recommendations: true",
    )
    letter = build("no-recommendations", "2019-20-Q4", root).letter
    assert letter.part("recommendations")[1].text == (
        "The report makes no recommendations for Testshire Police or for me as the local "
        "policing body, so there is no action on a recommendation to explain."
    )
    check = {c.id: c for c in letter.compliance}["recommendations-explained"]
    assert check.passed


# --------------------------------------------------------------------------- figures


def _letter_with_figures(quarter_months: list[str]):
    briefing = build("itemised-inspection", "2020-21-Q1", NARRATIVE)
    briefing.police_uk = {
        "months": quarter_months,
        "complete": True,
        "crime_types": {"Drugs": {"count": 300, "previous_year": None, "rate_per_1000": 0.43}},
        "peers": {},
        "focus": ["Drugs"],
    }
    return draft_letter(briefing)


def test_figures_two_quarters_before_the_letter_are_cited():
    # The letter is as at 30 June 2020 (Q1 2020/21); Q3 2019/20 is two quarters before it.
    text = _letter_with_figures(["2019-10", "2019-11", "2019-12"]).text()
    assert "In Q3 2019/20 (October to December 2019), Testshire Police recorded 300 drugs" in text


def test_figures_three_quarters_before_the_letter_are_a_gap():
    letter = _letter_with_figures(["2019-07", "2019-08", "2019-09"])
    assert "recorded 300" not in letter.text()
    assert (
        "[Figures: the latest complete quarter in the data held is Q2 2019/20 (July to "
        "September 2019), more than two quarters before this letter, so it is not cited as "
        "current — fetch later data.police.uk months (toolkit fetch-data), or give the force’s "
        "own current figures]" in letter.gaps
    )


# --------------------------------------------------------------------------- the sent letter


def test_a_sent_letter_whose_recommendations_are_not_listed_cannot_be_checked():
    briefing = build("both-sides-of-the-coin", "2019-20-Q4", PROJECT / "params")
    (found,) = [c for c in briefing.figures["compliance"] if c["id"] == "recommendations-found"]
    assert found["state"] == "cannot-check" and found["passed"] is False
    assert found["detail"].startswith("The register lists none of the report's recommendations")
    html = render.section("response", briefing)
    assert '<strong class="tag tag--yellow">Cannot check</strong>' in html
    assert re.search(r"\d of 5 passed, 1 cannot be checked", html)


def test_the_population_year_is_named_once_and_rises_and_falls_are_said():
    briefing = build("itemised-inspection", "2020-21-Q1", NARRATIVE)
    briefing.police_uk = {
        "months": ["2020-01", "2020-02", "2020-03"],
        "complete": True,
        "lag": 1,
        "crime_types": {
            "Violence and sexual offences": {
                "count": 2100,
                "previous_year": 1900,
                "rate_per_1000": 3.0,
            },
            "Drugs": {"count": 300, "previous_year": 340, "rate_per_1000": 0.43},
        },
        "peers": {},
        "focus": ["Violence and sexual offences", "Drugs"],
        "population": {"year": 2019, "value": 700000},
    }
    (paragraph,) = [b.text for b in draft_letter(briefing).blocks if "recorded 2,100" in b.text]
    assert paragraph.startswith(
        "In Q4 2019/20 (January to March 2020), the latest complete quarter in the data held, "
        "Testshire Police recorded 2,100 violence and sexual offences (1,900 in the same "
        "quarter a year earlier, a rise), a rate of 3.00 per 1,000 people (using the mid-2019 "
        "population estimate). It recorded 300 drugs offences (340 in the same quarter a year "
        "earlier, a fall), a rate of 0.43 per 1,000 people."
    )
    assert paragraph.count("population estimate") == 1
    assert paragraph.endswith(
        "Drugs offences are mostly found through proactive policing, such as stop and search, "
        "so a rise or fall in them can reflect police activity as much as offending."
    )
