"""Provenance helpers, on the batch fixture's params root (no kernels)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

from toolkit.quarters import Quarter
from toolkit.record.params import load_params
from toolkit.runner import provenance as manifest

FIXTURES = Path(__file__).parent / "fixtures" / "batch"


def _root(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    return tmp_path / "params"


def test_hashes_are_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    hasher = manifest.Hasher()
    # SHA-256 of "abc", from FIPS 180-2's worked example.
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hasher.sha256(path) == expected
    assert hasher.entries(tmp_path, [path]) == [{"path": "a.txt", "sha256": expected}]


def test_data_files_are_the_months_and_forces_used(tmp_path):
    params = load_params(_root(tmp_path))
    found = [
        p.relative_to(tmp_path).as_posix()
        for p in manifest.data_files(params, Quarter.parse("2018-19-Q3"))
    ]
    assert found == [
        "data/police-uk/2018-10/2018-10-otherham-street.csv",
        "data/police-uk/2018-10/2018-10-testshire-street.csv",
        "data/police-uk/2018-11/2018-11-otherham-street.csv",
        "data/police-uk/2018-11/2018-11-testshire-street.csv",
        "data/police-uk/2018-12/2018-12-otherham-street.csv",
        "data/police-uk/2018-12/2018-12-testshire-street.csv",
        "data/population.csv",
    ]


def test_a_peer_file_outside_the_quarter_is_not_listed(tmp_path):
    root = _root(tmp_path)
    # 2018-09 is in the force's trend (the eight quarters to 2018-19-Q3) but not in the
    # quarter itself: the force's file counts, the peer's does not.
    month = tmp_path / "data" / "police-uk" / "2018-09"
    month.mkdir()
    (month / "2018-09-testshire-street.csv").write_text("Crime ID\n")
    (month / "2018-09-otherham-street.csv").write_text("Crime ID\n")
    params = load_params(root)
    names = {p.name for p in manifest.data_files(params, Quarter.parse("2018-19-Q3"))}
    assert "2018-09-testshire-street.csv" in names
    assert "2018-09-otherham-street.csv" not in names


def test_git_commit_never_fails(tmp_path):
    assert manifest.git_commit(tmp_path) is None
    assert manifest.git_commit(tmp_path / "no-such-folder") is None


def test_footer_is_the_short_form(tmp_path):
    params = load_params(_root(tmp_path))
    digest = hashlib.sha256((params.root / "force.yaml").read_bytes()).hexdigest()
    when = datetime(2026, 11, 29, 14, 3, 59, tzinfo=UTC)
    text = manifest.footer(when, "abc1234def", params, manifest.Hasher(), "0.1.0")
    assert text == (
        "Generated 2026-11-29 14:03 UTC by opcc-toolkit 0.1.0 (commit abc1234) "
        f"from params/ (force.yaml sha256 {digest[:8]}…)"
    )
    assert "(commit" not in manifest.footer(when, None, params, manifest.Hasher(), "0.1.0")


def test_an_unreadable_manifest_reads_as_empty(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    assert manifest.read_manifest(tmp_path / "manifest.json") == {}
    assert manifest.read_manifest(tmp_path / "missing.json") == {}


def _figures_read(root: Path, quarter: str) -> set[str]:
    """The data files the figures of a briefing were computed from, as its readers
    recorded them, relative to the folder holding ``params`` and ``data``."""
    from toolkit.facts import Facts

    facts = Facts(load_params(root), "sent-report", Quarter.parse(quarter))
    assert facts.police_uk is not None
    return {p.relative_to(root.parent).as_posix() for p in facts.files_read}


def _derived(root: Path, quarter: str) -> set[str]:
    found = manifest.data_files(load_params(root), Quarter.parse(quarter))
    return {p.relative_to(root.parent).as_posix() for p in found}


def test_the_figures_record_every_file_they_read(tmp_path):
    root = _root(tmp_path)
    # The fixture's three months for the force and its peer, and the population file.
    assert _figures_read(root, "2018-19-Q3") == {
        f"data/police-uk/{m}/{m}-{force}-street.csv"
        for m in ("2018-10", "2018-11", "2018-12")
        for force in ("otherham", "testshire")
    } | {"data/population.csv"}


def test_an_outcomes_file_after_the_quarter_is_read_recorded_and_frozen(tmp_path):
    root = _root(tmp_path)
    # Outcomes are looked up in every outcomes file from the quarter's first month on: a
    # later month's file is read, so the run freezes a copy of it too.
    month = tmp_path / "data" / "police-uk" / "2019-02"
    month.mkdir()
    outcomes = month / "2019-02-testshire-outcomes.csv"
    outcomes.write_text("Crime ID,Month,Outcome type\naa012018-10,2019-02,Offender charged\n")
    name = "data/police-uk/2019-02/2019-02-testshire-outcomes.csv"
    assert name in _figures_read(root, "2018-19-Q3")
    assert name in _derived(root, "2018-19-Q3")


def test_a_missing_month_records_the_quarter_actually_read(tmp_path):
    root = _root(tmp_path)
    # December missing: the figures describe 2018-19-Q2 (complete), so the peer's files
    # are read for July to September only; a re-derivation lists its October and
    # November files too, and a file in the folder but outside the trend is never read.
    (tmp_path / "data" / "police-uk" / "2018-12" / "2018-12-testshire-street.csv").unlink()
    source = tmp_path / "data" / "police-uk" / "2018-10" / "2018-10-testshire-street.csv"
    for month in ("2016-01", "2018-07", "2018-08", "2018-09"):
        (tmp_path / "data" / "police-uk" / month).mkdir()
        for force in ("testshire", "otherham"):
            target = tmp_path / "data" / "police-uk" / month / f"{month}-{force}-street.csv"
            target.write_text(source.read_text().replace("2018-10", month))
    read = _figures_read(root, "2018-19-Q3")
    peer = {p for p in read if "otherham" in p}
    assert peer == {
        f"data/police-uk/{m}/{m}-otherham-street.csv" for m in ("2018-07", "2018-08", "2018-09")
    }
    assert "data/police-uk/2018-11/2018-11-testshire-street.csv" in read  # the provisional months
    assert not any("2016-01" in p for p in read)
    derived = _derived(root, "2018-19-Q3")
    assert "data/police-uk/2018-10/2018-10-otherham-street.csv" in derived
    assert "data/police-uk/2018-10/2018-10-otherham-street.csv" not in read


def test_the_manifest_names_the_users_file_with_the_hash_of_the_copy_read(tmp_path):
    import dataclasses

    from toolkit.runner.manifest import write_manifest
    from toolkit.runner.results import Result

    root = _root(tmp_path)
    original = (tmp_path / "data" / "population.csv").resolve()
    copy = tmp_path / "out" / ".cache" / "data" / "abc" / "population.csv"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"police_uk,year,population\ntestshire,2018,1\n")  # what the run read
    params = dataclasses.replace(load_params(root), copies={original: copy})
    read = Result("sent-report", False, tmp_path / "out", error="x", data_read=[copy])
    unread = Result("due-report", False, tmp_path / "out", error="x")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    path = write_manifest(
        params,
        Quarter.parse("2018-19-Q3"),
        tmp_path / "out",
        [read, unread],
        hasher=manifest.Hasher(),
        commit=None,
        versions={},
        started=now,
        ended=now,
    )
    import json

    outputs = json.loads(path.read_text())["outputs"]
    expected = hashlib.sha256(copy.read_bytes()).hexdigest()
    assert outputs["sent-report"]["data"] == [
        {"path": "../data/population.csv", "sha256": expected}
    ]
    assert outputs["due-report"]["data"] == []  # it recorded nothing: nothing is claimed
