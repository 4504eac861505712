"""``toolkit run`` refuses before running anything: a held output folder, unusable data."""

import shutil
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from toolkit.cli import app

pytestmark = pytest.mark.slow  # every test here starts kernels or subprocesses

FIXTURES = Path(__file__).parent / "fixtures"


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    return root


def test_a_second_run_into_the_same_quarter_is_refused(tmp_path):
    root, out = _root(tmp_path), tmp_path / "out"
    (out / "2019-20-Q1").mkdir(parents=True)
    held = FileLock(out / "2019-20-Q1" / ".toolkit-run.lock", timeout=0)
    with held:
        result = CliRunner().invoke(
            app,
            ["run", "alpha", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(out)],
        )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{out / '2019-20-Q1'}: another toolkit run is writing this quarter's outputs; wait "
        "for it to finish, or give this run another --out folder"
    ]
    assert sorted(p.name for p in (out / "2019-20-Q1").iterdir()) == [".toolkit-run.lock"]


def test_data_without_the_force_stops_the_run_before_any_kernel(tmp_path):
    root, out = _root(tmp_path), tmp_path / "out"
    (root / "pu" / "2019-04").mkdir(parents=True)
    (root / "pu" / "2019-04" / "2019-04-elsewhere-street.csv").write_text(
        "Crime ID,Month,Crime type\n"
    )
    force = (
        (root / "force.yaml")
        .read_text()
        .replace("addressee:", "data:\n  police_uk: pu\naddressee:")
    )
    (root / "force.yaml").write_text(force)
    result = CliRunner().invoke(
        app, ["run", "--all", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "no data.police.uk street-level file for force 'testshire'" in result.output
    assert not out.exists()


def _run(root: Path, out: Path):
    return CliRunner().invoke(
        app, ["run", "alpha", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(out)]
    )


def test_an_output_folder_that_cannot_be_written_gets_one_line(tmp_path, monkeypatch):
    """Read-only --out (stubbed: the tests may run as root, who can write anywhere)."""
    import errno

    from filelock import FileLock

    root, out = _root(tmp_path), tmp_path / "out"
    lock_file = out / "2019-20-Q1" / ".toolkit-run.lock"

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(lock_file))

    monkeypatch.setattr(FileLock, "acquire", refuse)
    result = _run(root, out)
    assert result.output.splitlines() == [
        f"{lock_file}: cannot write the outputs here (EACCES: Permission denied)"
    ]
    assert result.exit_code == 1


def test_a_full_disk_while_writing_the_index_gets_one_line(tmp_path, monkeypatch):
    import errno

    from toolkit.runner import batch

    root, out = _root(tmp_path), tmp_path / "out"
    index = out / "2019-20-Q1" / "index.html"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(index))

    monkeypatch.setattr(batch, "run_reports", full)
    result = _run(root, out)
    assert result.output.splitlines()[-1] == (
        f"{index}: cannot write the outputs here (ENOSPC: No space left on device)"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 1
