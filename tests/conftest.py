"""Shared fixtures: real mock servers on free loopback ports, and an HTTP client for them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

import api_spec
from mock_server import create_app
from mock_server.app import MockFlask
from mock_server.server import Server
from mock_server.state.store import Store

TOKEN = "test-token"
API = "/api/v3/workspaces"


@dataclass
class LiveMock:
    """A mock served by waitress in a thread of this process, reached only through HTTP."""

    app: MockFlask
    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def request(self, method: str, path: str, *, token: str | None = TOKEN, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        return self.session.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def snapshot(self, workspace: str = "demo") -> dict[str, Any]:
        """Everything stored in a workspace, read through the API (list pages and details)."""
        state: dict[str, Any] = {}
        for kind in ("personas", "workflows"):
            items = []
            url: str | None = f"{self.url}{API}/{workspace}/{kind}/?page_size=100"
            while url:
                page = self.session.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
                items += page["results"]
                url = page["next"]
            state[kind] = [self.get(f"{API}/{workspace}/{kind}/{item['id']}").json() for item in items]
        return state

    @property
    def violations(self) -> list[str]:
        return self.app.runtime.violations


@contextlib.contextmanager
def serve(store: Store | None = None, tokens: tuple[str, ...] = (TOKEN,)) -> Iterator[LiveMock]:
    """A mock on a free loopback port, checking its own responses against the spec."""
    app = create_app(store=store, tokens=tokens, contract=SPEC, validate_responses=True)
    server = Server(app, "127.0.0.1", 0, threads=8, access_log=False)
    server.start_background()
    live = LiveMock(app, server.url)
    try:
        yield live
    finally:
        live.session.close()
        server.stop()
    assert not live.violations, "responses that break the spec:\n" + "\n".join(live.violations)


SPEC = api_spec.contract()


@pytest.fixture
def mock() -> Iterator[LiveMock]:
    """A fresh mock with the bundled demo data (`demo`) and an empty `sandbox`."""
    with serve() as live:
        yield live


@pytest.fixture(scope="module")
def shared_mock() -> Iterator[LiveMock]:
    """One mock for a whole module, for tests that only read or clean up after themselves."""
    with serve() as live:
        yield live
