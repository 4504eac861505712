"""data.police.uk reading and the counting rule, on hand-written fixtures.

Fixture counts (tests/fixtures/perf/police-uk), worked out by hand:

2018-10 dorset: ID aaa…(64) Drugs twice (one "No Location"), B2 Drugs, ccc…(64) as
Burglary and as Drugs, three ASB rows without ID, D4 Possession of weapons twice.
-> Drugs 3 (aaa, B2, ccc), Burglary 1, ASB 3, Possession of weapons 1.
2018-11 dorset (CRLF + BOM): E5 Drugs, aaa… Drugs again (same crime as October),
one ASB, F6 Robbery twice, G7 Burglary.
2018-12 dorset: H8 Drugs, one ASB, I9 Drugs twice, J10 Vehicle crime, K11 weapons.
Quarter 2018-19-Q3 dorset -> Drugs 6 (aaa, B2, ccc, E5, H8, I9), Burglary 2 (ccc, G7),
ASB 5, Possession of weapons 2 (D4, K11), Robbery 1, Vehicle crime 1.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from toolkit.errors import DataError
from toolkit.performance import policeuk, policeuk_parse
from toolkit.performance.policeuk import PoliceUkData, count_crimes
from toolkit.quarters import Quarter

FIXTURES = Path(__file__).parent / "fixtures" / "perf"
SOURCE = FIXTURES / "police-uk"
Q3 = Quarter.parse("2018-19-Q3")
Q3_DORSET = {
    "Anti-social behaviour": 5,
    "Burglary": 2,
    "Drugs": 6,
    "Possession of weapons": 2,
    "Robbery": 1,
    "Vehicle crime": 1,
}
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def test_fixture_file_keeps_crlf_and_bom() -> None:
    raw = (SOURCE / "2018-11" / "2018-11-dorset-street.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfCrime ID,")
    assert raw.count(b"\r\n") == 7


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (
            "2018-10",
            {"Anti-social behaviour": 3, "Burglary": 1, "Drugs": 3, "Possession of weapons": 1},
        ),
        ("2018-11", {"Anti-social behaviour": 1, "Burglary": 1, "Drugs": 2, "Robbery": 1}),
        (
            "2018-12",
            {
                "Anti-social behaviour": 1,
                "Drugs": 2,
                "Possession of weapons": 1,
                "Vehicle crime": 1,
            },
        ),
    ],
)
def test_one_month(month: str, expected: dict[str, int]) -> None:
    counts = count_crimes(SOURCE, "dorset", [month])
    assert counts.counts == expected
    assert counts.complete


def test_quarter_counts_an_id_once_across_rows_and_months() -> None:
    counts = count_crimes(SOURCE, "dorset", Q3.months)
    assert counts.counts == Q3_DORSET
    assert counts.complete
    assert counts.missing_months == ()


def test_missing_month_makes_the_quarter_incomplete() -> None:
    counts = count_crimes(SOURCE, "wiltshire", Q3.months)
    # W1 Drugs twice + ASB (October); W2 Drugs, W3 Shoplifting (December); no November.
    assert counts.counts == {"Anti-social behaviour": 1, "Drugs": 2, "Shoplifting": 1}
    assert not counts.complete
    assert counts.missing_months == ("2018-11",)


def test_period_with_no_files_is_empty_not_zero() -> None:
    counts = count_crimes(SOURCE, "dorset", ["2016-10", "2016-11", "2016-12"])
    assert counts.empty and counts.counts == {}


def test_index_lists_forces_and_months() -> None:
    with PoliceUkData(SOURCE) as data:
        assert data.forces == ["dorset", "wiltshire"]
        assert data.months("wiltshire") == ["2018-10", "2018-12"]
        assert data.months("dorset", "outcomes") == ["2018-12", "2019-01"]


def test_outcome_shares() -> None:
    # The quarter's 11 crimes with IDs: aaa, B2, ccc, D4, E5, F6, G7, H8, I9, J10, K11.
    # Charged: aaa (Suspect charged), ccc (Suspect charged), I9 (Offender sent to prison).
    # No suspect: B2. F6's caution and H8's "Unable to prosecute" are neither; Z99 is not
    # one of the quarter's crimes.
    with PoliceUkData(SOURCE) as data:
        shares = data.outcomes("dorset", Q3.months)
    assert shares is not None
    assert (shares["crimes"], shares["charged"], shares["no_suspect"]) == (11, 3, 1)
    assert shares["charged_pct"] == 27.3
    assert shares["no_suspect_pct"] == 9.1
    assert shares["outcome_months"] == ["2018-12", "2019-01"]


def test_no_outcomes_files_gives_none() -> None:
    with PoliceUkData(SOURCE) as data:
        assert data.outcomes("wiltshire", Q3.months) is None


def _zip(tmp_path: Path, prefix: str) -> Path:
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(SOURCE.rglob("*.csv")):
            archive.write(file, prefix + file.relative_to(SOURCE).as_posix())
        archive.writestr(prefix + "README.txt", "not a data file")
    return path


@pytest.mark.parametrize("prefix", ["", "police-uk-2019-02/"])
def test_zip_reads_the_same_counts(tmp_path: Path, prefix: str) -> None:
    source = _zip(tmp_path, prefix)
    assert count_crimes(source, "dorset", Q3.months).counts == Q3_DORSET
    with PoliceUkData(source) as data:
        assert data.outcomes("dorset", Q3.months)["charged"] == 3  # type: ignore[index]
        assert data.files[("dorset", "2018-10", "street")].label == (
            f"{source}!{prefix}2018-10/2018-10-dorset-street.csv"
        )


def _folder_with_bad_header(tmp_path: Path) -> Path:
    root = tmp_path / "police-uk"
    shutil.copytree(SOURCE, root)
    bad = HEADER.replace("Crime type", "Crime category")
    (root / "2018-10" / "2018-10-dorset-street.csv").write_text(
        bad + "\nX1,2018-10,Dorset Police,Dorset Police,,,No Location,,,Drugs,,\n"
    )
    return root


def test_missing_column_names_the_file_and_column(tmp_path: Path) -> None:
    root = _folder_with_bad_header(tmp_path)
    with pytest.raises(DataError) as caught:
        count_crimes(root, "dorset", Q3.months)
    assert str(caught.value) == (
        f"{root}/2018-10/2018-10-dorset-street.csv: Crime type: column missing from the header "
        "(expected a data.police.uk street file with columns Crime ID, Month, Crime type, "
        "got 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime category,Last outcome category,Context')"
    )
    assert caught.value.problems[0].field == "Crime type"


def test_missing_column_in_zip_names_the_member(tmp_path: Path) -> None:
    root = _folder_with_bad_header(tmp_path)
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(root.rglob("*.csv")):
            archive.write(file, file.relative_to(root).as_posix())
    with pytest.raises(DataError) as caught:
        count_crimes(path, "dorset", Q3.months)
    assert caught.value.problems[0].path == f"{path}!2018-10/2018-10-dorset-street.csv"


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        count_crimes(tmp_path / "nowhere", "dorset", Q3.months)
    assert str(caught.value) == (
        f"{tmp_path / 'nowhere'}: data.police_uk: no such folder or .zip file (expected a folder "
        "or .zip in the data.police.uk layout (YYYY-MM/YYYY-MM-<force>-street.csv))"
    )


def test_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DataError) as caught:
        count_crimes(path, "dorset", Q3.months)
    assert str(caught.value).startswith(
        f"{path}: data.police_uk: not a readable .zip file (expected a folder or .zip"
    )


def test_no_file_for_the_force(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        count_crimes(SOURCE, "kent", Q3.months)
    assert str(caught.value) == (
        f"{SOURCE}: force: no data.police.uk street-level file for force 'kent' "
        "(expected files named YYYY-MM/YYYY-MM-kent-street.csv, got files for 'dorset, wiltshire')"
    )


def test_empty_file(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "2018-10").mkdir(parents=True)
    (root / "2018-10" / "2018-10-dorset-street.csv").write_text("")
    with pytest.raises(DataError, match="2018-10-dorset-street.csv: the file is empty"):
        count_crimes(root, "dorset", ["2018-10"])


def test_header_only_file_is_a_missing_month_not_zero(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A truncated download: December's file keeps its header and loses every row.
    root = tmp_path / "p"
    shutil.copytree(SOURCE, root)
    (root / "2018-12" / "2018-12-dorset-street.csv").write_text(HEADER + "\n")
    counts = count_crimes(root, "dorset", Q3.months)
    assert not counts.complete
    assert counts.missing_months == ("2018-12",) and counts.empty_months == ("2018-12",)
    # October and November by hand: Drugs 3 + 2, less the aaaa… ID found in both; ASB 3 + 1.
    assert counts.counts["Drugs"] == 4 and counts.counts["Anti-social behaviour"] == 4
    assert "2018-12-dorset-street.csv: the file has no rows" in caplog.text
    only = count_crimes(root, "dorset", ["2018-12"])
    assert only.empty and only.counts == {}


def test_warm_cache_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    assert count_crimes(SOURCE, "dorset", Q3.months, cache_dir=cache).counts == Q3_DORSET
    assert len(list(cache.glob("policeuk-*.arrow"))) == 3
    assert not list(cache.glob("*.part"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a CSV although it is cached")

    monkeypatch.setattr(policeuk, "parse_file", refuse)
    assert count_crimes(SOURCE, "dorset", Q3.months, cache_dir=cache).counts == Q3_DORSET


def test_readers_sharing_what_they_parsed_read_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A briefing's figures and its letter's (as at an earlier day) share one
    :data:`~toolkit.performance.policeuk.Parsings`: the second reader reads nothing."""
    cache = tmp_path / "cache"
    shared: policeuk.Parsings = {}
    with PoliceUkData(SOURCE, cache_dir=cache, parsed=shared) as data:
        assert data.counts("dorset", Q3.months).counts == Q3_DORSET
    assert len(shared) == 3

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read a file or cache entry already parsed")

    monkeypatch.setattr(policeuk, "parse_file", refuse)
    monkeypatch.setattr(policeuk.policeuk_cache, "read", refuse)
    with PoliceUkData(SOURCE, cache_dir=cache, parsed=shared) as data:
        assert data.counts("dorset", Q3.months).counts == Q3_DORSET
    with pytest.raises(AssertionError, match="already parsed"):  # not shared: read again
        PoliceUkData(SOURCE, cache_dir=cache).counts("dorset", Q3.months)


def test_changed_file_is_parsed_again(tmp_path: Path) -> None:
    root = tmp_path / "police-uk"
    shutil.copytree(SOURCE, root)
    cache = tmp_path / "cache"
    assert count_crimes(root, "dorset", ["2018-12"], cache_dir=cache).counts["Drugs"] == 2
    path = root / "2018-12" / "2018-12-dorset-street.csv"
    with open(path, "a") as handle:
        handle.write("L12,2018-12,Dorset Police,Dorset Police,,,No Location,,,Drugs,,\n")
    assert count_crimes(root, "dorset", ["2018-12"], cache_dir=cache).counts["Drugs"] == 3


def test_no_cache_dir_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    count_crimes(SOURCE, "dorset", Q3.months, cache_dir=None)
    assert list(tmp_path.iterdir()) == []


def test_corrupt_cache_file_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    count_crimes(SOURCE, "dorset", Q3.months, cache_dir=cache)
    for file in cache.glob("*.arrow"):
        file.write_bytes(b"garbage")
    assert count_crimes(SOURCE, "dorset", Q3.months, cache_dir=cache).counts == Q3_DORSET


def test_hashes_mix_hex_and_other_ids_consistently() -> None:
    import pyarrow as pa

    hex_id = "0123456789abcdef" * 4
    ids = pa.array([hex_id, "B2", hex_id, "B2", "ABCDEF" * 10 + "ABCD", hex_id.upper()])
    hashes = policeuk_parse.hash_ids(ids)
    assert hashes[0] == hashes[2] == 0x0123456789ABCDEF
    assert hashes[1] == hashes[3]
    assert len(set(hashes.tolist())) == 4


# -- cache entries that do not verify (a damaged disk, a hand edit, a copied file) --


def _cache_of(source: Path, cache: Path, force: str, months: list[str]) -> set[Path]:
    before = set(cache.glob("policeuk-*.arrow")) if cache.exists() else set()
    count_crimes(source, force, months, cache_dir=cache)
    return set(cache.glob("policeuk-*.arrow")) - before


def test_another_forces_cache_entry_copied_over_is_discarded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    (dorset,) = _cache_of(SOURCE, cache, "dorset", ["2018-10"])
    (wiltshire,) = _cache_of(SOURCE, cache, "wiltshire", ["2018-10"])
    shutil.copyfile(wiltshire, dorset)
    counts = count_crimes(SOURCE, "dorset", ["2018-10"], cache_dir=cache)
    assert counts.counts == {
        "Anti-social behaviour": 3,
        "Burglary": 1,
        "Drugs": 3,
        "Possession of weapons": 1,
    }
    assert "discarding cache file" in caplog.text and "another source file" in caplog.text
    assert sum("discarding cache file" in r.getMessage() for r in caplog.records) == 1


def test_edited_number_in_a_cache_entry_is_discarded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    (entry,) = _cache_of(SOURCE, cache, "dorset", ["2018-10"])
    raw = entry.read_bytes()
    assert b'"Anti-social behaviour": 3' in raw  # in the schema's metadata
    entry.write_bytes(raw.replace(b'"Anti-social behaviour": 3', b'"Anti-social behaviour": 8'))
    counts = count_crimes(SOURCE, "dorset", ["2018-10"], cache_dir=cache)
    assert counts.counts["Anti-social behaviour"] == 3
    assert "checksum does not match" in caplog.text
    # The entry was written afresh and verifies again.
    caplog.clear()
    assert count_crimes(SOURCE, "dorset", ["2018-10"], cache_dir=cache).counts == counts.counts
    assert "discarding" not in caplog.text


def test_every_flipped_bit_of_a_cache_entry_is_caught(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (entry,) = _cache_of(SOURCE, cache, "dorset", ["2018-11"])
    raw = entry.read_bytes()
    expected = {"Anti-social behaviour": 1, "Burglary": 1, "Drugs": 2, "Robbery": 1}
    for position in range(0, len(raw), 7):
        entry.write_bytes(raw[:position] + bytes([raw[position] ^ 0x10]) + raw[position + 1 :])
        assert count_crimes(SOURCE, "dorset", ["2018-11"], cache_dir=cache).counts == expected
        assert entry.read_bytes() == raw  # rewritten from the source


def test_a_zip_member_that_inflates_implausibly_is_refused_before_reading(tmp_path: Path) -> None:
    row = ",2018-10,Dorset Police,Dorset Police,,,No Location,,,Anti-social behaviour,,\n"
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2018-10/2018-10-dorset-street.csv", HEADER + "\n" + row * 200_000)
        size = archive.getinfo("2018-10/2018-10-dorset-street.csv").file_size
        packed = archive.getinfo("2018-10/2018-10-dorset-street.csv").compress_size
    assert size / packed > 100  # repeated rows, as no real month is
    with pytest.raises(DataError) as caught:
        count_crimes(path, "dorset", ["2018-10"])
    assert str(caught.value) == (
        f"{path}!2018-10/2018-10-dorset-street.csv: refused: the member is implausibly large or "
        "compressed for a monthly file (expected at most 1,024 MB, inflating at most 100 times, "
        f"got {size:,} bytes from {packed:,})"
    )


def _swap(a: Path, b: Path) -> None:
    data = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data)


@pytest.mark.slow  # runs toolkit in a subprocess
def test_entries_discarded_in_another_process_are_reported_to_the_run(tmp_path: Path) -> None:
    """A run parses data in a child of the kernel zygote and in kernels, whose log
    lines its console does not show: a swapped entry was rebuilt there without the
    promised warning. Each discard is noted in the cache folder; the run reads the
    lines other processes added and prints each once."""
    import subprocess
    import sys

    from toolkit.files import cachefile

    cache = tmp_path / "cache"
    entries = sorted(_cache_of(SOURCE, cache, "dorset", ["2018-10", "2018-11"]))
    assert len(entries) == 2
    _swap(*entries)
    sizes = cachefile.journal_sizes(cache)
    script = (
        "import sys; from pathlib import Path; "
        "from toolkit.performance.policeuk import count_crimes; "
        "print(count_crimes(Path(sys.argv[1]), 'dorset', ['2018-10', '2018-11'], "
        "cache_dir=Path(sys.argv[2])).counts['Drugs'])"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(SOURCE), str(cache)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "4"  # aaa, B2, ccc, E5 (aaa twice): rebuilt, right
    noted = cachefile.noted_since(cache, sizes)
    assert sorted(noted) == sorted(
        f"discarding cache file {entry}: it belongs to another source file or version; "
        "reading the source again"
        for entry in entries
    )
    assert cachefile.noted_since(cache, cachefile.journal_sizes(cache)) == []


@pytest.mark.slow
def test_a_run_prints_the_warning_for_a_swapped_entry(tmp_path: Path) -> None:
    import subprocess
    import sys

    batch = Path(__file__).parent / "fixtures" / "batch"
    shutil.copytree(batch / "params", tmp_path / "params")
    shutil.copytree(batch / "data", tmp_path / "data")
    toolkit = Path(sys.executable).with_name("toolkit")
    args = [str(toolkit), "run", "due-report", "--quarter", "2018-19-Q3"]
    args += ["--params", "params", "--out", "out"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "discarding cache file" not in first.stderr
    entries = sorted((tmp_path / "out" / ".cache").glob("policeuk-*.arrow"))
    assert len(entries) >= 2
    _swap(entries[0], entries[1])
    second = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert second.returncode == 0, second.stderr
    for entry in entries[:2]:
        lines = [line for line in second.stderr.splitlines() if str(entry.name) in line]
        assert len(lines) == 1, second.stderr
        assert "it belongs to another source file or version" in lines[0]
    figures = (tmp_path / "out" / "2018-19-Q3" / "due-report" / "figures.json").read_text()
    assert figures  # the briefing was produced from the rebuilt entries


def test_a_file_recoded_with_the_same_size_and_mtime_is_parsed_again(tmp_path: Path) -> None:
    """The cache trusted size and modification time: rows re-coded in place, the file
    the same size and its mtime put back, kept the stale counts. Entries are keyed on
    the file's content too."""
    import os

    root = tmp_path / "police-uk"
    shutil.copytree(SOURCE, root)
    cache = tmp_path / "cache"
    path = root / "2018-12" / "2018-12-dorset-street.csv"
    before = count_crimes(root, "dorset", ["2018-12"], cache_dir=cache).counts
    assert before["Drugs"] == 2 and before["Vehicle crime"] == 1  # H8, I9; J10
    stat = path.stat()
    raw = path.read_bytes()
    recoded = raw.replace(b",Vehicle crime,", b",Drugs,", 1)
    padding = len(raw) - len(recoded)  # "Vehicle crime" -> "Drugs": pad a location back
    recoded = recoded.replace(b"No Location", b"No Location" + b" " * padding, 1)
    assert len(recoded) == len(raw) and recoded != raw
    path.write_bytes(recoded)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    after = count_crimes(root, "dorset", ["2018-12"], cache_dir=cache).counts
    assert after["Drugs"] == 3 and "Vehicle crime" not in after
    uncached = count_crimes(root, "dorset", ["2018-12"], cache_dir=None).counts
    assert after == uncached


def test_a_recorded_crime_table_changed_in_place_is_read_again(tmp_path: Path) -> None:
    import os

    from toolkit.performance import recorded_crime_cache

    table = tmp_path / "table.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = recorded_crime_cache.cache_file(table, cache)
    identity = recorded_crime_cache.identity(table, "quarterly")
    stat = table.stat()
    table.write_text("a,b\n1,3\n", encoding="utf-8")
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert recorded_crime_cache.cache_file(table, cache) != first
    assert recorded_crime_cache.identity(table, "quarterly") != identity


# -- a malformed street file is a missing month, never a quieter count ---------------------

_DEC = "2018-12/2018-12-dorset-street.csv"


def _stray_quote(text: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace(",On or near", ',"On or near', 1)  # row 3 of 6: ASB
    return "".join(lines)


def _other_month(text: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[3] = lines[3].replace(",2018-12,", ",2018-11,", 1)
    return "".join(lines)


def _extra_field(text: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[4] = lines[4].replace("No Location", "No Location,", 1)
    return "".join(lines)


def _short_row(text: str) -> str:
    return text + "L12,2018-12,Dorset Police\n"


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (_stray_quote, "line 3: a quoted field runs over 5 lines (a stray quotation mark?)"),
        (_other_month, "line 4: Month is '2018-11', not the file's 2018-12"),
        (_extra_field, "line 5: 13 fields, expected 12"),
        (_short_row, "line 8: 3 fields, expected 12"),
    ],
)
def test_a_malformed_month_is_missing_not_a_lower_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, where: str
) -> None:
    """One stray quotation mark swallowed most of a month into one field and the
    quarter stayed complete with fewer crimes: a file whose rows do not read whole is
    counted as a missing month, with the first line that goes wrong."""
    root = tmp_path / "p"
    shutil.copytree(SOURCE, root)
    path = root / _DEC
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # parsed, then cached
        caplog.clear()
        counts = count_crimes(root, "dorset", Q3.months, cache_dir=cache)
        assert not counts.complete
        assert counts.missing_months == ("2018-12",) and counts.empty_months == ("2018-12",)
        # October and November by hand, as for a header-only December.
        assert counts.counts["Drugs"] == 4 and counts.counts["Anti-social behaviour"] == 4
        assert f"{root / _DEC}: damaged: {where}; 2018-12 is counted as missing" in caplog.text
    with PoliceUkData(root) as data:
        assert data.damage("dorset", "2018-12") == where
        assert data.damage("dorset", "2018-11") == ""


def test_rows_of_bare_commas_are_not_crimes(tmp_path: Path) -> None:
    """A header and rows of bare commas counted as a month of almost no crime: a row
    without a Month and a Crime type is not a crime, and a file of none is missing."""
    root = tmp_path / "p"
    shutil.copytree(SOURCE, root)
    path = root / _DEC
    path.write_text(HEADER + "\n" + ",,,,,,,,,,,\n" * 3, encoding="utf-8")
    counts = count_crimes(root, "dorset", Q3.months)
    assert counts.missing_months == ("2018-12",) and counts.empty_months == ("2018-12",)
    assert not counts.complete
    # Bare-comma rows among real ones are skipped, the real ones counted.
    real = (SOURCE / _DEC).read_text(encoding="utf-8")
    path.write_text(real + ",,,,,,,,,,,\n,,,,,,,,,,,\n", encoding="utf-8")
    mixed = count_crimes(root, "dorset", ["2018-12"])
    assert mixed.complete
    assert mixed.counts == count_crimes(SOURCE, "dorset", ["2018-12"]).counts
    assert sum(mixed.counts.values()) == 5  # H8, I9, J10, K11 and one ASB row, by hand


def test_a_damaged_outcomes_file_gives_no_shares(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The charge share from the outcome rows that could be read would understate it."""
    root = tmp_path / "p"
    shutil.copytree(SOURCE, root)
    path = root / "2018-12" / "2018-12-dorset-outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",On or near", ',"On or near', 1)
    path.write_text("".join(lines), encoding="utf-8")
    with PoliceUkData(root) as data:
        assert data.outcomes("dorset", Q3.months) is None
    assert "2018-12-dorset-outcomes.csv: damaged: line 2: a quoted field runs over" in caplog.text
