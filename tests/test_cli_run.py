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
