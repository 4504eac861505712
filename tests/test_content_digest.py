"""Content digests of data files, remembered in a process only while a file is unchanged."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import xxhash

from toolkit.files import cachefile


def _rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    before = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_the_digest_is_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"Crime ID,Month\n1,2019-01\n")
    expected = "xxh3:" + xxhash.xxh3_128(b"Crime ID,Month\n1,2019-01\n").hexdigest()
    assert cachefile.content_digest(path) == expected
    (tmp_path / "empty.csv").write_bytes(b"")
    empty = "xxh3:" + xxhash.xxh3_128().hexdigest()
    assert cachefile.content_digest(tmp_path / "empty.csv") == empty


def test_a_file_rewritten_at_once_with_the_same_size_and_mtime_is_digested_again(
    tmp_path: Path,
) -> None:
    """Written within the same clock tick, the file may keep its ctime: not remembered."""
    path = tmp_path / "a.csv"
    path.write_bytes(b"aaaa")
    first = cachefile.content_digest(path)
    _rewrite_keeping_size_and_mtime(path, b"bbbb")
    assert cachefile.content_digest(path) != first
    assert cachefile.content_digest(path) == "xxh3:" + xxhash.xxh3_128(b"bbbb").hexdigest()


def test_a_settled_file_is_digested_once_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"aaaa")
    real = time.time_ns
    monkeypatch.setattr(cachefile.time, "time_ns", lambda: real() + 10 * cachefile.SETTLED_NS)
    first = cachefile.content_digest(path)

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("read again although unchanged")

    with monkeypatch.context() as patched:
        patched.setattr(cachefile.mmap, "mmap", unread)
        assert cachefile.content_digest(path) == first
    time.sleep(0.05)  # past the coarsest tick of the file clock: the rewrite's ctime is new
    _rewrite_keeping_size_and_mtime(path, b"bbbb")
    assert cachefile.content_digest(path) == "xxh3:" + xxhash.xxh3_128(b"bbbb").hexdigest()


def test_settled_refuses_a_file_changed_just_now(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"aaaa")
    assert cachefile.settled(path.stat()) is None
    old = time.time_ns() - 2 * cachefile.SETTLED_NS
    state = path.stat()
    faked = os.stat_result(
        (*state[:7], state.st_atime, state.st_mtime, old // 10**9),
        {"st_atime_ns": state.st_atime_ns, "st_mtime_ns": state.st_mtime_ns, "st_ctime_ns": old},
    )
    assert cachefile.settled(faked) == (
        state.st_dev, state.st_ino, state.st_size, state.st_mtime_ns, old
    )  # fmt: skip
