"""Requests run the app one at a time; a request that waits steps aside while it waits.

The app is Python: under the GIL two requests never compute at once anyway. But with eight
threads all asking for the GIL, each request is interrupted, switched and woken several times
over, and under load the mock answered half as fast on eight threads as on one (measured, see
bench/FINDINGS.md). So the server runs each request's app call holding a turn (`Turns`), and
the others wait for it outside the interpreter, on a lock.

A request that would hold its turn while nothing happens gives it away instead: the places that
wait (`Prefer: delay`, `--latency`, the upstream in proxy mode) wait inside `waiting()`, which
lets the next request run meanwhile and takes a turn back after. So `--threads` stays what the
README says: how many requests may be in progress at once, a waiting one included.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_held = threading.local()  # the `Turns` lock this thread holds, if any


class Turns:
    """A WSGI app, called by one thread at a time."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        lock = self._lock
        lock.acquire()
        _held.lock = lock
        try:
            return self.app(environ, start_response)
        finally:
            _held.lock = None
            lock.release()


@contextmanager
def waiting() -> Iterator[None]:
    """Around a wait that needs no turn (a sleep, an upstream): the next request runs meanwhile."""
    lock = getattr(_held, "lock", None)
    if lock is None:  # not in a turn (waitress, a test calling the app): nothing to give away
        yield
        return
    _held.lock = None
    lock.release()
    try:
        yield
    finally:
        lock.acquire()
        _held.lock = lock
