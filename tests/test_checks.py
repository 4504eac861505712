"""Data checks run by ``toolkit validate``: pinned messages for unusable data."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.record.params import load_params
from toolkit.runner.checks import check_data

FIXTURES = Path(__file__).parent / "fixtures"
STREET = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\n"
    "a1,2019-04,T,T,,,No Location,,,Drugs,,\n"
)


def make_root(tmp_path: Path, data: str) -> Path:
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    force = (root / "force.yaml").read_text() + "peers: [elsewhere]\n" + data
    (root / "force.yaml").write_text(force)
    return root


def test_data_for_another_force_only(tmp_path):
    month = tmp_path / "params" / "pu" / "2019-04"
    root = make_root(tmp_path, "data:\n  police_uk: pu\n  population: pop.csv\n")
    month.mkdir(parents=True)
    (month / "2019-04-otherforce-street.csv").write_text(STREET)
    (root / "pop.csv").write_text("police_uk,year,population\ntestshire,2019,1000\n")
    found = check_data(load_params(root))
    assert [str(p) for p in found.errors] == [
        f"{root / 'pu'}: force: no data.police.uk street-level file for force 'testshire' "
        "(expected files named YYYY-MM/YYYY-MM-testshire-street.csv, got files for "
        "'otherforce')"
    ]


def test_peer_and_population_gaps_are_warnings(tmp_path):
    root = make_root(tmp_path, "data:\n  police_uk: pu\n  population: pop.csv\n")
    month = root / "pu" / "2019-04"
    month.mkdir(parents=True)
    (month / "2019-04-testshire-street.csv").write_text(STREET)
    (root / "pop.csv").write_text("police_uk,year,population\nelsewhere,2019,1000\n")
    found = check_data(load_params(root))
    assert found.errors == []
    assert found.warnings == [
        "force.yaml: peers: no data.police.uk file for peer 'elsewhere' in pu; it is left out "
        "of the comparison",
        "pop.csv: no population for 'testshire'; its rates per 1,000 people are shown as "
        "not available",
    ]
    result = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert result.exit_code == 0


def test_corrupt_zip_fails_validate(tmp_path):
    root = make_root(tmp_path, "data:\n  police_uk: download.zip\n")
    (root / "download.zip").write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert result.exit_code == 2
    assert "download.zip" in result.output and "zip" in result.output.lower()
    assert "Traceback" not in result.output
