"""Serving: one process with the state in its memory, behind one `Server` interface.

Two HTTP servers can carry the app; the CLI, the tests, the benchmarks and proxy mode see only
`Server` (`url`, `start_background`, `serve_forever`, `stop`):

- **waitress** (pure Python), the default: it writes header names as the app gives them
  (`Location`), as the real service does; see `DEFAULT_SERVER`.
- **granian** (`--server granian`, or `auto` where it loads): granian's Rust HTTP/1 server
  (hyper on tokio), its
  WSGI worker started in this process. The sockets, parsing and keep-alive live in Rust, off the
  GIL; each request's WSGI call runs on a pool of `threads` Python threads, one at a time
  (`turns`: eight threads asking for the GIL at once answered half as fast). A request that
  sleeps (`Prefer: delay`, `--latency`) or waits on the upstream (proxy mode) gives its turn
  away while it waits and holds only its thread: the others keep answering. Its body is read
  before its turn, so a client that sends it slowly holds only its thread too. It is started
  without granian's supervisor process (which would hold a second copy of the interpreter, and
  the state in a child): the worker serves a socket bound here, so the port is known (and a
  busy port refused) before serving starts. Where granian has no build or fails to load, `auto`
  takes waitress; `FALLBACK_REASON` says why, and the banner shows it.

The bad-input promises (JSON 4xx for oversized bodies, never a hang) are the app's own
(`api.validation`), so they hold on either server. The speed difference is measured in
bench/FINDINGS.md.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from .devtools.accesslog import AccessLog
from .turns import Turns

log = logging.getLogger(__name__)

SERVERS = ("auto", "granian", "waitress")
# What the mock serves with unless asked otherwise. granian's HTTP/1 writes every header name in
# lower case (hyper's; granian offers no setting for it): allowed by HTTP, but a client that reads
# headers case-sensitively then misses `Location` (OpenAPI Generator's python client hands back a
# plain dict: tests/test_generated_clients.py), where the real service sends `Location`. So the
# faster server is opt-in (`--server granian`, or `auto`) until that can be matched.
DEFAULT_SERVER = "waitress"
BACKLOG = 1024
# The garbage collector's first threshold while serving (Python's default: 700 allocations).
GC_THRESHOLD = 20_000
# How long `stop` waits for requests in progress (a delayed one included) before it gives up.
STOP_TIMEOUT = 5.0
# The largest body any part of the mock reads (the admin API's state); a chunked one is buffered
# up to it (and one byte more, which every limit refuses).
CHUNKED_LIMIT = 64 * 1024 * 1024


def _load_granian() -> tuple[Any, str | None]:
    """granian's native module, or None and why not (no build for this platform, a broken
    install). Checked once, at import: the fallback is decided before any server starts."""
    try:
        from granian import _granian
        from granian._futures import _CBScheduler  # noqa: F401
    except Exception as exc:  # ImportError, or a native module that fails to load
        return None, f"granian did not load ({type(exc).__name__}: {exc})"
    missing = [name for name in ("WSGIWorker", "WorkerSignal", "SocketHolder") if not hasattr(_granian, name)]
    if missing:
        return None, f"granian {_granian_version()} lacks {', '.join(missing)}"
    return _granian, None


_GRANIAN, FALLBACK_REASON = _load_granian()


class _Backend(Protocol):
    name: str

    @property
    def url(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Server:
    """The mock's HTTP server, bound at construction so its URL is known before it serves.

    `kind` is `auto` (granian where it loads, else waitress), `granian` (an error where it does
    not load) or `waitress`. `threads` is how many requests run at once in the app (a delayed
    or proxied request holds one while it waits). `raw_target`: the app needs the request target
    exactly as sent (`REQUEST_URI`: proxy mode forwards it byte for byte); granian passes only
    the decoded path, so `auto` then picks waitress. `description` says which server serves,
    and why waitress if it was not asked for."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        threads: int = 8,
        access_log: bool = True,
        kind: str = DEFAULT_SERVER,
        raw_target: bool = False,
    ) -> None:
        if kind not in SERVERS:
            raise ValueError(f"unknown server {kind!r}; one of {', '.join(SERVERS)}")
        if kind == "granian" and _GRANIAN is None:
            raise RuntimeError(f"--server granian: {FALLBACK_REASON}")
        self._log = AccessLog(app) if access_log else None
        wsgi = self._log or app
        self._backend: _Backend
        if kind == "granian" or (kind == "auto" and not raw_target and _GRANIAN is not None):
            self._backend = _GranianBackend(Turns(wsgi), host, port, threads)
            self.description = f"granian {_granian_version()} (Rust HTTP/1), {threads} threads"
        else:
            self._backend = _WaitressBackend(wsgi, host, port, threads)
            if kind == "waitress":
                why = ""
            elif raw_target:
                why = "; it passes on the request target exactly as sent, which granian does not"
            else:
                why = f"; {FALLBACK_REASON}"
            self.description = f"waitress, {threads} threads{why}"
        self.name = self._backend.name
        self._started = False

    @property
    def url(self) -> str:
        return self._backend.url

    def start_background(self) -> None:
        """Serves from background threads (tests, benchmarks); `stop` ends it."""
        self._started = True
        self._backend.start()

    def serve_forever(
        self, on_start: Callable[[], None] | None = None, on_stop: Callable[[], None] | None = None
    ) -> None:
        """Serves until SIGINT or SIGTERM, then closes cleanly and calls `on_stop`. `on_start`
        runs once the signal handlers are in place, so a signal right after it is still clean."""
        stopping = threading.Event()

        def stop(_signum: int, _frame: Any) -> None:
            stopping.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            settle_memory()
            self.start_background()
            if on_start is not None:
                on_start()
            # A timed wait: the main thread must come back to Python for the handler to run.
            while not stopping.wait(0.5):
                pass
        finally:
            log.info("shutting down")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()
            if on_stop is not None:
                on_stop()

    def stop(self) -> None:
        """Stops accepting, lets the requests in progress finish (at most `STOP_TIMEOUT`),
        closes the socket, writes the access log's last lines. Safe to call more than once."""
        self._backend.stop()
        if self._log is not None:
            self._log.close()


def settle_memory() -> None:
    """Before serving, for the process that serves: what start-up built (the contract, its
    validators, the stored data, Flask) is frozen out of the garbage collector's sight, and a
    collection runs every 20 000 new objects instead of every 700. A request allocates a few
    hundred: by default every few requests paid for a collection, and the ones that met a full
    one made the tail (create p99 at 64 connections 57-60 ms before, 40-42 ms after; bench/FINDINGS.md).
    The app makes few reference cycles, so memory stays where it was."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def _granian_version() -> str:
    try:
        from importlib.metadata import version

        return version("granian")
    except Exception:
        return "?"


# -- granian --------------------------------------------------------------------------------
class _Response:
    """WSGI `start_response` for granian: granian wants the status as a number."""

    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = 200
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status = int(status[:3])
        self.headers = headers


class _Body:
    """The app's iterable as granian iterates it (`__next__` looked up once), closed after."""

    __slots__ = ("__next__", "inner")

    def __init__(self, inner: Iterable[bytes]) -> None:
        self.inner = inner
        self.__next__: Callable[[], bytes] = iter(inner).__next__

    def __iter__(self) -> Iterator[bytes]:
        return self

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


class _GranianBackend:
    """granian's WSGI worker, in this process, serving a socket bound here.

    granian's own `Server` runs a supervisor and worker processes; its worker is what serves,
    so the mock starts that alone (`serve_str`: one tokio thread for the sockets; the app on
    `threads` Python threads). Its environ is built here from granian's scope, like granian's
    own wrapper but without a copy of `os.environ` in every request."""

    name = "granian"

    def __init__(self, app: Any, host: str, port: int, threads: int) -> None:
        self._app = app
        self._threads = max(1, threads)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # Bound here, without SO_REUSEPORT (granian's own listener sets it, so a second mock on a
        # busy port would share it silently instead of failing): a busy port is an OSError now.
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            if sys.platform != "win32":
                self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Connections accepted from it inherit TCP_NODELAY: without it a response written in
            # two parts (head, then body) waits for the client's delayed ACK, 40 ms on Linux.
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket.bind((host, port))
            self._socket.listen(BACKLOG)
        except OSError:
            self._socket.close()
            raise
        self._address = self._socket.getsockname()
        self._signal: Any = None
        self._done = threading.Event()
        self._stopped = False

    @property
    def url(self) -> str:
        host, port = str(self._address[0]), self._address[1]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start(self) -> None:
        import asyncio

        from granian._futures import _CBScheduler
        from granian.server.common import MetricsAggregator

        g = _GRANIAN
        # granian owns (and closes) the descriptor it is given: a duplicate, so this socket
        # object can still be shut down and closed here.
        holder = g.SocketHolder(os.dup(self._socket.fileno()), False, BACKLOG)
        self._signal = g.WorkerSignal()
        self._signal.add_cb(self._done.set)  # called once the worker has stopped
        worker = g.WSGIWorker(
            1,  # worker id
            (None, holder),
            None,  # no shared runtime
            1,  # tokio threads: the sockets and parsing; one is plenty next to the GIL
            512,  # tokio's blocking threads (granian's default)
            self._threads,  # Python threads that run the app
            30,  # their idle timeout, s
            BACKLOG,  # requests in progress at most (then accepting waits)
            "1",  # HTTP/1.1 only, as waitress
            None,
            None,
            None,  # no static files
            False,  # no TLS
            None,
            None,
            None,
            "tls1.3",
            None,
            [],
            False,
            (None, MetricsAggregator(1)),  # metrics off
        )
        loop = asyncio.new_event_loop()  # granian wants one; a WSGI worker never runs it
        self._loop = loop
        # granian's own helper registers a half-built placeholder as an asyncio Task, which breaks
        # `asyncio.all_tasks()` for any other loop of the process (Playwright's, a test's): a
        # WSGI worker never runs a task, so the scheduler is built here without one.
        scheduler = _CBScheduler(loop, self._runner(), None, None, None)
        worker.serve_str(scheduler, loop, self._signal)
        self._worker = worker

    def _runner(self) -> Callable[[Any, dict[str, Any]], int]:
        app = self._app
        base: dict[str, Any] = {
            "SCRIPT_NAME": "",
            "SERVER_SOFTWARE": "mock_server (granian)",
            "wsgi.errors": sys.stderr,
            "wsgi.input_terminated": True,  # bodies end where the stream ends (chunked ones too)
            "wsgi.multiprocess": False,
            "wsgi.multithread": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }

        def run(proto: Any, scope: dict[str, Any]) -> int:
            response = _Response()
            environ = base | scope
            if "HTTP_TRANSFER_ENCODING" in scope and "CONTENT_LENGTH" not in scope:
                _buffer_chunked(environ)
            elif "CONTENT_LENGTH" in scope:
                _buffer_declared(environ)
            result = app(environ, response)
            if isinstance(result, list):
                proto.response_bytes(response.status, response.headers, b"".join(result))
            else:
                proto.response_iter(response.status, response.headers, _Body(result))
            return response.status

        return run

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._signal is not None:
            self._signal.set()
            # The worker stops accepting at once and calls back when the requests in progress
            # are answered; idle keep-alive connections are closed.
            if not self._done.wait(STOP_TIMEOUT):
                log.warning("requests still in progress after %.0f s; stopping anyway", STOP_TIMEOUT)
            self._loop.close()
        with contextlib.suppress(OSError):
            self._socket.close()


def _buffer_declared(environ: dict[str, Any]) -> None:
    """A body of declared length read whole before the app's turn (`turns`), so a client that
    sends it slowly holds only its own thread. One over `CHUNKED_LIMIT` is left unread: every
    limit of the app refuses it without reading."""
    try:
        declared = int(environ["CONTENT_LENGTH"])
    except ValueError:
        return
    if 0 < declared <= CHUNKED_LIMIT:
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(declared))


def _buffer_chunked(environ: dict[str, Any]) -> None:
    """A body of undeclared length (chunked) read whole, up to `CHUNKED_LIMIT` and one byte
    more, with `CONTENT_LENGTH` set to what was read and no `Transfer-Encoding`, as waitress does. Werkzeug reads an
    undeclared length only up to the app's limit and silently stops there (a truncated body,
    not a 413); with the length known, each limit of the app answers its own JSON 413."""
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= CHUNKED_LIMIT:
        chunk = stream.read(CHUNKED_LIMIT + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)
    del environ["HTTP_TRANSFER_ENCODING"]  # the body is no longer chunked (Werkzeug ignores the length)


# -- waitress -------------------------------------------------------------------------------
@functools.cache
def _json_error_channel() -> type:
    """waitress' connection class, its own refusals answered as the API's errors are.

    What waitress refuses before the app sees it (a head over its limit: 431; a malformed request
    line, header or length: 400) it answered with a text page; the mock promises JSON for every
    4xx, so these are `{"detail": "..."}` with `application/json` too, and close the connection
    as waitress does."""
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JsonErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            error = self.request.error
            body = json.dumps({"detail": f"{error.reason}: {error.body}"}).encode()
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class JsonErrorChannel(HTTPChannel):  # type: ignore[misc]
        error_task_class = JsonErrorTask

    return JsonErrorChannel


class _WaitressBackend:
    """waitress, its I/O loop on a thread of its own and `threads` worker threads."""

    name = "waitress"

    def __init__(self, app: Any, host: str, port: int, threads: int) -> None:
        from waitress.server import create_server

        # waitress warns "Task queue depth is N" for every request that waits for a thread: under
        # any load, thousands of lines that say what the latency already shows, from the I/O thread.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="mock_server")
        self._server.channel_class = _json_error_channel()
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        host = str(self._server.effective_host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._server.effective_port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.run, name="mock-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        from waitress import wasyncore

        # Requests in progress finish first: a worker that outlived the sockets would write to
        # the closed trigger (EBADF).
        self._server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT)
        if self._thread is not None and self._thread.is_alive():
            # Closed from the serving thread itself: a socket closed from here would vanish under
            # its select() (EBADF in that thread), and open keep-alive channels would keep it up.
            server = self._server
            with contextlib.suppress(OSError):  # the loop already closed its trigger: nothing to wake
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            self._thread.join(timeout=STOP_TIMEOUT)
        else:
            self._server.close()
