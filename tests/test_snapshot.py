"""The run's copy of the params root holds every params file a briefing reads."""

from __future__ import annotations

from pathlib import Path

from toolkit.snapshot import ORIGIN_FILE, params_snapshot


def _root(tmp_path: Path, response_file: str) -> Path:
    root = tmp_path / "params"
    (root / "reports").mkdir(parents=True)
    (root / "responses").mkdir()
    (root / "force.yaml").write_text("force: {name: X}\n", encoding="utf-8")
    (root / "reports" / "a.yaml").write_text(
        f"title: A\nresponse:\n  file: {response_file}\n", encoding="utf-8"
    )
    (root / "responses" / "a.md").write_text("Dear Home Secretary,\n", encoding="utf-8")
    return root


def test_a_reports_sent_letter_is_copied(tmp_path):
    root = _root(tmp_path, "responses/a.md")
    with params_snapshot(root) as copy:
        assert (copy / "responses" / "a.md").read_text(encoding="utf-8") == (
            "Dear Home Secretary,\n"
        )
        assert (copy / "reports" / "a.yaml").is_file()
        assert (copy / ORIGIN_FILE).read_text(encoding="utf-8") == str(root.resolve())
    assert not copy.exists()


def test_a_sent_letter_outside_the_root_is_not_copied(tmp_path):
    root = _root(tmp_path, "../outside.md")
    (tmp_path / "outside.md").write_text("secret\n", encoding="utf-8")
    with params_snapshot(root) as copy:
        assert not (copy.parent / "outside.md").exists()
        assert sorted(p.name for p in copy.rglob("*.md")) == []
