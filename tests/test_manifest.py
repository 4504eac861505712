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
