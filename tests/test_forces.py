"""The 43 territorial forces table: complete, consistent, and its lookups."""

import csv
import re
from pathlib import Path

import pytest

from toolkit import forces
from toolkit.errors import InputError
from toolkit.performance.recorded_crime import HOME_OFFICE_NAMES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_the_table_has_the_43_forces_under_their_home_office_names():
    table = forces.forces()
    assert len(table) == 43
    assert {slug: f.home_office for slug, f in table.items()} == HOME_OFFICE_NAMES
    assert sum(f.region == "Wales" for f in table.values()) == 4


def test_names_are_as_data_police_uk_writes_them_in_falls_within():
    # The sample street files' "Falls within" column, read independently.
    for path in sorted((SAMPLE / "police-uk" / "2018-10").glob("*-street.csv")):
        slug = path.name.removeprefix("2018-10-").removesuffix("-street.csv")
        with path.open(encoding="utf-8") as handle:
            falls_within = next(csv.DictReader(handle))["Falls within"]
        assert forces.forces()[slug].name == falls_within


def test_regions_are_the_home_office_tables():
    with (SAMPLE / "rec-crime-pfa.csv").open(encoding="utf-8") as handle:
        regions = {row["PFA"]: row["Region"] for row in csv.DictReader(handle)}
    for force in forces.forces().values():
        name = "City of London" if force.police_uk == "city-of-london" else force.home_office
        assert regions[name] == force.region


def test_bodies_that_are_not_a_pcc_are_said_so():
    table = forces.forces()
    assert table["city-of-london"].policing_body == "common-council"
    assert "Common Council" in table["city-of-london"].note
    assert {s for s, f in table.items() if f.policing_body == "mayor"} == {
        "greater-manchester",
        "metropolitan",
        "north-yorkshire",
        "south-yorkshire",
        "west-yorkshire",
    }
    assert "MOPAC" in table["metropolitan"].note
    assert all(f.note == "" for f in table.values() if f.has_pcc)


def test_default_peers_are_the_rest_of_the_region():
    assert forces.default_peers("wiltshire") == [
        "avon-and-somerset",
        "devon-and-cornwall",
        "dorset",
        "gloucestershire",
    ]
    assert forces.default_peers("gwent") == ["dyfed-powys", "north-wales", "south-wales"]
    assert forces.default_peers("metropolitan") == ["city-of-london"]


def test_find_accepts_a_slug_in_any_case():
    assert forces.find(" Kent ").name == "Kent Police"


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("wilts", "wiltshire"),
        ("Manchester", "greater-manchester"),
        ("thames vally", "thames-valley"),
        ("london", "metropolitan, city-of-london"),
    ],
)
def test_an_unknown_force_lists_near_matches(typed, suggested):
    with pytest.raises(InputError) as caught:
        forces.find(typed)
    assert str(caught.value) == (
        "command line: --force: not one of the 43 territorial forces (expected a "
        f"data.police.uk force slug such as {suggested}, got {typed!r})"
    )


def test_the_readme_lists_the_same_43_slugs():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = readme[readme.index("The 43 slugs:") : readme.index("It writes:")]
    assert re.findall(r"`([a-z-]+)`", listed) == list(forces.forces())


def test_home_office_names_come_from_the_table():
    names = forces.home_office_names()
    assert names["devon-and-cornwall"] == "Devon and Cornwall"
    assert names["city-of-london"] == "London, City of"
    assert names["metropolitan"] == "Metropolitan Police"
    assert names == HOME_OFFICE_NAMES  # the recorded-crime reader's names are the same


@pytest.mark.parametrize(
    ("slug", "labels", "shown"),
    [
        ("devon-and-cornwall", None, "Devon and Cornwall"),
        ("city-of-london", None, "City of London"),
        ("dorset", {"dorset": "Dorset Police"}, "Dorset Police"),
        ("not-a-force", None, "Not A Force"),
    ],
)
def test_force_label(slug, labels, shown):
    assert forces.force_label(slug, labels) == shown
