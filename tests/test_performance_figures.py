"""The briefing's police.uk figures, on the hand-written fixtures and on the real sample.

Fixture values by hand (see tests/test_policeuk.py for the quarter's counts):
2017-18-Q3 dorset: P1 Drugs + one ASB (Oct), P2 twice + P3 Drugs (Nov), P4 Burglary (Dec)
-> Drugs 3, ASB 1, Burglary 1. Population (fixtures/perf/population.csv): dorset 2018 =
2000, wiltshire only 2016 = 500, no devon-and-cornwall.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from toolkit.performance import police_uk_figures
from toolkit.quarters import Quarter

FIXTURES = Path(__file__).parent / "fixtures" / "perf"
SOURCE = FIXTURES / "police-uk"
POPULATION = FIXTURES / "population.csv"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
Q3 = Quarter.parse("2018-19-Q3")


def _is_json_native(value: object) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_json_native(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_native(v) for k, v in value.items())
    return False


def _figures(source: Path = SOURCE, **overrides: object) -> dict:
    args: dict = {
        "source": source,
        "force": "dorset",
        "peers": ["wiltshire", "devon-and-cornwall"],
        "quarter": Q3,
        "crime_types": ["Drugs", "Possession of weapons", "Shoplifting"],
        "population": POPULATION,
        "cache_dir": None,
    }
    args.update(overrides)
    return police_uk_figures(**args)


def test_figures_for_the_force() -> None:
    figures = _figures()
    assert _is_json_native(figures)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["force"] == "dorset"
    assert figures["months"] == ["2018-10", "2018-11", "2018-12"]
    assert figures["complete"] is True and figures["missing_months"] == []
    assert figures["population"] == {"year": 2018, "value": 2000}
    assert figures["focus"] == ["Drugs", "Possession of weapons", "Shoplifting"]
    assert figures["previous_year"] == {
        "quarter": "2017-18-Q3",
        "months": ["2017-10", "2017-11", "2017-12"],
        "complete": True,
    }

    def row(count, previous, rate, change, pct):
        return {
            "count": count,
            "previous_year": previous,
            "rate_per_1000": rate,
            "change": change,
            "change_pct": pct,
        }

    assert figures["crime_types"] == {
        "Anti-social behaviour": row(5, 1, 2.5, 4, 400.0),
        "Burglary": row(2, 1, 1.0, 1, 100.0),
        "Drugs": row(6, 3, 3.0, 3, 100.0),
        "Possession of weapons": row(2, 0, 1.0, 2, None),
        "Robbery": row(1, 0, 0.5, 1, None),
        "Shoplifting": row(0, 0, 0.0, 0, None),
        "Vehicle crime": row(1, 0, 0.5, 1, None),
    }


def test_peers() -> None:
    figures = _figures()
    wiltshire = figures["peers"]["wiltshire"]
    assert wiltshire["Drugs"] == {"count": 2, "rate_per_1000": 4.0}  # 2 / (500 / 1000)
    assert wiltshire["Shoplifting"] == {"count": 1, "rate_per_1000": 2.0}
    assert wiltshire["Burglary"] == {"count": 0, "rate_per_1000": 0.0}
    devon = figures["peers"]["devon-and-cornwall"]
    assert devon["Drugs"] == {"count": None, "rate_per_1000": None}
    assert figures["peers_complete"] == {"wiltshire": False, "devon-and-cornwall": False}
    assert (
        "The population file has no estimate for devon-and-cornwall: its rates are not shown."
        in (figures["notes"])
    )


def test_trend_starts_at_the_first_quarter_with_data() -> None:
    trend = _figures()["trend"]
    assert [p["quarter"] for p in trend] == [
        "2017-18-Q3",
        "2017-18-Q4",
        "2018-19-Q1",
        "2018-19-Q2",
        "2018-19-Q3",
    ]
    assert trend[0] == {
        "quarter": "2017-18-Q3",
        "label": "Q3 2017/18",
        "complete": True,
        "counts": {"Drugs": 3, "Possession of weapons": 0, "Shoplifting": 0},
    }
    assert trend[1]["complete"] is False
    assert trend[1]["counts"] == {"Drugs": None, "Possession of weapons": None, "Shoplifting": None}
    assert trend[-1]["counts"] == {"Drugs": 6, "Possession of weapons": 2, "Shoplifting": 0}


def test_outcomes() -> None:
    outcomes = _figures()["outcomes"]
    assert outcomes["charged"] == 3 and outcomes["crimes"] == 11
    assert outcomes["no_suspect_pct"] == 9.1


def test_previous_year_with_a_missing_month_is_null(tmp_path: Path) -> None:
    root = tmp_path / "police-uk"
    shutil.copytree(SOURCE, root)
    shutil.rmtree(root / "2017-11")
    figures = _figures(root)
    assert figures["previous_year"]["complete"] is False
    drugs = figures["crime_types"]["Drugs"]
    assert drugs == {
        "count": 6,
        "previous_year": None,
        "rate_per_1000": 3.0,
        "change": None,
        "change_pct": None,
    }
    assert "Q3 2017/18 lacks 2017-11: no year-on-year comparison." in figures["notes"]


def test_incomplete_quarter(tmp_path: Path) -> None:
    figures = _figures(force="wiltshire", peers=[])
    assert figures["complete"] is False
    assert figures["missing_months"] == ["2018-11"]
    assert figures["crime_types"]["Drugs"]["count"] == 2
    assert (
        "The data.police.uk files for wiltshire lack 2018-11: Q3 2018/19 is incomplete."
        in (figures["notes"])
    )


@pytest.mark.parametrize("population", [None, Path("/nonexistent/population.csv")])
def test_no_population_gives_null_rates(population: Path | None) -> None:
    figures = _figures(population=population)
    assert figures["population"] is None
    assert figures["crime_types"]["Drugs"]["rate_per_1000"] is None
    assert figures["peers"]["wiltshire"]["Drugs"]["rate_per_1000"] is None
    assert figures["crime_types"]["Drugs"]["count"] == 6


def test_real_sample_demo_values(tmp_path: Path) -> None:
    figures = police_uk_figures(
        source=SAMPLE / "police-uk",
        force="dorset",
        peers=["wiltshire", "devon-and-cornwall"],
        quarter=Q3,
        crime_types=["Drugs", "Possession of weapons"],
        population=SAMPLE / "population.csv",
        cache_dir=tmp_path / "cache",
    )
    assert figures["complete"] is True
    assert figures["population"] == {"year": 2018, "value": 772268}
    drugs = figures["crime_types"]["Drugs"]
    assert (drugs["count"], drugs["previous_year"], drugs["rate_per_1000"]) == (380, None, 0.49)
    assert figures["peers"]["wiltshire"]["Drugs"] == {"count": 244, "rate_per_1000": 0.34}
    assert len(figures["crime_types"]) == 14
    assert figures["outcomes"] is None


# ----------------------------------------------------------------- the latest complete quarter
# The fixture's dorset street files: 2017-10..2017-12 (2017-18-Q3) and 2018-10..2018-12
# (2018-19-Q3); 2019-01 holds only an outcomes file.

JANUARY = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
    "X1,2019-01,Dorset Police,Dorset Police,,,No Location,,,Drugs,,\n"
    "X2,2019-01,Dorset Police,Dorset Police,,,No Location,,,Drugs,,\n"
    ",2019-01,Dorset Police,Dorset Police,,,No Location,,,Anti-social behaviour,,\n"
)


def test_a_quarter_with_months_missing_falls_back_to_the_latest_complete(tmp_path: Path) -> None:
    root = tmp_path / "police-uk"
    shutil.copytree(SOURCE, root)
    (root / "2019-01" / "2019-01-dorset-street.csv").write_text(JANUARY, encoding="utf-8")
    figures = _figures(root, quarter=Quarter.parse("2018-19-Q4"))
    assert (figures["quarter"], figures["lag"], figures["briefing_quarter"]) == (
        "2018-19-Q3",
        1,
        "2018-19-Q4",
    )
    assert figures["months"] == ["2018-10", "2018-11", "2018-12"] and figures["complete"]
    assert figures["crime_types"]["Drugs"]["count"] == 6  # 2018-19-Q3's, as worked above
    assert figures["previous_year"]["quarter"] == "2017-18-Q3"
    assert figures["provisional"] == {
        "quarter": "2018-19-Q4",
        "months": ["2019-01"],
        "missing_months": ["2019-02", "2019-03"],
        "counts": {"Drugs": 2, "Possession of weapons": 0, "Shoplifting": 0},
    }
    assert figures["lag_note"] == (
        "Q3 2018/19 (October to December 2018), the latest complete quarter in the data held; "
        "January 2019 is in it, February 2019 and March 2019 are not yet."
    )
    assert figures["trend"][-1]["quarter"] == "2018-19-Q4"  # the partial quarter, marked
    assert figures["trend"][-1]["complete"] is False


@pytest.mark.parametrize(
    ("briefed", "described", "lag", "drugs"),
    [
        ("2019-20-Q2", "2018-19-Q3", 3, 6),  # no month since 2018-12
        ("2018-19-Q2", "2017-18-Q3", 3, 3),  # 2018-19-Q1 and Q2 missing between the two
        ("2018-19-Q3", "2018-19-Q3", 0, 6),  # complete: the briefing's own
    ],
)
def test_whole_quarters_missing_fall_back_to_the_latest_complete(briefed, described, lag, drugs):
    figures = _figures(quarter=Quarter.parse(briefed))
    assert (figures["quarter"], figures["lag"]) == (described, lag)
    assert figures["crime_types"]["Drugs"]["count"] == drugs
    assert figures["provisional"] is None
    if lag:
        assert figures["lag_note"].endswith(f"no month of {_short(briefed)} is in it yet.")
    else:
        assert figures["lag_note"] is None


def _short(quarter: str) -> str:
    q = Quarter.parse(quarter)
    return f"Q{q.number} {q.financial_year}"


def test_no_complete_quarter_by_then_keeps_the_briefings_own() -> None:
    figures = _figures(quarter=Quarter.parse("2017-18-Q2"))  # before any data
    assert (figures["quarter"], figures["lag"], figures["complete"]) == ("2017-18-Q2", 0, False)
    assert figures["crime_types"]["Drugs"]["count"] is None
    assert figures["lag_note"] is None and figures["provisional"] is None


def test_latest_complete_quarter_rule() -> None:
    from toolkit.performance.figures import latest_complete_quarter

    q4 = Quarter.parse("2018-19-Q4")
    assert latest_complete_quarter(set(), q4) is None
    held = {"2018-10", "2018-11", "2018-12", "2019-01", "2019-03"}  # February missing
    assert latest_complete_quarter(held, q4) == Q3
    assert latest_complete_quarter(held | {"2019-02"}, q4) == q4
    assert latest_complete_quarter({"2018-10", "2018-12"}, q4) is None


def test_a_header_only_month_is_incomplete_and_said_so(tmp_path: Path) -> None:
    source = tmp_path / "police-uk"
    shutil.copytree(SOURCE, source)
    path = source / "2018-12" / "2018-12-dorset-street.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    figures = _figures(source)
    # 2018-19-Q3 is not complete: the figures fall back to the latest complete quarter,
    # 2017-18-Q3 (four quarters earlier), and say why.
    assert (figures["quarter"], figures["lag"], figures["complete"]) == ("2017-18-Q3", 4, True)
    assert figures["empty_months"] == ["2018-12"]
    assert any("2018-12 has no rows" in note for note in figures["notes"])
    assert figures["provisional"]["months"] == ["2018-10", "2018-11"]
    assert figures["provisional"]["missing_months"] == ["2018-12"]
    assert figures["lag_note"].endswith(
        "October 2018 and November 2018 are in it, December 2018 is not yet."
    )
    # Briefed in a quarter of its own with no other data, the month still counts as missing.
    alone = _figures(source, quarter=Quarter.parse("2017-18-Q2"))
    assert alone["complete"] is False


def test_a_month_with_ten_times_the_usual_rows_is_flagged(tmp_path: Path) -> None:
    source = tmp_path / "police-uk"
    shutil.copytree(SOURCE, source)
    path = source / "2018-12" / "2018-12-dorset-street.csv"
    row = ",2018-12,Dorset Police,Dorset Police,,,No Location,,,Anti-social behaviour,,\n"
    path.write_text(path.read_text(encoding="utf-8-sig") + row * 500)
    # Rows per Dorset month in the trend window, by hand: 2017-10..12 and 2018-10..11 hold
    # at most 10 each, so the median is at most 10 and 2018-12's 500-odd rows are flagged.
    figures = _figures(source)
    flagged = [n for n in figures["notes"] if "more than 10 times" in n]
    assert len(flagged) == 1 and "for 2018-12 holds" in flagged[0]
    assert not any("more than 10 times" in n for n in _figures()["notes"])


def test_a_damaged_month_is_incomplete_and_said_so(tmp_path: Path) -> None:
    """A stray quotation mark in December: the quarter is not shown as complete with
    fewer crimes; the figures fall back as for a missing month and the note says why."""
    source = tmp_path / "police-uk"
    shutil.copytree(SOURCE, source)
    path = source / "2018-12" / "2018-12-dorset-street.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[2] = lines[2].replace(",On or near", ',"On or near', 1)
    path.write_text("".join(lines), encoding="utf-8")
    figures = _figures(source)
    assert (figures["quarter"], figures["complete"]) == ("2017-18-Q3", True)
    assert figures["empty_months"] == ["2018-12"]
    assert (
        "The data.police.uk file for dorset for 2018-12 is damaged (line 3: a quoted field "
        "runs over 5 lines (a stray quotation mark?)): that month is counted as missing, not "
        "from the rows that could be read."
    ) in figures["notes"]
    assert not any("2018-12 has no rows" in note for note in figures["notes"])
