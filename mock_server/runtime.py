"""Everything one mock app holds, in one object: `Runtime`, reached with `current()` while a
request is served (or `app.runtime`).

The contract and its compiled form, the store, the token policy, the request journal, the
chaos settings, what reset restores, the handlers and the pipeline's steps: every part of the
mock reads them here, none keeps its own copy, and nothing else is stored on the Flask app.

It is also the mock's one seam for tests that bend it (the faulty variants in tests/faults):

- `store`: given at construction; any object with `Store`'s public interface will do.
- `tokens`: the token policy; replace it with another `TokenPolicy`.
- `wrap_handler(operation_id, wrapper)`: the handler of an operation becomes
  `wrapper(handler)`; handlers run after routing, authentication and the workspace and query
  checks, and take a `Call` (operation, params, workspace, store, `body()`, `json()`).
- `operation_of(request)`: the operation a request routed to, for Flask `after_request` hooks.
- `steps` and `finish`: the pipeline (`api.pipeline`), which a test or a benchmark may rearrange.

In proxy mode (`proxy` set) the steps are `api.pipeline.PROXY_STEPS`: the store holds nothing
and the handlers are not called; the upstream answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Request, current_app

from api_spec import Contract, Operation

from .api.auth import TokenPolicy
from .api.compiled import CompiledSpec
from .api.pipeline import Finish, Handler, Step
from .api.routing import Routes
from .devtools.chaos import Chaos
from .devtools.journal import Journal

if TYPE_CHECKING:
    from .proxy.steps import Proxy
    from .state.store import Store


@dataclass(eq=False)
class Runtime:
    contract: Contract
    compiled: CompiledSpec
    routes: Routes
    store: Store
    tokens: TokenPolicy
    journal: Journal
    chaos: Chaos
    reset_to: Callable[[], Store]  # builds the state `POST /__admin/reset` restores
    handlers: dict[str, Handler]  # by operationId
    steps: tuple[Step, ...]
    finish: tuple[Finish, ...]
    check_responses: bool = False  # --validate-responses
    violations: list[str] = field(default_factory=list)  # answers that broke the spec (with check_responses)
    proxy: Proxy | None = None  # proxy mode: the upstream, the recording, the tally

    api_prefix: str = field(init=False)  # every API path starts with it (read from the contract)

    def __post_init__(self) -> None:
        self.api_prefix = self.contract.api_prefix

    def operation_of(self, request: Request) -> Operation | None:
        """The API operation `request` routed to; None if it routed nowhere or outside the API."""
        compiled = self.routes.matched(request)
        return compiled.operation if compiled is not None else None

    def wrap_handler(self, operation_id: str, wrapper: Callable[[Handler], Handler]) -> None:
        """The operation's handler becomes `wrapper(handler)` (which may call the one it wraps)."""
        if operation_id not in self.handlers:
            raise KeyError(f"no operation {operation_id!r} in the contract")
        self.handlers[operation_id] = wrapper(self.handlers[operation_id])


def current() -> Runtime:
    """The runtime of the app serving the current request."""
    return current_app.runtime  # type: ignore[attr-defined, no-any-return]
