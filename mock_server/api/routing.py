"""From a request to an operation of the contract: Flask's URL map holds one rule per operation
(path and method from the contract), and the `route` step reads which one matched.

Werkzeug's matching gives what the API needs for free: `404` for an unknown path, `405` with
`Allow` for a method the path does not have, the methods a CORS preflight may allow, and the
URL of a created resource (`url_for`). The endpoint of each rule is its operationId, kept in a
table (`Routes`), so the operation of a request is one lookup, never parsed from a name.
"""

from __future__ import annotations

from flask import Flask, Request
from werkzeug.routing import RequestRedirect

from .compiled import CompiledOperation, CompiledSpec
from .errors import NotFound


class Routes:
    """The compiled operation of each URL rule the API registered, by endpoint."""

    def __init__(self, compiled: CompiledSpec) -> None:
        self.by_endpoint: dict[str, CompiledOperation] = {op.operation.operation_id: op for op in compiled}

    def register(self, app: Flask) -> None:
        for endpoint, op in self.by_endpoint.items():
            # No view function: the pipeline answers API requests itself (`MockFlask`).
            app.add_url_rule(op.rule, endpoint=endpoint, methods=[op.operation.method])

    def matched(self, request: Request) -> CompiledOperation | None:
        """The operation the request routed to; None when routing failed or it is not the API's."""
        rule = request.url_rule
        if request.routing_exception is not None or rule is None:
            return None
        return self.by_endpoint.get(rule.endpoint)  # type: ignore[arg-type]

    def resolve(self, request: Request) -> CompiledOperation:
        """The operation the request routed to; raises 404 for an unknown path (or one that differs
        only by its trailing slash) and 405 for a method the path does not have."""
        failed = request.routing_exception
        if failed is not None:
            # `/workflows` would be redirected to `/workflows/` (an HTML 308); the spec's paths are exact.
            raise NotFound() if isinstance(failed, RequestRedirect) else failed
        op = self.matched(request)
        if op is None:
            raise NotFound()
        return op


def exact_paths(request: Request) -> None:
    """For what Flask dispatches itself (docs, admin): a redirect to another slash is a 404 too."""
    if isinstance(request.routing_exception, RequestRedirect):
        request.routing_exception = NotFound()  # type: ignore[assignment]
