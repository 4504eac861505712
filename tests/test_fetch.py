"""Tests for toolkit.fetch against a local HTTP server on 127.0.0.1.

The server serves a small archive built here, in data.police.uk's layout, and records
every request, so the tests can check which bytes were asked for.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from toolkit.errors import DataError, InputError, ToolkitError
from toolkit.fetch import FetchReport, fetch_months, parse_forces, parse_months, plan_archives

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
)
OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Outcome type\n"
)
FORCE_NAMES = {
    "dorset": "Dorset Police",
    "wiltshire": "Wiltshire Police",
    "hampshire": "Hampshire Constabulary",
}


def _street(month: str, slug: str, rows: int) -> bytes:
    name = FORCE_NAMES[slug]
    lines = [HEADER]
    for row in range(rows):
        crime_id = f"{row:064x}" if row % 3 else ""
        kind = "Burglary" if row % 3 else "Anti-social behaviour"
        outcome = "Under investigation" if row % 3 else ""
        lines.append(
            f"{crime_id},{month},{name},{name},-2.{row:06d},50.{row:06d},"
            f"On or near Street {row},E01{row:06d},Area {row % 7},{kind},{outcome},\n"
        )
    return "".join(lines).encode()


def _build_archive() -> tuple[bytes, dict[str, bytes]]:
    """A small archive: 2018-12 to 2019-03, three forces, street/outcomes/stop-and-search.

    Hampshire's files are large and stored (not compressed), so the archive is bigger than
    the part read to find its directory; Wiltshire's are stored too; the rest are deflated.
    """
    members: dict[str, tuple[bytes, int]] = {}
    for month in ("2018-12", "2019-01", "2019-02", "2019-03"):
        members[f"{month}/{month}-hampshire-street.csv"] = (
            _street(month, "hampshire", 400),
            zipfile.ZIP_STORED,
        )
        members[f"{month}/{month}-dorset-street.csv"] = (
            _street(month, "dorset", 300),
            zipfile.ZIP_DEFLATED,
        )
        members[f"{month}/{month}-dorset-outcomes.csv"] = (
            (
                OUTCOMES_HEADER + f"abc,{month},Dorset Police,Dorset Police,,,No Location,,,"
                "Unable to prosecute suspect\n"
            ).encode(),
            zipfile.ZIP_DEFLATED,
        )
        members[f"{month}/{month}-dorset-stop-and-search.csv"] = (
            b"Type,Date,Part of a policing operation\nPerson search,2019-01-05,False\n",
            zipfile.ZIP_DEFLATED,
        )
        if month != "2019-03":  # Wiltshire did not publish 2019-03
            members[f"{month}/{month}-wiltshire-street.csv"] = (
                _street(month, "wiltshire", 40),
                zipfile.ZIP_STORED,
            )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (data, method) in members.items():
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue(), {name: data for name, (data, _) in members.items()}


ARCHIVE, MEMBERS = _build_archive()


def _offset(name: str, archive: bytes = ARCHIVE) -> int:
    return zipfile.ZipFile(io.BytesIO(archive)).getinfo(name).header_offset


@dataclass
class Seen:
    method: str
    path: str
    range: str | None
    if_range: str | None
    status: int = 0
    sent: int = 0


@dataclass
class Behaviour:
    """How the test server behaves; changed by the tests between calls."""

    archives: dict[str, bytes] = field(default_factory=lambda: {"/archive/2019-03.zip": ARCHIVE})
    advertise_ranges: bool = True  # Accept-Ranges: bytes in HEAD answers
    honour_ranges: bool = True  # 206 for a Range request, or 200 with the whole file
    cut: dict[int, int] = field(default_factory=dict)  # range start -> bytes sent before a cut
    cut_whole_after: int | None = None  # cut the first whole-file GET after this many bytes
    unavailable: int = 0  # answer this many requests with 503 first
    trickle: float | None = None  # send bodies a byte at a time, this many seconds apart
    seen: list[Seen] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the test output clean

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        behaviour = self.server.behaviour
        seen = Seen(
            self.command, self.path, self.headers.get("Range"), self.headers.get("If-Range")
        )
        behaviour.seen.append(seen)
        data = behaviour.archives.get(self.path)
        if behaviour.unavailable:
            behaviour.unavailable -= 1
            data = None
            seen.status = 503
        elif data is None:
            seen.status = 404
        if data is None:
            self.send_response(seen.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = 0, len(data) - 1
        wanted = seen.range if behaviour.honour_ranges and body else None
        partial = False
        if wanted:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted)
            assert match is not None
            if match[1]:
                start = int(match[1])
                end = min(int(match[2]), end) if match[2] else end
            else:
                start = max(0, len(data) - int(match[2]))
            partial = True
        chunk = data[start : end + 1]
        seen.status = 206 if partial else 200
        self.send_response(seen.status)
        self.send_header("Content-Length", str(len(chunk)))
        self.send_header("ETag", '"fixture-1"')
        if behaviour.advertise_ranges:
            self.send_header("Accept-Ranges", "bytes")
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if not body:
            return
        limit = behaviour.cut.pop(start, None) if partial else None
        if not partial and behaviour.cut_whole_after is not None:
            limit, behaviour.cut_whole_after = behaviour.cut_whole_after, None
        if limit is not None:
            chunk = chunk[:limit]
            self.close_connection = True
        if behaviour.trickle is not None:
            self._trickle(chunk, behaviour.trickle, seen)
            return
        self.wfile.write(chunk)
        self.wfile.flush()
        seen.sent = len(chunk)

    def _trickle(self, chunk: bytes, pause: float, seen: Seen) -> None:
        """One byte every ``pause`` seconds, for at most 10 s (it stops by itself)."""
        ends = time.monotonic() + 10.0
        try:
            for index in range(len(chunk)):
                if time.monotonic() > ends:
                    break
                self.wfile.write(chunk[index : index + 1])
                self.wfile.flush()
                seen.sent += 1
                time.sleep(pause)
        except OSError:  # the client gave up
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.behaviour = Behaviour()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/archive/"


def _fetch(
    server: _Server,
    dest: Path,
    *,
    months: str = "2019-01..2019-03",
    forces: Sequence[str] = ("dorset", "wiltshire"),
    **options: Any,
) -> FetchReport:
    """Fetch from the test server, with short timeouts."""
    options = {"timeout": 2.0, "attempts": 3, **options}
    return fetch_months(parse_months(months), forces, dest, base_url=_base(server), **options)


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


WANTED = {
    "2019-01/2019-01-dorset-street.csv",
    "2019-01/2019-01-dorset-outcomes.csv",
    "2019-01/2019-01-wiltshire-street.csv",
    "2019-02/2019-02-dorset-street.csv",
    "2019-02/2019-02-dorset-outcomes.csv",
    "2019-02/2019-02-wiltshire-street.csv",
    "2019-03/2019-03-dorset-street.csv",
    "2019-03/2019-03-dorset-outcomes.csv",
}


# --------------------------------------------------------------------------- months


def test_months_range_single_and_list() -> None:
    assert parse_months("2019-01..2019-03") == ["2019-01", "2019-02", "2019-03"]
    assert parse_months("2019-01") == ["2019-01"]
    assert parse_months("2018-11..2019-02") == ["2018-11", "2018-12", "2019-01", "2019-02"]
    assert parse_months(" 2019-03, 2018-12..2019-01 ,2019-01") == [
        "2018-12",
        "2019-01",
        "2019-03",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Jan 2019",
            "--months: not a month (expected YYYY-MM, a range YYYY-MM..YYYY-MM, "
            "or a comma list of these, got 'Jan 2019')",
        ),
        (
            "2019-13",
            "--months: no such month (expected YYYY-MM, a range YYYY-MM..YYYY-MM, "
            "or a comma list of these, got '2019-13')",
        ),
        (
            "2019-03..2019-01",
            "--months: a month range must run from the earlier month to the later "
            "(expected 2019-01..2019-03, got '2019-03..2019-01')",
        ),
        (
            "",
            "--months: no months given (expected YYYY-MM, a range YYYY-MM..YYYY-MM, "
            "or a comma list of these, got '')",
        ),
    ],
)
def test_months_bad_forms_are_refused_with_the_expected_form(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_months(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["2019-1", "2019-01..", "..2019-01", "2019-01,,2019-02", "19-01"])
def test_months_other_bad_forms_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="^--months: "):
        parse_months(text)


def test_forces_parse_and_refuse() -> None:
    assert parse_forces("dorset, devon-and-cornwall,dorset") == ["dorset", "devon-and-cornwall"]
    with pytest.raises(InputError) as caught:
        parse_forces("dorset,Devon and Cornwall")
    assert str(caught.value) == (
        "--forces: not a force slug (expected data.police.uk force slugs such as "
        "dorset,devon-and-cornwall, got 'Devon and Cornwall')"
    )


def test_plan_reads_the_archive_named_for_the_newest_month() -> None:
    assert plan_archives(["2019-01", "2019-02", "2019-03"]) == {
        "2019-03.zip": ["2019-01", "2019-02", "2019-03"]
    }
    # 2016-04 is the 36th month of the 2019-03 archive; 2016-03 is not in it
    assert plan_archives(["2016-04", "2019-03"]) == {"2019-03.zip": ["2016-04", "2019-03"]}
    assert plan_archives(["2016-02", "2016-03", "2019-03"]) == {
        "2019-03.zip": ["2019-03"],
        "2016-03.zip": ["2016-02", "2016-03"],
    }
    assert plan_archives(["2016-03", "2019-03"], archive_name="latest.zip") == {
        "latest.zip": ["2016-03", "2019-03"]
    }


# --------------------------------------------------------------------------- fetching


def test_range_requests_fetch_only_the_wanted_members(server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "police-uk"
    calls: list[tuple[int, int, str]] = []
    report = _fetch(server, dest, progress=lambda d, t, label: calls.append((d, t, label)))

    assert _files(dest) == WANTED
    for name in WANTED:
        assert (dest / name).read_bytes() == MEMBERS[name]
    assert sorted(report.added) == sorted(WANTED)
    assert report.skipped == report.kept == []
    assert report.archives == [_base(server) + "2019-03.zip"]

    seen = server.behaviour.seen
    gets = [s for s in seen if s.method == "GET"]
    assert all(s.range is not None and s.status == 206 for s in gets)
    assert sum(s.sent for s in gets) < len(ARCHIVE) / 2
    assert report.downloaded_bytes == sum(s.sent for s in gets)
    # each member is asked for from its local header
    starts = {int(s.range.split("=")[1].split("-")[0]) for s in gets if s.range}
    assert {_offset(name) for name in WANTED} <= starts
    assert _offset("2019-01/2019-01-hampshire-street.csv") not in starts
    # progress: ends complete, never goes backwards, labelled with the member
    assert calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _, _ in calls] == sorted(d for d, _, _ in calls)
    assert {label for _, _, label in calls} == WANTED
    # no temporary or partial file is left behind
    assert not (dest / ".fetch-cache").exists()


def test_only_requested_forces_and_months_are_written(server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "police-uk"
    report = _fetch(server, dest, months="2019-03", forces=["wiltshire", "dorset"])
    assert _files(dest) == {
        "2019-03/2019-03-dorset-street.csv",
        "2019-03/2019-03-dorset-outcomes.csv",
    }
    assert report.missing == ["2019-03/2019-03-wiltshire-street.csv"]
    assert report.summary() == "added 2, already present 0, kept (different) 0, missing 1"


def test_stop_and_search_is_fetched_only_when_asked(server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "police-uk"
    _fetch(server, dest, months="2019-03", forces=["dorset"], kinds=["stop-and-search"])
    assert _files(dest) == {"2019-03/2019-03-dorset-stop-and-search.csv"}


def test_the_archive_name_is_a_setting(server: _Server, tmp_path: Path) -> None:
    server.behaviour.archives = {"/archive/latest.zip": ARCHIVE}
    dest = tmp_path / "police-uk"
    report = _fetch(server, dest, months="2019-02", forces=["dorset"], archive_name="latest.zip")
    assert _files(dest) == {
        "2019-02/2019-02-dorset-street.csv",
        "2019-02/2019-02-dorset-outcomes.csv",
    }
    assert report.archives == [_base(server) + "latest.zip"]


def test_existing_files_are_kept_and_identical_ones_skipped(
    server: _Server, tmp_path: Path
) -> None:
    dest = tmp_path / "police-uk"
    edited = dest / "2019-01" / "2019-01-dorset-street.csv"
    edited.parent.mkdir(parents=True)
    edited.write_bytes(b"an analyst's own copy\n")
    same = dest / "2019-01" / "2019-01-wiltshire-street.csv"
    same.write_bytes(MEMBERS["2019-01/2019-01-wiltshire-street.csv"])
    older = dest / "2016-01" / "2016-01-dorset-street.csv"  # no longer served: never touched
    older.parent.mkdir()
    older.write_bytes(b"kept\n")

    report = _fetch(server, dest)

    assert edited.read_bytes() == b"an analyst's own copy\n"
    assert older.read_bytes() == b"kept\n"
    assert report.kept == ["2019-01/2019-01-dorset-street.csv"]
    assert report.skipped == ["2019-01/2019-01-wiltshire-street.csv"]
    assert sorted(report.added) == sorted(
        WANTED - {"2019-01/2019-01-dorset-street.csv", "2019-01/2019-01-wiltshire-street.csv"}
    )
    starts = {s.range for s in server.behaviour.seen if s.range}
    assert not any(r.startswith(f"bytes={_offset(report.skipped[0])}-") for r in starts)

    server.behaviour.seen.clear()
    again = _fetch(server, dest)
    assert again.added == []
    assert sorted(again.skipped) == sorted(WANTED - {"2019-01/2019-01-dorset-street.csv"})
    gets = [s for s in server.behaviour.seen if s.method == "GET"]
    assert sum(s.sent for s in gets) < 4200  # only the directory was read


def test_a_server_without_ranges_is_read_whole(server: _Server, tmp_path: Path) -> None:
    server.behaviour.advertise_ranges = False
    server.behaviour.honour_ranges = False
    dest = tmp_path / "police-uk"
    calls: list[tuple[int, int, str]] = []
    report = _fetch(server, dest, progress=lambda d, t, label: calls.append((d, t, label)))

    assert _files(dest) == WANTED
    for name in WANTED:
        assert (dest / name).read_bytes() == MEMBERS[name]
    gets = [s for s in server.behaviour.seen if s.method == "GET"]
    assert [(s.status, s.sent) for s in gets] == [(200, len(ARCHIVE))]
    assert report.downloaded_bytes == len(ARCHIVE)
    assert calls[-1] == (len(ARCHIVE), len(ARCHIVE), "2019-03.zip")
    assert not (dest / ".fetch-cache").exists()


def test_a_server_answering_200_to_a_range_is_read_whole(server: _Server, tmp_path: Path) -> None:
    server.behaviour.honour_ranges = False  # says Accept-Ranges: bytes, but sends it all
    dest = tmp_path / "police-uk"
    _fetch(server, dest)
    assert _files(dest) == WANTED
    for name in WANTED:
        assert (dest / name).read_bytes() == MEMBERS[name]


def test_an_interrupted_member_is_continued_from_where_it_stopped(
    server: _Server, tmp_path: Path
) -> None:
    name = "2019-02/2019-02-dorset-street.csv"
    start = _offset(name)
    server.behaviour.cut[start] = 1000
    dest = tmp_path / "police-uk"
    _fetch(server, dest)

    assert (dest / name).read_bytes() == MEMBERS[name]
    ranges = [s.range for s in server.behaviour.seen if s.range and s.method == "GET"]
    first = next(r for r in ranges if r.startswith(f"bytes={start}-"))
    end = first.split("-")[1]
    assert f"bytes={start + 1000}-{end}" in ranges


def test_an_interrupted_run_is_continued_by_the_next(server: _Server, tmp_path: Path) -> None:
    name = "2019-01/2019-01-dorset-street.csv"
    start = _offset(name)
    server.behaviour.cut[start] = 500
    dest = tmp_path / "police-uk"
    url = _base(server) + "2019-03.zip"

    with pytest.raises(ToolkitError) as caught:
        _fetch(server, dest, attempts=1)
    assert str(caught.value) == (
        f"{url}: the connection was cut before the transfer finished after 1 try; "
        "check the network and run fetch-data again (it continues where it stopped)"
    )
    assert not (dest / name).exists()
    parts = list((dest / ".fetch-cache").glob("*.part"))
    assert [part.stat().st_size for part in parts] == [500]
    assert not any(".tmp" in p.name for p in dest.rglob("*"))

    server.behaviour.seen.clear()
    report = _fetch(server, dest, attempts=1)
    assert (dest / name).read_bytes() == MEMBERS[name]
    assert name in report.added
    ranges = [s.range or "" for s in server.behaviour.seen]
    assert any(r.startswith(f"bytes={start + 500}-") for r in ranges)
    assert not any(r.startswith(f"bytes={start}-") for r in ranges)
    assert not (dest / ".fetch-cache").exists()


def test_a_whole_download_is_continued_with_if_range(server: _Server, tmp_path: Path) -> None:
    server.behaviour.advertise_ranges = False  # does not say so, but honours Range
    server.behaviour.cut_whole_after = 3000
    dest = tmp_path / "police-uk"
    report = _fetch(server, dest)

    assert _files(dest) == WANTED
    gets = [s for s in server.behaviour.seen if s.method == "GET"]
    assert [(s.range, s.if_range, s.status) for s in gets] == [
        (None, None, 200),
        ("bytes=3000-", '"fixture-1"', 206),
    ]
    assert report.downloaded_bytes == len(ARCHIVE)


def test_a_whole_download_restarts_where_the_server_cannot_continue(
    server: _Server, tmp_path: Path
) -> None:
    server.behaviour.advertise_ranges = False
    server.behaviour.honour_ranges = False
    server.behaviour.cut_whole_after = 3000
    dest = tmp_path / "police-uk"
    _fetch(server, dest)
    assert _files(dest) == WANTED
    gets = [s for s in server.behaviour.seen if s.method == "GET"]
    assert [(s.status, s.sent) for s in gets] == [(200, 3000), (200, len(ARCHIVE))]


def _corrupt(name: str) -> bytes:
    """The archive with one byte of ``name``'s data changed (its CRC-32 left as it was)."""
    info = zipfile.ZipFile(io.BytesIO(ARCHIVE)).getinfo(name)
    data_at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 100
    damaged = bytearray(ARCHIVE)
    damaged[data_at] ^= 0xFF
    return bytes(damaged)


def test_a_corrupt_member_is_refused_and_nothing_written(server: _Server, tmp_path: Path) -> None:
    name = "2019-01/2019-01-wiltshire-street.csv"  # stored: the damage reaches the CRC check
    server.behaviour.archives["/archive/2019-03.zip"] = _corrupt(name)
    dest = tmp_path / "police-uk"
    url = _base(server) + "2019-03.zip"
    crc = zipfile.ZipFile(io.BytesIO(ARCHIVE)).getinfo(name).CRC
    damaged = bytearray(MEMBERS[name])
    damaged[100] ^= 0xFF
    got = zlib.crc32(bytes(damaged))

    with pytest.raises(DataError) as caught:
        _fetch(server, dest, forces=["wiltshire"])
    assert str(caught.value) == (
        f"{url}: {name}: corrupt member refused: CRC-32 does not match, nothing written "
        f"(expected {crc:08x}, got {got:08x})"
    )
    assert not (dest / name).exists()
    assert not any(".tmp" in p.name for p in dest.rglob("*"))
    assert not list(dest.rglob("*.part"))


def test_a_corrupt_deflated_member_is_refused(server: _Server, tmp_path: Path) -> None:
    name = "2019-01/2019-01-dorset-street.csv"
    server.behaviour.archives["/archive/2019-03.zip"] = _corrupt(name)
    dest = tmp_path / "police-uk"
    with pytest.raises(DataError, match=re.escape(f"2019-03.zip: {name}: corrupt member refused")):
        _fetch(server, dest, forces=["dorset"], months="2019-01", archive_name="2019-03.zip")
    assert not (dest / name).exists()
    assert not any(".tmp" in p.name for p in dest.rglob("*"))


def test_a_missing_archive_is_a_one_line_data_error(server: _Server, tmp_path: Path) -> None:
    url = _base(server) + "2019-04.zip"
    with pytest.raises(DataError) as caught:
        _fetch(server, tmp_path / "police-uk", months="2019-04")
    assert str(caught.value) == (
        f"{url}: no such archive (HTTP 404) (expected one of the archives listed at "
        f"{_base(server)})"
    )
    assert len(server.behaviour.seen) == 1


def test_a_refused_connection_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/archive/2019-03.zip"
    with pytest.raises(ToolkitError) as caught:
        fetch_months(
            ["2019-03"], ["dorset"], tmp_path, base_url=url.rsplit("/", 1)[0] + "/", attempts=2
        )
    assert str(caught.value) == (
        f"{url}: connection refused after 2 tries; check the network and run fetch-data "
        "again (it continues where it stopped)"
    )


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        port = silent.getsockname()[1]
        with pytest.raises(
            ToolkitError, match=r"2019-03\.zip: no answer within 0\.3 s after 1 try"
        ):
            fetch_months(
                ["2019-03"],
                ["dorset"],
                tmp_path,
                base_url=f"http://127.0.0.1:{port}/",
                timeout=0.3,
                attempts=1,
            )


def test_the_data_folder_must_be_a_folder(tmp_path: Path) -> None:
    archive = tmp_path / "police-uk.zip"
    archive.write_bytes(b"PK")
    with pytest.raises(InputError, match="fetch-data adds files to a folder, not to a file"):
        fetch_months(["2019-03"], ["dorset"], archive, base_url="http://127.0.0.1:9/")


def test_zip64_archives_are_read(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zipfile writes ZIP64 records past these limits: lowered, a small archive has them all
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "ZIP64_LIMIT", 100)
        patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", allowZip64=True) as archive:
            for name in sorted(MEMBERS):
                archive.writestr(name, MEMBERS[name], compress_type=zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # ZIP64 end record and locator
    assert data.count(b"\xff\xff\xff\xff") > 2 * len(MEMBERS)  # sizes and offsets in extras
    server.behaviour.archives["/archive/2019-03.zip"] = data
    dest = tmp_path / "police-uk"
    _fetch(server, dest)
    assert _files(dest) == WANTED
    for name in WANTED:
        assert (dest / name).read_bytes() == MEMBERS[name]


def test_server_errors_are_tried_again(server: _Server, tmp_path: Path) -> None:
    server.behaviour.unavailable = 2
    dest = tmp_path / "police-uk"
    _fetch(server, dest, attempts=3)
    assert _files(dest) == WANTED
    assert [s.status for s in server.behaviour.seen[:3]] == [503, 503, 200]


def test_a_server_that_keeps_failing_is_a_one_line_error(server: _Server, tmp_path: Path) -> None:
    server.behaviour.unavailable = 5
    url = _base(server) + "2019-03.zip"
    with pytest.raises(ToolkitError) as caught:
        _fetch(server, tmp_path / "police-uk", attempts=2)
    assert str(caught.value) == (
        f"{url}: HTTP 503 Service Unavailable after 2 tries; check the network and run "
        "fetch-data again (it continues where it stopped)"
    )
    assert len(server.behaviour.seen) == 2


@pytest.mark.parametrize(
    ("forces", "base_url", "message"),
    [
        (
            ["../dorset"],
            "http://127.0.0.1:9/",
            "forces: not a force slug (expected data.police.uk force slugs such as "
            "dorset,devon-and-cornwall, got '../dorset')",
        ),
        (
            ["dorset"],
            "file:///tmp/archive/",
            "base_url: not a web address (expected an http(s) URL, got 'file:///tmp/archive/')",
        ),
    ],
)
def test_arguments_are_checked_before_any_request(
    forces: list[str], base_url: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as caught:
        fetch_months(["2019-03"], forces, tmp_path, base_url=base_url)
    assert str(caught.value) == message


def _bomb(tmp_path: Path) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    """A zip whose one member inflates to 20 MB, with its directory entry claiming 1,000 B."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2019-04/2019-04-dorset-street.csv", b"\0" * 20_000_000)
    opened = zipfile.ZipFile(path)
    member = opened.getinfo("2019-04/2019-04-dorset-street.csv")
    member.file_size = 1000
    return opened, member


def test_a_member_inflating_past_its_declared_size_stops_there(tmp_path, monkeypatch) -> None:
    from toolkit.fetch import archive

    opened, member = _bomb(tmp_path)
    written: list[int] = []

    class Counting:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            written.append(len(data))
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(archive, "open", lambda f, mode: Counting(open(f, mode)), raising=False)  # noqa: SIM115
    target = tmp_path / "out" / "2019-04-dorset-street.csv"
    with opened, pytest.raises(DataError) as caught:
        archive.extract(opened, member, "bomb.zip", target)
    assert str(caught.value) == (
        "bomb.zip: 2019-04/2019-04-dorset-street.csv: corrupt member refused: it inflates past "
        "its declared size, nothing written (expected 1000 bytes, got more)"
    )
    assert sum(written) <= 1000
    assert list(target.parent.iterdir()) == []


def test_a_full_disk_while_fetching_is_one_line(tmp_path, monkeypatch) -> None:
    import errno

    from toolkit.errors import OutputError
    from toolkit.fetch import archive

    path = tmp_path / "month.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as written:
        written.writestr("2019-04/2019-04-dorset-street.csv", _street("2019-04", "dorset", 2000))

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "open", lambda f, mode: Full(open(f, mode)), raising=False)  # noqa: SIM115
    target = tmp_path / "out" / "2019-04-dorset-street.csv"
    with zipfile.ZipFile(path) as opened, pytest.raises(OutputError) as caught:
        member = opened.getinfo("2019-04/2019-04-dorset-street.csv")
        archive.extract(opened, member, "month.zip", target)
    assert str(caught.value) == (
        f"{target}: cannot write the fetched file here (ENOSPC: No space left on device)"
    )
    assert list(target.parent.iterdir()) == []


def test_an_implausibly_compressed_member_is_refused_before_it_is_fetched(
    server: _Server, tmp_path: Path
) -> None:
    name = "2019-01/2019-01-dorset-street.csv"
    zeros = HEADER.encode() + b"," * 2_000_000  # inflates about 1,000 times, as no month does
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, zeros)
    data = buffer.getvalue()
    packed = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).compress_size
    server.behaviour.archives["/archive/2019-03.zip"] = data
    dest = tmp_path / "police-uk"
    url = _base(server) + "2019-03.zip"

    with pytest.raises(DataError) as caught:
        _fetch(server, dest, months="2019-01", forces=["dorset"], archive_name="2019-03.zip")
    assert str(caught.value) == (
        f"{url}: {name}: refused: the member is implausibly large or compressed for a monthly "
        f"file (expected at most 1,024 MB, inflating at most 100 times, got {len(zeros):,} "
        f"bytes from {packed:,})"
    )
    assert not (dest / name).exists()
    # one range: the archive's end, with its directory (the archive is that small); the
    # member's own range is never asked for
    gets = [s for s in server.behaviour.seen if s.method == "GET"]
    assert [s.range for s in gets] == [f"bytes=0-{len(data) - 1}"]
    assert not list(dest.rglob("*.part"))


def test_a_member_declaring_over_a_gibibyte_is_refused() -> None:
    from toolkit.fetch.archive import check_member

    member = zipfile.ZipInfo("2019-01/2019-01-dorset-street.csv")
    member.compress_type = zipfile.ZIP_DEFLATED
    member.file_size, member.compress_size = (1 << 30) + 1, 1 << 28  # 4 times: plausible ratio
    with pytest.raises(DataError) as caught:
        check_member(member, "a.zip")
    assert str(caught.value) == (
        "a.zip: 2019-01/2019-01-dorset-street.csv: refused: the member is implausibly large or "
        "compressed for a monthly file (expected at most 1,024 MB, inflating at most 100 times, "
        "got 1,073,741,825 bytes from 268,435,456)"
    )
    member.file_size = 1 << 30
    check_member(member, "a.zip")  # exactly 1 GiB is allowed


def test_names_in_the_archive_are_never_used_as_paths(server: _Server, tmp_path: Path) -> None:
    street = "2019-03/2019-03-dorset-street.csv"
    hostile = [
        "../../2019-03/2019-03-dorset-outcomes.csv",
        "2019-03/../../../escaped.csv",
        "/tmp/2019-03/2019-03-dorset-stop-and-search.csv",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(street, MEMBERS[street])
        for name in hostile:
            archive.writestr(name, MEMBERS["2019-03/2019-03-dorset-outcomes.csv"])
    server.behaviour.archives["/archive/2019-03.zip"] = buffer.getvalue()
    dest = tmp_path / "data" / "police-uk"

    report = _fetch(server, dest, months="2019-03", forces=["dorset"], kinds=["street", "outcomes"])

    # a leading "../" is dropped when matching, so the outcomes file is found: and written
    # under the name made from the month and slug, inside the data folder
    assert sorted(report.added) == [
        "2019-03/2019-03-dorset-outcomes.csv",
        "2019-03/2019-03-dorset-street.csv",
    ]
    assert _files(tmp_path) == {
        "data/police-uk/2019-03/2019-03-dorset-outcomes.csv",
        "data/police-uk/2019-03/2019-03-dorset-street.csv",
    }


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_downloading_is_one_line(server: _Server, tmp_path: Path) -> None:
    name = "2019-03/2019-03-dorset-street.csv"
    info = zipfile.ZipFile(io.BytesIO(ARCHIVE)).getinfo(name)
    cache = tmp_path / "cache"
    cache.mkdir()
    # the member's download goes where every write fails with ENOSPC, as on a full disk
    part = cache / f"2019-03.zip-{info.header_offset}-{info.compress_size}-{info.CRC:08x}.part"
    part.symlink_to("/dev/full")
    dest = tmp_path / "police-uk"
    with pytest.raises(ToolkitError) as caught:
        _fetch(server, dest, months="2019-03", forces=["dorset"], kinds=["street"], cache_dir=cache)
    assert str(caught.value) == (
        f"{part}: cannot write the download here (ENOSPC: No space left on device)"
    )
    assert not (dest / name).exists()


def test_a_cache_folder_that_cannot_be_made_is_one_line(server: _Server, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be\n")
    server.behaviour.advertise_ranges = server.behaviour.honour_ranges = False
    with pytest.raises(ToolkitError) as caught:
        _fetch(server, tmp_path / "police-uk", cache_dir=blocker / "cache")
    assert str(caught.value) == (
        f"{blocker / 'cache'}: cannot write the download here (ENOTDIR: Not a directory)"
    )


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "whole"])
@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "0 bytes, too short to be a zip"),
        (b"PK", "2 bytes, too short to be a zip"),
        (b"<html>Service moved</html>\n" * 200, "File is not a zip file"),
        (ARCHIVE[: len(ARCHIVE) // 2], "File is not a zip file"),  # cut off: no directory
    ],
    ids=["empty", "two-bytes", "a-web-page", "half-an-archive"],
)
def test_an_archive_that_is_not_a_zip_is_a_one_line_data_error(
    server: _Server, tmp_path: Path, body: bytes, why: str, ranges: bool
) -> None:
    server.behaviour.archives["/archive/2019-03.zip"] = body
    server.behaviour.advertise_ranges = server.behaviour.honour_ranges = ranges
    dest = tmp_path / "police-uk"
    with pytest.raises(DataError) as caught:
        _fetch(server, dest)
    assert str(caught.value) == f"{_base(server)}2019-03.zip: not a readable zip archive ({why})"
    assert _files(tmp_path) == set()


# --------------------------------------------------------------------------- throughput floor


@pytest.mark.parametrize("ranges", [True, False], ids=["byte-ranges", "whole-archive"])
def test_a_trickling_server_is_stopped_below_the_throughput_floor(
    server: _Server, tmp_path: Path, ranges: bool
) -> None:
    """A server sending a byte at a time answers every read within the per-read timeout:
    only a floor on the average throughput stops it (here 1 KiB/s over 0.5 s)."""
    server.behaviour.trickle = 0.05  # 20 bytes a second
    server.behaviour.advertise_ranges = ranges
    server.behaviour.honour_ranges = ranges
    began = time.monotonic()
    with pytest.raises(ToolkitError) as caught:
        _fetch(server, tmp_path / "pu", attempts=2, min_rate=1024, rate_window=0.5)
    assert str(caught.value) == (
        f"{_base(server)}2019-03.zip: the transfer stalled below 1 KiB/s (averaged over "
        "0.5 s) after 2 tries; check the network and run fetch-data again (it continues "
        "where it stopped)"
    )
    assert time.monotonic() - began < 8
    assert not (tmp_path / "pu" / "2019-01").exists()


def test_the_floor_does_not_stop_a_transfer_that_keeps_up(server: _Server, tmp_path: Path) -> None:
    report = _fetch(server, tmp_path / "pu", min_rate=1024, rate_window=0.01)
    assert _files(tmp_path / "pu") >= WANTED and report.added


def test_the_default_floor_is_stated() -> None:
    from toolkit.fetch.client import MIN_RATE, RATE_WINDOW, rate_text

    assert rate_text(MIN_RATE, RATE_WINDOW) == "1 KiB/s (averaged over 30 s)"
    assert rate_text(100, 5) == "100 bytes/s (averaged over 5 s)"


def test_a_long_download_prints_progress_when_not_on_a_terminal(monkeypatch) -> None:
    from toolkit import cli

    clock = [100.0]
    monkeypatch.setattr(cli.time, "monotonic", lambda: clock[0])
    printed: list[str] = []
    monkeypatch.setattr(cli.err_console, "print", lambda text, **_: printed.append(text))
    monkeypatch.setattr(type(cli.err_console), "is_terminal", property(lambda self: False))
    with cli._progress() as step:
        step(0, 50_000_000, "2019-03/2019-03-dorset-street.csv")
        clock[0] += 5
        step(1_000_000, 50_000_000, "2019-03/2019-03-dorset-street.csv")
        clock[0] += 6
        step(12_500_000, 50_000_000, "2019-03/2019-03-dorset-street.csv")
    assert printed == [
        "fetching 2019-03/2019-03-dorset-street.csv",
        "fetching 2019-03/2019-03-dorset-street.csv: 12.5 of 50.0 MB",
    ]


def test_a_server_trickling_its_status_line_is_stopped_too(tmp_path: Path) -> None:
    """The floor is on the connection, not only the body: a server that sends its status
    line and headers a byte at a time is stopped as well."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)

    def serve() -> None:
        ends = time.monotonic() + 10.0  # stops by itself
        while not stop.is_set() and time.monotonic() < ends:
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                for byte in answer:
                    if stop.is_set() or time.monotonic() > ends:
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    began = time.monotonic()
    try:
        with pytest.raises(ToolkitError) as caught:
            fetch_months(
                ["2019-03"],
                ["dorset"],
                tmp_path / "pu",
                base_url=f"http://127.0.0.1:{port}/",
                timeout=2.0,
                attempts=1,
                min_rate=1024,
                rate_window=0.5,
            )
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert str(caught.value) == (
        f"http://127.0.0.1:{port}/2019-03.zip: the transfer stalled below 1 KiB/s (averaged "
        "over 0.5 s) after 1 try; check the network and run fetch-data again (it continues "
        "where it stopped)"
    )
    assert time.monotonic() - began < 5
