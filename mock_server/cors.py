"""CORS, so that a frontend served from another origin (a dev server on :5173) can call the mock.

Any origin may read the API, the admin API and the served spec (`*`: the mock holds no
cookies, credentials travel in `Authorization`). A preflight is answered at once, before
authentication (browsers send no credentials with it) and without running the operation;
it allows exactly the methods the path has in the spec, so a browser refuses a method the
API does not offer just as it would against the real service. Any other `OPTIONS` on a
routable path answers `204` with `Allow`.

The header values are computed once; a request without `Origin` (curl, wrk, server-to-server
clients) costs one dictionary lookup. Flask-CORS did the same job with a per-request
evaluation of its resource patterns that measured at about a tenth of a detail request.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from . import prefer

PATHS = ("/api/", "/__admin/", "/openapi.")
ALLOW_HEADERS = "Authorization, Content-Type, Prefer"
EXPOSE_HEADERS = ", ".join(["Location", "WWW-Authenticate", "Allow", prefer.APPLIED_HEADER, "Retry-After"])
MAX_AGE = "600"


def install(app: Flask) -> None:
    """Preflights in a `before_request` hook (so the journal still records them), the
    `Access-Control-*` headers of every other answer in an `after_request` hook."""

    @app.before_request
    def answer_options() -> Response | None:
        if request.method != "OPTIONS" or not request.path.startswith(PATHS):
            return None
        methods = _allowed_methods(app)
        if methods is None:
            return None  # unroutable: the usual JSON 404
        if "HTTP_ORIGIN" in request.environ and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.environ:
            return Response(
                status=204,
                headers={
                    "Access-Control-Allow-Methods": ", ".join(methods),
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": MAX_AGE,
                },
            )
        return Response(status=204, headers={"Allow": ", ".join(methods)})

    @app.after_request
    def allow_origin(response: Response) -> Response:
        if "HTTP_ORIGIN" in request.environ and request.path.startswith(PATHS):
            response.headers["Access-Control-Allow-Origin"] = "*"
            if request.method != "OPTIONS":
                response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return response


def _allowed_methods(app: Flask) -> list[str] | None:
    """The methods the URL map routes for this path (HEAD and OPTIONS included); None if none."""
    adapter = app.url_map.bind_to_environ(request.environ)
    try:
        methods = adapter.allowed_methods(request.path)
    except HTTPException:
        return None
    return sorted(methods) if methods else None
