"""Property-based tests: any input either parses to a valid value or raises the
project's own error with a message — never anything else (no KeyError, no traceback)."""

from __future__ import annotations

import csv
import io
import string
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import DataError, InputError
from toolkit.performance.policeuk import parse_file
from toolkit.quarters import Quarter
from toolkit.record.params import parse_due
from toolkit.record.updates import STATUSES, read_updates

FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

quarter_like = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda y, q, sep: f"{y}{sep[0]}{(y + 1) % 100:02d}{sep[1]}Q{q}",
        st.integers(1900, 2100),
        st.integers(0, 6),
        st.sampled_from([("-", "-"), ("/", " "), ("/", ""), ("-", " "), (" ", "-")]),
    ),
    st.builds(
        lambda a, b, q: f"{a}-{b:02d}-Q{q}",
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(1, 4),
    ),
)


@FAST
@given(quarter_like)
def test_quarter_parse_is_total(text):
    try:
        quarter = Quarter.parse(text)
    except InputError as err:
        assert str(err).startswith("quarter: ")
        return
    assert 1 <= quarter.number <= 4
    assert quarter.start <= quarter.end
    assert Quarter.parse(quarter.id) == quarter  # the canonical id round-trips
    assert Quarter.containing(quarter.start) == quarter == Quarter.containing(quarter.end)
    assert len(quarter.months) == 3


@FAST
@given(st.integers(1901, 2098), st.integers(1, 4), st.integers(-12, 12))
def test_quarter_shift_is_consistent(year, number, steps):
    quarter = Quarter(year, number)
    assert quarter.shift(steps).shift(-steps) == quarter
    assert quarter.year_earlier().shift(4) == quarter


due_like = st.one_of(
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.builds(
        lambda n, u, s: f"within {n} {u}{s}",
        st.one_of(st.integers(-3, 40).map(str), st.sampled_from(["six", "one", "twelve", "many"])),
        st.sampled_from(["month", "week", "day", "year"]),
        st.sampled_from(["", "s"]),
    ),
    st.just("immediately"),
    st.just("Immediately "),
)


@FAST
@given(due_like, st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_due_parse_is_total(text, published):
    try:
        due = parse_due(text)
    except ValueError as err:
        assert str(err).startswith("not a due date (expected ")
        return
    if due is not None:
        resolved = due.resolve(published)
        assert isinstance(resolved, date)
        if due.kind == "within":
            assert resolved > published


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "alpha",
            "beta",
            "R1",
            "R2",
            "L1",
            *STATUSES,
            "In Progress",
            "Not accepted",
            "2019-09-30",
            "31/12/2019",
            "",
            " ",
        ]
    ),
)


@FAST
@given(
    st.lists(st.lists(cell, min_size=0, max_size=9), max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_update_rows_parse_or_report(tmp_path_factory, rows, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["report", "ref", "status", "update", "evidence", "owner", "target_date"])
    writer.writerows(rows)
    path = Path(tmp_path_factory.mktemp("upd")) / "2019-20-Q1.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return
    updates, problems = read_updates(
        path,
        Quarter(2019, 1),
        "updates/2019-20-Q1.csv",
        {"alpha": {"R1", "R2"}, "beta": {"R1", "L1"}},
    )
    for update in updates:
        assert update.status in STATUSES
        assert update.report in ("alpha", "beta")
    for problem in problems:
        assert str(problem).startswith("updates/2019-20-Q1.csv")


HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
text_cell = st.text(alphabet=string.printable + "é£–", max_size=10)


@FAST
@given(
    st.lists(st.lists(text_cell, min_size=0, max_size=13), max_size=10),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
)
def test_police_uk_rows_parse_or_report(rows, good_header, newline):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    header = HEADER if good_header else HEADER.replace("Crime type", "Crime kind")
    buffer.write(header + newline)
    writer.writerows(rows)
    try:
        parsed = parse_file(buffer.getvalue().encode("utf-8"), "2018-10/x-street.csv")
    except DataError as err:
        assert str(err).startswith("2018-10/x-street.csv")
        return
    assert good_header
    assert parsed is not None


# -- damaged cache files never change a figure ----------------------------------------

_PERF = Path(__file__).parent / "fixtures" / "perf"


def _performance_figures(cache: Path) -> str:
    """figures.json's police.uk and Home Office blocks, as the briefing writes them."""
    import json

    from toolkit.performance import police_uk_figures, recorded_crime_figures

    quarter = Quarter.parse("2018-19-Q3")
    police_uk = police_uk_figures(
        source=_PERF / "police-uk",
        force="dorset",
        peers=["wiltshire"],
        quarter=quarter,
        crime_types=["Drugs", "Anti-social behaviour"],
        population=_PERF / "population.csv",
        cache_dir=cache,
    )
    recorded = recorded_crime_figures(
        source=_PERF / "prc.csv",
        force="dorset",
        quarter=Quarter.parse("2017-18-Q3"),
        crime_types=["Drugs"],
        cache_dir=cache,
    )
    return json.dumps({"police_uk": police_uk, "recorded_crime": recorded}, sort_keys=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.data(),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=6),
)
def test_flipped_bytes_in_cache_files_never_change_a_figure(tmp_path_factory, data, flips):
    import shutil

    warm = tmp_path_factory.mktemp("warm")
    cold = _performance_figures(warm)  # a cold run fills the cache
    files = sorted(warm.iterdir())
    assert len(files) >= 8  # every police.uk month read, and the Home Office table
    victim = data.draw(st.sampled_from(files))
    raw = bytearray(victim.read_bytes())
    for where, mask in flips or [(0.5, 1)]:
        raw[int(where * len(raw))] ^= mask
    victim.write_bytes(bytes(raw))
    try:
        assert _performance_figures(warm) == cold
    except (DataError, InputError) as err:  # the only other outcome allowed: one line
        assert "\n" not in str(err)
    assert _performance_figures(warm) == cold  # and the cache is whole again
    shutil.rmtree(warm)
