"""Write a file whole or not at all: a temporary file beside it, flushed, then renamed.

Every output the toolkit writes (briefing files, the quarter's index and manifest,
workbooks, cache entries) goes through here, so that a reader (a browser, Excel, the
next briefing, the next run) never sees half a file, and a failure (a full disk, a
killed run) leaves the previous file exactly as it was.

The temporary file is in the same folder as the target (a rename within one file
system is atomic), is named ``.<stem>.<pid>.<thread>.<n>.tmp<suffix>`` (hidden,
unique to the writing process and thread, keeping the target's extension for
writers that look at it), is flushed to disk with ``fsync`` before
:func:`os.replace` puts it in place, and is removed on any failure. It is created
with the process's usual permissions (the umask), as a plain ``open`` would.

The folder itself is not fsynced after the rename: a crash just after it may, on
some file systems, bring back the previous file, which is whole, and that is the
guarantee these writes make.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_counter = itertools.count()


def temporary_path(path: Path) -> Path:
    """A name beside ``path`` that no other writer (process or thread) uses."""
    unique = f"{os.getpid()}.{threading.get_ident()}.{next(_counter)}"
    return path.with_name(f".{path.stem}.{unique}.tmp{path.suffix}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: Path, *, exclusive: bool = False) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; put in place when the block ends.

    The block writes the file at the yielded path by any means (``book.save(temp)``,
    a subprocess). When the block ends without an exception the file is flushed to
    disk and renamed over ``path``; when it raises (or the file was not written, which
    raises :class:`FileNotFoundError`), the temporary file is removed and ``path`` is
    left as it was.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    exclusive
        Never replace an existing file (see :func:`write_bytes`).

    Raises
    ------
    FileExistsError
        With ``exclusive``, when ``path`` exists when the block ends.
    """
    path = Path(path)
    temporary = temporary_path(path)
    try:
        yield temporary
        _fsync(temporary)
        _put(temporary, path, exclusive)
    finally:
        temporary.unlink(missing_ok=True)


def _put(temporary: Path, path: Path, exclusive: bool) -> None:
    """Rename ``temporary`` to ``path``; with ``exclusive``, never over an existing file."""
    if not exclusive:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # fails if path exists: never overwrites
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temporary, path)


def write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically, creating its folder if needed.

    Parameters
    ----------
    path
        The file to write.
    data
        Its whole content.
    exclusive
        Never replace an existing file: raise :class:`FileExistsError` when ``path``
        exists (checked at the rename, by a hard link, so a file that appears meanwhile
        is not overwritten either; on a file system without hard links, by a check
        just before the rename).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        With ``exclusive``, when ``path`` exists.
    OSError
        When the folder cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with open(temporary, "xb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        _put(temporary, path, exclusive)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str, *, exclusive: bool = False) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes`).

    Line endings are written as given (``\\n`` stays ``\\n`` on every platform).
    """
    return write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON (UTF-8, not ASCII-escaped, ending in a newline)."""
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
