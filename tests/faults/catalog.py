"""The registry of faulty variants: what each breaks, which checks should catch it, how to build it.

A variant has a name, the contract it breaks (one line), the checks of the contract suite
expected to catch it (every plausible one), and a factory `build(store, tokens) -> Flask`
that makes it from the real mock. The variants themselves live in `variants/`, one module
per part of the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask

from mock_server import create_app
from mock_server.auth import TokenPolicy
from mock_server.spec import Spec
from mock_server.store import Store

from . import kit

SPEC = Spec.load()

# The check names the contract suite reports (its interface), built-in and domain ones.
CHECKS = frozenset(
    {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
        "create_read_back",
        "update_persists",
        "delete_is_final",
        "pagination_walk",
        "webhook_token_stable",
        "run_result",
        "persona_name_unique",
        "auth_required",
        "workspace_isolation",
        "timestamps_ordered",
        "run_references",
        "count_tracks_writes",
        "limits_honoured",
    }
)

# The domain properties that create resources from generated bodies: a create (or update) that
# is refused or answered oddly trips whichever of them runs first.
CREATING_PERSONAS = (
    "create_read_back",
    "update_persists",
    "delete_is_final",
    "pagination_walk",
    "persona_name_unique",
    "timestamps_ordered",
    "count_tracks_writes",
)
CREATING_WORKFLOWS = (
    "create_read_back",
    "update_persists",
    "delete_is_final",
    "pagination_walk",
    "webhook_token_stable",
    "run_result",
    "timestamps_ordered",
    "run_references",
    "count_tracks_writes",
)
CREATING = tuple(dict.fromkeys(CREATING_PERSONAS + CREATING_WORKFLOWS))

Factory = kit.Factory


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    checks: tuple[str, ...]
    build: Factory


VARIANTS: dict[str, Variant] = {}


def variant(description: str, *checks: str) -> Callable[[Factory], Factory]:
    """Registers a factory under its function name."""
    unknown = set(checks) - CHECKS
    assert checks and not unknown, f"unknown checks {unknown}"

    def register(build: Factory) -> Factory:
        assert build.__name__ not in VARIANTS, build.__name__
        VARIANTS[build.__name__] = Variant(build.__name__, description, checks, build)
        return build

    return register


def mock(
    store: Store,
    tokens: Sequence[str],
    store_class: type[Store] | None = None,
    policy_class: type[TokenPolicy] | None = None,
) -> Flask:
    """The real mock, over `store` re-classed as `store_class`, with its token policy re-classed as
    `policy_class`, when given."""
    app = create_app(store=kit.adopt(store, store_class) if store_class else store, tokens=tokens, spec=SPEC)
    if policy_class:
        kit.replace_policy(app, policy_class)
    return app
