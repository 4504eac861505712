"""Home Office recorded crime tables (tests/fixtures/perf/prc.csv and rolling.csv).

prc.csv by hand: Dorset 2017-18-Q3: drugs 120 + "-00" = 120, weapons 15, domestic
burglary " 2863 " -> total 2998. Dorset 2017-18-Q4: drugs 130 + (-2, an adjustment) = 128,
shoplifting 400 -> total 528. Devon and Cornwall Q4 drugs 300 + 41 = 341; "London, City of"
Q4 drugs 7. rolling.csv: Dorset 12 months to December 2018 (one row dated 30-12-2018):
drugs 1609, burglary 2416 + 1854 - 3 = 4267; City of London drugs 425.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import DataError
from toolkit.performance.recorded_crime import (
    HOME_OFFICE_NAMES,
    OFFENCES_FOR_CRIME_TYPE,
    load_recorded_crime,
    recorded_crime_figures,
)
from toolkit.quarters import Quarter

FIXTURES = Path(__file__).parent / "fixtures" / "perf"
PRC = FIXTURES / "prc.csv"
ROLLING = FIXTURES / "rolling.csv"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_counts_quirks_padding_zero_and_negative() -> None:
    rows = load_recorded_crime(PRC).rows
    dorset = rows[rows["force"] == "Dorset"]
    assert dorset["count"].tolist() == [120, 0, 15, 2863, 130, -2, 400]
    assert sorted(set(dorset["quarter"])) == ["2017-18-Q3", "2017-18-Q4"]


def test_exact_quarter() -> None:
    figures = recorded_crime_figures(
        source=PRC,
        force="dorset",
        quarter=Quarter.parse("2017-18-Q3"),
        crime_types=["Drugs", "Possession of weapons", "Burglary", "Anti-social behaviour"],
    )
    assert figures["quarter"] == "2017-18-Q3" and figures["exact"] is True
    assert figures["note"] is None
    assert figures["period"] == {"start": "2017-10-01", "end": "2017-12-31"}
    assert figures["total"] == 2998
    assert figures["offences"] == {
        "Drug offences": 120,
        "Possession of weapons offences": 15,
        "Theft offences": 2863,
    }
    assert figures["crime_types"] == {
        "Drugs": {"offences": ["Drug offences"], "count": 120},
        "Possession of weapons": {"offences": ["Possession of weapons offences"], "count": 15},
        "Burglary": {
            "offences": [
                "Domestic burglary",
                "Non-domestic burglary",
                "Residential burglary",
                "Non-residential burglary",
            ],
            "count": 2863,
        },
        "Anti-social behaviour": {"offences": [], "count": None},
    }


def test_later_quarter_uses_the_latest_available_and_says_so() -> None:
    figures = recorded_crime_figures(
        source=PRC,
        force="dorset",
        quarter=Quarter.parse("2018-19-Q3"),
        crime_types=["Drugs"],
    )
    assert figures["quarter"] == "2017-18-Q4" and figures["exact"] is False
    assert figures["note"] == (
        "prc.csv does not cover Q3 2018/19; the latest quarter it holds, Q4 2017/18, is shown."
    )
    assert figures["crime_types"] == {"Drugs": {"offences": ["Drug offences"], "count": 128}}
    assert figures["total"] == 528


def test_quarter_before_the_table_is_none_not_zero() -> None:
    figures = recorded_crime_figures(
        source=PRC, force="dorset", quarter=Quarter.parse("2017-18-Q2"), crime_types=["Drugs"]
    )
    assert figures["quarter"] is None
    assert figures["crime_types"] == {"Drugs": {"offences": ["Drug offences"], "count": None}}
    assert figures["note"] == (
        "prc.csv has no figures for Dorset at or before 2017-18-Q2 (earliest: 2017-18-Q3)."
    )


def test_unknown_force_name_lists_the_names() -> None:
    with pytest.raises(DataError) as caught:
        recorded_crime_figures(
            source=PRC,
            force="dorset",
            home_office_name="Dorsett",
            quarter=Quarter.parse("2017-18-Q3"),
            crime_types=["Drugs"],
        )
    assert str(caught.value) == (
        f"{PRC}: force.home_office: force 'Dorsett' is not in this Home Office table "
        "(expected one of: Devon and Cornwall; Dorset; London, City of, got 'Dorsett')"
    )


def test_rolling_table() -> None:
    figures = recorded_crime_figures(
        source=ROLLING,
        force="dorset",
        quarter=Quarter.parse("2018-19-Q3"),
        crime_types=["Drugs", "Burglary"],
    )
    assert figures["table"] == "rolling"
    assert figures["quarter"] == "2018-19-Q3" and figures["exact"] is True
    assert figures["period"] == {"start": "2018-01-01", "end": "2018-12-31"}
    assert figures["crime_types"]["Drugs"]["count"] == 1609  # type: ignore[index]
    assert figures["crime_types"]["Burglary"]["count"] == 4267  # type: ignore[index]


def test_a_later_quarter_of_the_rolling_table_says_which_12_months_are_shown() -> None:
    figures = recorded_crime_figures(
        source=ROLLING, force="dorset", quarter=Quarter.parse("2019-20-Q4"), crime_types=["Drugs"]
    )
    assert figures["quarter"] == "2018-19-Q3" and figures["exact"] is False
    assert figures["note"] == (
        "rolling.csv does not cover Q4 2019/20; the latest 12 months it holds, to the end of "
        "Q3 2018/19, are shown."
    )


def test_spreadsheet_with_one_sheet_per_year(tmp_path: Path) -> None:
    from openpyxl import Workbook

    header = [
        "Financial Year",
        "Financial Quarter",
        "Force Name",
        "Offence Description",
        "Offence Group",
        "Offence Subgroup",
        "Offence Code",
        "Number of Offences",
    ]
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Police recorded crime open data tables"])
    for year, values in (("2016/17", [" 90 ", 10]), ("2017/18", ["-00", 25])):
        sheet = book.create_sheet(year.replace("/", "-"))
        sheet.append(header)
        for quarter, value in zip((1, 2), values, strict=True):
            sheet.append(
                [
                    year,
                    quarter,
                    "Dorset",
                    "Trafficking in controlled drugs",
                    "Drug offences",
                    "Trafficking of drugs",
                    "92A",
                    value,
                ]
            )
    path = tmp_path / "prc.xlsx"
    book.save(path)
    table = load_recorded_crime(path)
    assert table.kind == "quarterly"
    assert table.rows["quarter"].tolist() == [
        "2016-17-Q1",
        "2016-17-Q2",
        "2017-18-Q1",
        "2017-18-Q2",
    ]
    assert table.rows["count"].tolist() == [90, 10, 0, 25]


def test_not_a_prc_table(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="other.csv: not a Home Office recorded crime table"):
        load_recorded_crime(path)


def test_bad_count_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "prc.csv"
    lines = PRC.read_text().splitlines()
    lines[2] = lines[2].replace("-00", "n/a")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        load_recorded_crime(path)
    assert str(caught.value) == (
        f"{path}:3: Number of Offences: cannot be read (expected a whole number, got 'n/a')"
    )


def test_all_43_forces_have_names() -> None:
    assert len(HOME_OFFICE_NAMES) == 43
    assert HOME_OFFICE_NAMES["metropolitan"] == "Metropolitan Police"


def test_every_crime_type_has_a_match_entry() -> None:
    assert len(OFFENCES_FOR_CRIME_TYPE) == 14


def test_real_sample_names_and_groups() -> None:
    table = load_recorded_crime(SAMPLE / "prc-pfa-2017-18.csv")
    for slug, name in HOME_OFFICE_NAMES.items():
        assert table.force_name(slug) == name
    groups = set(table.rows["group"]) | set(table.rows["subgroup"])
    for match in OFFENCES_FOR_CRIME_TYPE.values():
        assert set(match.groups) <= groups
    rows = table.rows
    assert int(rows.loc[rows["force"] == "Dorset", "count"].sum()) == 49115


def test_real_rolling_sample() -> None:
    table = load_recorded_crime(SAMPLE / "rec-crime-pfa.csv")
    rows = table.rows
    dorset = rows[(rows["force"] == "Dorset") & (rows["quarter"] == "2017-18-Q4")]
    assert int(dorset["count"].sum()) == 49115
    offences = set(rows["offence"])
    for match in OFFENCES_FOR_CRIME_TYPE.values():
        assert set(match.offences) <= offences
    assert table.force_name("city-of-london") == "City of London"


def test_a_cached_table_is_not_read_again_until_the_file_changes(tmp_path, monkeypatch):
    import shutil

    from toolkit.performance import recorded_crime

    source = tmp_path / "prc.csv"
    shutil.copy(FIXTURES / "prc.csv", source)
    first = recorded_crime.load_recorded_crime(source, cache_dir=tmp_path / "cache")

    def no_parsing(path):
        raise AssertionError("parsed again")

    monkeypatch.setattr(recorded_crime, "read_sheets", no_parsing)
    again = recorded_crime.load_recorded_crime(source, cache_dir=tmp_path / "cache")
    assert again.kind == first.kind
    assert again.rows.equals(first.rows)
    source.write_text(source.read_text() + "\n", encoding="utf-8")  # size changes
    with pytest.raises(AssertionError, match="parsed again"):
        recorded_crime.load_recorded_crime(source, cache_dir=tmp_path / "cache")
