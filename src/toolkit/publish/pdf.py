"""Print an exported HTML briefing to PDF with headless Chromium.

The briefing's own print stylesheet decides what the PDF shows; Chromium is only the
printer. Chromium is an optional, system-level tool (Debian's ``chromium`` package): when it
is missing, :func:`html_to_pdf` raises a :class:`~toolkit.errors.ToolkitError` that says how
to install it, and nothing else in the toolkit is affected.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.files import atomic

__all__ = ["CHROMIUM_ENV", "CHROMIUM_NAMES", "find_chromium", "html_to_pdf"]

log = logging.getLogger("toolkit")

#: Environment variable naming a Chrome/Chromium executable to use instead of the one on PATH.
CHROMIUM_ENV = "TOOLKIT_CHROMIUM"
#: Executable names looked up on PATH, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

_NOT_INSTALLED = (
    "PDF export needs Chromium, which is not installed: install it with "
    "`apt-get install chromium` (Debian/Ubuntu) or set TOOLKIT_CHROMIUM to a "
    "Chrome/Chromium executable"
)
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
# Chromium's stderr is mostly noise on a server (no D-Bus, the Debian launcher's shell
# warnings); these lines never explain a failure.
_NOISE = re.compile(r"dbus|D-Bus|^\S*chromium: \d+: |Fontconfig|^\s*$")
_LOG_PREFIX = re.compile(r"^\[[^\]]*\]\s*")


def find_chromium() -> str | None:
    """Return the Chromium executable to print with, or ``None`` when there is none.

    ``TOOLKIT_CHROMIUM`` wins when set (a path, or a name on PATH); otherwise the first of
    :data:`CHROMIUM_NAMES` found on PATH.
    """
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        return shutil.which(override)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(
    html_path: Path,
    pdf_path: Path,
    *,
    chromium: str | None = None,
    timeout: float = 120,
) -> None:
    """Print ``html_path`` to ``pdf_path`` using headless Chromium.

    The PDF is written to a temporary file beside ``pdf_path`` and renamed into place only
    when Chromium has produced a real PDF, so a failed export never leaves a partial file or
    replaces an earlier good one.

    Parameters
    ----------
    html_path
        The exported briefing (``<out>/<quarter>/<report_id>/briefing.html``). Must exist.
    pdf_path
        Where to write the PDF; its folder is created if needed.
    chromium
        The Chrome/Chromium executable; by default :func:`find_chromium` (the
        ``TOOLKIT_CHROMIUM`` environment variable, else ``chromium``, ``chromium-browser`` or
        ``google-chrome`` on PATH).
    timeout
        Seconds to let Chromium run before giving up.

    Raises
    ------
    ToolkitError
        When Chromium is not installed, ``html_path`` does not exist, or Chromium fails, times
        out or writes no PDF (the message quotes the first useful line of its stderr).
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path)
    executable = shutil.which(chromium) if chromium else find_chromium()
    if executable is None:
        raise ToolkitError(_NOT_INSTALLED)
    if not html_path.is_file():
        raise ToolkitError(f"{html_path}: cannot export to PDF: no such file")

    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    # Chromium writes the temporary file; only a whole PDF replaces the previous one.
    with atomic.replacing(pdf_path) as tmp_pdf:
        with tempfile.TemporaryDirectory(prefix="toolkit-chromium-") as profile:
            command = [
                executable,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp_pdf}",
                html_path.resolve().as_uri(),
            ]
            log.debug("printing %s to PDF: %s", html_path, command)
            returncode, stderr = _run(command, timeout=timeout, what=html_path)
        if returncode != 0 or not _is_pdf(tmp_pdf):
            reason = _first_useful_line(stderr) or f"exit status {returncode}, no PDF written"
            raise ToolkitError(f"{html_path}: Chromium could not print it to PDF: {reason}")
    log.info("wrote %s", pdf_path)


def _run(command: list[str], *, timeout: float, what: Path) -> tuple[int, str]:
    """Run Chromium in its own process group; kill the whole group on timeout."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as err:
        raise ToolkitError(f"{what}: cannot start Chromium ({command[0]}): {err}") from err
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise ToolkitError(
            f"{what}: Chromium did not finish printing to PDF within {timeout:g} seconds"
        ) from None
    finally:
        # Helpers Chromium left behind (zygote, crash handler) go with it.
        _kill_group(process)
    return process.returncode, stderr.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _first_useful_line(stderr: str) -> str:
    """First stderr line that is not start-up noise, without Chromium's log prefix."""
    for line in stderr.splitlines():
        if not _NOISE.search(line):
            return _LOG_PREFIX.sub("", line).strip()
    return ""
