"""The batch runner, end to end through ``toolkit run`` on a small hand-written params root.

``tests/fixtures/batch/params`` has four reports, briefed for 2018-19-Q3 (quarter end
31 December 2018); the s55 states, worked by hand (deadline = published + 55 days):

* ``sent-report``: published 1 Nov 2018, deadline 26 Dec 2018, sent 10 Dec 2018 = day 40
  (1 Nov is day 1; 30 days of November, then 10) → "sent on day 40".
* ``due-report``: published 1 Dec 2018, deadline 25 Jan 2019; 31 Dec → 25 Jan is 25 days
  → "due in 25 days".
* ``overdue-report``: published 1 Oct 2018, deadline 25 Nov 2018; 25 Nov → 31 Dec is
  5 + 31 = 36 days → "overdue by 36 days".
* ``failing-report``: run with ``failing.ipynb``, whose first cell raises for it.

Items (``updates/2018-19-Q3.csv``): sent-report R1 complete, A1 in progress, nothing
overdue (R1 is complete; A1's target date is 31 Mar 2019). overdue-report R1 in progress
and due 1 Dec 2018 (overdue), R2 not started and due within 12 months (1 Oct 2019).

Every run starts kernels, so one module-scoped run (then a rerun into the same folder)
serves most assertions.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test here starts kernels or subprocesses

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
TOOLKIT = Path(sys.executable).with_name("toolkit")
QUARTER = "2018-19-Q3"
REPORTS = ["due-report", "failing-report", "overdue-report", "sent-report"]


def _toolkit(*args: str, marker: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TOOLKIT_TEST_MARKER=marker)
    return subprocess.run(
        [str(TOOLKIT), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


def _processes_with(marker: str) -> list[int]:
    """Processes (kernels among them) that inherited the run's marker."""
    psutil = pytest.importorskip("psutil")
    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if process.environ().get("TOOLKIT_TEST_MARKER") == marker:
                found.append(process.pid)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Run every fixture report twice into one output folder; keep both runs' evidence."""
    base = tmp_path_factory.mktemp("batch")
    shutil.copytree(FIXTURES / "params", base / "params")
    shutil.copytree(FIXTURES / "data", base / "data")
    out = base / "outputs"
    marker = uuid.uuid4().hex
    args = ("run", "--all", "--quarter", QUARTER, "--params", "params", "--out", "outputs",
            "--jobs", "2", "--notebook", str(FIXTURES / "failing.ipynb"))  # fmt: skip
    first = _toolkit(*args, marker=marker, cwd=base)
    quarter_dir = out / QUARTER
    figures = {r: (quarter_dir / r / "figures.json").read_bytes()
               for r in REPORTS if (quarter_dir / r / "figures.json").exists()}  # fmt: skip
    second = _toolkit(*args, marker=marker, cwd=base)
    return {
        "root": base,
        "quarter_dir": quarter_dir,
        "first": first,
        "second": second,
        "figures": figures,
        "marker": marker,
    }


def test_a_failed_briefing_exits_1_and_the_others_are_produced(batch):
    run = batch["first"]
    assert run.returncode == 1, run.stdout + run.stderr
    for report_id in ("due-report", "overdue-report", "sent-report"):
        folder = batch["quarter_dir"] / report_id
        for name in ("briefing.html", "briefing.ipynb", "figures.json", "response-draft.md"):
            assert (folder / name).is_file(), f"{report_id}/{name}"
    assert not (batch["quarter_dir"] / "failing-report").exists()
    assert not list(batch["quarter_dir"].glob(".staging-*"))


def test_the_summary_names_the_failure(batch):
    out = batch["first"].stdout
    failed = Path("outputs") / QUARTER / "failed" / "failing-report.ipynb"
    assert (
        f"failing-report  failed  RuntimeError: deliberate failure for the test  "
        f"(failed notebook: {failed})"
    ) in out
    assert f"due-report  ok  {Path('outputs') / QUARTER / 'due-report' / 'briefing.html'}" in out
    assert "3 of 4 briefings produced, 1 failed" in out
    # How to see what the kernel printed besides the error in the notebook.
    assert "run again with --debug: toolkit --debug run …" in out
    assert "second line of the message" not in out


def test_the_failed_notebook_is_kept_with_its_error(batch):
    nb = json.loads((batch["quarter_dir"] / "failed" / "failing-report.ipynb").read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert [(e["ename"], e["evalue"].splitlines()[0]) for e in errors] == [
        ("RuntimeError", "deliberate failure for the test")
    ]
    tags = [c["metadata"].get("tags", []) for c in nb["cells"]]
    assert ["injected-parameters"] in tags
    assert nb["metadata"]["papermill"]["parameters"]["report_id"] == "failing-report"


def test_kernel_noise_stays_out_of_the_output(batch):
    run = batch["first"]
    assert "without encryption" not in run.stderr + run.stdout
    assert "Traceback" not in run.stderr + run.stdout


def test_no_kernel_is_left_running(batch):
    assert _processes_with(batch["marker"]) == []


def test_the_index_lists_every_report_with_its_deadline_state(batch):
    index = json.loads((batch["quarter_dir"] / "index.json").read_text())
    rows = {row["id"]: row for row in index["reports"]}
    assert sorted(rows) == REPORTS
    assert (rows["sent-report"]["s55_state"], rows["sent-report"]["s55_text"]) == (
        "sent", "sent on day 40")  # fmt: skip
    assert (rows["due-report"]["s55_state"], rows["due-report"]["s55_text"]) == (
        "due", "due in 25 days")  # fmt: skip
    assert (rows["overdue-report"]["s55_state"], rows["overdue-report"]["s55_text"]) == (
        "overdue", "overdue by 36 days")  # fmt: skip
    assert rows["sent-report"]["by_status"] == {"in-progress": 1, "complete": 1}
    assert rows["sent-report"]["overdue"] == 0
    assert rows["overdue-report"]["by_status"] == {"not-started": 1, "in-progress": 1}
    assert rows["overdue-report"]["overdue"] == 1
    assert rows["due-report"]["by_status"] == {}
    failing = rows["failing-report"]
    assert (failing["status"], failing["briefing"]) == ("failed", None)
    assert failing["failed_notebook"] == "failed/failing-report.ipynb"
    # Published 15 Oct 2018: deadline 9 Dec 2018; 9 Dec -> 31 Dec is 22 days.
    assert failing["s55_text"] == "overdue by 22 days"


def test_the_index_page_is_self_contained_and_accessible(batch):
    html = (batch["quarter_dir"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "<title>Testshire Police: HMICFRS report briefings, " in html
    assert html.count("<h1>") == 1
    assert 'href="#main"' in html and 'id="main"' in html
    assert "Content-Security-Policy" in html and "<script" not in html.lower()
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert '<a href="sent-report/briefing.html">' in html
    assert 'href="failing-report/briefing.html"' not in html
    assert '<strong class="tag tag--red">Overdue by 36 days</strong>' in html
    assert '<strong class="tag tag--green">Sent on day 40</strong>' in html
    assert '<strong class="tag tag--blue">Due in 25 days</strong>' in html
    assert "Overdue report: &lt;no response&gt; &amp; late" in html
    assert ".tag--red" in html  # the briefing stylesheet, inline


def test_manifest_hashes_match_the_files(batch):
    manifest = json.loads((batch["quarter_dir"] / "manifest.json").read_text())
    root = batch["root"] / "params"
    entry = manifest["outputs"]["sent-report"]
    assert entry["status"] == "ok"
    params = {p["path"]: p["sha256"] for p in entry["params"]}
    assert sorted(params) == [
        "force.yaml",
        "reports/due-report.yaml",
        "reports/failing-report.yaml",
        "reports/overdue-report.yaml",
        "reports/sent-report.yaml",
        "updates/2018-19-Q3.csv",
    ]
    data = {p["path"]: p["sha256"] for p in entry["data"]}
    # The force's files for the trend months and the peer's for the quarter: all of them
    # in this fixture, plus the population file.
    assert sorted(data) == sorted(
        [f"../data/police-uk/{m}/{m}-{force}-street.csv"
         for m in ("2018-10", "2018-11", "2018-12") for force in ("otherham", "testshire")]
        + ["../data/population.csv"]
    )  # fmt: skip
    for relative, digest in {**params, **data}.items():
        assert hashlib.sha256((root / relative).read_bytes()).hexdigest() == digest, relative
    quarter_dir = batch["quarter_dir"]
    for output in entry["files"]:
        assert (
            hashlib.sha256((quarter_dir / output["path"]).read_bytes()).hexdigest()
            == (output["sha256"])
        )
    assert manifest["outputs"]["failing-report"]["status"] == "failed"
    versions = manifest["code"]["versions"]
    assert set(versions) >= {"toolkit", "papermill", "nbconvert", "pandas", "matplotlib", "python"}
    assert manifest["started"] <= manifest["ended"]


def test_the_footer_shows_provenance(batch):
    html = (batch["quarter_dir"] / "sent-report" / "briefing.html").read_text(encoding="utf-8")
    digest = hashlib.sha256((batch["root"] / "params" / "force.yaml").read_bytes()).hexdigest()
    assert "by opcc-toolkit 0.1.0" in html
    assert f"from params/ (force.yaml sha256 {digest[:8]}…)" in html


def test_figures_are_byte_identical_across_runs(batch):
    assert batch["second"].returncode == 1
    assert sorted(batch["figures"]) == ["due-report", "overdue-report", "sent-report"]
    for report_id, first in batch["figures"].items():
        second = (batch["quarter_dir"] / report_id / "figures.json").read_bytes()
        assert second == first, report_id


def test_a_briefing_over_its_time_limit_fails_alone(tmp_path):
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    marker = uuid.uuid4().hex
    # sleepy.ipynb sleeps 60 s for overdue-report and not at all for due-report.
    run = _toolkit("run", "due-report", "overdue-report", "--quarter", QUARTER,
                   "--params", "params", "--out", "outputs", "--timeout", "2",
                   "--notebook", str(FIXTURES / "sleepy.ipynb"),
                   marker=marker, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    failed = Path("outputs") / QUARTER / "failed" / "overdue-report.ipynb"
    assert (
        "overdue-report  failed  TimeoutError: the briefing ran for more than 2 s (--timeout)"
        f"  (failed notebook: {failed})"
    ) in run.stdout
    assert "due-report  ok" in run.stdout
    assert (tmp_path / "outputs" / QUARTER / "due-report" / "briefing.html").is_file()
    nb = json.loads((tmp_path / failed).read_text())
    errors = [o["ename"] for c in nb["cells"] for o in c.get("outputs", [])
              if o["output_type"] == "error"]  # fmt: skip
    assert errors == ["TimeoutError"]
    assert "Task was destroyed" not in run.stderr
    assert _processes_with(marker) == []


def test_pdf_without_chromium_stops_before_running(tmp_path):
    env = dict(os.environ, TOOLKIT_CHROMIUM="no-such-chromium-here", PATH="/nonexistent")
    run = subprocess.run(
        [str(TOOLKIT), "run", "--all", "--quarter", QUARTER, "--params",
         str(FIXTURES / "params"), "--out", str(tmp_path / "outputs"), "--pdf"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "--pdf: PDF export needs Chromium, which is not installed: install it with "
        "`apt-get install chromium` (Debian/Ubuntu) or set TOOLKIT_CHROMIUM to a "
        "Chrome/Chromium executable"
    ]
    assert not (tmp_path / "outputs").exists()


def test_invalid_params_run_nothing(tmp_path):
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    (tmp_path / "params" / "reports" / "due-report.yaml").write_text("title: x\n")
    run = _toolkit("run", "--all", "--quarter", QUARTER, "--params", "params", "--out",
                   "outputs", marker=uuid.uuid4().hex, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 2
    assert "reports/due-report.yaml" in run.stderr
    assert not (tmp_path / "outputs").exists()


def test_each_briefing_has_its_own_fresh_kernel(tmp_path):
    """One briefing's globals never reach the next, even with one job (kernels in turn)."""
    import nbformat

    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    source = (
        "import os, pathlib\n"
        "assert 'LEAK' not in globals(), f'state from {LEAK} leaked into {report_id}'\n"
        "LEAK = report_id\n"
        "pathlib.Path(output_dir, 'pid.txt').write_text(str(os.getpid()))"
    )
    parameters = nbformat.v4.new_code_cell(
        'report_id = ""\nquarter = ""\nparams_dir = ""\noutput_dir = ""\ncache_dir = ""',
        metadata={"tags": ["parameters"]},
    )
    notebook = nbformat.v4.new_notebook(
        cells=[parameters, nbformat.v4.new_code_cell(source)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, tmp_path / "leak.ipynb")
    marker = uuid.uuid4().hex
    reports = ["due-report", "overdue-report", "sent-report"]
    args = ["--quarter", QUARTER, "--params", "params", "--out", "outputs", "--jobs", "1"]
    leak = str(tmp_path / "leak.ipynb")
    run = _toolkit("run", *reports, *args, "--notebook", leak, marker=marker, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    quarter_dir = tmp_path / "outputs" / QUARTER
    pids = [(quarter_dir / r / "pid.txt").read_text() for r in reports]
    assert len(set(pids)) == 3
    assert _processes_with(marker) == []
