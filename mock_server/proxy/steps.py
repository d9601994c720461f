"""Proxy mode's steps of the request pipeline (in order in `api.pipeline.PROXY_STEPS` and
`PROXY_FINISH`), and the `Proxy` they share (the runtime's `proxy`).

Where the mock refuses, the proxy reports: routing and request validation add violations to the
call and the request still goes upstream (as Prism's proxy does); the handling step forwards
instead of calling the store's handlers; the answer is checked, recorded, counted and passed on
with the violations header. What the proxy answers itself (a CORS preflight, a `--fail-rate`
503, a `Prefer: code=` answer, a 502 or 504) is not the upstream's and is not checked.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Response
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .. import turns
from ..api import errors
from . import VIOLATIONS_ENVIRON, VIOLATIONS_HEADER, exchange
from .recorder import Recorder
from .summary import Tally
from .upstream import Answer, TimedOut, Upstream, UpstreamError

if TYPE_CHECKING:
    from ..api.pipeline import Call

log = logging.getLogger(__name__)

FORWARD_LIMIT = 16 * 1024 * 1024  # request bodies the proxy reads to forward (the contract's limit is 1 MiB)
REDACTED = "[redacted]"


@dataclass(eq=False)
class Proxy:
    """What proxy mode adds to a runtime: the upstream, the recording (if any) and the tally."""

    upstream: Upstream
    recorder: Recorder | None = None
    tally: Tally = field(default_factory=Tally)

    def close(self) -> str:
        """Writes the last recording, lets go of the connections; the summary to print."""
        if self.recorder is not None:
            self.recorder.close()
        self.upstream.close()
        return self.tally.render(self.upstream.url)


class Passthrough(Response):
    """A response exactly as the upstream gave it: no default content type, and the upstream's
    `Content-Length` (a HEAD's names the body it did not send)."""

    default_mimetype = None
    automatically_set_content_length = False


# -- the steps ---------------------------------------------------------------------------
def route(call: Call) -> None:
    """The operation, if the contract has one for this method and path; a violation if not."""
    req = call.request
    runtime = call.runtime
    failed = req.routing_exception
    compiled = runtime.routes.matched(req) if failed is None else None
    if compiled is None:
        allowed = failed.valid_methods if isinstance(failed, MethodNotAllowed) else None
        allowed = [m for m in allowed or () if m not in ("HEAD", "OPTIONS")]  # Flask's own, not the contract's
        call.violations.append(exchange.not_in_contract(req.method, req.path, allowed))
        return
    call.compiled = compiled
    call.operation = compiled.operation
    found, params = exchange.check_path(compiled, req.view_args or {})
    call.violations += found
    call.params = params
    call.workspace = req.view_args.get(runtime.contract.scope_param, "") if req.view_args else ""


def check_request(call: Call) -> None:
    """The request against its operation: reported, never refused (it goes upstream as it is)."""
    compiled = call.compiled
    if compiled is None:
        return
    req = call.request
    call.violations += exchange.check_request(
        call.runtime.compiled,
        compiled,
        req.args,
        req.headers.get("Authorization"),
        req.headers.get("Content-Type"),
        req.content_length,
        _body(call),
    )


def forward(call: Call) -> Response:
    """The request to the upstream, its answer back as it came (502/504 when none came)."""
    proxy = _proxy(call)
    req = call.request
    headers = list(req.headers.items())
    if call.applied:  # the proxy honoured `Prefer` itself: the upstream must not apply it again
        headers = [(k, v) for k, v in headers if k.lower() != "prefer"]
    data = _body(call)
    try:
        with turns.waiting():
            answer = proxy.upstream.send(req.method, _target(req.environ), headers, data or None)
    except UpstreamError as exc:
        call.off_spec = True
        call.exchange = exc
        detail = f"The upstream {proxy.upstream.url} {'timed out' if isinstance(exc, TimedOut) else 'failed'}: {exc}."
        log.error("%s %s: %s", req.method, req.path, detail)
        raise (errors.GatewayTimeout if isinstance(exc, TimedOut) else errors.BadGateway)(detail) from None
    call.exchange = answer
    response = Passthrough(answer.stream if answer.body is None else answer.body, headers=answer.headers)
    response.status = f"{answer.status} {answer.reason}".strip()
    if answer.body is not None and answer.header("Content-Length") is None and req.method != "HEAD":
        response.headers["Content-Length"] = str(len(answer.body))  # it came chunked: read whole now
    return response


# -- on every answer ---------------------------------------------------------------------
def check_answer(call: Call, response: Response) -> Response:
    """The upstream's answer against the contract, then into the recording."""
    answer = call.exchange
    compiled = call.compiled
    if not isinstance(answer, Answer) or compiled is None:
        return response
    runtime = call.runtime
    call.violations += exchange.check_response(runtime.compiled, compiled, call.request.method, answer)
    operation = compiled.operation
    proxy = _proxy(call)
    if proxy.recorder is not None:
        proxy.recorder.observe(operation, call.workspace, call.params, answer)
    if operation.role == "token":
        call.redacted = _redacted(answer, operation.result_fields or ())
    return response


def report(call: Call, response: Response) -> Response:
    """The violations header (every API answer but a preflight), the access log's field, the tally."""
    if call.request.method == "OPTIONS" and call.exchange is None:
        return response
    violations = call.violations
    response.headers[VIOLATIONS_HEADER] = str(len(violations))
    if violations:
        call.request.environ[VIOLATIONS_ENVIRON] = violations
    operation = call.operation.operation_id if call.operation is not None else None
    _proxy(call).tally.add(operation, violations, upstream_failed=isinstance(call.exchange, UpstreamError))
    return response


# -- helpers -----------------------------------------------------------------------------
def _proxy(call: Call) -> Proxy:
    proxy = call.runtime.proxy
    assert proxy is not None, "a proxy step in a runtime without a proxy"
    return proxy


def _body(call: Call) -> bytes:
    """The request body, read once (up to FORWARD_LIMIT: more is the proxy's own 413)."""
    req = call.request
    req.max_content_length = FORWARD_LIMIT
    try:
        return req.get_data(cache=True)
    except HTTPException:
        call.off_spec = True
        raise


def _target(environ: dict[str, object]) -> str:
    """The request target as the client sent it (path and query, nothing decoded or normalised)."""
    raw = environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return raw
    path = quote(str(environ.get("PATH_INFO", "")).encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _redacted(answer: Answer, fields: tuple[str, ...]) -> bytes | None:
    """A secret's answer as the journal keeps it: its fields masked (None if it is not JSON)."""
    is_json, document = answer.json()
    if not is_json or not isinstance(document, dict):
        return None
    return json.dumps({k: REDACTED if k in fields else v for k, v in document.items()}).encode()
