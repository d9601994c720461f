"""The admin API under `/__admin/` (WireMock's convention), described in `admin-openapi.yaml`.

Not part of `openapi.yaml`: it controls the mock, not the product. It takes the same bearer
tokens, checked by the same `auth.authenticate`, but only one allowed on every workspace (a
restricted token is `403`). It acts on the app's `Runtime`: its store, journal and starting data.

    POST   /__admin/reset       back to the starting data (the seed), id counters included
    GET    /__admin/state       the whole state, in the seed format (re-imports exactly)
    PUT    /__admin/state       replace the whole state (validated like a seed; all or nothing)
    GET    /__admin/requests    the request journal (?method=&path=&status=&violations=&limit=)
    DELETE /__admin/requests    clear the journal

In proxy mode the upstream holds the data: reset and state answer `409`, the journal works.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, request

from .. import runtime
from ..api import auth
from ..api.errors import (
    NoLocalState,
    ParseError,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMediaType,
    empty_response,
    json_response,
)
from ..state import seed, snapshot
from .journal import parse_filter

PREFIX = "/__admin"
SPEC_FILE = Path(__file__).with_name("admin-openapi.yaml")
MAX_STATE_BYTES = 64 * 1024 * 1024


def load_admin_spec() -> dict[str, Any]:
    with open(SPEC_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def blueprint() -> Blueprint:
    bp = Blueprint("mock_admin", __name__, url_prefix=PREFIX)

    @bp.before_request
    def authenticate() -> None:
        if request.method == "OPTIONS":
            return
        policy = runtime.current().tokens
        token = auth.authenticate(policy, request)
        if not policy.allows_everywhere(token):
            raise PermissionDenied("The admin API needs a token that is allowed on every workspace.")

    @bp.post("/reset")
    def reset() -> Response:
        rt = _with_state()
        rt.store.replace_with(rt.reset_to())
        return json_response(200, snapshot.summary(rt.store))

    @bp.get("/state")
    def export_state() -> Response:
        rt = _with_state()
        return json_response(200, snapshot.export(rt.contract, rt.store))

    @bp.put("/state")
    def import_state() -> Response:
        rt = _with_state()
        try:
            replacement = seed.build_store(rt.contract, _json_body(), "request body")
        except seed.SeedError as exc:
            raise ParseError(str(exc)) from None
        except RecursionError:
            raise ParseError("request body: nested too deeply") from None
        rt.store.replace_with(replacement)
        return json_response(200, snapshot.summary(rt.store))

    @bp.get("/requests")
    def list_requests() -> Response:
        entries = runtime.current().journal.entries(parse_filter(request.args.items(multi=False)))
        return json_response(200, {"count": len(entries), "requests": entries})

    @bp.delete("/requests")
    def clear_requests() -> Response:
        runtime.current().journal.clear()
        return empty_response(204)

    return bp


def _with_state() -> runtime.Runtime:
    """The runtime, if it holds the state (409 in proxy mode, where the upstream does)."""
    rt = runtime.current()
    if rt.proxy is not None:
        raise NoLocalState()
    return rt


def _json_body() -> Any:
    content_type = (request.mimetype or "").lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType(f'Unsupported media type "{request.content_type or ""}" in request.')
    if (request.content_length or 0) > MAX_STATE_BYTES:
        raise PayloadTooLarge()
    data = request.get_data(cache=True)
    if len(data) > MAX_STATE_BYTES:
        raise PayloadTooLarge()
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
