"""Serves the correct mock or a faulty variant on a free loopback port, in a background thread.

    with serve_variant("count_off_by_one", token="t0k") as base_url:
        ...  # base_url is "http://127.0.0.1:<port>"; workspaces `demo` and `sandbox`

Waitress runs in this process, so no variant outlives the test that started it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Flask
from waitress.server import create_server

from mock_server import create_app, seed
from mock_server.store import Store

from .catalog import SPEC, Variant
from .variants import VARIANTS

DEFAULT_TOKEN = "fault-token"
WORKSPACES = ("demo", "sandbox")

Seed = bool | dict[str, Any]
Factory = Callable[[Store, Sequence[str]], Flask]


def build_store(data: Seed = True, workspaces: Iterable[str] = ()) -> Store:
    """`demo` and `sandbox` (plus `workspaces`): the bundled demo data (True), empty (False), or `data`."""
    if data is True:
        store = seed.load(SPEC, None)
    elif data is False:
        store = seed.build_store(SPEC, None)
    else:
        store = seed.build_store(SPEC, data, "<test seed>")
    for name in (*WORKSPACES, *workspaces):
        store.add_workspace(name)
    return store


@contextlib.contextmanager
def serve(
    factory: Factory | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    seed: Seed = True,
    workspaces: Iterable[str] = (),
    threads: int = 4,
) -> Iterator[str]:
    """Serves `factory(store, tokens)` (the correct mock when None) and yields its base URL."""
    store = build_store(seed, workspaces)
    tokens = (token,)
    app = factory(store, tokens) if factory is not None else create_app(store=store, tokens=tokens, spec=SPEC)
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="faulty-mock")
    thread = threading.Thread(target=server.run, name="faulty-mock", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        _stop(server, thread)


def serve_correct(**options: Any) -> contextlib.AbstractContextManager[str]:
    """The real mock, served exactly as a variant would be (same options as `serve`)."""
    return serve(None, **options)


def serve_variant(variant: str | Variant, **options: Any) -> contextlib.AbstractContextManager[str]:
    """A faulty variant by name (see `VARIANTS`), served like the real mock (options as `serve`)."""
    chosen = VARIANTS[variant] if isinstance(variant, str) else variant
    return serve(chosen.build, **options)


def _stop(server: Any, thread: threading.Thread) -> None:
    """Finishes the requests in progress, then closes every socket from the loop's own thread.

    Closing from the outside would leave the loop waiting out its poll timeout (or a client's
    idle keep-alive connection), and a worker could still pull an already closed trigger.
    """
    server.task_dispatcher.shutdown(timeout=5)

    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    with contextlib.suppress(OSError):  # the loop already closed its trigger
        server.trigger.pull_trigger(close_all)
    thread.join(timeout=5)
    if thread.is_alive():
        raise RuntimeError("the mock's server thread did not stop")
