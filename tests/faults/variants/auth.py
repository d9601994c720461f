"""Authentication that lets in what it must refuse, or refuses the wrong way."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from mock_server.api import pipeline
from mock_server.api.auth import TokenPolicy
from mock_server.api.errors import NotAuthenticated, PermissionDenied
from mock_server.api.pipeline import Call
from mock_server.state.store import Store

from .. import kit
from ..catalog import mock, variant


class _UnknownTokenForbidden(TokenPolicy):
    def authenticate(self, header: str | None) -> str:
        try:
            return super().authenticate(header)
        except NotAuthenticated:
            parts = kit.bearer_parts(header)
            if len(parts) == 2 and parts[0].lower() == "bearer":
                raise PermissionDenied() from None
            raise


@variant("an unknown bearer token is a 403 instead of 401", "auth_required", "ignored_auth")
def unknown_token_403(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, policy_class=_UnknownTokenForbidden)


class _AnyBearer(TokenPolicy):
    def authenticate(self, header: str | None) -> str:
        parts = kit.bearer_parts(header)
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return next(iter(self.tokens))
        return super().authenticate(header)


@variant("any token in a well-formed Bearer header is accepted", "auth_required", "ignored_auth")
def any_bearer_token_accepted(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, policy_class=_AnyBearer)


class _RawToken(TokenPolicy):
    def authenticate(self, header: str | None) -> str:
        if header in self.tokens:
            return header
        return super().authenticate(header)


@variant(
    "a malformed Authorization header holding just the token (no Bearer scheme) is accepted",
    "auth_required",
)
def raw_token_accepted(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, policy_class=_RawToken)


@variant(
    "runWorkflow alone skips authentication: a missing or bad token still runs the workflow",
    "auth_required",
    "ignored_auth",
)
def auth_ignored_on_run(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)
    good = next(iter(TokenPolicy.parse(tokens).tokens))
    runs = kit.paths(kit.RUN)

    def let_in(environ: kit.Environ) -> None:
        if environ["REQUEST_METHOD"] == "POST" and runs.fullmatch(environ.get("PATH_INFO", "")):
            environ["HTTP_AUTHORIZATION"] = f"Bearer {good}"

    kit.rewrite_requests(app, let_in)
    return app


@variant(
    "writes validate the body before authenticating: an invalid body without a token is a 400, not a 401",
    "auth_required",
    "ignored_auth",
    "missing_required_header",
)
@kit.bending(kit.before_step, pipeline.authenticate)
def validation_before_auth(call: Call) -> None:
    if call.operation is not None and call.operation.operation_id in kit.CREATE | kit.UPDATE:
        call.body()
