"""What the mock-control features (Prefer, chaos, journal, admin) share about a request.

They hook into Flask once each (`before_request` / `after_request`) instead of into every
view, so they need to know which API operation a request is for, and they mark the answers
that leave the spec on purpose (a forced `500`, a chaos `503`), so that response validation
(`--validate-responses`, the tests) does not report them as mock bugs.
"""

from __future__ import annotations

import functools
import posixpath

from flask import g, request

from .spec import Operation, Spec

_OFF_SPEC = "mock_off_spec"


@functools.cache  # asked on every request; a spec never changes
def api_prefix(spec: Spec) -> str:
    """The path prefix every operation shares (`/api/v3/workspaces/`), read from the spec."""
    fixed = [op.path.split("{", 1)[0] for op in spec]
    return posixpath.commonpath(fixed).rstrip("/") + "/"


def is_api_request(spec: Spec) -> bool:
    """A request to the API's URL space (routable or not), as opposed to docs or admin."""
    return request.path.startswith(api_prefix(spec))


def operation_of_request(spec: Spec) -> Operation | None:
    """The operation this request routes to, or None (unroutable, wrong method, not the API)."""
    if request.routing_exception is not None or request.url_rule is None:
        return None
    endpoint = request.url_rule.endpoint
    operation_id = endpoint.rsplit(".", 1)[-1]
    op = spec.operations.get(operation_id)
    return op if op is not None and endpoint.endswith(f".{operation_id}") else None


def mark_off_spec() -> None:
    """This answer leaves the spec on purpose; response validation must let it through."""
    setattr(g, _OFF_SPEC, True)


def is_off_spec() -> bool:
    return bool(g.get(_OFF_SPEC, False))
