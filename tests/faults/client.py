"""Plain HTTP to a served mock or variant, for probes that must not depend on the contract suite."""

from __future__ import annotations

from typing import Any

import requests

API = "/api/v3/workspaces"
_DEFAULT = object()


class Violation(Exception):
    """The contract a probe states does not hold (a plain AssertionError means its setup failed)."""


def expect(holds: bool, message: str) -> None:
    if not holds:
        raise Violation(message)


class Api:
    """Requests to `/api/v3/workspaces/<workspace>/<path>` with a bearer token, unless told otherwise."""

    def __init__(self, base_url: str, token: str, workspace: str = "demo") -> None:
        self.base_url = base_url
        self.token = token
        self.workspace = workspace
        self.session = requests.Session()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.session.close()

    def url(self, path: str, workspace: str | None = None) -> str:
        return f"{self.base_url}{API}/{workspace or self.workspace}/{path}"

    def call(
        self,
        method: str,
        path: str,
        *,
        workspace: str | None = None,
        token: Any = _DEFAULT,
        authorization: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """`token=None` sends no token; `authorization` sends that header as it is."""
        headers = dict(kwargs.pop("headers", None) or {})
        if authorization is not None:
            headers["Authorization"] = authorization
        elif token is not None:
            headers["Authorization"] = f"Bearer {self.token if token is _DEFAULT else token}"
        url = path if path.startswith("http") else self.url(path, workspace)
        return self.session.request(method, url, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)
