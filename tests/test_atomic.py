"""Whole-or-nothing writes: the target holds the old content or the new, never a part."""

from __future__ import annotations

import os
import stat

import pytest

from toolkit.files import atomic


def test_json_is_written_atomically(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old\n")
    atomic.write_json(target, {"a": 1, "name": "Señor"})
    assert target.read_text(encoding="utf-8") == '{\n  "a": 1,\n  "name": "Señor"\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_text_is_utf8_with_its_own_line_endings_and_the_folder_is_made(tmp_path):
    target = tmp_path / "new" / "figures.md"
    atomic.write_text(target, "a\nb £\n")
    assert target.read_bytes() == b"a\nb \xc2\xa3\n"


def test_a_failed_rename_leaves_the_old_file_and_no_litter(tmp_path, monkeypatch):
    target = tmp_path / "index.html"
    target.write_text("the previous index")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_text(target, "the new index")
    assert target.read_text() == "the previous index"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_a_writer_that_fails_inside_replacing_changes_nothing(tmp_path):
    target = tmp_path / "tracker.xlsx"
    target.write_bytes(b"old workbook")
    with pytest.raises(ValueError, match="bad cell"), atomic.replacing(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".tracker.")
        assert temp.suffix == ".xlsx"  # writers that look at the extension see the real one
        temp.write_bytes(b"half a workb")
        raise ValueError("bad cell")
    assert target.read_bytes() == b"old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.xlsx"]


def test_a_writer_that_writes_nothing_fails_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "briefing.pdf"
    target.write_bytes(b"%PDF old")
    with pytest.raises(FileNotFoundError), atomic.replacing(target):
        pass
    assert target.read_bytes() == b"%PDF old"


def test_replacing_puts_the_new_file_in_place(tmp_path):
    target = tmp_path / "response-draft.docx"
    with atomic.replacing(target) as temp:
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["response-draft.docx"]


def test_exclusive_never_overwrites(tmp_path):
    target = tmp_path / "report.yaml"
    target.write_text("the analyst's report\n")
    with pytest.raises(FileExistsError):
        atomic.write_text(target, "a starter\n", exclusive=True)
    assert target.read_text() == "the analyst's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.yaml"]
    fresh = tmp_path / "other.yaml"
    atomic.write_text(fresh, "a starter\n", exclusive=True)
    assert fresh.read_text() == "a starter\n"


def test_files_get_the_usual_permissions_not_owner_only(tmp_path):
    previous = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "index.json", "{}\n")
        with atomic.replacing(tmp_path / "tracker.csv") as temp:
            temp.write_bytes(b"a,b\n")
    finally:
        os.umask(previous)
    for name in ("index.json", "tracker.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_temporary_names_differ_for_each_writer(tmp_path):
    target = tmp_path / "chart.json"
    names = {atomic.temporary_path(target) for _ in range(3)}
    assert len(names) == 3
    assert all(n.name.startswith(".chart.") and n.parent == tmp_path for n in names)
