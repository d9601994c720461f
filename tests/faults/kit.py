"""Ways to bend the real mock without touching it: re-class its store, wrap its views or token
policy, rewrite requests before it sees them or responses after it answers.

Each faulty variant is a few lines on top of these, so the variant shows only its fault.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import update_wrapper, wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from mock_server import errors, validation
from mock_server.auth import TokenPolicy
from mock_server.spec import Spec
from mock_server.store import PERSONAS, WORKFLOWS, NotFoundError, Record, Store

S = TypeVar("S", bound=Store)
View = Callable[..., Response]
Environ = dict[str, Any]
Factory = Callable[[Store, Sequence[str]], Flask]

API = r"/api/v3/workspaces/[^/]+"
COLLECTION = re.compile(API + r"/(workflows|personas)/")
ITEM = re.compile(API + r"/(workflows|personas)/[^/]+")
RUN = re.compile(API + r"/workflows/[^/]+/run")

CREATE = frozenset({"createWorkflow", "createPersona"})
UPDATE = frozenset({"updateWorkflow", "updatePersona"})
DELETE = frozenset({"deleteWorkflow", "deletePersona"})
DETAIL = frozenset({"getWorkflow", "getPersona"})
LIST = frozenset({"listWorkflows", "listPersonas"})


# -- the store ---------------------------------------------------------------------------
def adopt(store: Store, cls: type[S]) -> S:
    """The seeded `store` as an instance of the faulty subclass `cls`, its state kept.

    The seed loader always builds a plain Store; re-classing it spares re-implementing the loader.
    """
    store.__class__ = cls
    return store


def extra(store: Store, name: str, factory: Callable[[], Any]) -> Any:
    """State a faulty store subclass keeps beside the real one (created on first use)."""
    return store.__dict__.setdefault(f"_fault_{name}", factory())


def rewriting_writes(change: Callable[[str, Record], Record]) -> type[Store]:
    """A faulty store that keeps `change(kind, data)` instead of what each create or replace was given."""

    class RewritingWrites(Store):
        def create(self, workspace: str, kind: str, data: Record) -> Record:
            return super().create(workspace, kind, change(kind, data))

        def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
            return super().replace(workspace, kind, rid, change(kind, data))

    return RewritingWrites


def write(store: Store, workspace: str, kind: str, record: Record) -> None:
    """Overwrites a stored record as it is, bypassing every rule of the store."""
    with store._lock:
        store._workspace(workspace).collection(kind).records[record["id"]] = record


def move_id(store: Store, workspace: str, kind: str, rid: int, new_id: int) -> Record:
    """The record under `new_id` instead of `rid`, if that id is free."""
    with store._lock:
        ws = store._workspace(workspace)
        collection = ws.collection(kind)
        if new_id in collection.records:
            return collection.records[rid]
        record = {**collection.records[rid], "id": new_id}
        collection.remove(rid)
        collection.add(record)
        if kind == WORKFLOWS:
            ws.webhook_tokens[new_id] = ws.webhook_tokens.pop(rid)
        else:
            ws.persona_names[record["name"]] = new_id
        return record


def kind_of(params: dict[str, Any]) -> str:
    return WORKFLOWS if "workflow_id" in params else PERSONAS


def id_of(params: dict[str, Any]) -> int:
    return params["workflow_id"] if "workflow_id" in params else params["persona_id"]


# -- views -------------------------------------------------------------------------------
def operation() -> str | None:
    """The operationId the current request was routed to, or None."""
    rule = request.url_rule
    return rule.endpoint.rsplit(".", 1)[1] if rule is not None and "." in rule.endpoint else None


def spec() -> Spec:
    return current_app.extensions["mock.spec"]


def store() -> Store:
    return current_app.extensions["mock.store"]


def wrap_views(app: Flask, operation_ids: Iterable[str], wrapper: Callable[[View], View]) -> None:
    """Replaces the views of these operations by `wrapper(view)`."""
    wanted = set(operation_ids)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.rsplit(".", 1)[-1] in wanted:
            app.view_functions[endpoint] = wraps(view)(wrapper(view))
            wanted.discard(endpoint.rsplit(".", 1)[-1])
    assert not wanted, f"no view for {sorted(wanted)}"


def typed_path(raw: dict[str, str]) -> dict[str, Any] | None:
    """The current operation's path parameters, typed, or None when they cannot exist."""
    return validation.path_params(spec().operation(operation() or ""), raw)


def shared_checks(raw: dict[str, str]) -> dict[str, Any]:
    """What the mock checks before any handler (404 route, 401, 403, 404 workspace), for a view
    wrapper that acts before the real view; the typed path parameters."""
    path = typed_path(raw)
    if path is None:
        raise errors.NotFound()
    policy: TokenPolicy = current_app.extensions["mock.tokens"]
    token = policy.authenticate(request.headers.get("Authorization"))
    policy.authorize(token, path["workspace_name"])
    if not store().has_workspace(path["workspace_name"]):
        raise errors.NotFound()
    return path


def raw_body() -> Any:
    """The request's JSON document as sent (None when it is not JSON); the real view can still read it."""
    try:
        return json.loads(request.get_data(cache=True))
    except ValueError:
        return None


def validated_body() -> dict[str, Any]:
    """The request body as the mock validates it (400 when invalid), defaults filled in."""
    body = spec().operation(operation() or "").body
    assert body is not None
    document = validation.parse_body(
        body, request.headers.get("Content-Type"), request.content_length, request.get_data(cache=True)
    )
    return validation.validate_body(spec(), body, document)


def stricter(app: Flask, operation_ids: Iterable[str], refuse: Callable[[Any], dict[str, list[str]] | None]) -> None:
    """Adds a validation rule: after the mock's own 401/403/404 checks, a body `refuse` objects to
    is a 400 with its field errors."""

    def wrapper(view: View) -> View:
        def strict(**raw: str) -> Response:
            path = shared_checks(raw)
            if "workflow_id" in path or "persona_id" in path:
                store().get(path["workspace_name"], kind_of(path), id_of(path))  # 404 before 400
            document = raw_body()
            problems = refuse(document) if isinstance(document, dict) else None
            if problems:
                raise errors.ValidationFailed(problems)
            return view(**raw)

        return strict

    wrap_views(app, operation_ids, wrapper)


def around(app: Flask, operation_ids: Iterable[str], handler: Callable[..., Response]) -> None:
    """Replaces the views of these operations by `handler(view, **path)`, which may call the real `view`."""

    def wrapper(view: View) -> View:
        def wrapped(**raw: str) -> Response:
            return handler(view, **raw)

        return wrapped

    wrap_views(app, operation_ids, wrapper)


def on_missing(app: Flask, operation_ids: Iterable[str], fallback: Callable[[dict[str, Any]], Response]) -> None:
    """When the real view finds no such resource, answers `fallback(typed path)` instead of 404."""

    def wrapper(view: View) -> View:
        def lenient(**raw: str) -> Response:
            try:
                return view(**raw)
            except NotFoundError:
                path = typed_path(raw)
                assert path is not None
                return fallback(path)

        return lenient

    wrap_views(app, operation_ids, wrapper)


# -- token policy ------------------------------------------------------------------------
def replace_policy(app: Flask, cls: type[TokenPolicy]) -> None:
    """Swaps the app's token policy for a faulty subclass with the same tokens."""
    app.extensions["mock.tokens"] = cls(app.extensions["mock.tokens"].tokens)


def bearer_parts(header: str | None) -> list[str]:
    return header.split() if header else []


# -- responses ---------------------------------------------------------------------------
def on_response(
    app: Flask, operation_ids: Collection[str] | None, change: Callable[[Response], Response | None]
) -> None:
    """Runs `change` on every response of these operations (of every request, when None)."""

    @app.after_request
    def hook(response: Response) -> Response:
        if operation_ids is None or operation() in operation_ids:
            return change(response) or response
        return response


def rewrite_json(app: Flask, operation_ids: Collection[str] | None, change: Callable[[Any], Any]) -> None:
    """Rewrites the JSON body of every successful response of these operations."""

    def rewrite(response: Response) -> None:
        if response.is_json and 200 <= response.status_code < 300:
            body = json.loads(response.get_data())
            response.set_data(json.dumps(change(body)))

    on_response(app, operation_ids, rewrite)


def query_page() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() else 1


# -- requests ----------------------------------------------------------------------------
def rewrite_requests(app: Flask, change: Callable[[Environ], None]) -> None:
    """A WSGI middleware: `change` edits every request's environ before the mock sees it."""
    inner = app.wsgi_app

    def middleware(environ: Environ, start_response: Any) -> Any:
        change(environ)
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]


def rewrite_json_bodies(
    app: Flask, methods: Collection[str], path: re.Pattern[str], change: Callable[[dict[str, Any]], None]
) -> None:
    """Edits the JSON object body of matching requests in place before the mock validates it."""

    def rewrite(environ: Environ) -> None:
        if environ["REQUEST_METHOD"] not in methods or not path.fullmatch(environ.get("PATH_INFO", "")):
            return
        if not (environ.get("CONTENT_LENGTH") or "").isdigit():
            return
        data = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            change(document)
            data = json.dumps(document).encode()
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))

    rewrite_requests(app, rewrite)


# -- variants ----------------------------------------------------------------------------
def bending(bend: Callable[..., None], *args: Any) -> Callable[[Callable[..., Any]], Factory]:
    """Makes the decorated function a whole variant factory: the real mock, bent by
    `bend(app, *args, function)`, e.g. `@bending(rewrite_json, LIST)` over a page rewrite, so that
    the variant's code is only its fault. The factory keeps the function's name (the variant's)."""

    def decorate(fault: Callable[..., Any]) -> Factory:
        def build(store: Store, tokens: Sequence[str]) -> Flask:
            from .catalog import mock  # not at the top: the catalog imports this module

            app = mock(store, tokens)
            bend(app, *args, fault)
            return app

        return update_wrapper(build, fault, assigned=("__module__", "__name__", "__qualname__", "__doc__"), updated=())

    return decorate
