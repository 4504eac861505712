"""notebooks/briefing.ipynb run interactively, as JupyterLab runs it: from notebooks/,
with its default parameters and with one changed, and the analysts' DataFrames underneath."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from toolkit.publish.export import notebook_html

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT / "notebooks" / "briefing.ipynb"
SAMPLE = PROJECT / "data" / "sample"


def _run(changes: dict[str, str] | None = None) -> tuple[nbformat.NotebookNode, dict]:
    """Execute the notebook from notebooks/ (Jupyter's working folder), then read the
    analysts' DataFrames back out of the same kernel."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if changes:
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        for name, value in changes.items():
            cell.source = re.sub(
                rf'^{name} = ".*"$', f"{name} = {value!r}", cell.source, flags=re.M
            )
    probe = nbformat.v4.new_code_cell(
        "import json\n"
        "print(json.dumps({'register': register.to_dict('records'),"
        " 'figures': figures.to_dict('records'), 'quarter': quarter}, default=str))"
    )
    nb.cells.append(probe)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    found = json.loads(probe.outputs[0]["text"])
    nb.cells.pop()
    return nb, found


def _drugs(slug: str, months: list[str]) -> int:
    ids = set()
    for month in months:
        path = SAMPLE / "police-uk" / month / f"{month}-{slug}-street.csv"
        with path.open(encoding="utf-8") as handle:
            ids |= {r["Crime ID"] for r in csv.DictReader(handle) if r["Crime type"] == "Drugs"}
    return len(ids - {""})


@pytest.fixture(scope="module")
def default_run():
    return _run()


@pytest.mark.slow  # runs the notebook on a kernel
def test_default_parameters_run_and_leave_dataframes_for_analysts(default_run):
    nb, found = default_run
    refs = {row["ref"] for row in found["register"]}
    with (PROJECT / "params" / "reports" / "both-sides-of-the-coin.yaml").open() as handle:
        written = set(re.findall(r"^\s+- ref: (\S+)$", handle.read(), flags=re.M))
    assert refs == written
    dorset = [r for r in found["figures"] if r["force"] == "dorset" and r["crime_type"] == "Drugs"]
    assert len(dorset) == 1 and isinstance(dorset[0]["count"], int)
    peers = {r["force"] for r in found["figures"]} - {"dorset"}
    assert "wiltshire" in peers


@pytest.mark.slow  # runs the notebook on a kernel
def test_the_analysts_section_adds_nothing_to_the_pccs_html(default_run):
    nb, _ = default_run
    analysts = [c for c in nb.cells if "analysts" in c.metadata.get("tags", [])]
    assert [c.cell_type for c in analysts] == ["markdown", "code"]
    assert "pandas DataFrames" in analysts[0].source
    assert analysts[1].outputs == []
    html = notebook_html(nb, title="t")
    assert "For analysts" not in html and "register_frame" not in html
    assert "dataframe" not in html.lower()


@pytest.mark.slow  # runs the notebook on a kernel
def test_a_changed_parameter_is_used():
    _, found = _run({"quarter": "2018-19-Q3"})
    assert found["quarter"] == "2018-19-Q3"
    dorset = next(
        r for r in found["figures"] if r["force"] == "dorset" and r["crime_type"] == "Drugs"
    )
    assert dorset["count"] == _drugs("dorset", ["2018-10", "2018-11", "2018-12"])
    wiltshire = next(
        r for r in found["figures"] if r["force"] == "wiltshire" and r["crime_type"] == "Drugs"
    )
    assert wiltshire["count"] == _drugs("wiltshire", ["2018-10", "2018-11", "2018-12"])


def test_make_lab_installs_jupyterlab_and_opens_the_notebooks():
    done = subprocess.run(
        ["make", "-n", "-B", "lab"], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert '-m pip install --quiet -e ".[lab]"' in done.stdout
    # JupyterLab refuses to run as root without --allow-root: given for root, and only then.
    allow = "--allow-root " if os.geteuid() == 0 else ""
    assert f".venv/bin/jupyter lab {allow}notebooks/" in done.stdout
    pyproject = (PROJECT / "pyproject.toml").read_text()
    assert re.search(r'^lab = \["jupyterlab>=4', pyproject, flags=re.M)
