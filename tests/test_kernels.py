"""The kernel pool: forked kernels (Linux) and spawned ones, isolation and clean-up.

Every test starts real kernels, so each pool is small and used for several checks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import nbformat
import psutil
import pytest
from jupyter_client.provisioning import LocalProvisioner
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from toolkit.kernels import pool as kernels
from toolkit.kernels import zygote
from toolkit.kernels.pool import ForkProvisioner, KernelPool, PooledKernel, fork_available, forkable

needs_fork = pytest.mark.skipif(not fork_available(), reason="kernels are forked on Linux only")


def _run(kernel: PooledKernel, *sources: str, timeout: float = 60) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    client = NotebookClient(nb, km=kernel.km, timeout=timeout, kernel_name="python3")
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    return nb


def _text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def _gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


REPORT = (
    "import os, sys, threading\n"
    "print(os.getpid(), os.getppid(), globals().get('LEAK'), 'matplotlib.pyplot' in sys.modules)\n"
    "LEAK = 'set by an earlier briefing'"
)


@pytest.mark.slow
@needs_fork
def test_forked_kernels_are_fresh_separate_processes(caplog):
    """What the caller asks the pool to preload, the zygote imports before forking."""
    caplog.set_level(logging.DEBUG, logger="toolkit")
    with KernelPool(2, 2, preload=(*zygote.KERNEL_MODULES, "matplotlib.pyplot")) as pool:
        assert pool.zygote is not None
        zygote_pid = pool.zygote.process.pid
        first, second = pool.acquire(timeout=120), pool.acquire(timeout=120)
        assert isinstance(first.km.provisioner, ForkProvisioner)
        assert first.warmup_error == "" and second.warmup_error == ""
        outputs = []
        for kernel in (first, second):
            nb = _run(kernel, REPORT, "import numpy; print(numpy.random.randint(1 << 30))")
            pid, ppid, leak, preloaded = _text(nb.cells[0]).split()
            # The warm-up ran silently: the notebook's cells are numbered from 1.
            assert [c.execution_count for c in nb.cells] == [1, 2]
            assert (int(pid), int(ppid)) == (kernel.km.provisioner.pid, zygote_pid)
            assert (leak, preloaded) == ("None", "True")  # imported by the zygote, not leaked
            outputs.append((int(pid), _text(nb.cells[1])))
        assert outputs[0][0] != outputs[1][0]
        assert outputs[0][1] != outputs[1][1]  # numpy's random state is each kernel's own
        for kernel in (first, second):
            assert pool.release(kernel).result(30) >= 0
            assert kernel.km.provisioner is None or not kernel.km.has_kernel
        pids = [pid for pid, _ in outputs]
    assert all(_gone(pid) for pid in [*pids, zygote_pid])
    assert not psutil.Process().children(recursive=True)
    # The kernels' own chatter went to the debug log, not to the terminal.
    assert "without encryption" in caplog.text
    assert "Ctrl-C will not work" not in caplog.text


@pytest.mark.slow
@needs_fork
def test_a_killed_or_timed_out_forked_kernel_is_cleaned_up():
    with KernelPool(1, 2) as pool:
        kernel = pool.acquire(timeout=120)
        pid = kernel.km.provisioner.pid
        with pytest.raises(CellTimeoutError):
            _run(kernel, "while True: pass", timeout=1)
        assert pool.release(kernel, now=True).result(30) >= 0
        assert _gone(pid)
        assert kernel.km.provisioner is None or not kernel.km.has_kernel

        # A kernel killed from outside: the pool notices it is dead and cleans up.
        kernel = pool.acquire(timeout=120)
        pid = kernel.km.provisioner.pid
        os.kill(pid, signal.SIGKILL)
        assert _gone(pid)
        process = kernel.km.provisioner.process
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() == -signal.SIGKILL
        pool.release(kernel, now=True).result(30)
    assert not psutil.Process().children(recursive=True)


@pytest.mark.slow
@needs_fork
def test_a_forked_kernel_can_be_interrupted():
    with KernelPool(1, 1) as pool:
        kernel = pool.acquire(timeout=120)
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
        )
        client = NotebookClient(nb, km=kernel.km, timeout=30, kernel_name="python3")

        def interrupt() -> None:
            time.sleep(2)
            asyncio.run(kernel.km.interrupt_kernel())  # SIGINT, through the zygote

        threading.Thread(target=interrupt, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(CellExecutionError, match="KeyboardInterrupt"):
            client.execute()
        client.kc.stop_channels()
        assert time.monotonic() - started < 20
        pool.release(kernel).result(30)


@pytest.mark.slow
@needs_fork
def test_kernels_die_with_the_runner(tmp_path):
    """However the runner dies (here SIGKILL), the zygote and its kernels follow it."""
    script = textwrap.dedent(
        """
        import sys, time
        from toolkit.kernels.pool import KernelPool
        pool = KernelPool(2, 2)
        kernels = [pool.acquire(timeout=120) for _ in range(2)]
        print(pool.zygote.process.pid, *(k.km.provisioner.pid for k in kernels), flush=True)
        time.sleep(600)
        """
    )
    runner = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert runner.stdout is not None
        pids = [int(p) for p in runner.stdout.readline().split()]
        assert len(pids) == 3 and all(psutil.pid_exists(p) for p in pids)
    finally:
        runner.kill()
        runner.wait()
    assert all(_gone(pid) for pid in pids)


@pytest.mark.slow
def test_the_spawn_path_still_works(monkeypatch):
    """Where kernels cannot be forked (Windows, macOS, TOOLKIT_KERNEL_FORK=0)."""
    monkeypatch.setenv(kernels.FORK_ENV, "0")
    assert not fork_available()
    with KernelPool(1, 2, warmup=kernels.import_code(["matplotlib.pyplot"])) as pool:
        assert pool.zygote is None
        first = pool.acquire(timeout=120)
        assert type(first.km.provisioner) is LocalProvisioner
        nb = _run(first, REPORT)
        assert nb.cells[0].execution_count == 1
        assert _text(nb.cells[0]).split()[2:] == ["None", "True"]
        pool.release(first).result(30)
        second = pool.acquire(timeout=120)
        assert _text(_run(second, REPORT).cells[0]).split()[2] == "None"
        pool.release(second).result(30)
    assert not psutil.Process().children(recursive=True)


@pytest.mark.slow
@needs_fork
def test_a_dead_zygotes_kernels_are_never_handed_out():
    """After the zygote dies, the next kernel is forked from the one new zygote the pool
    starts, or spawned while that one is not ready: never one that died with the first."""
    with KernelPool(1, 2) as pool:
        first = pool.acquire(timeout=120)
        dead = pool.zygote
        assert dead is not None
        dead.process.kill()  # its kernels go with it
        assert _gone(first.km.provisioner.pid)
        pool.release(first, now=True).result(30)
        second = pool.acquire(timeout=120)
        provisioner = second.km.provisioner
        assert type(provisioner) is LocalProvisioner or (
            isinstance(provisioner, ForkProvisioner) and provisioner.zygote is not dead
        )
        assert _text(_run(second, REPORT).cells[0]).split()[2] == "None"
        pool.release(second).result(30)
    assert not psutil.Process().children(recursive=True)


def test_only_this_interpreters_ipykernel_is_forked():
    assert forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not forkable(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not forkable(["R", "--slave", "-e", "IRkernel::main()", "--args", "c.json"])
    assert not forkable([sys.executable, "-c", "pass"])


def test_a_caller_waiting_for_a_kernel_is_woken_when_the_pool_closes():
    """An interrupted run closes the pool while briefings wait in acquire: none may hang."""
    pool = KernelPool(1, 0)  # no kernel will ever be ready
    errors: list[BaseException] = []

    def wait_for_a_kernel() -> None:
        try:
            pool.acquire()
        except BaseException as err:  # noqa: BLE001 - recorded for the assertion
            errors.append(err)

    waiters = [threading.Thread(target=wait_for_a_kernel, daemon=True) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.3)
    pool.close(now=True)
    for waiter in waiters:
        waiter.join(timeout=10)
    assert not any(waiter.is_alive() for waiter in waiters)
    assert [type(err) for err in errors] == [kernels.KernelPoolClosed] * 3


def test_acquire_with_a_timeout_still_times_out():
    import queue

    with KernelPool(1, 0) as pool, pytest.raises(queue.Empty):
        pool.acquire(timeout=0.5)


def test_the_zygote_environment_is_made_fork_safe():
    env = zygote.zygote_env(
        {"PATH": "/bin", "OPENBLAS_NUM_THREADS": "8", "JE_ARROW_MALLOC_CONF": "narenas:2"}
    )
    assert env == {
        "PATH": "/bin",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "JE_ARROW_MALLOC_CONF": "narenas:2,background_thread:false",
    }
    assert zygote.zygote_env({})["JE_ARROW_MALLOC_CONF"] == "background_thread:false"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux /proc only")
def test_thread_names_counts_every_thread():
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="counted-worker")
    worker.start()
    try:
        assert str(worker.native_id) in os.listdir("/proc/self/task")
        # Other threads of the test process (library pools) may come and go between two
        # readings: compare readings taken back to back until two agree.
        for _ in range(20):
            tasks = os.listdir("/proc/self/task")
            names = zygote.thread_names()
            if len(names) == len(tasks) == len(os.listdir("/proc/self/task")):
                break
        assert len(names) == len(tasks) >= 2
    finally:
        stop.set()
        worker.join()


@pytest.mark.slow
@needs_fork
def test_the_zygote_imports_start_no_thread(tmp_path):
    """With its fork-safe environment, the zygote's imports leave it one thread."""
    script = textwrap.dedent(
        """
        import importlib, os, sys
        from toolkit.kernels import zygote
        from toolkit.runner.quarter import BRIEFING_PRELOAD
        for name in BRIEFING_PRELOAD.zygote_modules:
            importlib.import_module(name)
        print(len(zygote.thread_names()), " ".join(zygote.thread_names()))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env=zygote.zygote_env(),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert run.stdout.split()[0] == "1", run.stdout


@pytest.mark.slow
@needs_fork
def test_a_zygote_holding_a_thread_is_not_forked_from(tmp_path, monkeypatch, caplog):
    """A zygote with a second thread refuses to fork; the pool spawns and says why."""
    (tmp_path / "holds_a_thread.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,), name='held', daemon=True).start()\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    caplog.set_level(logging.DEBUG, logger="toolkit")
    held = zygote.Zygote(preload=("ipykernel.kernelapp", "holds_a_thread"))
    with KernelPool(1, 2, zygote=held) as pool:
        first = pool.acquire(timeout=120)
        assert type(first.km.provisioner) is LocalProvisioner
        assert not held.alive
        pid, ppid = _text(_run(first, REPORT).cells[0]).split()[:2]
        assert int(ppid) == os.getpid()  # spawned by this process, not forked by the zygote
        pool.release(first).result(30)
        second = pool.acquire(timeout=120)
        assert type(second.km.provisioner) is LocalProvisioner
        pool.release(second).result(30)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # said once, not once per kernel
    assert "instead of forked" in warnings[0].getMessage()
    assert "holds 2 threads" in warnings[0].getMessage()
    assert not psutil.Process().children(recursive=True)


CHILD = """\
import os, sys, signal
print(os.getcwd())
print(os.environ.get("TOOLKIT_TEST_CHILD"), os.environ.get("JPY_PARENT_PID"))
print(os.getsid(0) == os.getpid(), os.readlink("/proc/self/fd/0"))
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
print(signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL, signal.set_wakeup_fd(-1))
os.write(1, b"written-to-fd-1\\n")
"""


@pytest.mark.slow
@needs_fork
def test_a_forked_kernel_is_set_up_as_a_spawned_one_would_be(tmp_path, monkeypatch, caplog):
    """What the forked child does before it becomes a kernel, checked from inside it."""
    monkeypatch.setenv("TOOLKIT_TEST_CHILD", "from-the-runner")
    caplog.set_level(logging.DEBUG, logger="toolkit")
    with KernelPool(1, 2, cwd=tmp_path) as pool:
        assert pool.zygote is not None
        kernel = pool.acquire(timeout=120)
        assert isinstance(kernel.km.provisioner, ForkProvisioner)
        lines = _text(_run(kernel, CHILD).cells[0]).splitlines()
        assert lines == [
            str(tmp_path),
            f"from-the-runner {pool.zygote.process.pid}",
            "True /dev/null",  # its own session; no terminal input
            "True",  # Ctrl-C (an interrupt) raises KeyboardInterrupt
            "True -1",  # no handler or wake-up fd left over from the zygote
        ]
        process = kernel.km.provisioner.process
        pool.release(kernel, now=False).result(30)
        assert process.wait(10) == 0  # a polite shutdown, reported by the zygote
        # What the kernel wrote to its stdout went to the debug log.
        deadline = time.monotonic() + 10
        while "written-to-fd-1" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "kernel stdout: written-to-fd-1" in caplog.text

        # A kernel that exits by itself: its exit code comes back through the zygote.
        kernel = pool.acquire(timeout=120)
        process = kernel.km.provisioner.process
        with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError or similar
            _run(kernel, "import os; os._exit(3)", timeout=20)
        assert process.wait(10) == 3
        pool.release(kernel, now=True).result(30)
    assert not psutil.Process().children(recursive=True)


@pytest.mark.slow
@needs_fork
def test_a_zygote_closed_while_importing_is_killed_at_once():
    """A run refused for bad input does not wait for the zygote's imports to finish."""
    early = zygote.Zygote()
    early.close()
    assert early.process.returncode == -signal.SIGKILL
    assert not early.alive
    assert not psutil.Process().children(recursive=True)


@pytest.mark.slow
@needs_fork
def test_a_zygote_call_runs_a_toolkit_function_in_a_child(tmp_path):
    """Work done ahead of the briefings, in a zygote child: the same result as in-process,
    a failure as a one-line error, and nothing but the toolkit's own functions run."""
    import pickle
    from pathlib import Path

    from toolkit.publish.quarter_index import quarter_parts
    from toolkit.quarters import Quarter
    from toolkit.record.params import load_params

    example = Path(__file__).parents[1] / "params"
    helper = zygote.Zygote()
    try:
        made = pickle.loads(
            helper.call(
                "toolkit.runner.prepare:quarter_parts_pickled",
                {"params_dir": str(example), "quarter": "2019-20-Q4"},
            )
        )
        here = quarter_parts(load_params(example), Quarter.parse("2019-20-Q4"))
        assert made.data == here.data
        assert made.chart.alt == here.chart.alt and made.chart.table == here.chart.table
        assert made.chart.png[:8] == b"\x89PNG\r\n\x1a\n"
        assert made.tracker.csv == here.tracker.csv and made.tracker.rows == here.tracker.rows

        with pytest.raises(zygote.ZygoteError, match="no-such-folder"):
            helper.call(
                "toolkit.runner.prepare:quarter_parts_pickled",
                {"params_dir": str(tmp_path / "no-such-folder"), "quarter": "2019-20-Q4"},
            )
        with pytest.raises(ValueError, match="not a toolkit function"):
            helper.call("os:system", {"command": "true"})
        assert helper.alive  # a failed call does not stop the zygote forking kernels
    finally:
        helper.close()
    assert not psutil.Process().children(recursive=True)


@pytest.mark.slow
def test_pooled_kernels_do_not_write_history_cell_by_cell():
    """IPython's SQLite history is shared by every kernel of the user's: a briefing's
    cells are not written to it one by one (each write waited on the others)."""
    with KernelPool(1, 1) as pool:
        kernel = pool.acquire(timeout=120)
        source = (
            "h = get_ipython().history_manager\n"
            "print(h.db_cache_size >= 100, len(h.db_input_cache) > 0)"
        )
        assert _text(_run(kernel, "1 + 1", source).cells[1]).strip() == "True True"
        pool.release(kernel).result(30)


@pytest.mark.slow
@needs_fork
def test_a_killed_zygote_is_replaced_and_its_dead_kernels_never_handed_out():
    """kill -9 of the zygote mid-run: kernels forked from it die with it. The pool hands
    out none of them, starts one new zygote, and every later kernel runs its notebook."""
    with KernelPool(2, 5) as pool:
        first = pool.acquire(timeout=120)
        old = pool.zygote
        assert old is not None
        deadline = time.monotonic() + 60
        while pool._ready.qsize() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # a second kernel forked and waiting, ready
        assert pool._ready.qsize() >= 1
        os.kill(old.process.pid, signal.SIGKILL)
        while old.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.lost(first)  # it died with the zygote: the runner may run it again
        later = [pool.acquire(timeout=120) for _ in range(4)]
        pids = {k.km.provisioner.process.pid for k in later}
        for kernel in later:
            nb = _run(kernel, "print(6 * 7)")
            assert _text(nb.cells[0]).strip() == "42"
            assert not pool.lost(kernel)
            pool.release(kernel)
        assert pool.zygote is not None and pool.zygote is not old and pool.zygote.alive
        assert len(pids) == 4
    assert not psutil.Process().children(recursive=True)
