"""CORS, so that a frontend served from another origin (a dev server on :5173) can call the mock.

Any origin may read the API, the admin API and the served spec (`*`: the mock holds no
cookies, credentials travel in `Authorization`). A preflight is answered at once, before
authentication (browsers send no credentials with it) and without running the operation;
it allows exactly the methods the path has in the spec, so a browser refuses a method the
API does not offer just as it would against the real service. Any other `OPTIONS` on a
routable path answers `204` with `Allow`.

Both halves sit around every request (`pipeline`): `preflight` before anything else,
`allow_origin` on whatever answered. The header values are computed once; a request without
`Origin` (curl, wrk, server-to-server clients) costs one dictionary lookup. Flask-CORS did the
same job with a per-request evaluation of its resource patterns, a noticeable part of a
detail request (measured, see bench/FINDINGS.md).
"""

from __future__ import annotations

from flask import Request, Response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from ..devtools.prefer import APPLIED_HEADER
from ..proxy import VIOLATIONS_HEADER
from . import errors

PATHS = ("/api/", "/__admin/", "/openapi.")
ALLOW_HEADERS = "Authorization, Content-Type, Prefer"
EXPOSE_HEADERS = ", ".join(["Location", "WWW-Authenticate", "Allow", APPLIED_HEADER, "Retry-After", VIOLATIONS_HEADER])
MAX_AGE = "600"


def preflight(request: Request, urls: MapAdapter) -> Response | None:
    """The answer to an `OPTIONS` on a routable path CORS covers; None for any other request.
    `urls`: the app's URL map bound to this request."""
    if request.method != "OPTIONS" or not request.path.startswith(PATHS):
        return None
    methods = _allowed_methods(request, urls)
    if methods is None:
        return None  # unroutable: the usual JSON 404
    environ = request.environ
    if "HTTP_ORIGIN" in environ and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
        return errors.empty_response(
            204,
            {
                "Access-Control-Allow-Methods": ", ".join(methods),
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": MAX_AGE,
            },
        )
    return errors.empty_response(204, {"Allow": ", ".join(methods)})


def allow_origin(request: Request, response: Response) -> Response:
    """The `Access-Control-*` headers of an answer to another origin."""
    if "HTTP_ORIGIN" in request.environ and request.path.startswith(PATHS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method != "OPTIONS":
            response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


def _allowed_methods(request: Request, urls: MapAdapter) -> list[str] | None:
    """The methods the URL map routes for this path (HEAD and OPTIONS included); None if none."""
    try:
        methods = urls.allowed_methods(request.path)
    except HTTPException:
        return None
    return sorted(methods) if methods else None
