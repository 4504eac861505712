"""Shipped files are found in the checkout or the installed package, or reported in one line."""

from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import ToolkitError
from toolkit.files import resources

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def test_the_checkout_is_found_and_its_notebook_used():
    assert resources.checkout() == PROJECT
    assert resources.notebook() == PROJECT / "notebooks" / "briefing.ipynb"


def test_the_package_copy_is_used_without_a_checkout(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "briefing.ipynb").write_text("{}")
    monkeypatch.setattr(resources, "checkout", lambda: None)
    monkeypatch.setattr(resources, "PACKAGED", tmp_path)
    assert resources.notebook() == tmp_path / "notebooks" / "briefing.ipynb"


def _without_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "checkout", lambda: None)
    monkeypatch.setattr(resources, "PACKAGED", tmp_path / "_shipped")


def test_a_missing_notebook_is_one_line(tmp_path, monkeypatch):
    _without_notebook(tmp_path, monkeypatch)
    try:
        resources.notebook()
    except ToolkitError as err:
        message = str(err)
    assert message == (
        f"notebooks/briefing.ipynb: the toolkit's own copy is missing (looked in "
        f"{tmp_path / '_shipped' / 'notebooks' / 'briefing.ipynb'}); reinstall the toolkit "
        "(pip install --force-reinstall opcc-toolkit), or give a notebook with --notebook PATH"
    )


def test_run_without_its_notebook_exits_2_with_that_line_and_no_traceback(tmp_path, monkeypatch):
    import shutil

    _without_notebook(tmp_path, monkeypatch)
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    result = CliRunner().invoke(
        app,
        ["run", "alpha", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[-1].startswith("notebooks/briefing.ipynb: the toolkit's own copy is missing")
    assert "Traceback" not in result.output
