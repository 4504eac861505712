from datetime import date

import pytest

from toolkit.errors import InputError
from toolkit.quarters import Quarter


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2018-19-Q3", date(2018, 10, 1), date(2018, 12, 31)),
        ("2019-20-Q4", date(2020, 1, 1), date(2020, 3, 31)),
        ("2018/19 Q3", date(2018, 10, 1), date(2018, 12, 31)),
        ("2019-20-Q1", date(2019, 4, 1), date(2019, 6, 30)),
        ("2019/20 q2", date(2019, 7, 1), date(2019, 9, 30)),
        ("1999-00-Q4", date(2000, 1, 1), date(2000, 3, 31)),
        # The form the briefings' headings print, so it can be pasted back.
        ("Q3 2019/20", date(2019, 10, 1), date(2019, 12, 31)),
        ("q1 2019-20", date(2019, 4, 1), date(2019, 6, 30)),
        ("2019/20 Q3", date(2019, 10, 1), date(2019, 12, 31)),
    ],
)
def test_parse_good_forms(text, start, end):
    quarter = Quarter.parse(text)
    assert (quarter.start, quarter.end) == (start, end)


def test_the_heading_form_reads_back_as_the_same_quarter():
    quarter = Quarter.parse("2019-20-Q3")
    assert Quarter.parse(quarter.label.split(" (")[0]) == quarter
    with pytest.raises(InputError, match="must follow each other"):
        Quarter.parse("Q3 2019/21")


def test_canonical_id_and_months():
    quarter = Quarter.parse("2018/19 Q3")
    assert quarter.id == "2018-19-Q3"
    assert quarter.months == ["2018-10", "2018-11", "2018-12"]
    assert Quarter.parse("2019-20-Q4").months == ["2020-01", "2020-02", "2020-03"]
    assert quarter.label == "Q3 2018/19 (October to December 2018)"


def test_neighbours():
    quarter = Quarter.parse("2019-20-Q1")
    assert quarter.previous().id == "2018-19-Q4"
    assert quarter.year_earlier().id == "2018-19-Q1"
    assert quarter.shift(3).id == "2019-20-Q4"
    assert quarter.shift(4).id == "2020-21-Q1"
    assert Quarter.of_month("2019-02").id == "2018-19-Q4"
    assert Quarter.containing(date(2019, 4, 1)).id == "2019-20-Q1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2018-Q3",
            "quarter: not a quarter id (expected a quarter id such as "
            "2018-19-Q3 (or 2018/19 Q3, or Q3 2018/19), got '2018-Q3')",
        ),
        (
            "2018-19-Q5",
            "quarter: not a quarter id (expected a quarter id such as "
            "2018-19-Q3 (or 2018/19 Q3, or Q3 2018/19), got '2018-19-Q5')",
        ),
        (
            "Q3 2018",
            "quarter: not a quarter id (expected a quarter id such as "
            "2018-19-Q3 (or 2018/19 Q3, or Q3 2018/19), got 'Q3 2018')",
        ),
        (
            "2018-20-Q3",
            "quarter: the two years of a financial year must follow each "
            "other (expected 2018-19-Q3, got '2018-20-Q3')",
        ),
    ],
)
def test_bad_forms_show_the_expected_form(text, message):
    with pytest.raises(InputError) as caught:
        Quarter.parse(text)
    assert str(caught.value) == message
