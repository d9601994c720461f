"""Serving: waitress, one process with threads (the state lives in this process's memory)."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from .devtools.accesslog import AccessLog

log = logging.getLogger(__name__)


class Server:
    """A waitress server bound at construction, so its URL is known before it serves."""

    def __init__(self, app: Any, host: str, port: int, threads: int = 8, access_log: bool = True) -> None:
        # waitress warns "Task queue depth is N" for every request that waits for a thread: under
        # any load, thousands of lines that say what the latency already shows, from the I/O thread.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        wsgi = AccessLog(app) if access_log else app
        self._server = create_server(wsgi, host=host, port=port, threads=threads, ident="mock_server")
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = str(self._server.effective_host)  # type: ignore[attr-defined]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._server.effective_port}"  # type: ignore[attr-defined]

    def serve_forever(
        self, on_start: Callable[[], None] | None = None, on_stop: Callable[[], None] | None = None
    ) -> None:
        """Serves until SIGINT or SIGTERM, then closes cleanly and calls `on_stop`. `on_start`
        runs once the signal handlers are in place, so a signal right after it is still clean."""

        def stop(signum: int, _frame: Any) -> None:
            raise KeyboardInterrupt(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if on_start is not None:
                on_start()
            self._server.run()  # returns on KeyboardInterrupt, which `stop` raises
        except KeyboardInterrupt:
            pass
        finally:
            log.info("shutting down")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()
            if on_stop is not None:
                on_stop()

    def start_background(self) -> None:
        """Serves from a daemon thread (tests, benchmarks); `stop` ends it."""
        self._thread = threading.Thread(target=self._server.run, name="mock-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        # Requests in progress finish first: a worker that outlived the sockets would write to
        # the closed trigger (EBADF).
        self._server.task_dispatcher.shutdown(timeout=5)  # type: ignore[attr-defined]
        if self._thread is not None and self._thread.is_alive():
            # Closed from the serving thread itself: a socket closed from here would vanish under
            # its select() (EBADF in that thread), and open keep-alive channels would keep it up.
            server = self._server
            with contextlib.suppress(OSError):  # the loop already closed its trigger: nothing to wake
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[attr-defined]
            self._thread.join(timeout=5)
        else:
            self._server.close()
