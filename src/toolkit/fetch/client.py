"""The HTTP client fetch-data reads archives with: ``HEAD``, byte ranges, retries.

:class:`Client` makes bounded, timed requests (``timeout`` seconds on each connection or
read, and a throughput floor: a transfer averaging less than :data:`MIN_RATE` over
:data:`RATE_WINDOW` seconds is stopped and tried again, since a server sending a byte
every few seconds never trips a per-read timeout). ``HEAD`` gives an archive's size,
whether the server takes byte ranges (``Accept-Ranges: bytes``) and its ``ETag`` or
``Last-Modified``; a ``Range`` request that is answered with the whole file (``200``)
raises :class:`NoRanges`, so the caller can read the archive whole instead.

Downloads go to a ``.part`` file and are continued with a ``Range`` request from where they
stopped, within the same run or in a later one; a whole-archive ``.part`` file is continued
only with ``If-Range`` on the validator it was started with. Each request is tried up to
``attempts`` times: a dropped connection, a timeout or a server error (HTTP 5xx) is logged and
tried again, and the last such failure becomes a one-line :class:`~toolkit.errors.ToolkitError`
saying that fetch-data continues where it stopped. HTTP 404 and 416 become
:class:`~toolkit.errors.DataError`; another refusal, a :class:`~toolkit.errors.ToolkitError`.
Writing a ``.part`` file that fails (a full disk) is one :class:`~toolkit.errors.OutputError`
line naming it, not tried again.

Why this part is written here rather than taken from a library: the libraries that read a
remote zip do not do it. remotezip, which reads the archive (:mod:`toolkit.fetch.archive`),
fetches each range with one ``requests.get``: no timeout unless given, no retry, no way to
continue an interrupted transfer, and ``RangeNotSupported`` where a server sends the whole
file instead. fsspec's HTTP filesystem (aiohttp and nine more packages) has no retry or
resume either, refuses a server without ranges (``ValueError``), and reads through a 5 MiB
block cache by default (a small archive's every byte to read its 4 KiB directory). What
fetch-data promises beyond that -- tries, timeouts, one-line messages, ``.part`` files
continued with ``Range`` and ``If-Range``, the whole-file fallback -- is this module, and
remotezip's fetcher hook sends every range it needs through it. It stays on
:mod:`urllib`, one connection per request: on 127.0.0.1 that costs under 2 ms a range (50
ranges in 73-135 ms); what reusing connections (requests, which remotezip brings) would
save over HTTPS to data.police.uk can only be measured on the network.
"""

from __future__ import annotations

import functools
import http.client
import io
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from toolkit.errors import DataError, OutputError, Problem, ToolkitError

logger = logging.getLogger("toolkit")

CHUNK = 64 * 1024
"""Bytes read from a response, or a file, at a time."""

MIN_RATE = 1024
"""The throughput floor, in bytes per second: a transfer slower than this, averaged over
:data:`RATE_WINDOW` seconds, is stopped (and tried again, up to ``attempts`` times)."""

RATE_WINDOW = 30.0
"""Seconds over which a transfer's throughput is averaged against :data:`MIN_RATE`."""


def rate_text(min_rate: float, window: float) -> str:
    """``1 KiB/s (averaged over 30 s)``: the floor as messages and the README state it."""
    rate = f"{min_rate / 1024:g} KiB/s" if min_rate >= 1024 else f"{min_rate:g} bytes/s"
    return f"{rate} (averaged over {window:g} s)"


class _Pace:
    """Bytes received against the floor: each window of ``window`` seconds must bring at
    least ``min_rate * window`` bytes. A server that trickles (a byte every 2 s) answers
    every read within the per-read timeout, so only this stops it. Counted on the
    connection's socket (:class:`_PacedSocket`): the status line and headers as well as
    the body, whoever reads them."""

    def __init__(self, min_rate: float, window: float) -> None:
        self.min_rate, self.window = min_rate, window
        self.started = time.monotonic()
        self.bytes = 0

    def add(self, count: int) -> None:
        self.bytes += count
        elapsed = time.monotonic() - self.started
        if elapsed < self.window:
            return
        if self.bytes < self.min_rate * elapsed:
            raise _Transient(f"the transfer stalled below {rate_text(self.min_rate, self.window)}")
        self.started, self.bytes = time.monotonic(), 0


def broken(url: str, what: str) -> DataError:
    """A :class:`~toolkit.errors.DataError` for an archive that cannot be read as a zip."""
    return DataError(Problem(url, "", what))


@dataclass(frozen=True)
class Head:
    size: int | None
    ranges: bool
    validator: str | None


class NoRanges(Exception):
    """The server answered a ``Range`` request with the whole file (``200``)."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        super().__init__("no ranges")
        self.response = response


class _PacedRaw(io.RawIOBase):
    """A socket's raw reader that tells a :class:`_Pace` what each ``recv`` brought."""

    def __init__(self, raw: io.RawIOBase, pace: _Pace) -> None:
        super().__init__()
        self._raw, self._pace = raw, pace

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)
        self._pace.add(count or 0)
        return count or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


class _PacedSocket:
    """A connection's socket whose responses are read through a :class:`_Pace`."""

    def __init__(self, sock: socket.socket, pace: _Pace) -> None:
        self._sock, self._pace = sock, pace

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "rb":  # how http.client reads a response
            return io.BufferedReader(_PacedRaw(self._sock.makefile("rb", buffering=0), self._pace))
        return self._sock.makefile(mode, *args, **kwargs)  # type: ignore[call-overload]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _PacedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, pace: tuple[float, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pace_args = pace

    def connect(self) -> None:
        super().connect()
        self.sock = _PacedSocket(self.sock, _Pace(*self._pace_args))


class _PacedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, pace: tuple[float, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pace_args = pace

    def connect(self) -> None:
        super().connect()  # TCP, then TLS
        self.sock = _PacedSocket(self.sock, _Pace(*self._pace_args))


class _PacedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, pace: tuple[float, float]) -> None:
        super().__init__()
        self.pace = pace

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_PacedHTTPConnection, pace=self.pace), req)


class _PacedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, pace: tuple[float, float]) -> None:
        super().__init__()
        self.pace = pace

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_PacedHTTPSConnection, pace=self.pace)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class Client:
    """Bounded, timed HTTP requests whose failures become one-line toolkit errors."""

    def __init__(
        self,
        *,
        timeout: float,
        attempts: int,
        min_rate: float = MIN_RATE,
        rate_window: float = RATE_WINDOW,
    ) -> None:
        self.timeout = timeout
        self.attempts = attempts
        self.min_rate, self.rate_window = min_rate, rate_window
        self.received = 0
        pace = (min_rate, rate_window)
        self._opener = urllib.request.build_opener(
            _PacedHTTPHandler(pace), _PacedHTTPSHandler(pace)
        )

    def head(self, url: str) -> Head:
        """The archive's size, whether it is served in byte ranges, and its validator."""
        for attempt in self._tries(url):
            with attempt:
                try:
                    response = self._open(url, method="HEAD")
                except _HTTPStatus as status:
                    if status.code in (405, 501):  # HEAD not served: read it whole
                        return Head(None, False, None)
                    raise status.failure(url) from None
                with response:
                    length = response.headers.get("Content-Length")
                    ranges = "bytes" in response.headers.get("Accept-Ranges", "").lower()
                    validator = response.headers.get("ETag") or response.headers.get(
                        "Last-Modified"
                    )
                    size = int(length) if length and length.isdigit() else None
                    return Head(size, ranges, validator)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_range(self, url: str, start: int, length: int) -> bytes:
        """The bytes ``start`` to ``start + length - 1``, in one ``206`` answer."""
        if length <= 0:
            return b""
        for attempt in self._tries(url):
            with attempt:
                response = self._open_status(url, {"Range": _range(start, start + length - 1)})
                if response.status == 200:
                    raise NoRanges(response)
                with response:
                    _check_content_range(response, url, start, start + length - 1)
                    data = response.read(length)
                    self.received += len(data)
                    if len(data) < length:
                        raise http.client.IncompleteRead(data, length - len(data))
                    return data
        raise AssertionError("unreachable")  # pragma: no cover

    def download_range(
        self, url: str, start: int, length: int, part: Path, step: Callable[[int, int], None]
    ) -> None:
        """Fill ``part`` with bytes ``start`` … ``start + length - 1``, continuing it."""
        _writable(part)
        for attempt in self._tries(url):
            with attempt:
                have = part.stat().st_size if part.exists() else 0
                if have > length:
                    part.unlink()
                    have = 0
                step(have, length)
                if have == length:
                    return
                first = start + have
                response = self._open_status(url, {"Range": _range(first, start + length - 1)})
                if response.status == 200:
                    response.close()
                    raise broken(url, "the server stopped sending byte ranges; try again")
                with response, _opened(part, "ab") as out:
                    _check_content_range(response, url, first, start + length - 1)
                    self._copy(response, out, part, length - have, have, length, step)
                if part.stat().st_size != length:
                    raise http.client.IncompleteRead(b"", length - part.stat().st_size)
                return

    def download_whole(
        self, url: str, part: Path, head: Head, step: Callable[[int, int], None]
    ) -> None:
        """Fill ``part`` with the whole file, continuing it where the server allows."""
        _writable(part)
        state = part.with_suffix(".json")
        for attempt in self._tries(url):
            with attempt:
                have = part.stat().st_size if part.exists() else 0
                same = bool(head.validator) and _read_state(state) == [url, head.validator]
                if same and have and have == head.size:
                    step(have, have)  # finished by an earlier run
                    return
                headers: dict[str, str] = {}
                if same and have and head.validator:
                    headers = {"Range": f"bytes={have}-", "If-Range": head.validator}
                response = self._open_status(url, headers)
                with response:
                    if response.status == 206:
                        _check_content_range(response, url, have, None)
                        mode = "ab"
                    else:
                        have, mode = 0, "wb"
                    length = response.headers.get("Content-Length")
                    total = have + int(length) if length and length.isdigit() else head.size or 0
                    with _opened(state, "w") as record:
                        record.write(json.dumps([url, head.validator]).encode())
                    with _opened(part, mode) as out:
                        copied = self._copy(response, out, part, None, have, total, step)
                if total and have + copied != total:
                    raise http.client.IncompleteRead(b"", total - have - copied)
                return

    def _copy(
        self,
        response: http.client.HTTPResponse,
        out: IO[bytes],
        part: Path,
        limit: int | None,
        base: int,
        total: int,
        step: Callable[[int, int], None],
    ) -> int:
        """Copy up to ``limit`` bytes (all, when ``None``), telling ``step(base + n, total)``."""
        copied = 0
        while limit is None or copied < limit:
            want = CHUNK if limit is None else min(CHUNK, limit - copied)
            chunk = response.read1(want)  # what one read brings: progress as bytes arrive
            if not chunk:
                break
            try:
                out.write(chunk)
                out.flush()
            except OSError as error:  # a full disk: not worth another try
                raise OutputError(error, part, what="the download") from None
            copied += len(chunk)
            self.received += len(chunk)
            step(base + copied, total)
        return copied

    def _tries(self, url: str) -> Iterator[_Attempt]:
        """Yield up to ``attempts`` tries; the last failure becomes a ToolkitError."""
        for number in range(1, self.attempts + 1):
            attempt = _Attempt(url, number, self.attempts, self.timeout)
            yield attempt
            if attempt.succeeded:
                return
            time.sleep(min(0.2 * number, 2.0))

    def _open_status(
        self, url: str, headers: dict[str, str], *, method: str = "GET"
    ) -> http.client.HTTPResponse:
        try:
            return self._open(url, method=method, headers=headers)
        except _HTTPStatus as status:
            raise status.failure(url) from None

    def _open(
        self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
        request.add_header("User-Agent", "opcc-toolkit fetch-data")
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            error.close()
            raise _HTTPStatus(error.code, str(error.reason)) from None
        except urllib.error.URLError as error:
            raise _connection_error(url, error.reason, self.timeout) from None
        except (http.client.HTTPException, OSError) as error:
            raise _connection_error(url, error, self.timeout) from None
        if not isinstance(response, http.client.HTTPResponse):  # pragma: no cover
            response.close()
            raise ToolkitError(f"{url}: not an http(s) address")
        return response


class _HTTPStatus(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code, self.reason = code, reason

    def failure(self, url: str) -> Exception:
        """What to raise: a retryable failure for a server error, else a ToolkitError."""
        if self.code >= 500 and self.code != 501:
            return _Transient(f"HTTP {self.code} {self.reason}")
        if self.code == 404:
            return DataError(
                Problem(
                    url,
                    "",
                    "no such archive (HTTP 404)",
                    expected=f"one of the archives listed at {url.rsplit('/', 1)[0]}/",
                )
            )
        if self.code == 416:
            return DataError(
                Problem(url, "", "the archive changed while it was read (HTTP 416); try again")
            )
        return ToolkitError(
            f"{url}: the server refused the request (HTTP {self.code} {self.reason})"
        )


class _Transient(Exception):
    """A failure worth another try: a dropped connection, a timeout, a server error."""


def _connection_error(url: str, reason: object, timeout: float) -> Exception:
    if isinstance(reason, TimeoutError):
        return _Transient(f"no answer within {timeout:g} s")
    if isinstance(reason, ConnectionRefusedError):
        return _Transient("connection refused")
    if isinstance(reason, socket.gaierror):
        return _Transient(f"cannot resolve the host name ({reason.strerror})")
    if isinstance(reason, OSError) and reason.strerror:
        return _Transient(reason.strerror.lower())
    return _Transient(str(reason) or type(reason).__name__)


class _Attempt:
    """One try of a request: a context manager that records success or a retryable failure."""

    def __init__(self, url: str, number: int, attempts: int, timeout: float) -> None:
        self.url, self.number, self.attempts, self.timeout = url, number, attempts, timeout
        self.succeeded = False

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> bool:
        if error is None:
            self.succeeded = True
            return False
        if isinstance(error, ToolkitError | NoRanges):
            return False
        if isinstance(
            error, http.client.IncompleteRead | ConnectionError | http.client.HTTPException
        ):
            reason = "the connection was cut before the transfer finished"
        elif isinstance(error, TimeoutError):
            reason = f"no answer within {self.timeout:g} s"
        elif isinstance(error, _Transient):
            reason = str(error)
        elif isinstance(error, OSError):
            reason = (error.strerror or str(error)).lower()
        else:
            return False
        logger.warning("%s: %s (try %d of %d)", self.url, reason, self.number, self.attempts)
        if self.number >= self.attempts:
            tries = "try" if self.attempts == 1 else "tries"
            raise ToolkitError(
                f"{self.url}: {reason} after {self.attempts} {tries}; check the network "
                "and run fetch-data again (it continues where it stopped)"
            ) from None
        return True


def _range(first: int, last: int) -> str:
    return f"bytes={first}-{last}"


def _check_content_range(
    response: http.client.HTTPResponse, url: str, first: int, last: int | None
) -> None:
    match = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("Content-Range", ""))
    if match is None or int(match[1]) != first or (last is not None and int(match[2]) != last):
        raise broken(
            url,
            f"the server sent another byte range than asked for "
            f"(asked {first}-{'' if last is None else last}, "
            f"got {response.headers.get('Content-Range', 'none')!r})",
        )


def _writable(part: Path) -> None:
    """Make the folder of ``part``; one line when it cannot be made."""
    try:
        part.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(error, part.parent, what="the download") from None


def _opened(path: Path, mode: str) -> IO[bytes]:
    """``path`` opened in binary ``mode``; one line when it cannot be."""
    try:
        return path.open(mode if "b" in mode else mode + "b")
    except OSError as error:
        raise OutputError(error, path, what="the download") from None


def _read_state(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
