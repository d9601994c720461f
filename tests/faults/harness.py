"""Serves the correct mock or a faulty variant on a free loopback port, in a background thread.

    with serve_variant("count_off_by_one", token="t0k") as base_url:
        ...  # base_url is "http://127.0.0.1:<port>"; workspaces `demo` and `sandbox`

The mock's own `Server` (waitress) runs in this process, so no variant outlives the test that
started it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Flask

from mock_server import create_app
from mock_server.server import Server
from mock_server.state import seed
from mock_server.state.store import Store

from .catalog import CONTRACT, Variant
from .variants import VARIANTS

DEFAULT_TOKEN = "fault-token"
WORKSPACES = ("demo", "sandbox")

Seed = bool | dict[str, Any]
Factory = Callable[[Store, Sequence[str]], Flask]


def build_store(data: Seed = True, workspaces: Iterable[str] = ()) -> Store:
    """`demo` and `sandbox` (plus `workspaces`): the bundled demo data (True), empty (False), or `data`."""
    if data is True:
        store = seed.load(CONTRACT, None)
    elif data is False:
        store = seed.build_store(CONTRACT, None)
    else:
        store = seed.build_store(CONTRACT, data, "<test seed>")
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
    raw_target: bool = False,
) -> Iterator[str]:
    """Serves `factory(store, tokens)` (the correct mock when None) and yields its base URL.
    `raw_target`: the app reads `REQUEST_URI` (the target as sent), which only waitress passes."""
    store = build_store(seed, workspaces)
    tokens = (token,)
    app = factory(store, tokens) if factory is not None else create_app(store=store, tokens=tokens, contract=CONTRACT)
    server = Server(app, "127.0.0.1", 0, threads=threads, access_log=False, raw_target=raw_target)
    server.start_background()
    try:
        yield server.url
    finally:
        server.stop()


def serve_correct(**options: Any) -> contextlib.AbstractContextManager[str]:
    """The real mock, served exactly as a variant would be (same options as `serve`)."""
    return serve(None, **options)


def serve_variant(variant: str | Variant, **options: Any) -> contextlib.AbstractContextManager[str]:
    """A faulty variant by name (see `VARIANTS`), served like the real mock (options as `serve`)."""
    chosen = VARIANTS[variant] if isinstance(variant, str) else variant
    return serve(chosen.build, **options)
