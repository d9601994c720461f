"""Binds handlers to the spec's operations: the spec gives the URL, method and checks.

A resource module registers plain functions by `operationId`; `Handlers.blueprint(spec)`
builds a Flask blueprint whose URL rules come from the spec, and wraps each handler with
the checks every operation shares, in the order DRF applies them: routing (an impossible id
is 404), authentication (401), permission (403), workspace (404), query (400). The body is
checked when the handler asks for it, after it has found its resource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, request

from . import validation
from .auth import TokenPolicy
from .errors import NotFound, json_response
from .spec import Operation, Spec
from .store import Store


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request to an operation, its parameters typed and checked."""

    operation: Operation
    spec: Spec
    store: Store
    workspace: str
    params: dict[str, Any]

    def body(self) -> dict[str, Any]:
        """The validated body: known fields only, spec defaults filled in."""
        assert self.operation.body is not None, f"{self.operation.operation_id} takes no body"
        # Werkzeug answers 413 before reading a declared length over the limit, and stops reading
        # an undeclared (chunked) one there.
        request.max_content_length = validation.MAX_BODY_BYTES
        document = validation.parse_body(
            self.operation.body,
            request.headers.get("Content-Type"),
            request.content_length,
            request.get_data(cache=True),
        )
        return validation.validate_body(self.spec, self.operation.body, document)


Handler = Callable[[Call], Reply]


class Handlers:
    """The handlers of one resource, by operationId."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, Handler] = {}

    def operation(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self._handlers[operation_id] = fn
            return fn

        return register

    @property
    def operation_ids(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def blueprint(self, spec: Spec) -> Blueprint:
        bp = Blueprint(self.name, __name__)
        for operation_id, handler in self._handlers.items():
            op = spec.operation(operation_id)
            bp.add_url_rule(op.rule, endpoint=operation_id, view_func=_view(op, handler), methods=[op.method])
        return bp


def _view(op: Operation, handler: Handler) -> Callable[..., Response]:
    def view(**raw_path: str) -> Response:
        path = validation.path_params(op, raw_path)
        if path is None:
            raise NotFound()
        policy: TokenPolicy = current_app.extensions["mock.tokens"]
        token = policy.authenticate(request.headers.get("Authorization"))
        workspace = path.get("workspace_name", "")
        policy.authorize(token, workspace)
        store: Store = current_app.extensions["mock.store"]
        if not store.has_workspace(workspace):
            raise NotFound()
        query = validation.query_params(op, request.args)
        call = Call(op, current_app.extensions["mock.spec"], store, workspace, {**query, **path})
        reply = handler(call)
        if reply.body is None:
            return Response(status=reply.status, headers=reply.headers)
        return json_response(reply.status, _project(op, reply.body), reply.headers)

    view.__name__ = op.operation_id
    view.__doc__ = op.raw.get("summary")
    return view


def _project(op: Operation, body: Any) -> Any:
    """Only the fields the response schema shows, in its order (of each item, for a list)."""
    fields = op.result_fields
    if fields is None:
        return body
    if op.paginated:
        return {**body, "results": [_fields(r, fields) for r in body["results"]]}
    return _fields(body, fields)


def _fields(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    if tuple(record) == fields:
        return record  # already these fields in this order (the store keeps records so)
    return {k: record[k] for k in fields if k in record}
