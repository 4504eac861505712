"""Population estimates and rates (tests/fixtures/perf/population.csv)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from toolkit.errors import DataError
from toolkit.performance.population import (
    estimate_year,
    load_population,
    population_for,
    rate_per_1000,
)
from toolkit.quarters import Quarter

POPULATION = Path(__file__).parent / "fixtures" / "perf" / "population.csv"


@pytest.mark.parametrize(
    ("quarter", "year"),
    [
        ("2018-19-Q1", 2018),  # ends 30 June 2018: the mid-2018 estimate's own date
        ("2018-19-Q2", 2018),
        ("2018-19-Q3", 2018),  # October to December 2018
        ("2018-19-Q4", 2018),  # ends March 2019, before mid-2019
        ("2019-20-Q1", 2019),
    ],
)
def test_estimate_year(quarter: str, year: int) -> None:
    assert estimate_year(Quarter.parse(quarter).end) == year


def test_population_for_uses_the_year_or_the_latest_before() -> None:
    frame = load_population(POPULATION)
    q3 = Quarter.parse("2018-19-Q3").end
    dorset = population_for(frame, "dorset", q3)
    assert dorset is not None and (dorset.year, dorset.value) == (2018, 2000)
    wiltshire = population_for(frame, "wiltshire", q3)  # only 2016 in the file
    assert wiltshire is not None and (wiltshire.year, wiltshire.value) == (2016, 500)
    assert population_for(frame, "kent", q3) is None
    assert population_for(frame, "dorset", date(2016, 12, 31)) is None  # nothing that early


def test_rate_per_1000() -> None:
    frame = load_population(POPULATION)
    dorset = population_for(frame, "dorset", date(2018, 12, 31))
    assert rate_per_1000(6, dorset) == 3.0  # 6 / (2000 / 1000)
    assert rate_per_1000(1, dorset) == 0.5
    assert rate_per_1000(None, dorset) is None
    assert rate_per_1000(6, None) is None


def test_bad_value_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_text("police_uk,year,population\ndorset,2018,772268\ndorset,2019,lots\n")
    with pytest.raises(DataError) as caught:
        load_population(path)
    assert str(caught.value) == (
        f"{path}:3: population: not a whole number (expected a whole number, got 'lots')"
    )


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_text("force,year,population\ndorset,2018,1\n")
    with pytest.raises(DataError) as caught:
        load_population(path)
    assert str(caught.value) == (
        f"{path}: police_uk: column missing from the header "
        "(expected police_uk, year, population, got 'force,year,population')"
    )


def test_the_readme_states_the_rule_the_code_follows() -> None:
    readme = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    rule = " ".join(readme[readme.index("- **Rates per 1,000 people**") :].split())
    assert rule.startswith(
        "- **Rates per 1,000 people** use the latest ONS mid-year estimate whose reference "
        "date, 30 June of its year, is on or before the period's last day: 2018-19-Q3 (October "
        "to December 2018) uses mid-2018, and so does 2018-19-Q4 (January to March 2019)"
    )
    assert estimate_year(Quarter.parse("2018-19-Q3").end) == 2018
    assert estimate_year(Quarter.parse("2018-19-Q4").end) == 2018
    assert estimate_year(date(2019, 6, 30)) == 2019  # the reference day itself


def test_a_year_given_twice_uses_its_later_row_and_years_out_of_order(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    rows = ["police_uk,year,population", "kent,2019,300", "kent,2017,100", "kent,2019,310"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    kent = population_for(load_population(path), "kent", date(2020, 3, 31))
    assert kent is not None and (kent.year, kent.value) == (2019, 310)
    kent = population_for(load_population(path), "kent", date(2019, 3, 31))  # before mid-2019
    assert kent is not None and (kent.year, kent.value) == (2017, 100)


def test_a_population_file_changed_in_the_same_process_is_read_again(tmp_path: Path) -> None:
    """Tables are remembered per process, by inode and times: an edit is always seen."""
    path = tmp_path / "population.csv"
    path.write_text("police_uk,year,population\nkent,2019,300\n", encoding="utf-8")
    first = load_population(path)
    first.loc[0, "population"] = 1  # a caller's change to its copy stays its own
    assert int(load_population(path)["population"].iloc[0]) == 300
    path.write_text("police_uk,year,population\nkent,2019,400\n", encoding="utf-8")
    assert int(load_population(path)["population"].iloc[0]) == 400
