"""Cache files that prove what they hold: a content checksum and the source's identity.

A parsed data file is cached so that later briefings need not parse it again. A
cache entry that is damaged (a flipped bit, an edited number) or that belongs to
another file (another force's entry copied over it) must never give a figure, so
every entry is written as::

    TOOLKIT-CACHE 1\\n
    {"identity": {...}, "length": N, "sha256": "..."}\\n
    <N bytes of payload>

:func:`read` returns the payload only when the header parses, the identity is the
one the caller expects (force, month, the source file's path, size and modification
time, ...), the length matches and the payload's SHA-256 matches. Anything else
is logged as one warning line, the entry is removed and ``None`` is returned: the
caller reads the source again and writes a fresh entry. :func:`write` writes
atomically (a temporary file renamed over the entry), so a reader never sees half
an entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import time
from pathlib import Path

import xxhash

from toolkit.files import atomic

log = logging.getLogger("toolkit")

MAGIC = b"TOOLKIT-CACHE 1\n"
StatKey = tuple[int, int, int, int, int]
"""A file's device, inode, size, mtime and ctime (:func:`settled`)."""
_MAX_HEADER = 64 * 1024


def content_digest(path: Path) -> str:
    """An XXH3-128 digest of a source file's bytes (about 7 GB/s; mapped, not copied).

    Part of an entry's identity, so that a file changed without changing its size or
    modification time is read again: the cache is keyed on content, not on the clock.
    XXH3 detects a change; it is not a cryptographic hash, and need not be: the entry's
    own content is checked by its SHA-256 (:func:`read`), and whoever could craft a
    colliding data file could as well edit the data file itself. Each briefing digests
    every data file it reads, so the speed matters: BLAKE2b took about a third of a
    warm briefing's time on the example's 60 MB of street files.
    """
    hasher = xxhash.xxh3_128()
    with open(path, "rb") as file:
        state = os.fstat(file.fileno())
        seen = settled(state)
        known = _DIGESTS.get(seen) if seen else None
        if known is not None:
            return known
        if state.st_size:
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                hasher.update(mapped)
    digest = "xxh3:" + hasher.hexdigest()
    if seen:
        _DIGESTS[seen] = digest
    return digest


_DIGESTS: dict[StatKey, str] = {}
"""Digests already taken in this process, by :func:`settled` key: a briefing reads each
data file for its own figures and again for its letter's."""


def settled(state: os.stat_result) -> StatKey | None:
    """A file's device, inode, size, mtime and ctime, under which what was read from it
    may be remembered in this process; ``None`` when it changed too recently to trust.

    Any write to a file moves its ctime, which no call can set back, so a file found with
    the same inode and times is the file read, as git's index trusts a stat. But file
    times tick with the kernel's coarse clock (at most 10 ms a tick): a file written
    again within the tick of an earlier write may keep its ctime. So only a file last
    changed :data:`SETTLED_NS` before now is keyed (git's "racy" rule).
    """
    if state.st_ctime_ns >= time.time_ns() - SETTLED_NS:
        return None
    return (state.st_dev, state.st_ino, state.st_size, state.st_mtime_ns, state.st_ctime_ns)


SETTLED_NS = 100_000_000
"""How long (100 ms) before its reading a file must have last changed to be keyed by
:func:`settled`: ten ticks of the coarsest kernel clock."""


def _canonical(identity: dict[str, object]) -> str:
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


def write(path: Path, payload: bytes, identity: dict[str, object]) -> None:
    """Write ``payload`` as the cache entry ``path`` for the source ``identity``.

    A failure to write (a read-only or full disk) is logged at debug level and
    otherwise ignored: the cache only saves time.
    """
    header = {
        "identity": json.loads(_canonical(identity)),
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.replacing(path) as tmp, open(tmp, "xb") as sink:
            sink.write(MAGIC)
            sink.write(json.dumps(header, sort_keys=True).encode("utf-8") + b"\n")
            sink.write(payload)
    except OSError as exc:
        log.debug("could not write cache file %s: %s", path, exc)


def read(
    path: Path, identity: dict[str, object], *, redo: str = "reading the source again"
) -> bytes | None:
    """The payload of the cache entry ``path``, if it verifies for ``identity``.

    Returns ``None`` when there is no entry, and also (after one warning line and
    removing the entry) when it does not verify. ``redo`` ends the warning: what the
    caller does instead.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        discard(path, f"cannot be read ({exc.strerror or exc})", redo)
        return None
    reason = _check(data, identity)
    if reason:
        discard(path, reason, redo)
        return None
    return data[data.index(b"\n", len(MAGIC)) + 1 :]


def _check(data: bytes, identity: dict[str, object]) -> str:
    """Why ``data`` is not a valid entry for ``identity`` ('' when it is)."""
    if not data.startswith(MAGIC):
        return "not a cache entry of this version"
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        return "its header is damaged"
    try:
        header = json.loads(data[len(MAGIC) : end].decode("utf-8"))
        stored = _canonical(header["identity"])
        length = int(header["length"])
        digest = str(header["sha256"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "its header is damaged"
    if stored != _canonical(identity):
        return "it belongs to another source file or version"
    payload = memoryview(data)[end + 1 :]
    if len(payload) != length:
        return "its length does not match"
    if hashlib.sha256(payload).hexdigest() != digest:
        return "its checksum does not match"
    return ""


def discard(path: Path, reason: str, redo: str = "reading the source again") -> None:
    """Warn that the entry ``path`` is not used and why, note it for the run, remove it."""
    message = f"discarding cache file {path}: {reason}; {redo}"
    log.warning("%s", message)
    _note(path.parent / JOURNAL, message)
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("could not remove cache file %s: %s", path, exc)


JOURNAL = "discarded.log"
"""In a cache folder: one line per entry discarded, ``<pid>\t<warning>``.

A run parses data and draws charts in other processes (a child of the kernel zygote,
the kernels), whose log lines the run's console does not show; the run reads the
lines they added here (:func:`noted_since`) and prints each as a warning, so the
promised warning is never lost."""


def _note(journal: Path, message: str) -> None:
    line = f"{os.getpid()}\t{' '.join(message.split())}\n".encode("utf-8", "replace")
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)  # one write of one short line: appended whole
        finally:
            os.close(fd)
    except OSError as exc:
        log.debug("could not note the discarded cache file in %s: %s", journal, exc)


JOURNAL_LIMIT = 1 << 20
"""A journal larger than this is emptied when a run starts (:func:`journal_sizes`)."""


def journal_sizes(cache_dir: Path, *, trim: bool = False) -> dict[Path, int]:
    """The journals of ``cache_dir`` (and its sub-folders) with their sizes now.

    With ``trim`` (a run starting), a journal past :data:`JOURNAL_LIMIT` is removed
    first, so that the journals do not grow without end.
    """
    sizes = {}
    for journal in [cache_dir / JOURNAL, *cache_dir.glob(f"*/{JOURNAL}")]:
        try:
            size = journal.stat().st_size
            if trim and size > JOURNAL_LIMIT:
                journal.unlink()
                size = 0
            sizes[journal] = size
        except OSError:
            continue
    return sizes


def noted_since(cache_dir: Path, sizes: dict[Path, int]) -> list[str]:
    """The warnings other processes noted in ``cache_dir`` after ``sizes`` was taken
    (those of this process were logged as they happened), each once, in order."""
    found: list[str] = []
    for journal, size in journal_sizes(cache_dir).items():
        start = sizes.get(journal, 0)
        if size <= start:
            continue
        try:
            with journal.open("rb") as file:
                file.seek(start)
                text = file.read().decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            pid, _, message = line.partition("\t")
            if message and pid != str(os.getpid()) and message not in found:
                found.append(message)
    return found
