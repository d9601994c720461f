"""One access-log line per request, as WSGI middleware (the servers write none of their own).

The line is written when the app starts its response: by then a Flask answer is complete
(its body is bytes in memory, its size in `Content-Length`), so the time shown is the
mock's own, and the body reaches the client untouched, with no wrapping generator in the
way. A streamed answer without `Content-Length` shows `-` as its size.

Lines go straight to stderr, in the format of the mock's other log lines
(`2026-11-28 22:30:01,123 127.0.0.1 "GET /api/..." 200 512 0.4ms`), not through `logging`:
a `LogRecord` per request costs far more than writing the line itself (measured, see
bench/FINDINGS.md). The date part is formatted once a second.

In proxy mode an exchange that broke the contract names its violations at the end of its line
(`... 200 512 3.1ms violations: response.body.updatedAt: This field is required.`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..proxy import VIOLATIONS_ENVIRON

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AccessLog:
    def __init__(self, app: WSGIApp, stream: Callable[[], TextIO] = lambda: sys.stderr) -> None:
        self.app = app
        self._stream = stream  # looked up per line: the server may swap stderr after start-up
        self._date: tuple[int, str] = (-1, "")  # (second, its date and time), swapped whole

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
            line += "\n"
            self._stream().write(line)
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)

    def _stamp(self) -> str:
        """`logging`'s default `asctime` (local time, comma, milliseconds)."""
        now = time.time()
        second, date = self._date
        if int(now) != second:
            second = int(now)
            date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._date = (second, date)
        return f"{date},{int((now - second) * 1000):03d}"
