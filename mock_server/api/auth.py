"""Bearer-token authentication and the per-workspace permission of a token.

`authenticate` is the one place a request's token is checked: the pipeline's authentication
step and the admin API both call it. The policy itself (`TokenPolicy`) lives on the runtime
and may be replaced there (tests put faulty policies in its place).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import Request

from .errors import NotAuthenticated, PermissionDenied

DEFAULT_TOKEN = "dev-token"


@dataclass(frozen=True)
class TokenPolicy:
    """Accepted tokens, each allowed on every workspace (None) or on the listed ones."""

    tokens: Mapping[str, frozenset[str] | None]

    @classmethod
    def parse(cls, specs: Iterable[str]) -> TokenPolicy:
        """From `TOKEN` or `TOKEN:ws1,ws2` strings (the `--token` flag)."""
        tokens: dict[str, frozenset[str] | None] = {}
        for spec in specs:
            token, sep, scope = spec.partition(":")
            if not token or any(c.isspace() for c in token):
                raise ValueError(f"invalid token {spec!r}")
            tokens[token] = frozenset(filter(None, scope.split(","))) if sep else None
        return cls(tokens)

    def authenticate(self, header: str | None) -> str:
        """The token of an `Authorization` header, or 401."""
        if not header:
            raise NotAuthenticated()
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise NotAuthenticated("Invalid token header. Expected 'Bearer <token>'.")
        offered = parts[1].encode("utf-8", "surrogateescape")
        match = None
        for token in self.tokens:  # every token compared, in constant time, to leak nothing
            if hmac.compare_digest(offered, token.encode("utf-8", "surrogateescape")):
                match = token
        if match is None:
            raise NotAuthenticated("Given token not valid for any token type")
        return match

    def authorize(self, token: str, workspace: str) -> None:
        allowed = self.tokens[token]
        if allowed is not None and workspace not in allowed:
            raise PermissionDenied()

    def allows_everywhere(self, token: str) -> bool:
        """Whether the token is allowed on every workspace (what the admin API requires)."""
        return self.tokens[token] is None


def authenticate(policy: TokenPolicy, request: Request) -> str:
    """The token of the request's `Authorization` header, or 401."""
    return policy.authenticate(request.environ.get("HTTP_AUTHORIZATION"))
