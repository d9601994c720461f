"""The application factory: the contract, the store and the tokens wired into one Flask app.

`create_app` builds the app's `Runtime` (the one object holding its state) and hands every
request to the pipeline (`api.pipeline`): API requests go through its steps, outside Flask's
request context, everything else (docs, served spec, admin API) through Flask's own dispatch with
CORS around it. Given a `Proxy`, the app is the proxy: the same app, with the pipeline's proxy
steps and no data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

import api_spec
from api_spec import Contract

from .api import errors, pipeline, resources
from .api.auth import DEFAULT_TOKEN, TokenPolicy
from .api.compiled import compile_contract
from .api.routing import Routes
from .devtools import admin, docs, journal
from .devtools.chaos import Chaos
from .proxy.steps import Proxy
from .runtime import Runtime
from .state import seed, snapshot
from .state.store import Store


class MockFlask(Flask):
    """Flask, with the mock's request pipeline in place of its per-request dispatch for the API."""

    runtime: Runtime

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """No view or hook of the mock is async: Flask's per-call coroutine check
        (`inspect.iscoroutinefunction` on every hook and view, every request) is skipped, a
        noticeable part of a detail request (measured, see bench/FINDINGS.md)."""
        return func

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """An API request is served without Flask's request and app contexts: the pipeline routes
        and answers it itself, and pushing and popping them (with a session, a second URL adapter
        and teardown) was about a fifth of the app's time per request (bench/FINDINGS.md). Flask's
        own way is kept for everything else, and for every request once a hook that needs it is
        registered (`after_request`, `teardown_request`, `teardown_appcontext`: the mock registers
        none; tests may)."""
        runtime = self.runtime
        # PATH_INFO, not a Request's `path`, so the request is built once whichever way it goes;
        # a path that only Werkzeug's normalising would put under the prefix still reaches the
        # pipeline, through `full_dispatch_request`.
        if not environ.get("PATH_INFO", "").startswith(runtime.api_prefix) or self._hooked():
            return super().wsgi_app(environ, start_response)
        req = self.request_class(environ)
        urls = self.create_url_adapter(req)
        assert urls is not None  # always, given a request
        try:
            req.url_rule, req.view_args = urls.match(return_rule=True)  # as Flask's `match_request`
        except HTTPException as exc:
            req.routing_exception = exc  # type: ignore[assignment]
        try:
            response = pipeline.serve_api(self, runtime, req, urls)
        except Exception as exc:  # in a finishing step: what Flask's error handler would answer
            response = errors.render(exc, req.method)
        return response(environ, start_response)

    def full_dispatch_request(self) -> Response:
        runtime = self.runtime
        req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not one per use
        urls = request_ctx.url_adapter  # bound by Flask for this request
        if req.path.startswith(runtime.api_prefix):
            return pipeline.serve_api(self, runtime, req, urls)
        return pipeline.serve_other(self, req, urls, super().full_dispatch_request)

    def _hooked(self) -> bool:
        return bool(None in self.after_request_funcs or self.teardown_request_funcs or self.teardown_appcontext_funcs)


def create_app(
    *,
    store: Store | None = None,
    tokens: Iterable[str] = (DEFAULT_TOKEN,),
    contract: Contract | None = None,
    validate_responses: bool = False,
    validate_requests: bool = True,
    reset_to: Callable[[], Store] | None = None,
    chaos: Chaos | None = None,
    journal_size: int = journal.DEFAULT_SIZE,
    proxy: Proxy | None = None,
) -> MockFlask:
    """A mock of the API. `store` may be any object with `Store`'s public interface (default:
    the bundled demo data). `validate_responses` checks every answer against the spec (tests);
    `validate_requests=False` skips the request schemas (only to measure their cost).
    `reset_to` builds the state that `POST /__admin/reset` restores (default: the state the
    app starts with); `chaos` adds latency and failures; `journal_size` bounds the journal.
    `proxy` makes it a proxy to that upstream (`mock_server.proxy`): it then keeps no data."""
    contract = contract or api_spec.contract()
    compiled = compile_contract(contract)
    if not validate_requests:
        compiled = compiled.without_request_checks
    if proxy is not None:
        store = seed.new_store(contract)
    store = store if store is not None else seed.load(contract, None)
    if reset_to is None:
        initial = snapshot.export(contract, store)
        reset_to = lambda: seed.build_store(contract, initial)  # noqa: E731
    routes = Routes(compiled)
    app = MockFlask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.runtime = Runtime(
        contract=contract,
        compiled=compiled,
        routes=routes,
        store=store,
        tokens=TokenPolicy.parse(tokens),
        journal=journal.Journal(journal_size),
        chaos=chaos or Chaos(),
        reset_to=reset_to,
        handlers=resources.handlers(contract),
        steps=pipeline.STEPS if proxy is None else pipeline.PROXY_STEPS,
        finish=pipeline.FINISH if proxy is None else pipeline.PROXY_FINISH,
        check_responses=validate_responses and proxy is None,
        proxy=proxy,
    )
    routes.register(app)
    app.register_blueprint(admin.blueprint())
    app.register_blueprint(docs.blueprint(contract, admin.load_admin_spec()))
    errors.register(app)
    return app
