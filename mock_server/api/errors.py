"""Every error the mock answers, and the one place that turns them into DRF-shaped JSON.

Steps, handlers and the admin API raise; `render` builds the answer. Nothing else builds an
error body: a `Prefer: code=` for a status the spec does not document answers `error_for(status)`,
a `--fail-rate` failure `ServiceUnavailable`, an answer that breaks the spec (under
`--validate-responses`) `AnsweredAgainstSpec`, an upstream that fails in proxy mode `BadGateway` or
`GatewayTimeout`. The store raises its own HTTP-free exceptions, mapped here too.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import orjson
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..state import store

log = logging.getLogger(__name__)

# DRF's default messages where DRF has one; otherwise the reason phrase (`detail_for`).
_DRF_DETAIL = {
    400: "Malformed request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Could not satisfy the request Accept header.",
    413: "Request body is too large.",
    415: "Unsupported media type in request.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    503: "Service temporarily unavailable, try again later.",
}
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="api"'}


def detail_for(status: int) -> str:
    """DRF's default `detail` for a status, or the reason phrase where DRF has none."""
    if status in _DRF_DETAIL:
        return _DRF_DETAIL[status]
    try:
        return f"{HTTPStatus(status).phrase}."
    except ValueError:
        return f"Status {status}."


class APIError(Exception):
    """An error with its status, JSON body and extra headers."""

    status = 400

    def __init__(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body)
        self.body = body
        self.headers = headers or {}


class DetailError(APIError):
    default_detail = "Error."

    def __init__(self, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__({"detail": detail or self.default_detail}, headers)


class ParseError(DetailError):
    status = 400
    default_detail = "Malformed request."


class ValidationFailed(APIError):
    """Field errors: `{"field": ["message", ...]}`."""

    status = 400

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)


class NotAuthenticated(DetailError):
    status = 401
    default_detail = "Authentication credentials were not provided."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, dict(WWW_AUTHENTICATE))


class PermissionDenied(DetailError):
    status = 403
    default_detail = "You do not have permission to perform this action."


class NotFound(DetailError):
    status = 404
    default_detail = "Not found."


class PayloadTooLarge(DetailError):
    status = 413
    default_detail = "Request body is too large."


class UnsupportedMediaType(DetailError):
    status = 415
    default_detail = "Unsupported media type in request."


class ServiceUnavailable(DetailError):
    """A `--fail-rate` failure: try again in a second."""

    status = 503
    default_detail = _DRF_DETAIL[503]

    def __init__(self) -> None:
        super().__init__(None, {"Retry-After": "1"})


class AnsweredAgainstSpec(DetailError):
    """`--validate-responses`: the answer the mock was about to give breaks the spec."""

    status = 500

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The mock answered against its spec: " + "; ".join(problems).replace('"', "'"))


class BadGateway(DetailError):
    """Proxy mode: the upstream is unreachable, refused the connection or broke off its answer."""

    status = 502


class GatewayTimeout(DetailError):
    """Proxy mode: the upstream did not answer within `--proxy-timeout`."""

    status = 504


class NoLocalState(DetailError):
    """Proxy mode: the admin API's state operations have no state to act on (the upstream holds it)."""

    status = 409
    default_detail = "The mock runs as a proxy (--proxy): the upstream holds the state, the mock keeps none."


def error_for(status: int) -> APIError:
    """An error of any status with DRF's default detail (and `WWW-Authenticate` for a 401)."""
    error = DetailError(detail_for(status), dict(WWW_AUTHENTICATE) if status == 401 else None)
    error.status = status
    return error


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """Serialises with orjson (UTF-8; much faster than `json`, which shows on list pages: measured,
    see bench/FINDINGS.md); what it refuses (a lone surrogate, an integer beyond 64 bits) falls
    back to `ensure_ascii` JSON."""
    try:
        data = orjson.dumps(body)
    except orjson.JSONEncodeError:
        data = json.dumps(body, separators=(",", ":")).encode()
    return Response(data, status=status, headers=headers, mimetype="application/json")


def empty_response(status: int, headers: dict[str, str] | None = None) -> Response:
    """An answer without a body (a 204, a preflight) and without a `Content-Type`, as DRF sends
    it: Werkzeug would label the nothing `text/html`."""
    response = Response(status=status, headers=headers)
    response.headers.remove("Content-Type")
    return response


def render(exc: Exception, method: str | None = None) -> Response:
    """The answer to anything raised while serving a request (`method`: the request's, where
    it is served outside Flask's request context)."""
    if isinstance(exc, APIError):
        return json_response(exc.status, exc.body, exc.headers)
    if isinstance(exc, store.NotFoundError):
        return json_response(404, {"detail": NotFound.default_detail})
    if isinstance(exc, store.ConflictError):
        return json_response(400, {exc.field: [exc.message]})
    if isinstance(exc, HTTPException):
        headers = dict(exc.get_headers())
        headers.pop("Content-Type", None)
        if isinstance(exc, MethodNotAllowed):
            detail = f'Method "{method or request.method}" not allowed.'
        elif exc.code == 404:
            detail = NotFound.default_detail
        elif exc.code == 413:
            detail = PayloadTooLarge.default_detail
        else:
            detail = exc.description or exc.name
        return json_response(exc.code or 500, {"detail": detail}, headers)
    log.error("unhandled error", exc_info=exc)
    return json_response(500, {"detail": "Internal server error."})


def register(app: Flask) -> None:
    """`render` as Flask's error handler, for what Flask dispatches itself (docs, spec, admin API)."""
    app.register_error_handler(Exception, render)
