"""``toolkit init`` and ``toolkit example``: new params roots that load, run and warn."""

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.record import init
from toolkit.record.params import load_params

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "data" / "sample"


def _population(slugs):
    with (SAMPLE / "population.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["police_uk"] in slugs]


def test_init_writes_a_root_that_loads_with_the_force_filled_in(tmp_path):
    root = tmp_path / "kent"
    init.init_root(root, "kent")
    force = yaml.safe_load((root / "force.yaml").read_text())
    assert force["force"] == {"name": "Kent Police", "police_uk": "kent", "home_office": "Kent"}
    assert force["pcc"]["area"] == "Kent"
    assert force["peers"] == ["hampshire", "surrey", "sussex", "thames-valley"]
    assert force["data"] == {"police_uk": "data/police-uk", "population": "data/population.csv"}
    assert force["chief_constable"] == "[FILL IN: the chief constable's name]"
    assert (root / "data" / "police-uk").is_dir() and (root / "updates").is_dir()
    loaded = load_params(root)
    assert list(loaded.reports) == ["both-sides-of-the-coin"]
    assert loaded.reports["both-sides-of-the-coin"].items == []
    with (root / "data" / "population.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    wanted = ["kent", "hampshire", "surrey", "sussex", "thames-valley"]
    assert sorted(written, key=lambda r: (r["police_uk"], r["year"])) == sorted(
        _population(wanted), key=lambda r: (r["police_uk"], r["year"])
    )
    assert len(written) == 5 * 11  # 2009 to 2019 for each


def test_placeholders_are_warnings_with_their_line(tmp_path):
    root = tmp_path / "kent"
    init.init_root(root, "kent")
    assert init.placeholder_warnings(root) == [
        "force.yaml:10: pcc.name: still the placeholder toolkit init wrote "
        "(expected the PCC's name)",
        "force.yaml:12: pcc.website: still the placeholder toolkit init wrote "
        "(expected the website the response is published on)",
        "force.yaml:13: chief_constable: still the placeholder toolkit init wrote "
        "(expected the chief constable's name)",
        "force.yaml:15: addressee[0]: still the placeholder toolkit init wrote "
        "(expected the Home Secretary's name, e.g. Rt Hon A Name MP)",
    ]
    text = (
        (root / "force.yaml")
        .read_text()
        .replace("'[FILL IN: the chief constable''s name]'", "Alan Pughsley")
    )
    (root / "force.yaml").write_text(text)
    assert not any("chief_constable" in w for w in init.placeholder_warnings(root))


def test_validate_warns_about_placeholders_without_failing(tmp_path):
    root = tmp_path / "wilts"
    init.init_root(root, "wiltshire")
    (root / "data" / "police-uk" / "2018-10").mkdir()
    shutil.copy(
        SAMPLE / "police-uk" / "2018-10" / "2018-10-wiltshire-street.csv",
        root / "data" / "police-uk" / "2018-10",
    )
    result = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert result.exit_code == 0, result.output
    assert "warning: force.yaml:10: pcc.name: still the placeholder toolkit init wrote" in (
        result.output
    )


def test_a_welsh_force_gets_no_population_file_and_is_told_why(tmp_path):
    root = tmp_path / "gwent"
    result = CliRunner().invoke(app, ["init", str(root), "--force", "gwent"])
    assert result.exit_code == 0, result.output
    assert not (root / "data" / "population.csv").exists()
    assert "population" not in yaml.safe_load((root / "force.yaml").read_text())["data"]
    assert "covers the 39 English force areas only" in (root / "force.yaml").read_text()
    assert "No population figures for gwent, dyfed-powys, north-wales, south-wales" in (
        result.output
    )


def test_a_body_that_is_not_a_pcc_is_named_in_force_yaml(tmp_path):
    root = tmp_path / "city"
    init.init_root(root, "city-of-london")
    text = (root / "force.yaml").read_text()
    assert "# The City of London has no Police and Crime Commissioner: the Common Council" in text
    force = yaml.safe_load(text)
    assert force["letter"]["signature_title"].startswith("[FILL IN:")
    assert force["peers"] == ["metropolitan"]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["init", str(tmp_path), "--force", "kent"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{tmp_path}: the folder is not empty; nothing was written "
        "(expected a new or empty folder, got 1 entries)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_init_refuses_an_unknown_force_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "x"), "--force", "wilts"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "command line: --force: not one of the 43 territorial forces "
        "(expected a data.police.uk force slug such as wiltshire, got 'wilts')"
    ]
    assert not (tmp_path / "x").exists()


def test_init_needs_a_force():
    result = CliRunner().invoke(app, ["init", "somewhere"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "command line: --force: a force is required "
        "(expected a data.police.uk force slug, e.g. --force kent)"
    ]


def test_example_copies_params_and_data(tmp_path):
    police_uk = tmp_path / "pu"
    (police_uk / "2018-10").mkdir(parents=True)
    shutil.copy(
        SAMPLE / "police-uk" / "2018-10" / "2018-10-dorset-street.csv", police_uk / "2018-10"
    )
    result = CliRunner().invoke(
        app, ["example", str(tmp_path / "ex"), "--police-uk", str(police_uk)]
    )
    assert result.exit_code == 0, result.output
    ex = tmp_path / "ex"
    for name in ("force.yaml", "reports/both-sides-of-the-coin.yaml"):
        assert (ex / "params" / name).read_bytes() == (PROJECT / "params" / name).read_bytes()
    assert (ex / "notebooks" / "briefing.ipynb").read_bytes() == (
        PROJECT / "notebooks" / "briefing.ipynb"
    ).read_bytes()
    for name in ("population.csv", "rec-crime-pfa.csv"):
        assert (ex / "data" / "sample" / name).read_bytes() == (SAMPLE / name).read_bytes()
    assert [p.name for p in (ex / "data" / "sample" / "police-uk").rglob("*.csv")] == [
        "2018-10-dorset-street.csv"
    ]
    load_params(ex / "params")


def test_example_reads_a_zipped_download_and_only_its_layout(tmp_path):
    import zipfile

    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("2018-10/2018-10-dorset-street.csv", "Crime ID,Month\n")
        zipped.writestr("../evil.csv", "x")
        zipped.writestr("notes.txt", "x")
    init.copy_example(tmp_path / "ex", archive)
    found = sorted(
        p.relative_to(tmp_path / "ex").as_posix() for p in (tmp_path / "ex").rglob("*.csv")
    )
    assert "data/sample/police-uk/2018-10/2018-10-dorset-street.csv" in found
    assert not (tmp_path / "evil.csv").exists()


def test_example_refuses_a_missing_police_uk_source(tmp_path):
    with pytest.raises(InputError) as caught:
        init.copy_example(tmp_path / "ex", tmp_path / "nowhere")
    assert str(caught.value).startswith("command line: --police-uk: no such folder or .zip file")
    assert not (tmp_path / "ex").exists()
