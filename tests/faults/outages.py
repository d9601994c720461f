"""Targets that fail as a whole rather than in one rule: every answer a 500, or a server that
stops answering after some requests (each later request hangs until the test releases it).

The contract suite must reach a verdict on each quickly: a failure for the first, and for the
second one clear line saying the target stopped answering, not one request timeout per case.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Flask

from mock_server.state.store import Store

from .catalog import mock


def all_errors(store: Store, tokens: Sequence[str]) -> Flask:
    """The real mock behind a middleware that answers every request 500."""
    app = mock(store, tokens)

    def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = b'{"detail": "Internal server error."}'
        start_response("500 Internal Server Error", [("Content-Type", "application/json")])
        return [body]

    app.wsgi_app = middleware  # type: ignore[method-assign]
    return app


class GoesSilent:
    """A factory of the real mock that answers `after` requests, then never again: each later
    request waits until `release()` (or `hold` seconds), so the server can still be stopped."""

    def __init__(self, after: int, hold: float = 120.0) -> None:
        self.after = after
        self.hold = hold
        self.answered = 0
        self._lock = threading.Lock()
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    def __call__(self, store: Store, tokens: Sequence[str]) -> Flask:
        app = mock(store, tokens)
        inner = app.wsgi_app

        def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with self._lock:
                silent = self.answered >= self.after
                self.answered += not silent
            if silent:
                self._released.wait(self.hold)
            return inner(environ, start_response)

        app.wsgi_app = middleware  # type: ignore[method-assign]
        return app
