"""The application factory: the spec, the store and the tokens wired into one Flask app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request

from . import admin, control, cors, docs, journal, prefer, seed, snapshot
from . import chaos as turbulence
from .auth import DEFAULT_TOKEN, TokenPolicy
from .errors import register_error_handlers
from .resources import ALL
from .spec import Spec
from .store import Store
from .validation import field_errors

log = logging.getLogger(__name__)


class MockFlask(Flask):
    """Flask, minus its per-call coroutine check: no view or hook of the mock is async, and the
    check (`inspect.iscoroutinefunction` on every hook and view, every request) measured at
    about 4 µs per hook per request, a tenth of a detail request."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def create_app(
    *,
    store: Store | None = None,
    tokens: Iterable[str] = (DEFAULT_TOKEN,),
    spec: Spec | None = None,
    validate_responses: bool = False,
    validate_requests: bool = True,
    reset_to: Callable[[], Store] | None = None,
    chaos: turbulence.Chaos | None = None,
    journal_size: int = journal.DEFAULT_SIZE,
) -> Flask:
    """A mock of the API. `validate_responses` checks every answer against the spec (tests);
    `validate_requests=False` skips the request schemas (only to measure their cost).
    `reset_to` builds the state that `POST /__admin/reset` restores (default: the state the
    app starts with); `chaos` adds latency and failures; `journal_size` bounds the journal."""
    spec = spec or Spec.load()
    if not validate_requests:
        spec = spec.without_request_checks()
    app = MockFlask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["mock.spec"] = spec
    app.extensions["mock.store"] = store if store is not None else seed.load(spec, None)
    app.extensions["mock.tokens"] = TokenPolicy.parse(tokens)
    requests = app.extensions["mock.journal"] = journal.Journal(journal_size)
    journal.install(app, spec, requests)  # first, so that it records the final answer
    turbulence.install(app, spec, chaos or turbulence.Chaos())
    prefer.install(app, spec)
    cors.install(app)

    bound = set()
    for handlers in ALL:
        app.register_blueprint(handlers.blueprint(spec))
        bound |= handlers.operation_ids
    missing = set(spec.operations) - bound
    if missing:
        raise RuntimeError(f"operations in the spec without a handler: {sorted(missing)}")
    if reset_to is None:
        initial = snapshot.export(spec, app.extensions["mock.store"])
        reset_to = lambda: seed.build_store(spec, initial)  # noqa: E731
    app.register_blueprint(admin.blueprint(spec, app.extensions["mock.store"], requests, reset_to))
    app.register_blueprint(docs.blueprint(spec, admin.load_admin_spec()))

    register_error_handlers(app)
    app.extensions["mock.violations"] = []
    if validate_responses:
        app.after_request(_response_checker(spec, app.extensions["mock.violations"]))
    return app


def _response_checker(spec: Spec, violations: list[str]) -> Callable[[Response], Response]:
    """Turns an answer that breaks the spec into a 500 (and a record), so a test cannot miss it."""

    def check(response: Response) -> Response:
        op = control.operation_of_request(spec)
        if op is None or request.method == "OPTIONS" or control.is_off_spec():
            return response  # not an API operation, or an answer off the spec on purpose
        problems: list[str] = []
        if not op.documents(response.status_code):
            problems.append(f"status {response.status_code} is not documented")
        else:
            validator = op.response_validator(response.status_code)
            if validator is not None:
                body = response.get_json(silent=True)
                for field, messages in field_errors(spec, validator, body).items():
                    problems.extend(f"{field}: {m}" for m in messages)
        if problems:
            log.error("response breaks the spec: %s %s -> %s", request.method, request.path, problems)
            violations.append(f"{request.method} {request.full_path} -> {response.status_code}: {problems}")
            response = Response(
                '{"detail":"The mock answered against its spec: ' + "; ".join(problems).replace('"', "'") + '"}',
                status=500,
                mimetype="application/json",
            )
        return response

    return check
