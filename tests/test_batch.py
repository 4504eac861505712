"""The batch runner, end to end through ``toolkit run`` on a small hand-written params root.

``tests/fixtures/batch/params`` has four reports, briefed for 2018-19-Q3 (quarter end
31 December 2018); the s55 states, worked by hand (deadline = published + 55 days):

* ``sent-report``: published 1 Nov 2018, deadline 26 Dec 2018, sent 10 Dec 2018 = day 40
  (1 Nov is day 1; 30 days of November, then 10) → "response sent on 10 December 2018, day 40".
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

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from toolkit.quarters import Quarter

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
        "sent", "response sent on 10 December 2018, day 40")  # fmt: skip
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
    assert (
        '<strong class="tag tag--green">Response sent on 10 December 2018, day 40</strong>' in html
    )
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


def test_the_overview_and_tracker_come_from_the_register_even_for_a_failed_briefing(batch):
    # All four reports were published in 2018-19-Q3, so all are tracked and all their items
    # are new: sent-report R1 (complete: closed this quarter), A1; overdue-report R1 (due
    # 1 Dec 2018: overdue), R2. failing-report has no items; its deadline, 9 Dec 2018, has
    # passed unsent, like overdue-report's; due-report's has not; sent-report's was met.
    index = json.loads((batch["quarter_dir"] / "index.json").read_text())
    headline = index["overview"]["headline"]
    assert headline == {
        "reports": 4,
        "items": 4,
        "open": 3,
        "overdue": 1,
        "closed_this_quarter": 1,
        "new_this_quarter": 4,
        "changed": 3,
        "s55_due": 1,
        "s55_sent": 1,
        "s55_overdue": 2,
        "stale": 0,  # every item's report came out this quarter: none is two quarters old
    }
    assert [(o["report"], o["ref"], o["days_overdue"]) for o in index["overview"]["overdue"]] == [
        ("overdue-report", "R1", 30)
    ]
    assert index["tracker"] == {"csv": "tracker.csv", "xlsx": "tracker.xlsx", "rows": 4}
    assert (batch["quarter_dir"] / "tracker.xlsx").is_file()


def test_the_data_notice_says_when_figures_are_lagged_or_incomplete():
    from toolkit.runner.batch import data_notice

    lagged = {"quarter": "2019-20-Q4", "police_uk": {"quarter": "2018-19-Q3", "lag": 5}}
    assert data_notice(lagged) == (
        "figures for 2018-19-Q3, 5 quarters before 2019-20-Q4: the latest complete quarter in "
        "the data (toolkit fetch-data adds newer months)"
    )
    partial = {
        "quarter": "2018-19-Q3",
        "police_uk": {"quarter": "2018-19-Q3", "lag": 0, "complete": False,
                      "missing_months": ["2018-11", "2018-12"]},
    }  # fmt: skip
    assert data_notice(partial) == (
        "figures for 2018-19-Q3 are incomplete (no data for 2018-11, 2018-12)"
    )
    whole = {"quarter": "2018-19-Q3", "police_uk": {"quarter": "2018-19-Q3", "lag": 0,
                                                   "complete": True}}  # fmt: skip
    assert data_notice(whole) is None
    assert data_notice({"quarter": "2018-19-Q3", "police_uk": None}) is None


def _sleepy_for_all(folder: Path) -> Path:
    """sleepy.ipynb, sleeping 60 s for every report."""
    text = (FIXTURES / "sleepy.ipynb").read_text()
    assert 'time.sleep(60 if report_id == \\"overdue-report\\" else 0)' in text
    path = folder / "sleepy-all.ipynb"
    path.write_text(
        text.replace('time.sleep(60 if report_id == \\"overdue-report\\" else 0)', "time.sleep(60)")
    )
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    "when", ["kernels-starting", "kernels-starting-at-once", "briefings-running"]
)
def test_ctrl_c_stops_the_run_and_frees_the_quarter(tmp_path, when):
    """Ctrl-C (SIGINT to the whole process group, twice) while kernels start or run:
    stopped promptly, with one line and no asyncio noise, exit 130."""
    import signal
    import time

    from filelock import FileLock

    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    marker = uuid.uuid4().hex
    quarter_dir = tmp_path / "outputs" / QUARTER
    run = subprocess.Popen(
        [str(TOOLKIT), "run", "--all", "--quarter", QUARTER, "--params", "params",
         "--out", "outputs", "--jobs", "4", "--notebook", str(_sleepy_for_all(tmp_path))],
        cwd=tmp_path, env=dict(os.environ, TOOLKIT_TEST_MARKER=marker),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        ready = (
            (lambda: (quarter_dir / ".toolkit-run.lock").exists())
            if when.startswith("kernels-starting")
            else (lambda: any(quarter_dir.glob(".staging-*/")))
        )
        while not ready() and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.01)
        assert ready(), "the run never got that far"
        time.sleep(0.0 if when == "kernels-starting-at-once" else 0.5)
        os.killpg(run.pid, signal.SIGINT)
        sent = time.monotonic()
        time.sleep(0.3)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=60)  # a hang fails here
        stopped = time.monotonic() - sent
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr + stdout
    assert "Interrupted: kernels stopped" in stderr
    assert "Task was destroyed" not in stderr
    said = [line for line in stderr.splitlines() if not line.endswith(": running")]
    assert said == ["Interrupted: kernels stopped; no output was replaced by a partial one."]
    assert stopped < 10, stopped  # 31 s when it landed while a kernel started
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []
    FileLock(quarter_dir / ".toolkit-run.lock", timeout=0).acquire()  # released
    assert not list(quarter_dir.glob(".staging-*"))


@pytest.mark.slow
@pytest.mark.parametrize("killed_at", [1, 2])
def test_a_run_killed_during_the_swap_in_loses_no_briefing(tmp_path, killed_at):
    """kill -9 between the swap-in's two renames (1) or after both (2), then the next run."""
    import textwrap

    from toolkit.runner import batch as batch_module

    quarter_dir = tmp_path / QUARTER
    (quarter_dir / "sent-report").mkdir(parents=True)
    (quarter_dir / "sent-report" / "briefing.html").write_text("the previous good briefing")
    (quarter_dir / ".staging-sent-report-99999").mkdir()
    (quarter_dir / ".staging-sent-report-99999" / "briefing.html").write_text("the new one")
    (quarter_dir / ".staging-due-report-12345").mkdir()  # litter of an older killed run
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from toolkit.kernels import staging
        real, calls = os.replace, []
        def replace(src, dst):  # the second rename puts the staging folder in place
            calls.append(src)
            if len(calls) == 2:
                if {killed_at} == 2:
                    real(src, dst)
                os.kill(os.getpid(), signal.SIGKILL)
            real(src, dst)
        os.replace = replace
        q = Path(sys.argv[1])
        staging.swap_in(q / ".staging-sent-report-99999", q / "sent-report")
        """
    )
    killed = subprocess.run([sys.executable, "-c", script, str(quarter_dir)], timeout=60)
    assert killed.returncode == -9
    left = sorted(p.name for p in quarter_dir.iterdir())
    if killed_at == 1:
        assert "sent-report" not in left  # the fault: the good briefing is only in .old-
    batch_module.recover_interrupted(quarter_dir)
    assert sorted(p.name for p in quarter_dir.iterdir()) == ["sent-report"]
    expected = "the previous good briefing" if killed_at == 1 else "the new one"
    assert (quarter_dir / "sent-report" / "briefing.html").read_text() == expected


def test_run_reports_recovers_before_it_runs(tmp_path, monkeypatch):
    from toolkit.runner import batch as batch_module

    seen: list[Path] = []
    monkeypatch.setattr(batch_module, "recover_interrupted", seen.append)
    monkeypatch.setattr(
        batch_module, "load_notebook_node", lambda path: (_ for _ in ()).throw(RuntimeError("stop"))
    )
    with pytest.raises(RuntimeError, match="stop"):
        batch_module.run_reports(None, ["x"], Quarter.parse(QUARTER), tmp_path)  # type: ignore[arg-type]
    assert seen == [tmp_path / QUARTER]


@pytest.mark.slow
def test_params_saved_during_a_run_change_none_of_its_briefings(tmp_path):
    """The first briefing to run saves a new PCC's name into force.yaml (as an analyst
    might, mid-run); every briefing and the manifest describe the run's start. (The PCC
    signs every letter; the chief constable is named only in some.)"""
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    force_yaml = tmp_path / "params" / "force.yaml"
    original = hashlib.sha256(force_yaml.read_bytes()).hexdigest()
    nb = json.loads((FIXTURES / "failing.ipynb").read_text())
    edit = (
        "from pathlib import Path\n"
        f"force_yaml = Path({str(force_yaml)!r})\n"
        "text = force_yaml.read_text()\n"
        "if 'Alex Example' in text:\n"
        "    force_yaml.write_text(text.replace('Alex Example', 'Pat Newcomer'))\n"
    )
    nb["cells"][2]["source"] = edit  # in place of failing.ipynb's deliberate failure
    notebook = tmp_path / "editing.ipynb"
    notebook.write_text(json.dumps(nb))
    run = _toolkit("run", "--all", "--quarter", QUARTER, "--params", "params",
                   "--out", "outputs", "--jobs", "1", "--notebook", str(notebook),
                   marker=uuid.uuid4().hex, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Pat Newcomer" in force_yaml.read_text()  # the edit happened, during the run
    quarter_dir = tmp_path / "outputs" / QUARTER
    for report_id in REPORTS:
        letter = (quarter_dir / report_id / "response-draft.md").read_text()
        assert "Pat Newcomer" not in letter, report_id
        assert "Alex Example" in letter, report_id
    manifest = json.loads((quarter_dir / "manifest.json").read_text())
    assert manifest["params_root"] == str((tmp_path / "params").resolve())
    for entry in manifest["outputs"].values():
        hashes = {e["path"]: e["sha256"] for e in entry["params"]}
        assert hashes["force.yaml"] == original


def test_a_notebook_cut_short_by_a_full_disk_is_not_kept(tmp_path, monkeypatch):
    import errno

    import nbformat

    from toolkit.kernels import execute

    def half_then_full(nb, path):
        Path(path).write_text('{"cells": [')
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(execute, "write_ipynb", half_then_full)
    target = tmp_path / "briefing.ipynb"
    execute.write_notebook(nbformat.v4.new_notebook(), target)
    assert list(tmp_path.iterdir()) == []  # neither a truncated notebook nor its part


def test_the_manifest_drops_an_earlier_entry_whose_files_changed(tmp_path):
    from toolkit.files import atomic
    from toolkit.record.params import load_params
    from toolkit.runner import manifest as run_manifest
    from toolkit.runner import provenance as manifest

    params = load_params(FIXTURES / "params")
    quarter_dir = tmp_path / QUARTER
    for report_id, text in (("due-report", "kept"), ("sent-report", "changed since")):
        (quarter_dir / report_id).mkdir(parents=True)
        (quarter_dir / report_id / "briefing.html").write_text(text)
    digest = hashlib.sha256(b"kept").hexdigest()
    earlier = {
        report_id: {
            "status": "ok",
            "folder": report_id,
            "files": [{"path": f"{report_id}/briefing.html", "sha256": digest}],
        }
        for report_id in ("due-report", "sent-report", "overdue-report")  # overdue: no folder
    }
    atomic.write_json(quarter_dir / "manifest.json", {"outputs": earlier})
    path = run_manifest.write_manifest(
        params, Quarter.parse(QUARTER), tmp_path, [], hasher=manifest.Hasher(), commit=None,
        versions={}, started=manifest.utc_now(), ended=manifest.utc_now(),
    )  # fmt: skip
    assert sorted(json.loads(path.read_text())["outputs"]) == ["due-report"]


@pytest.mark.slow
def test_a_run_whose_kernel_zygote_is_killed_still_produces_every_briefing(tmp_path):
    """kill -9 of the zygote while the first briefings run: their kernels die with it;
    they run again on kernels from a new zygote, and every briefing is produced."""
    import signal
    import time

    psutil = pytest.importorskip("psutil")
    from toolkit.kernels.pool import fork_available

    if not fork_available():
        pytest.skip("kernels are forked on Linux only")
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    text = (FIXTURES / "sleepy.ipynb").read_text()
    old = 'time.sleep(60 if report_id == \\"overdue-report\\" else 0)'
    assert old in text
    (tmp_path / "slow.ipynb").write_text(text.replace(old, "time.sleep(1.5)"))
    marker = uuid.uuid4().hex
    quarter_dir = tmp_path / "outputs" / QUARTER
    run = subprocess.Popen(
        [str(TOOLKIT), "run", "--all", "--quarter", QUARTER, "--params", "params",
         "--out", "outputs", "--jobs", "2", "--notebook", "slow.ipynb"],
        cwd=tmp_path, env=dict(os.environ, TOOLKIT_TEST_MARKER=marker),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and run.poll() is None:
            if any(quarter_dir.glob(".staging-*/")):
                for child in psutil.Process(run.pid).children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        if "_zygote_main" in " ".join(child.cmdline()):
                            os.kill(child.pid, signal.SIGKILL)
                            killed = child.pid
                            break
            time.sleep(0.02)
        assert killed is not None, "the run never got that far"
        stdout, stderr = run.communicate(timeout=300)  # a hang fails here
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, stdout + stderr
    assert "4 of 4 briefings produced" in stdout
    assert "died with the kernel zygote; run again" in stderr
    for report_id in REPORTS:
        assert (quarter_dir / report_id / "briefing.html").is_file()
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []
