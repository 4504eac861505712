"""Which data files a computation read: recorded by the readers, not re-derived.

A data reader calls :func:`note` with each file whose content it used (parsed, or taken
from the parsed-data cache of that file); code that wants to know what a computation read
runs it inside :func:`recording`. Recordings nest: a file noted is added to every
recording open in the current context (a briefing's letter drafted from another quarter's
facts adds its reads to the briefing's). :class:`toolkit.performance.PoliceUkData` also
keeps its own ``files_read``.

A briefing writes what it read to :data:`RECORD_FILE` in its output folder
(:func:`write_record`); the runner takes it from there (:func:`take_record`) for the
run's ``manifest.json`` and never publishes it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path

RECORD_FILE = ".files-read.json"
"""In a briefing's output folder: the data files it read (a JSON list of paths)."""

_open: ContextVar[tuple[set[Path], ...]] = ContextVar("toolkit_files_read", default=())


def note(path: Path) -> None:
    """Record that ``path``'s content was used, in every recording open here."""
    for found in _open.get():
        found.add(Path(path))


@contextlib.contextmanager
def recording(into: set[Path] | None = None) -> Iterator[set[Path]]:
    """Collect into ``into`` (a new set when ``None``) every file noted inside the block."""
    found = into if into is not None else set()
    token = _open.set((*_open.get(), found))
    try:
        yield found
    finally:
        _open.reset(token)


def write_record(folder: Path, paths: Iterable[Path]) -> Path:
    """Write :data:`RECORD_FILE` into ``folder``: ``paths`` as given (not resolved, so a
    run's copy of a file still names the copy the run made), sorted."""
    from toolkit.files import atomic

    listed = sorted({str(p) for p in paths})
    return atomic.write_text(folder / RECORD_FILE, json.dumps(listed, indent=1) + "\n")


def take_record(folder: Path) -> list[Path] | None:
    """The paths :func:`write_record` left in ``folder``, removing the file; ``None`` when
    there is none (a notebook that records nothing) or it cannot be read."""
    path = folder / RECORD_FILE
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
        return None
    return [Path(p) for p in listed]
