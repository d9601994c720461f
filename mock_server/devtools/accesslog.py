"""One access-log line per request, as WSGI middleware (the servers write none of their own).

The line is written when the app starts its response: by then a Flask answer is complete
(its body is bytes in memory, its size in `Content-Length`), so the time shown is the
mock's own, and the body reaches the client untouched, with no wrapping generator in the
way. A streamed answer without `Content-Length` shows `-` as its size.

Lines go to stderr, in the format of the mock's other log lines
(`2026-11-28 22:30:01,123 127.0.0.1 "GET /api/..." 200 512 0.4ms`), not through `logging`:
a `LogRecord` per request costs far more than writing the line itself (measured, see
bench/FINDINGS.md). The date part is formatted once a second.

A request only queues its line; one writer thread writes what has queued every `FLUSH_EVERY`
seconds, in one call. A write per request gave the GIL away on every request (the write
system call releases it), and under load the request threads then queued for it again: the
log cost a fifth of the throughput (measured, see bench/FINDINGS.md). A line is therefore
shown at most `FLUSH_EVERY` late; `close` (the server's stop) writes the rest.

In proxy mode an exchange that broke the contract names its violations at the end of its line
(`... 200 512 3.1ms violations: response.body.updatedAt: This field is required.`).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..proxy import VIOLATIONS_ENVIRON

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Seconds between two writes of the queued lines: short enough to read as live.
FLUSH_EVERY = 0.05


class AccessLog:
    def __init__(
        self, app: WSGIApp, stream: Callable[[], TextIO] = lambda: sys.stderr, flush_every: float = FLUSH_EVERY
    ) -> None:
        self.app = app
        self._stream = stream  # looked up per write: the server may swap stderr after start-up
        self._date: tuple[int, str] = (-1, "")  # (second, its date and time), swapped whole
        self._lines: deque[str] = deque()  # appended by request threads, drained by the writer
        self._flush_every = flush_every
        self._closed = threading.Event()
        self._writer: threading.Thread | None = None
        self._starting = threading.Lock()
        self._writing = threading.Lock()  # one batch at a time, so lines keep their order

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()

        def logged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            size = next((value for name, value in headers if name.lower() == "content-length"), "-")
            query = environ.get("QUERY_STRING")
            target = f"{environ.get('PATH_INFO')}?{query}" if query else environ.get("PATH_INFO")
            elapsed = (time.perf_counter() - started) * 1000
            line = (
                f'{self._stamp()} {environ.get("REMOTE_ADDR", "-")} "{environ.get("REQUEST_METHOD")} {target}" '
                f"{status.split(' ', 1)[0]} {size} {elapsed:.1f}ms"
            )
            violations = environ.get(VIOLATIONS_ENVIRON)
            if violations:
                line += " violations: " + "; ".join(violations).replace("\r", "\\r").replace("\n", "\\n")
            self._lines.append(line + "\n")
            if self._writer is None or self._closed.is_set():
                self._start_writer()
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)

    def flush(self) -> None:
        """Writes every queued line, in order, in one call."""
        lines = self._lines
        with self._writing:
            batch = []
            while lines:
                batch.append(lines.popleft())
            if batch:
                stream = self._stream()
                stream.write("".join(batch))
                stream.flush()

    def close(self) -> None:
        """Stops the writer and writes what is left; lines logged after it are written at once."""
        self._closed.set()
        writer = self._writer
        if writer is not None:
            writer.join()
        self.flush()

    def _start_writer(self) -> None:
        with self._starting:
            if self._closed.is_set():  # closed: no writer any more, the line is written now
                self.flush()
            elif self._writer is None:
                self._writer = threading.Thread(target=self._write_on, name="access-log", daemon=True)
                self._writer.start()

    def _write_on(self) -> None:
        while not self._closed.wait(self._flush_every):
            try:
                self.flush()
            except (OSError, ValueError):  # the stream closed under it (interpreter exit)
                return

    def _stamp(self) -> str:
        """`logging`'s default `asctime` (local time, comma, milliseconds)."""
        now = time.time()
        second, date = self._date
        if int(now) != second:
            second = int(now)
            date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._date = (second, date)
        return f"{date},{int((now - second) * 1000):03d}"
