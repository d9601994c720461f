"""Every error the mock answers, and the one place that turns them into DRF-shaped JSON.

Views and helpers raise; nothing else builds an error response. The store raises its own
HTTP-free exceptions, mapped here too.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from . import store

log = logging.getLogger(__name__)


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
        super().__init__(detail, {"WWW-Authenticate": 'Bearer realm="api"'})


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


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """Serialises with orjson (UTF-8; several times faster, which shows on list pages); what it
    refuses (a lone surrogate, an integer beyond 64 bits) falls back to `ensure_ascii` JSON."""
    try:
        data = orjson.dumps(body)
    except orjson.JSONEncodeError:
        data = json.dumps(body, separators=(",", ":")).encode()
    return Response(data, status=status, headers=headers, mimetype="application/json")


def register_error_handlers(app: Flask) -> None:
    @app.before_request
    def _exact_paths() -> None:
        """`/workflows` would be redirected to `/workflows/` (an HTML 308); the spec's paths are exact."""
        if isinstance(request.routing_exception, RequestRedirect):
            raise NotFound()

    @app.errorhandler(APIError)
    def _api_error(exc: APIError) -> Response:
        return json_response(exc.status, exc.body, exc.headers)

    @app.errorhandler(store.NotFoundError)
    def _missing(exc: store.NotFoundError) -> Response:
        return json_response(404, {"detail": "Not found."})

    @app.errorhandler(store.ConflictError)
    def _conflict(exc: store.ConflictError) -> Response:
        return json_response(400, {exc.field: [exc.message]})

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        headers = dict(exc.get_headers())
        headers.pop("Content-Type", None)
        if isinstance(exc, MethodNotAllowed):
            detail = f'Method "{request.method}" not allowed.'
        elif exc.code == 404:
            detail = "Not found."
        elif exc.code == 413:
            detail = PayloadTooLarge.default_detail
        else:
            detail = exc.description or exc.name
        return json_response(exc.code or 500, {"detail": detail}, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return json_response(500, {"detail": "Internal server error."})
