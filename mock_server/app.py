"""The application factory: the spec, the store and the tokens wired into one Flask app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask, Response, request
from flask_cors import CORS

from . import seed
from .auth import DEFAULT_TOKEN, TokenPolicy
from .errors import register_error_handlers
from .resources import ALL
from .spec import Spec
from .store import Store
from .validation import field_errors

log = logging.getLogger(__name__)


def create_app(
    *,
    store: Store | None = None,
    tokens: Iterable[str] = (DEFAULT_TOKEN,),
    spec: Spec | None = None,
    validate_responses: bool = False,
    validate_requests: bool = True,
) -> Flask:
    """A mock of the API. `validate_responses` checks every answer against the spec (tests);
    `validate_requests=False` skips the request schemas (only to measure their cost)."""
    spec = spec or Spec.load()
    if not validate_requests:
        spec = spec.without_request_checks()
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["mock.spec"] = spec
    app.extensions["mock.store"] = store if store is not None else seed.load(spec, None)
    app.extensions["mock.tokens"] = TokenPolicy.parse(tokens)

    bound = set()
    for handlers in ALL:
        app.register_blueprint(handlers.blueprint(spec))
        bound |= handlers.operation_ids
    missing = set(spec.operations) - bound
    if missing:
        raise RuntimeError(f"operations in the spec without a handler: {sorted(missing)}")

    CORS(
        app,
        resources={r"/api/*": {"origins": "*"}},
        allow_headers=["Authorization", "Content-Type", "Prefer"],
        expose_headers=["Location", "WWW-Authenticate", "Allow"],
        max_age=600,
    )
    register_error_handlers(app)
    app.extensions["mock.violations"] = []
    if validate_responses:
        app.after_request(_response_checker(spec, app.extensions["mock.violations"]))
    return app


def _response_checker(spec: Spec, violations: list[str]) -> Callable[[Response], Response]:
    """Turns an answer that breaks the spec into a 500 (and a record), so a test cannot miss it."""

    def check(response: Response) -> Response:
        endpoint = request.url_rule.endpoint if request.url_rule else None
        if not endpoint or "." not in endpoint or request.method == "OPTIONS":
            return response
        op = spec.operation(endpoint.rsplit(".", 1)[1])
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
