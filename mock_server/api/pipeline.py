"""The one path every request to the API takes, declared here, in order (`STEPS`, `FINISH`).

    STEPS, until one answers:
      preflight       CORS: an OPTIONS is answered before anything else
      chaos           --latency, --fail-rate                              503
      route           the operation and its typed path parameters         404, 405
      authenticate    the token, and its right to the workspace           401, 403
      prefer          `Prefer`: a delay, or a documented answer at once
      validate        the workspace, the query                            404, 400
      handle          the handler (body 400/413/415 and resource 404 when it asks), its Reply as JSON
    FINISH, on whatever answered (an error included):
      check_response  --validate-responses                                500
      allow_origin    CORS headers
      echo_applied    `Preference-Applied`
      journal.record  the request journal, last, so it records the final answer

API requests are served outside Flask's request and app contexts (`MockFlask.wsgi_app`: they
cost a fifth of a request), so nothing on this path may use `flask.request`, `current_app` or
`url_for`: the `Call` carries the request and its bound URL map. Once a Flask `after_request` or
teardown hook is registered (the mock registers none; tests may), API requests go through Flask's
contexts again and those hooks run between the two. Flask's `before_request` hooks never run for
API requests: the steps are the place.

Each step takes the `Call` (the request and what earlier steps found out) and either passes it
on (None) or answers (a Response, which ends the steps); anything raised becomes the error's
answer (`errors.render`). The order is DRF's where DRF has one: an impossible path is 404
before authentication, 401 before 403, the workspace (404) and the query (400) after that; the
body is checked when the handler asks for it, after it has found its resource. `Prefer` comes
after authentication ("security first", as in Prism) and before anything that could fail on
the workspace, the id or the input it promises not to look at. Chaos comes before routing, so
an unknown path fails as often as a known one.

Requests outside the API (docs, served spec, admin API) go through Flask's own dispatch, with
CORS around it: `MockFlask` sends each request one way or the other.

Proxy mode (`--proxy URL`, `mock_server.proxy`) runs the same pipeline with four steps swapped
(`PROXY_STEPS`, `PROXY_FINISH`): where the mock refuses, the proxy reports and goes on.

    STEPS, until one answers:
      preflight       CORS, answered by the proxy
      chaos           --latency, --fail-rate, in front of the upstream    503
      proxy.route     the operation; a path or method not in the contract is a violation
      check_request   parameters, content type, body, bearer header: violations, never refused
      prefer          `Prefer`, applied by the proxy (not forwarded)
      forward         the upstream's answer, as it came                    502, 504
    FINISH:
      check_answer    status, content type, headers, body against the operation; the recording
      allow_origin, echo_applied
      report          the violations header, the access log's field, the tally
      journal.record  with the exchange's violations

The tuples below are the defaults of every app; a `Runtime` holds its own copy (`steps`,
`finish`), which benchmarks shorten to measure what a step costs and tests may extend.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, Response, has_request_context
from werkzeug.routing import MapAdapter

from ..devtools import chaos, journal, prefer
from ..proxy import steps as proxy
from . import auth, cors, errors, routing, validation
from .compiled import CompiledOperation

if TYPE_CHECKING:
    from api_spec import Operation

    from ..runtime import Runtime
    from ..state.store import Store

log = logging.getLogger(__name__)
_UNREAD = object()


@dataclass(slots=True)
class Reply:
    """What a handler answers: the status, the body (None: no body) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Call:
    """One request on its way through the pipeline; a handler's view of it.

    For handlers: `operation` (the contract's), `params` (path and query, typed and checked),
    `workspace`, `store`, `body()` (validated, defaults filled in) and `json()` (as sent).
    """

    __slots__ = (
        "_body",
        "applied",
        "compiled",
        "exchange",
        "off_spec",
        "operation",
        "params",
        "redacted",
        "request",
        "runtime",
        "started",
        "token",
        "urls",
        "violations",
        "workspace",
    )

    def __init__(self, runtime: Runtime, request: Request, urls: MapAdapter) -> None:
        self.runtime = runtime
        self.request = request
        self.urls = urls  # the app's URL map bound to this request: where a URL is built
        self.started = time.perf_counter()
        self.compiled: CompiledOperation | None = None
        self.operation: Operation | None = None
        self.params: dict[str, Any] = {}
        self.workspace = ""
        self.token: str | None = None
        self.off_spec = False  # an answer off the spec on purpose (a forced 500, a chaos 503)
        self.applied: str | None = None  # the preferences applied (`Preference-Applied`)
        self.violations: list[str] = []  # of the contract, by this exchange (proxy mode)
        self.exchange: Any = None  # proxy mode: the upstream's answer, or why there was none
        self.redacted: bytes | None = None  # what the journal keeps instead of a secret answer's body
        self._body: Any = _UNREAD

    @property
    def store(self) -> Store:
        return self.runtime.store

    def body(self) -> dict[str, Any]:
        """The validated body: known fields only, spec defaults filled in (400, 413, 415 if not)."""
        if self._body is _UNREAD:
            compiled = self._compiled()
            body = compiled.operation.body
            assert body is not None, f"{compiled.operation.operation_id} takes no body"
            document = validation.parse_body(
                body, self.request.headers.get("Content-Type"), self.request.content_length, self._data()
            )
            self._body = validation.validate_body(self.runtime.compiled.validators, compiled, document)
        return self._body  # type: ignore[no-any-return]

    def json(self) -> Any:
        """The request's JSON document as sent (None when it is not JSON), unvalidated."""
        try:
            return json.loads(self._data())
        except (ValueError, RecursionError):
            return None

    def _data(self) -> bytes:
        # Werkzeug answers 413 before reading a declared length over the limit, and stops reading
        # an undeclared (chunked) one there.
        self.request.max_content_length = validation.MAX_BODY_BYTES
        return self.request.get_data(cache=True)

    def _compiled(self) -> CompiledOperation:
        assert self.compiled is not None, "the call has not been routed"
        return self.compiled


Handler = Callable[[Call], Reply]
Step = Callable[[Call], Response | None]
Finish = Callable[[Call, Response], Response]


# -- the steps ---------------------------------------------------------------------------
def preflight(call: Call) -> Response | None:
    """CORS preflights (and any `OPTIONS` on a routable path) answer before anything else."""
    return cors.preflight(call.request, call.urls)


def route(call: Call) -> None:
    """The operation (404 for an unknown path, 405 for a method it does not have) and its typed
    path parameters (404 for one that cannot exist)."""
    compiled = call.runtime.routes.resolve(call.request)  # 404, 405
    call.compiled = compiled
    call.operation = compiled.operation
    path = validation.path_params(compiled, call.request.view_args or {})
    if path is None:
        raise errors.NotFound()
    call.params = path
    call.workspace = path.get(call.runtime.contract.scope_param, "")


def authenticate(call: Call) -> None:
    """401 without a valid token, 403 for a token not allowed on the workspace."""
    policy = call.runtime.tokens
    token = auth.authenticate(policy, call.request)
    policy.authorize(token, call.workspace)
    call.token = token


def validate(call: Call) -> None:
    """404 for an unknown workspace, 400 for an invalid query; defaults filled in."""
    if not call.runtime.store.has_workspace(call.workspace):
        raise errors.NotFound()
    query = validation.query_params(call._compiled(), call.request.args)
    call.params = {**query, **call.params}


def handle(call: Call) -> Response:
    """The operation's handler, its `Reply` answered as JSON (only the fields the schema shows)."""
    operation = call._compiled().operation
    reply = call.runtime.handlers[operation.operation_id](call)
    if reply.body is None:
        return errors.empty_response(reply.status, reply.headers)
    return errors.json_response(reply.status, _project(operation, reply.body), reply.headers)


# -- on every answer ---------------------------------------------------------------------
def check_response(call: Call, response: Response) -> Response:
    """`--validate-responses`: an answer that breaks the spec becomes a 500 and a record, so a
    test cannot miss it. Answers off the spec on purpose are let through."""
    runtime = call.runtime
    compiled = call.compiled
    if not runtime.check_responses or compiled is None or call.off_spec or call.request.method == "OPTIONS":
        return response
    problems: list[str] = []
    if not compiled.operation.documents(response.status_code):
        problems.append(f"status {response.status_code} is not documented")
    else:
        validator = compiled.response_validator(response.status_code)
        if validator is not None:
            body = response.get_json(silent=True)
            for name, messages in validation.field_errors(runtime.compiled.validators, validator, body).items():
                problems.extend(f"{name}: {m}" for m in messages)
    if not problems:
        return response
    req = call.request
    log.error("response breaks the spec: %s %s -> %s", req.method, req.path, problems)
    runtime.violations.append(f"{req.method} {req.full_path} -> {response.status_code}: {problems}")
    return errors.render(errors.AnsweredAgainstSpec(problems))


def allow_origin(call: Call, response: Response) -> Response:
    return cors.allow_origin(call.request, response)


# -- the pipeline, in order --------------------------------------------------------------
STEPS: tuple[Step, ...] = (preflight, chaos.maybe_fail, route, authenticate, prefer.apply, validate, handle)
FINISH: tuple[Finish, ...] = (check_response, allow_origin, prefer.echo_applied, journal.record)

PROXY_STEPS: tuple[Step, ...] = (
    preflight,
    chaos.maybe_fail,
    proxy.route,
    proxy.check_request,
    prefer.apply,
    proxy.forward,
)
PROXY_FINISH: tuple[Finish, ...] = (
    proxy.check_answer,
    allow_origin,
    prefer.echo_applied,
    proxy.report,
    journal.record,
)


def serve_api(app: Flask, runtime: Runtime, request: Request, urls: MapAdapter) -> Response:
    """A request to the API's URL space, through `runtime.steps` and `runtime.finish`; routed
    already (`request.url_rule`, `view_args`, `routing_exception`, as Flask sets them)."""
    call = Call(runtime, request, urls)
    try:
        for step in runtime.steps:
            response = step(call)
            if response is not None:
                break
        else:
            raise RuntimeError("no step of the pipeline answered")
    except Exception as exc:
        response = errors.render(exc, request.method)
    if has_request_context():  # served through Flask's contexts: its `after_request` hooks (the mock adds none)
        response = app.process_response(response)
    for finish in runtime.finish:
        response = finish(call, response)
    return response


def serve_other(app: Flask, request: Request, urls: MapAdapter, dispatch: Callable[[], Response]) -> Response:
    """A request outside the API (docs, served spec, admin API): Flask's `dispatch`, CORS around it."""
    routing.exact_paths(request)
    preflighted = cors.preflight(request, urls)
    response = app.process_response(preflighted) if preflighted is not None else dispatch()
    return cors.allow_origin(request, response)


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
