"""Ways to bend the real mock without touching it, through its public seam only
(`mock_server.runtime.Runtime`): a delegating wrapper around its store, a handler wrapped by
operation, another token policy, a step added to its pipeline, requests rewritten before the
mock sees them (WSGI middleware) or answers after it has given them (a Flask `after_request`
hook that asks `runtime.operation_of(request)`; registering one puts the app's API requests back
on Flask's own dispatch, with its request context).

Each faulty variant is a few lines on top of these, so the variant shows only its fault.
Operations and paths come from the contract's model, as in the mock.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from contextvars import ContextVar
from functools import update_wrapper
from typing import Any

from flask import Flask, Response, current_app, request

import api_spec
from api_spec import WORKFLOWS, Operation
from mock_server.api import errors
from mock_server.api.pipeline import Call, Handler, Reply, Step
from mock_server.app import MockFlask
from mock_server.runtime import Runtime
from mock_server.state.kinds import RULES, Record
from mock_server.state.store import NotFoundError, Store

CONTRACT = api_spec.contract()
Environ = dict[str, Any]
Factory = Callable[[Store, Sequence[str]], Flask]


def _role(role: str) -> frozenset[str]:
    return frozenset(kind.op(role).operation_id for kind in CONTRACT.kinds.values() if kind.has(role))


CREATE = _role("create")
UPDATE = _role("update")
DELETE = _role("delete")
DETAIL = _role("get")
LIST = _role("list")
RUN = CONTRACT.kind(WORKFLOWS).op("run").operation_id


def op(kind: str, role: str) -> str:
    """The operationId of a kind's operation with this role (`op(PERSONAS, "create")`)."""
    return CONTRACT.kind(kind).op(role).operation_id


def _pattern(path: str) -> str:
    return re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))


def paths(*operation_ids: str, optional_id: bool = False) -> re.Pattern[str]:
    """The concrete paths of these operations; `optional_id`: an item path also matches its
    collection (`.../workflows/` and `.../workflows/5`)."""
    found = []
    for oid in operation_ids:
        path = CONTRACT.operation(oid).path
        pattern = _pattern(path)
        if optional_id and path.endswith("}"):
            pattern = _pattern(path[: path.rindex("{")]) + "(?:[^/]+)?"
        found.append(pattern)
    return re.compile("|".join(dict.fromkeys(found)))


COLLECTIONS = paths(*LIST)


def writes_of(kind: str) -> re.Pattern[str]:
    """The paths a kind is created and replaced at (its collection, an item)."""
    return paths(op(kind, "create"), op(kind, "update"), optional_id=True)


# -- the store ---------------------------------------------------------------------------
class StoreWrapper:
    """Delegates the store's public interface to `inner`; a faulty store overrides a few methods.

    Each call holds the wrapper's own lock, so what an override does in several calls to the
    real store is seen by the app as one change.
    """

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.lock = threading.RLock()

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.inner.kinds

    def add_workspace(self, name: str) -> None:
        with self.lock:
            self.inner.add_workspace(name)

    def has_workspace(self, name: str) -> bool:
        return self.inner.has_workspace(name)

    def workspace_names(self) -> list[str]:
        return self.inner.workspace_names()

    def count(self, workspace: str, kind: str) -> int:
        with self.lock:
            return self.inner.count(workspace, kind)

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        with self.lock:
            return self.inner.page(workspace, kind, offset, limit)

    def ids(self, workspace: str, kind: str) -> list[int]:
        with self.lock:
            return self.inner.ids(workspace, kind)

    def get(self, workspace: str, kind: str, rid: int) -> Record:
        with self.lock:
            return self.inner.get(workspace, kind, rid)

    def secret(self, workspace: str, kind: str, rid: int) -> str:
        with self.lock:
            return self.inner.secret(workspace, kind, rid)

    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            return self.inner.create(workspace, kind, data)

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            return self.inner.replace(workspace, kind, rid, data)

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            self.inner.delete(workspace, kind, rid)

    def run(self, workspace: str, kind: str, rid: int) -> Record:
        with self.lock:
            return self.inner.run(workspace, kind, rid)

    def restore(self, workspace: str, kind: str, data: Record, secret: str | None = None) -> Record:
        with self.lock:
            return self.inner.restore(workspace, kind, data, secret)

    def next_ids(self) -> dict[str, int]:
        return self.inner.next_ids()

    def raise_next_ids(self, next_ids: dict[str, int]) -> None:
        with self.lock:
            self.inner.raise_next_ids(next_ids)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return self.inner.snapshot()

    def replace_with(self, other: Store) -> None:
        with self.lock:
            self.inner.replace_with(other)

    def on_change(self, listener: Callable[[], None]) -> None:
        self.inner.on_change(listener)


def everything(store: Store | StoreWrapper, workspace: str, kind: str) -> list[Record]:
    """Every record of a kind in a workspace, in id order."""
    return store.page(workspace, kind, 0, store.count(workspace, kind))[1]


def write(store: StoreWrapper, workspace: str, kind: str, record: Record, secret: str | None = None) -> None:
    """Puts `record` in place of the stored one with its id exactly as given (server-set fields
    included, past the store's rules for them): deleted and restored through the public methods,
    under the wrapper's lock; a kind's secret stays unless another is given."""
    with store.lock:
        rid = record["id"]
        if secret is None and RULES[kind].secret is not None:
            secret = store.inner.secret(workspace, kind, rid)
        store.inner.delete(workspace, kind, rid)
        store.inner.restore(workspace, kind, record, secret)


def rewriting_writes(change: Callable[[str, Record], Record]) -> type[StoreWrapper]:
    """A faulty store that keeps `change(kind, data)` instead of what each create or replace was given."""

    class RewritingWrites(StoreWrapper):
        def create(self, workspace: str, kind: str, data: Record) -> Record:
            return super().create(workspace, kind, change(kind, data))

        def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
            return super().replace(workspace, kind, rid, change(kind, data))

    return RewritingWrites


def kind_of(call: Call) -> str:
    operation = call.operation
    assert operation is not None and operation.kind is not None
    return operation.kind


def id_of(call: Call) -> int:
    operation = call.operation
    assert operation is not None and operation.id_param is not None
    return int(call.params[operation.id_param])


# -- handlers ----------------------------------------------------------------------------
def runtime(app: Flask) -> Runtime:
    assert isinstance(app, MockFlask)
    return app.runtime


def wrap_handlers(app: Flask, operation_ids: Iterable[str], wrapper: Callable[[Handler], Handler]) -> None:
    """The handlers of these operations become `wrapper(handler)`."""
    for operation_id in operation_ids:
        runtime(app).wrap_handler(operation_id, wrapper)


_calls: ContextVar[Call | None] = ContextVar("kit_call", default=None)


def around(app: Flask, operation_ids: Iterable[str], handler: Callable[[Handler, Call], Reply]) -> None:
    """The handlers of these operations become `handler(real handler, call)`."""

    def wrapper(inner: Handler) -> Handler:
        def wrapped(call: Call) -> Reply:
            token = _calls.set(call)  # for `operation()`: the mock serves the API outside Flask's context
            try:
                return handler(inner, call)
            finally:
                _calls.reset(token)

        return wrapped

    wrap_handlers(app, operation_ids, wrapper)


def on_missing(app: Flask, operation_ids: Iterable[str], fallback: Callable[[Call], Reply]) -> None:
    """When the real handler finds no such resource, answers `fallback(call)` instead of 404."""

    def wrapper(inner: Handler) -> Handler:
        def lenient(call: Call) -> Reply:
            try:
                return inner(call)
            except NotFoundError:
                return fallback(call)

        return lenient

    wrap_handlers(app, operation_ids, wrapper)


def stricter(app: Flask, operation_ids: Iterable[str], refuse: Callable[[Any], dict[str, list[str]] | None]) -> None:
    """Adds a validation rule: after the mock's own 401/403/404 checks (the resource's too), a
    body `refuse` objects to is a 400 with its field errors."""

    def handler(inner: Handler, call: Call) -> Reply:
        operation = call.operation
        if operation is not None and operation.id_param is not None:
            call.store.get(call.workspace, kind_of(call), id_of(call))  # 404 before 400
        document = call.json()
        problems = refuse(document) if isinstance(document, dict) else None
        if problems:
            raise errors.ValidationFailed(problems)
        return inner(call)

    around(app, operation_ids, handler)


def before_step(app: Flask, step: Step, added: Step) -> None:
    """Runs `added` just before `step` in the app's pipeline."""
    rt = runtime(app)
    at = rt.steps.index(step)
    rt.steps = (*rt.steps[:at], added, *rt.steps[at:])


# -- token policy ------------------------------------------------------------------------
def bearer_parts(header: str | None) -> list[str]:
    return header.split() if header else []


# -- responses ---------------------------------------------------------------------------
def operation() -> Operation | None:
    """The operation the current request was routed to, or None: in a handler wrapped by
    `around`, the call's (the mock answers API requests outside Flask's request context); in a
    Flask hook (`on_response`), the routed request's."""
    call = _calls.get()
    if call is not None:
        return call.operation
    return runtime(current_app._get_current_object()).operation_of(request)  # type: ignore[attr-defined]


def operation_id() -> str | None:
    found = operation()
    return found.operation_id if found is not None else None


def on_response(
    app: Flask, operation_ids: Collection[str] | None, change: Callable[[Response], Response | None]
) -> None:
    """Runs `change` on every response of these operations (of every request, when None)."""

    @app.after_request
    def hook(response: Response) -> Response:
        if operation_ids is None or operation_id() in operation_ids:
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
