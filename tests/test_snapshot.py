"""The run's copy of the params root holds every params file a briefing reads."""

from __future__ import annotations

from pathlib import Path

from toolkit.files.snapshot import ORIGIN_FILE, params_snapshot


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


# -- one containment rule at validate, in the snapshot and at run -------------------------

import shutil  # noqa: E402

import pytest  # noqa: E402

from toolkit.errors import InputError  # noqa: E402
from toolkit.record.params import load_params  # noqa: E402

RENDER = Path(__file__).parent / "fixtures" / "render"


def _render_root(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "params"
    shutil.copytree(RENDER, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    return root, outside


def _refusals(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_params(root)
    return [str(p) for p in caught.value.problems]


def _letter_through_linked_folder(root: Path, outside: Path) -> None:
    (outside / "letter.md").write_text("s3cret letter\n", encoding="utf-8")
    (root / "responses").symlink_to(outside, target_is_directory=True)
    report = root / "reports" / "hostile.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(
        text.replace("response:\n", "response:\n  sent: 2019-07-01\n  file: responses/letter.md\n"),
        encoding="utf-8",
    )


def _templates_through_linked_folder(root: Path, outside: Path) -> None:
    (outside / "sections").mkdir()
    (outside / "sections" / "header.html.j2").write_text("s3cret template\n", encoding="utf-8")
    (root / "my-templates").symlink_to(outside, target_is_directory=True)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")


def _template_subfolder_linked(root: Path, outside: Path) -> None:
    (outside / "header.html.j2").write_text("s3cret template\n", encoding="utf-8")
    (root / "my-templates").mkdir()
    (root / "my-templates" / "sections").symlink_to(outside, target_is_directory=True)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")


def _reports_folder_linked(root: Path, outside: Path) -> None:
    shutil.move(root / "reports", outside / "reports")
    (root / "reports").symlink_to(outside / "reports", target_is_directory=True)


@pytest.mark.parametrize(
    "setup",
    [
        _letter_through_linked_folder,
        _templates_through_linked_folder,
        _template_subfolder_linked,
        _reports_folder_linked,
    ],
)
def test_a_folder_linked_outside_is_refused_alike_at_validate_and_in_the_run(
    tmp_path: Path, setup
) -> None:
    """validate refused a folder symlink leading out; the run's copy of the params
    copied what was behind it and read it. Now the copy keeps a link where the root
    had one leading out, so validating the copy refuses it with the same lines."""
    root, outside = _render_root(tmp_path)
    setup(root, outside)
    expected = _refusals(root)
    assert expected
    with params_snapshot(root) as copy:
        assert _refusals(copy) == expected
        copied = [p for p in copy.rglob("*") if p.is_file() and not p.is_symlink()]
        assert all("s3cret" not in p.read_text(encoding="utf-8") for p in copied)


def test_the_run_refuses_a_letter_or_template_folder_linked_after_validation(
    tmp_path: Path,
) -> None:
    """Should a folder on the way become a link leading out once the params were
    validated, the briefing refuses to read through it (the same rule, at read time)."""
    from toolkit.publish import briefing, render

    root, outside = _render_root(tmp_path)
    (root / "responses").mkdir()
    (root / "responses" / "letter.md").write_text("Dear Home Secretary\n", encoding="utf-8")
    report = root / "reports" / "hostile.yaml"
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "response:\n", "response:\n  sent: 2019-07-01\n  file: responses/letter.md\n"
        ),
        encoding="utf-8",
    )
    (root / "my-templates" / "sections").mkdir(parents=True)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")
    built = briefing.build("hostile", "2019-20-Q2", root)
    (outside / "letter.md").write_text("s3cret letter\n", encoding="utf-8")
    shutil.rmtree(root / "responses")
    (root / "responses").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="responses/letter.md: a symlink leading outside"):
        _ = built.sent_letter
    shutil.rmtree(root / "my-templates")
    (root / "my-templates").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="templates: my-templates: a symlink leading outside"):
        render.section("header", built)
