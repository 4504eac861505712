"""The built wheel works on its own: installed into a fresh venv outside the checkout, it
starts a params root for a force other than Dorset, copies the worked example, and
produces briefings from both (slow: builds the wheel and installs its dependencies)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "data" / "sample"

pytestmark = pytest.mark.slow


def _run(args: list[str | Path], cwd: Path, timeout: float = 900) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the fresh venv's bin folder), built and installed once for the module."""
    base = tmp_path_factory.mktemp("wheel")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "dist", PROJECT],
        cwd=base,
    )
    (wheel,) = (base / "dist").glob("opcc_toolkit-*.whl")
    _run([sys.executable, "-m", "venv", base / "venv"], cwd=base)
    bin_dir = base / "venv" / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], cwd=base)
    return wheel, bin_dir


def test_the_wheel_carries_what_toolkit_run_needs(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "toolkit/_shipped/notebooks/briefing.ipynb",
        "toolkit/_shipped/params/force.yaml",
        "toolkit/_shipped/params/reports/both-sides-of-the-coin.yaml",
        "toolkit/_shipped/data/sample/population.csv",
        "toolkit/_shipped/data/sample/rec-crime-pfa.csv",
        "toolkit/nbtemplate/briefing/index.html.j2",
        "toolkit/templates/letter/render.md.j2",
        "toolkit/forces.csv",
    ):
        assert needed in names
    # The example's street files go in as one compact zip, not the 63 MB of full files.
    assert [n for n in names if "police-uk" in n] == ["toolkit/_shipped/data/sample/police-uk.zip"]
    assert wheel.stat().st_size < 10 * 1024 * 1024, f"the wheel is {wheel.stat().st_size} bytes"


def test_the_wheels_street_files_hold_every_row_with_the_columns_read(installed):
    """Each full sample file has a member in the wheel's zip: same name, same rows in the same
    order, only ``Crime ID``, ``Month`` and ``Crime type``, read from the full file here."""
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as outer:
        inner = zipfile.ZipFile(
            io.BytesIO(outer.read("toolkit/_shipped/data/sample/police-uk.zip"))
        )
    full = sorted((SAMPLE / "police-uk").glob("*/*-street.csv"))
    assert len(full) == 30  # five months, Dorset and its five peers
    assert sorted(inner.namelist()) == [f"{p.parent.name}/{p.name}" for p in full]
    for path in full:
        with path.open(encoding="utf-8", newline="") as handle:
            expected = [
                [r["Crime ID"], r["Month"], r["Crime type"]] for r in csv.DictReader(handle)
            ]
        text = inner.read(f"{path.parent.name}/{path.name}").decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == ["Crime ID", "Month", "Crime type"], path.name
        assert rows[1:] == expected, path.name


def _street_files(dest: Path, slugs: list[str]) -> None:
    for month_dir in sorted((SAMPLE / "police-uk").iterdir()):
        for slug in slugs:
            source = month_dir / f"{month_dir.name}-{slug}-street.csv"
            (dest / month_dir.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest / month_dir.name / source.name)


def _drugs_in(slug: str, months: list[str]) -> int:
    """Distinct crime ids of type Drugs, counted straight from the sample files."""
    ids = set()
    for month in months:
        path = SAMPLE / "police-uk" / month / f"{month}-{slug}-street.csv"
        with path.open(encoding="utf-8") as handle:
            ids |= {r["Crime ID"] for r in csv.DictReader(handle) if r["Crime type"] == "Drugs"}
    return len(ids - {""})


def test_init_for_wiltshire_then_run_produces_its_briefing(installed, tmp_path):
    _, bin_dir = installed
    where = _run([bin_dir / "python", "-c", "import toolkit; print(toolkit.__file__)"], tmp_path)
    assert where.startswith(str(bin_dir.parent))
    _run([bin_dir / "toolkit", "init", "wilts", "--force", "wiltshire"], cwd=tmp_path)
    peers = ["avon-and-somerset", "devon-and-cornwall", "dorset", "gloucestershire"]
    _street_files(tmp_path / "wilts" / "data" / "police-uk", ["wiltshire", *peers])
    output = _run(
        [bin_dir / "toolkit", "run", "--all", "--quarter", "Q3 2018/19", "--params", "wilts"],
        cwd=tmp_path,
    )
    assert "still the placeholder toolkit init wrote" in output  # warned, not blocked
    assert "without encryption" not in output  # the kernels' own notices stay out
    folder = tmp_path / "outputs" / "2018-19-Q3" / "both-sides-of-the-coin"
    assert (folder / "briefing.html").is_file() and (folder / "response-draft.docx").is_file()
    figures = json.loads((folder / "figures.json").read_text())
    police_uk = figures["police_uk"]
    assert police_uk["force"] == "wiltshire"
    drugs = _drugs_in("wiltshire", ["2018-10", "2018-11", "2018-12"])
    assert police_uk["crime_types"]["Drugs"]["count"] == drugs
    assert sorted(police_uk["peers"]) == peers
    manifest = json.loads((tmp_path / "outputs" / "2018-19-Q3" / "manifest.json").read_text())
    assert manifest["code"]["commit"] is None  # an installed wheel has no checkout to ask


def test_the_example_copied_from_the_wheel_runs_from_its_folder(installed, tmp_path):
    _, bin_dir = installed
    _street_files(
        tmp_path / "pu",
        [
            "dorset",
            "wiltshire",
            "devon-and-cornwall",
            "hampshire",
            "avon-and-somerset",
            "gloucestershire",
        ],
    )
    _run([bin_dir / "toolkit", "example", "ex", "--police-uk", "pu"], cwd=tmp_path)
    quarter = sorted(p.stem for p in (PROJECT / "params" / "updates").glob("*.csv"))[-1]
    _run([bin_dir / "toolkit", "run", "--all", "--quarter", quarter], cwd=tmp_path / "ex")
    folder = tmp_path / "ex" / "outputs" / quarter
    assert (folder / "index.html").is_file()
    assert (folder / "both-sides-of-the-coin" / "briefing.html").is_file()


def _toolkit_here() -> list[str]:
    """The checkout's own ``toolkit`` (the venv running the tests)."""
    venv = Path(sys.executable).with_name("toolkit")
    return [str(venv)] if venv.is_file() else [sys.executable, "-m", "toolkit.cli"]


def test_the_example_from_the_wheel_alone_gives_the_full_samples_figures(installed, tmp_path):
    """``toolkit example`` with no ``--police-uk``, then ``toolkit run``: no other file. Its
    figures are those of the checkout's full street files, byte for byte, and its Dorset
    drugs count is the one counted here straight from the full Q3 2018/19 files."""
    _, bin_dir = installed
    quarter = "2019-20-Q4"
    said = _run([bin_dir / "toolkit", "example", "ex"], cwd=tmp_path)
    assert "missing from this installation" not in said
    assert sorted(
        p.name for p in (tmp_path / "ex" / "data" / "sample" / "police-uk").iterdir()
    ) == [
        "2018-10",
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
    ]
    _run(
        [bin_dir / "toolkit", "run", "--all", "--quarter", quarter, "--params", "ex/params"],
        cwd=tmp_path,
    )
    _run(
        [*_toolkit_here(), "run", "--all", "--quarter", quarter, "--out", tmp_path / "full"],
        cwd=PROJECT,
    )
    name = Path(quarter) / "both-sides-of-the-coin" / "figures.json"
    from_wheel = (tmp_path / "outputs" / name).read_bytes()
    from_full = (tmp_path / "full" / name).read_bytes()
    figures = json.loads(from_wheel)
    drugs = _drugs_in("dorset", ["2018-10", "2018-11", "2018-12"])
    assert drugs == 380
    assert figures["police_uk"]["quarter"] == "2018-19-Q3"
    assert figures["police_uk"]["crime_types"]["Drugs"]["count"] == drugs
    assert sorted(figures["police_uk"]["peers"]) == sorted(
        ["wiltshire", "devon-and-cornwall", "hampshire", "avon-and-somerset", "gloucestershire"]
    )
    assert json.loads(from_wheel) == json.loads(from_full)
    assert from_wheel == from_full


def test_the_lab_extra_runs_the_notebook_in_its_own_kernel(installed, tmp_path):
    """JupyterLab from the lab extra; the notebook executed by a kernel of that environment,
    from the folder JupyterLab opens it in, with its defaults and with a changed parameter."""
    wheel, bin_dir = installed
    _run([bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[lab]"], cwd=tmp_path)
    assert _run([bin_dir / "jupyter", "lab", "--version"], cwd=tmp_path).strip().startswith("4.")
    _street_files(
        tmp_path / "pu",
        [
            "dorset",
            "wiltshire",
            "devon-and-cornwall",
            "hampshire",
            "avon-and-somerset",
            "gloucestershire",
        ],
    )
    _run([bin_dir / "toolkit", "example", "ex", "--police-uk", "pu"], cwd=tmp_path)
    notebooks = tmp_path / "ex" / "notebooks"
    _run(
        [
            bin_dir / "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "briefing.ipynb",
            "--output",
            "default.ipynb",
        ],
        cwd=notebooks,
    )
    _run(
        [
            bin_dir / "papermill",
            "briefing.ipynb",
            "changed.ipynb",
            "-p",
            "quarter",
            "2018-19-Q3",
            "--cwd",
            ".",
        ],
        cwd=notebooks,
    )
    for name in ("default.ipynb", "changed.ipynb"):
        executed = json.loads((notebooks / name).read_text())
        html = "".join(
            "".join(output.get("data", {}).get("text/html", ""))
            for cell in executed["cells"]
            for output in cell.get("outputs", [])
        )
        assert "Recommendation status" in html and "Force performance" in html, name
    changed = json.loads((notebooks / "changed.ipynb").read_text())
    assert "Q3 2018/19" in json.dumps(changed)
