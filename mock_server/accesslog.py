"""One access-log line per request, as WSGI middleware (the servers write none of their own).

The line is written when the app starts its response: by then a Flask answer is complete
(its body is bytes in memory, its size in `Content-Length`), so the time shown is the
mock's own, and the body reaches the client untouched, with no wrapping generator in the
way. A streamed answer without `Content-Length` shows `-` as its size.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("mock_server.access")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AccessLog:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.perf_counter()

        def logged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            size = next((value for name, value in headers if name == "Content-Length"), "-")
            query = environ.get("QUERY_STRING")
            log.info(
                '%s "%s %s%s" %s %s %.1fms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                f"?{query}" if query else "",
                status.split(" ", 1)[0],
                size,
                (time.perf_counter() - started) * 1000,
            )
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)
