"""The toolkit's exceptions: the analysts' user interface.

Every problem a user can cause is raised as a :class:`ToolkitError`, whose
message is printed by the CLI on one line, without a traceback::

    ToolkitError                 base; ``str(err)`` is what the user sees (exit 2)
    ├── InputError               a problem in params, update or data files (exit 2);
    │   │                        carries one or more :class:`Problem` lines
    │   └── DataError            a data file that cannot be read or holds nothing usable
    │                            (exit 2)
    └── OutputError              an output that cannot be written: read-only, full disk,
                                 a file-size limit (exit 1)

A briefing that fails while it runs is not an exception here: it is a failed result
of the run (:class:`toolkit.runner.results.Result`, a ``ReportOutcome`` from
:func:`toolkit.run_quarter`), and the others go on. A Ctrl-C stays Python's own
``KeyboardInterrupt`` (the command exits 130). Exceptions kept inside one module (a zip
that does not allow byte ranges, a kernel pool closed while a briefing waits) are
caught there and never reach the user as such.

A :class:`Problem` renders as ``path:line: field: what is wrong (expected …, got …)``,
the form that ``toolkit validate`` prints. ``line`` is the line in a YAML file or
the row in an update file (the header is row 1, as a spreadsheet shows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file.

    Parameters
    ----------
    path
        The file, as the user would name it (relative to the params root where
        possible).
    field
        The field, column or key concerned (``items[2].due``, ``status``).
    message
        What is wrong, in words (``not a quarter id``).
    line
        Line (YAML) or row (CSV/XLSX, header = row 1); ``None`` when unknown.
    expected, got
        Optional halves of the ``(expected …, got …)`` suffix.
    """

    path: str
    field: str
    message: str
    line: int | None = None
    expected: str | None = None
    got: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        detail = []
        if self.expected is not None:
            detail.append(f"expected {self.expected}")
        if self.got is not None:
            detail.append(f"got {self.got}")
        if detail:
            text += f" ({', '.join(detail)})"
        return text


class ToolkitError(Exception):
    """Base of every error the toolkit reports to a user."""

    exit_code = 2


class InputError(ToolkitError):
    """One or more problems in the user's params, update or data files."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(InputError):
    """A data file (police.uk, Home Office, population) that cannot be used."""


class OutputError(ToolkitError):
    """An output folder or file that cannot be written (read-only, full disk, ...).

    Made from the :class:`OSError`: ``<out>/2018-19-Q3: cannot write the outputs here
    (EACCES: Permission denied)``.
    """

    exit_code = 1

    def __init__(self, exc: OSError, where: object = None, *, what: str = "the outputs") -> None:
        import errno
        import shutil

        if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
            # copytree: a list of (source, destination, reason); the first says enough.
            _, destination, why = exc.args[0][0]
            reason = str(why).split(": '", 1)[0]  # "[Errno 27] File too large: 'a' -> 'b'"
            super().__init__(f"{destination}: cannot write {what} here ({reason})")
            return
        place = exc.filename if exc.filename is not None else where
        code = errno.errorcode.get(exc.errno or 0, "error")
        reason = exc.strerror or str(exc)
        super().__init__(f"{place}: cannot write {what} here ({code}: {reason})")


def shown(value: object, limit: int = 60) -> str:
    """Quote a value the user wrote, shortened, for a ``got …`` part of a message."""
    if isinstance(value, Path):
        value = str(value)
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def write_failure(exc: BaseException) -> OSError | None:
    """The :class:`OSError` behind a failed write, or ``None`` when ``exc`` is none.

    An :class:`OSError` is itself. lxml (which openpyxl writes worksheets with) reports a
    failed write as ``SerialisationError: IO_EFBIG`` (or ``IO_ENOSPC``, …): that becomes
    the ``OSError`` of the same errno, so that a file-size limit or a full disk reads the
    same, one line naming the place, wherever it struck.
    """
    import errno
    import os

    if isinstance(exc, OSError):
        return exc
    if type(exc).__name__ == "SerialisationError" and type(exc).__module__.startswith("lxml"):
        name = str(exc).strip().removeprefix("IO_")
        code = getattr(errno, name, None) if name.isupper() else None
        if isinstance(code, int):
            return OSError(code, os.strerror(code))
        return OSError(errno.EIO, f"{os.strerror(errno.EIO)} ({str(exc).strip()})")
    return None


@contextmanager
def writing() -> Iterator[None]:
    """Raise a failed write inside as the :class:`OSError` :func:`write_failure` finds."""
    try:
        yield
    except Exception as exc:
        failure = write_failure(exc)
        if failure is None or failure is exc:
            raise
        raise failure from exc
