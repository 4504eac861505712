"""The runner's own rules, with a fake engine (no kernel, no subprocess): the fast loop.

Staging and swap-in, failure isolation and exit status, the time limit, re-running a
briefing whose kernel died with the zygote, and Ctrl-C, through
:func:`toolkit.run_quarter` and ``toolkit run`` with :class:`tests.fake_engine.FakeEngine`
in place of the kernel pool. The real engine's side is in ``test_kernels.py`` and
``test_batch.py`` (slow).
"""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import toolkit
from fake_engine import FakeEngine, briefing_notebook
from toolkit.cli import app
from toolkit.runner import batch

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
QUARTER = "2018-19-Q3"
REPORTS = ["due-report", "failing-report", "overdue-report", "sent-report"]


@pytest.fixture
def root(tmp_path, monkeypatch):
    """The batch fixture's params and data; kernels never started (no zygote either)."""
    shutil.copytree(FIXTURES / "params", tmp_path / "params")
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    monkeypatch.setenv("TOOLKIT_KERNEL_FORK", "0")
    return tmp_path


@pytest.fixture
def engine(monkeypatch):
    """The fake engine every run of the test uses (one per run, all kept)."""
    made: list[FakeEngine] = []
    lose: list[str] = []

    def factory(*args, **kwargs):
        made.append(FakeEngine(lose=tuple(lose)))
        return made[-1]

    monkeypatch.setattr(batch, "KernelEngine", factory)
    return {"made": made, "lose": lose}


def _run(root: Path, tag: str, actions: dict[str, str] | None = None, **options):
    return toolkit.run_quarter(
        QUARTER,
        params=root / "params",
        out=root / "outputs",
        jobs=2,
        notebook=briefing_notebook(root, tag, actions),
        **options,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_failed_briefing_keeps_its_earlier_outputs_and_the_others_are_produced(root, engine):
    quarter_dir = root / "outputs" / QUARTER
    first = _run(root, "one")
    assert first.ok and first.exit_code == 0
    assert [r.report_id for r in first.reports] == REPORTS
    for report in first.reports:
        assert (report.folder / "marker.txt").read_text() == f"{report.report_id} one"
        assert report.briefing == report.folder / "briefing.html" and report.briefing.is_file()
    before = _files(quarter_dir / "overdue-report")

    second = _run(root, "two", {"overdue-report": "fail"})
    assert second.exit_code == 1 and not second.ok
    assert [r.report_id for r in second.failed] == ["overdue-report"]
    failed = second.failed[0]
    assert failed.error == "ValueError: overdue-report went wrong"
    assert failed.briefing is None
    # Not swapped in: the earlier briefing is exactly as it was.
    assert _files(quarter_dir / "overdue-report") == before
    for report_id in ("due-report", "failing-report", "sent-report"):
        assert (quarter_dir / report_id / "marker.txt").read_text() == f"{report_id} two"
    assert failed.failed_notebook == quarter_dir / "failed" / "overdue-report.ipynb"
    kept = json.loads(failed.failed_notebook.read_text())
    errors = [o["evalue"] for c in kept["cells"] for o in c.get("outputs", [])]
    assert errors == ["overdue-report went wrong"]
    assert not list(quarter_dir.glob(".staging-*")) and not list(quarter_dir.glob(".old-*"))
    assert second.manifest is not None and second.manifest.is_file()
    rows = {r["id"]: r for r in json.loads((quarter_dir / "index.json").read_text())["reports"]}
    assert rows["overdue-report"]["ok"] is False and rows["due-report"]["ok"] is True

    third = _run(root, "three")
    assert third.ok
    assert not (quarter_dir / "failed" / "overdue-report.ipynb").exists()
    # Every slot handed out was given back; each run closed its engine.
    for made in engine["made"]:
        assert len(made.released) >= len(made.acquired) and made.closed == [False]


def test_the_command_exits_1_when_a_briefing_fails_and_prints_each_outcome(root, engine):
    notebook = briefing_notebook(root, "cli", {"failing-report": "fail"})
    result = CliRunner().invoke(
        app,
        ["run", "--all", "--quarter", QUARTER, "--params", str(root / "params"),
         "--out", str(root / "outputs"), "--notebook", str(notebook)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("failing-report  failed  ValueError:") for line in lines)
    assert sum(line.startswith(f"{r}  ok  ") for r in REPORTS for line in lines) == 3
    assert "3 of 4 briefings produced, 1 failed" in result.output


def test_a_briefing_past_its_time_limit_fails_alone_and_keeps_the_earlier_one(root, engine):
    quarter_dir = root / "outputs" / QUARTER
    assert _run(root, "one").ok
    before = _files(quarter_dir / "due-report")
    late = _run(root, "two", {"due-report": "sleep:0.6"}, timeout=0.3)
    assert [r.report_id for r in late.failed] == ["due-report"]
    assert late.failed[0].error.startswith("TimeoutError: the briefing ran for more than 0.3 s")
    assert _files(quarter_dir / "due-report") == before
    assert (quarter_dir / "sent-report" / "marker.txt").read_text() == "sent-report two"


def test_a_briefing_whose_kernel_died_with_the_zygote_is_run_again(root, engine):
    engine["lose"].append("sent-report")
    done = _run(root, "one", {"failing-report": "fail"})
    made = engine["made"][-1]
    assert made.executed.count("sent-report") == 2  # lost once, then run again
    assert made.executed.count("failing-report") == 1  # its own error: not run again
    assert {r.report_id for r in done.reports if r.ok} == {
        "due-report",
        "overdue-report",
        "sent-report",
    }


def test_ctrl_c_while_briefings_run_stops_with_no_manifest_of_its_own(root, engine):
    quarter_dir = root / "outputs" / QUARTER
    assert _run(root, "one").ok
    previous = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        _run(root, "two", {"due-report": "interrupt"})
    assert signal.getsignal(signal.SIGINT) is previous  # the library leaves it as it was
    assert engine["made"][-1].closed == [True]  # killed, not shut down politely
    assert not list(quarter_dir.glob(".staging-*"))
    marker = (quarter_dir / "due-report" / "marker.txt").read_text()
    assert marker == "due-report one"  # the interrupted briefing was not swapped in
    swapped = any((quarter_dir / r / "marker.txt").read_text().endswith("two") for r in REPORTS)
    # A manifest is there only if it still describes every briefing in place.
    assert (quarter_dir / "manifest.json").exists() is not swapped
    from filelock import FileLock

    FileLock(quarter_dir / ".toolkit-run.lock", timeout=0).acquire()  # released


def test_ctrl_c_once_the_manifest_is_being_written_lets_the_run_finish(root, engine, monkeypatch):
    """The rule: exit 130 exactly when no manifest of this run was written."""
    import os

    write = batch.write_manifest

    def then_ctrl_c(*args, **kwargs):
        path = write(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return path

    monkeypatch.setattr(batch, "write_manifest", then_ctrl_c)
    notebook = briefing_notebook(root, "late")
    result = CliRunner().invoke(
        app,
        ["run", "--all", "--quarter", QUARTER, "--params", str(root / "params"),
         "--out", str(root / "outputs"), "--notebook", str(notebook)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 of 4 briefings produced" in result.output
    assert "the run finished" in result.output
    assert (root / "outputs" / QUARTER / "manifest.json").is_file()


def test_run_quarter_refuses_bad_input_with_the_toolkits_errors(root, engine):
    from toolkit.errors import InputError

    with pytest.raises(InputError, match="no such report"):
        toolkit.run_quarter(QUARTER, params=root / "params", out=root / "o", reports=["nope"])
    with pytest.raises(InputError, match="quarter"):
        toolkit.run_quarter("2018-Q9", params=root / "params", out=root / "o")
    assert not (root / "o" / QUARTER).exists()
    assert engine["made"] == []


def test_the_result_is_frozen(root, engine):
    import dataclasses

    done = _run(root, "one")
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.reports = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.reports[0].ok = False  # type: ignore[misc]


def test_an_interrupted_pool_stops_promptly_while_a_kernel_is_starting(monkeypatch, caplog):
    """Ctrl-C landing while a kernel starts: the pool's close cuts the start short
    (it waited 30 s for it before) and leaves no task pending to be destroyed."""
    import asyncio
    import logging
    import time

    from toolkit.kernels import pool as kernels

    started = asyncio.Event()

    async def never_answers(self):  # a kernel start that hangs (a stalled launch)
        started.set()
        await asyncio.sleep(3600)

    monkeypatch.setattr(kernels.KernelPool, "_launch", never_answers)
    caplog.set_level(logging.DEBUG)
    pool = kernels.KernelPool(1, 1, fork=False)
    deadline = time.monotonic() + 10
    while not started.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.is_set()
    began = time.monotonic()
    pool.close(now=True)
    assert time.monotonic() - began < 5  # 30 s (the close's own time limit) before
    with pytest.raises(kernels.KernelPoolClosed):
        pool.acquire(timeout=1)
    del pool
    import gc

    gc.collect()
    assert "Task was destroyed" not in caplog.text


def test_a_ready_kernel_that_died_is_never_handed_out(monkeypatch):
    """A kernel forked from a zygote that was killed dies with it while it waits in the
    pool: the next acquire gets a new kernel, not the dead one."""
    import asyncio

    from toolkit.kernels import pool as kernels

    class Process:
        def __init__(self):
            self.code = None

        def poll(self):
            return self.code

    class Manager:
        def __init__(self):
            self.provisioner = type("P", (), {})()
            self.provisioner.process = Process()
            self.has_kernel = True

        async def shutdown_kernel(self, now=False):
            self.provisioner.process.code = -9

    launched: list[Manager] = []

    async def launch(self):
        await asyncio.sleep(0)
        launched.append(Manager())
        return launched[-1]

    async def start_one(self):
        km = await launch(self)
        self._live.add(km)
        self._ready.put(kernels.PooledKernel(km))  # type: ignore[arg-type]

    monkeypatch.setattr(kernels.KernelPool, "_start_one", start_one)
    with kernels.KernelPool(2, 2, fork=False) as pool:
        first = pool.acquire(timeout=5)
        while len(launched) < 2:
            pass
        launched[1].provisioner.process.code = -9  # died waiting (its zygote was killed)
        second = pool.acquire(timeout=5)
        assert second.km is launched[2]  # a third kernel, started in the dead one's place
        assert first.km is launched[0]


READ_DATA = """
import hashlib, json
from toolkit.record.params import load_params
p = load_params(pathlib.Path(params_dir))
street = p.path(p.force.data.police_uk) / "2018-11" / "2018-11-testshire-street.csv"
population = p.path(p.force.data.population)
if action == "swap":  # the analyst saves new data files while the run goes on
    source = pathlib.Path(params_dir, ".toolkit-origin").read_text()
    data = pathlib.Path(source).parent / "data"
    new = data / "new.csv"
    new.write_text(street.read_text().replace("Drugs", "Burglary"))
    os.replace(new, data / "police-uk" / "2018-11" / "2018-11-testshire-street.csv")
    with open(data / "population.csv", "a") as handle:  # changed in place
        handle.write("nowhere,2018,123\\n")
read = {name: hashlib.sha256(path.read_bytes()).hexdigest()
        for name, path in (("street", street), ("population", population))}
pathlib.Path(output_dir, "read.json").write_text(json.dumps(read))
from toolkit.files import reads
reads.write_record(pathlib.Path(output_dir), [street, population])  # for the manifest
"""


def test_data_files_replaced_during_a_run_change_none_of_its_briefings(root, engine):
    """One run reads one copy of each data file, and the manifest hashes that copy."""
    import hashlib

    street = root / "data" / "police-uk" / "2018-11" / "2018-11-testshire-street.csv"
    population = root / "data" / "population.csv"
    before = {
        "street": hashlib.sha256(street.read_bytes()).hexdigest(),
        "population": hashlib.sha256(population.read_bytes()).hexdigest(),
    }
    notebook = briefing_notebook(root, "data", {"due-report": "swap"}, READ_DATA)
    done = toolkit.run_quarter(
        QUARTER, params=root / "params", out=root / "outputs", jobs=1, notebook=notebook
    )
    assert done.ok
    assert "Burglary" in street.read_text()  # the user's files are as the user saved them
    for report in done.reports:
        assert json.loads((report.folder / "read.json").read_text()) == before, report.report_id
    recorded = json.loads(done.manifest.read_text())["outputs"]["sent-report"]["data"]
    hashes = {entry["path"]: entry["sha256"] for entry in recorded}
    assert hashes["../data/police-uk/2018-11/2018-11-testshire-street.csv"] == before["street"]
    assert hashes["../data/population.csv"] == before["population"]
    # The mirror of the data folder keeps its path from run to run (the parsed-data
    # cache keys on it): the next run parses again only the one street file replaced.
    store = root / "outputs" / ".cache" / "data"
    trees = sorted(store.glob("tree-*"))
    entries = set((root / "outputs" / ".cache").glob("policeuk-*"))
    again = toolkit.run_quarter(
        QUARTER,
        params=root / "params",
        out=root / "outputs",
        notebook=briefing_notebook(root, "again", extra=READ_DATA),
    )
    assert again.ok and len(trees) == 1
    assert sorted(store.glob("tree-*")) == trees
    assert len(set((root / "outputs" / ".cache").glob("policeuk-*")) - entries) == 1
    now = json.loads((again.reports[0].folder / "read.json").read_text())
    assert now["street"] == hashlib.sha256(street.read_bytes()).hexdigest()
