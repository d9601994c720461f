"""Every check the suite reports, each registered once by name.

A failure names its check, and that name is the same everywhere: in the report and its JSON,
as the `check` property of a test case in the JUnit output, and in the catalog of faulty
variants the project's own tests use (`ALL_NAMES`). Two families:

* Schemathesis' own checks, run by the per-operation and stateful tests: their names are
  Schemathesis' (those of its check functions), registered here as `BUILTIN`.
* The suite's domain checks, declared below, each applied with its decorator to the tests that
  make it: `@PAGINATION_WALK.property(kinds=KINDS, needs=(...))` on a Hypothesis property,
  `@LIMITS_HONOURED.test(...)` on a deterministic one (see `contract_tests.probe`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from .probe import as_test


@dataclass(frozen=True, eq=False)
class Check:
    """A named check. Its decorators turn a function `(probe, ...)` into the pytest test of it."""

    name: str
    summary: str
    builtin: bool = False

    def property(
        self, *, kinds: tuple[str, ...] | str = (), needs: tuple[str, ...] = ()
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """A Hypothesis property `(probe, data, ...)`, run with the run's settings and seed, each
        example counted. `kinds`: parametrized over these kinds, or bound to one (a str);
        `needs`: the roles of the kind's operations it calls (skipped unless all are selected)."""
        return lambda body: as_test(self, body, kinds=kinds, needs=needs, given=True)

    def test(
        self, *, kinds: tuple[str, ...] | str = (), needs: tuple[str, ...] = ()
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """A deterministic test `(probe, ...)` of the check (arguments as for `property`)."""
        return lambda body: as_test(self, body, kinds=kinds, needs=needs, given=False)


REGISTRY: dict[str, Check] = {}


def check(name: str, summary: str, *, builtin: bool = False) -> Check:
    """Registers a check; a name is registered once."""
    if name in REGISTRY:
        raise ValueError(f"the check {name!r} is registered twice")
    REGISTRY[name] = Check(name, summary, builtin)
    return REGISTRY[name]


def _builtin(function: Any) -> Check:
    doc = (function.__doc__ or "").strip().splitlines()
    return check(function.__name__, doc[0] if doc else function.__name__, builtin=True)


# -- Schemathesis' checks, as the suite runs them --------------------------------------------
BUILTIN = tuple(
    _builtin(f)
    for f in (
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        positive_data_acceptance,
        negative_data_rejection,
        missing_required_header,
        unsupported_method,
        allow_header_conformance,
        ignored_auth,
        use_after_free,
        ensure_resource_availability,
    )
)

# -- domain checks ---------------------------------------------------------------------------
CREATE_READ_BACK = check("create_read_back", "a created resource reads back as sent: the 201, the detail, the list")
UPDATE_PERSISTS = check(
    "update_persists", "a PUT replaces every field, keeps createdAt, moves updatedAt forward, and the list follows"
)
DELETE_IS_FINAL = check("delete_is_final", "a deleted resource is 404 everywhere, not listed, its id never reused")
INVALID_INPUT_REFUSED = check(
    "invalid_input_refused", "a body breaking one bound is a 400 naming the field, creating or changing nothing"
)
PAGINATION_WALK = check(
    "pagination_walk", "walking `next` lists every item once, `count` matches, `previous` walks back"
)
WEBHOOK_TOKEN_STABLE = check(
    "webhook_token_stable", "a workflow's webhook token is the same on every call, its own, and gone with it"
)
RUN_RESULT = check("run_result", "running a workflow answers its result, one entry per action, and sets lastRunAt")
PERSONA_NAME_UNIQUE = check("persona_name_unique", "persona names are unique in a workspace, free again once deleted")
AUTH_REQUIRED = check("auth_required", "a missing, malformed or unknown token is a 401 that changes nothing")
WORKSPACE_ISOLATION = check("workspace_isolation", "another workspace's resources are 404 and never listed")
TIMESTAMPS_ORDERED = check("timestamps_ordered", "timestamps are in UTC and in the order their names imply")
RUN_REFERENCES = check("run_references", "a run names its workflow, mirrors its actions, and touches nothing else")
COUNT_TRACKS_WRITES = check("count_tracks_writes", "`count` follows every create and delete exactly")
LIMITS_HONOURED = check("limits_honoured", "every documented bound is accepted at its edge and refused past it")

# An unforeseen error in a test of Schemathesis' checks (say, the target refused to create a
# resource a case needs): reported under this name, as a domain check's own errors are under its.
ERROR = check("error", "an unforeseen error while running Schemathesis' checks")

DOMAIN = tuple(c for c in REGISTRY.values() if not c.builtin and c is not ERROR)
ALL_NAMES = frozenset(REGISTRY)


__all__ = ["ALL_NAMES", "BUILTIN", "DOMAIN", "ERROR", "REGISTRY", "Check", "check"]
