"""Dates as analysts type them: ISO or UK day-first, and days that cannot exist named."""

from datetime import date, datetime

import pytest

from toolkit.record.dates import NotADate, parse_day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2020-02-29", date(2020, 2, 29)),
        ("29/02/2020", date(2020, 2, 29)),
        ("1/8/2019", date(2019, 8, 1)),  # day first: 1 August, never 8 January
        ("2020-02-06 00:00:00", date(2020, 2, 6)),
        (datetime(2020, 2, 6, 13, 5), date(2020, 2, 6)),
        ("", None),
        (None, None),
    ],
)
def test_forms_read(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2020", "31 February 2020 is not a date"),
        ("29/02/2019", "29 February 2019 is not a date"),
        ("2019-04-31", "31 April 2019 is not a date"),
        ("2019-13-01", "not a date"),
        ("13/13/2019", "not a date"),
        ("08-01-2019", "not a date"),
        ("next spring", "not a date"),
    ],
)
def test_impossible_days_are_named(text, message):
    with pytest.raises(NotADate) as caught:
        parse_day(text)
    assert str(caught.value) == message
