"""The registry of faulty variants: what each breaks, which checks should catch it, how to build it.

A variant has a name, the contract it breaks (one line), the checks of the contract suite
expected to catch it (every plausible one), and a factory `build(store, tokens) -> Flask`
that makes it from the real mock, through the mock's public seam (see `kit`). The variants
themselves live in `variants/`, one module per part of the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask

from contract_tests.checks import ALL_NAMES
from mock_server import create_app
from mock_server.api.auth import TokenPolicy
from mock_server.state.store import Store

from . import kit

CONTRACT = kit.CONTRACT

# The check names the contract suite reports (its interface), built-in and domain ones: its registry.
CHECKS = ALL_NAMES

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
    store_wrapper: Callable[[Store], Any] | None = None,
    policy_class: type[TokenPolicy] | None = None,
) -> Flask:
    """The real mock, over `store` wrapped in `store_wrapper` (a `kit.StoreWrapper`), with its token
    policy replaced by a `policy_class` of the same tokens, when given."""
    app = create_app(store=store_wrapper(store) if store_wrapper else store, tokens=tokens, contract=CONTRACT)
    if policy_class:
        runtime = kit.runtime(app)
        runtime.tokens = policy_class(runtime.tokens.tokens)
    return app
