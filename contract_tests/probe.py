"""What a domain check works with: a `Probe` carries the check, the kind it looks at and the run's
target, so a failure is `raise p.fail(...)` and an expected answer `p.expect(response, 200, at=...)`,
each naming the check, the operation and a reproduction of the last request the check made.

`as_test` turns a check's function into its pytest test (used through `Check.property` and
`Check.test`): it skips the test unless the operations it needs are selected, and runs a
Hypothesis property with the run's settings and seed, counting each example in the report.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import hypothesis
import pytest
import requests
from hypothesis import strategies as st

from .api import Operation, contract, examples
from .report import PropertyFailure
from .strategies import bodies
from .target import Exchange, Workspace

if TYPE_CHECKING:
    from .checks import Check
    from .conformance import Guard
    from .plugin import ContractSuite

At = str | Operation  # a role of the probe's kind, or an operation


class Probe:
    """One check at work on one kind (or on none): its requests, its failures."""

    def __init__(self, check: Check, suite: ContractSuite, guard: Guard, kind: str | None = None) -> None:
        self.check = check
        self.options = suite.options
        self.guard = guard
        self.target = guard.target
        self.kind = kind
        self.last: Exchange | None = None
        self.ws: Workspace = guard.workspace.observed(self._saw)
        self.other: Workspace | None = self.target.other.observed(self._saw) if self.target.other else None

    def _saw(self, exchange: Exchange) -> None:
        self.last = exchange

    # -- the contract -------------------------------------------------------------------
    def op(self, at: At, kind: str | None = None) -> Operation:
        if isinstance(at, Operation):
            return at
        return contract().kind(kind or self._kind).op(at)

    @property
    def _kind(self) -> str:
        assert self.kind is not None, f"{self.check.name}: this probe has no kind"
        return self.kind

    def selected(self, role: str, kind: str | None = None) -> bool:
        k = contract().kind(kind or self._kind)
        return k.has(role) and self.options.selects(k.op(role))

    def needs(self, *roles: str, kind: str | None = None) -> None:
        """Skips the test unless every operation it calls is selected (--include/--exclude/--read-only)."""
        k = contract().kind(kind or self._kind)
        missing = sorted(k.op(r).operation_id for r in roles if k.has(r) and not self.options.selects(k.op(r)))
        if missing:
            pytest.skip(f"needs unselected operations: {', '.join(missing)}")

    # -- failing ------------------------------------------------------------------------
    def fail(self, message: str, *, at: At, body: Any = None) -> PropertyFailure:
        """The failure of this check at an operation, with the last request as its reproduction."""
        if body is not None:
            message += f"\n(body sent: {body!r})"
        return PropertyFailure(self.check.name, self.op(at).label, message, self.last.curl() if self.last else "")

    def expect(self, response: requests.Response, *statuses: int, at: At, body: Any = None) -> None:
        if response.status_code not in statuses:
            wanted = " or ".join(map(str, statuses))
            raise self.fail(f"expected {wanted}, got {response.status_code}: {response.text[:300]}", at=at, body=body)

    def json(self, response: requests.Response, *, at: At) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self.fail(f"response is not JSON: {response.text[:200]!r}", at=at) from None

    def timestamp(self, value: Any, *, at: At) -> datetime:
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"not an RFC 3339 timestamp: {value!r}", at=at) from None

    # -- requests -----------------------------------------------------------------------
    def call(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        """A request outside the workspace helpers (a `next` URL, a bad `Authorization`)."""
        return self.target.call(method, path_or_url, observer=self._saw, **kwargs)

    def example(self, index: int = 0, *, kind: str | None = None, **changes: Any) -> dict[str, Any]:
        """A documented create example, renamed into this run's namespace."""
        kind = kind or self._kind
        return self.guard.rename(kind, {**examples(kind)[index], **changes})

    def drawn(self, data: st.DataObject, label: str | None = None, *, kind: str | None = None) -> dict[str, Any]:
        """A generated valid body, renamed into this run's namespace."""
        kind = kind or self._kind
        return self.guard.rename(kind, data.draw(bodies(kind), label=label))

    def create(self, body: dict[str, Any], *, kind: str | None = None, ws: Workspace | None = None) -> dict[str, Any]:
        """Creates a resource this run owns; anything but a 201 with an integer id fails the check."""
        kind, ws = kind or self._kind, ws or self.ws
        response = ws.call("POST", ws.path(kind), json=body)
        created = ws.adopt(kind, response)
        self.expect(response, 201, at=self.op("create", kind), body=body)
        if created is None or not isinstance(created.get("id"), int):
            raise self.fail("201 without an integer id", at=self.op("create", kind), body=body)
        return created

    def create_drawn(self, data: st.DataObject, label: str | None = None, *, kind: str | None = None) -> dict[str, Any]:
        return self.create(self.drawn(data, label, kind=kind), kind=kind)

    def read(self, rid: int, *, kind: str | None = None) -> Any:
        """The resource `rid`, which must be there (200)."""
        get = self.op("get", kind)
        response = self.ws.call("GET", self.ws.path(kind or self._kind, rid))
        self.expect(response, 200, at=get)
        return self.json(response, at=get)

    def listed_ids(self, *, kind: str | None = None) -> list[int]:
        return [item["id"] for item in self.ws.list_all(kind or self._kind)]

    def find_listed(self, rid: int, *, kind: str | None = None) -> list[dict[str, Any]]:
        """The list entries with id `rid`. In a shared workspace a concurrent delete can shift an
        item past the walk, so a miss is retried there before it counts."""
        for _ in range(1 if self.options.exact_counts else 3):
            found = [item for item in self.ws.list_all(kind or self._kind) if item.get("id") == rid]
            if found:
                return found
        return []


# -- from a check's function to its pytest test ----------------------------------------------
SUITE_FIXTURES = ("wp_suite", "wp_guard")


def as_test(
    check: Check, body: Callable[..., None], *, kinds: tuple[str, ...] | str, needs: Iterable[str], given: bool
) -> Callable[..., None]:
    """The pytest test of `body(probe, [data,] ...)`: its other arguments stay pytest's (fixtures
    and parameters); `kind` is parametrized over `kinds` unless `kinds` names one kind."""
    fixed = kinds if isinstance(kinds, str) else None
    over = () if isinstance(kinds, str) else tuple(kinds)
    needed = tuple(needs)
    params = list(inspect.signature(body).parameters.values())[1:]
    if given:
        assert params and params[0].name == "data", f"{body.__name__}: a property takes (probe, data, ...)"
        params = params[1:]

    def test(**kwargs: Any) -> None:
        suite, guard = kwargs.pop("wp_suite"), kwargs.pop("wp_guard")
        probe = Probe(check, suite, guard, kwargs.pop("kind") if over else fixed)
        if probe.kind is not None:
            probe.needs(*needed)
        if not given:
            body(probe, **kwargs)
            return

        def example(data: st.DataObject) -> None:
            suite.report.count_example(check.name)
            body(probe, data, **kwargs)

        example.__name__, example.__qualname__ = body.__name__, body.__qualname__  # as Hypothesis reports it
        seeded = hypothesis.seed(suite.options.seed)(hypothesis.given(data=st.data())(example))
        suite.property_settings(seeded)()

    keyword = inspect.Parameter.KEYWORD_ONLY
    test.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *([inspect.Parameter("kind", keyword)] if over else []),
            *(p.replace(kind=keyword) for p in params),
            *(inspect.Parameter(name, keyword) for name in SUITE_FIXTURES),
        ]
    )
    test.__name__, test.__qualname__ = body.__name__, body.__qualname__
    test.__doc__, test.__module__ = body.__doc__, body.__module__
    test.pytestmark = list(getattr(body, "pytestmark", []))  # type: ignore[attr-defined]
    test.wp_check = check  # type: ignore[attr-defined]
    return pytest.mark.parametrize("kind", over)(test) if over else test


def check_of(test: Any) -> Check | None:
    """The domain check a test function makes (None: Schemathesis' tests)."""
    return getattr(test, "wp_check", None)
