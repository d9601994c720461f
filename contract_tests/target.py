"""The implementation under test, seen through HTTP, and the resources this run owns there.

Safety rules for a real deployment live here: the suite writes only to resources it created
in this run (their names carry the run's prefix), uses as "missing" ids only ids it created
and deleted, and deletes everything it created when the run ends. Paths, name lengths and
page sizes come from the contract (`contract_tests.api`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import shlex
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from .api import KINDS, PAGE_SIZE, PERSONAS, contract, largest_page, name_schema
from .options import TOKEN_ENV, SuiteOptions

PAGE_MARGIN = 2  # pages walked beyond what the first page's `count` announces, before giving up
PROBE_TIMEOUT = 3.0  # seconds a fresh request gets to show that the target still answers


def page_budget(count: Any, page_size: int, *, shared: bool = False) -> int | None:
    """How many pages a walk may take before `next` is judged endless: what `count` announces,
    plus a small margin (a wider one where others write to the workspace). None: `count` is no count."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None
    return -(-count // page_size) + PAGE_MARGIN + (10 if shared else 0)


class Default:
    """Marks an argument left at its default."""


DEFAULT = Default()


class TargetError(RuntimeError):
    """The target cannot be used (unreachable, or it refuses the token)."""


class TargetDown(BaseException):
    """The target stopped answering mid-run. A BaseException, like KeyboardInterrupt, so that
    Hypothesis neither records it as a failure nor shrinks it: the run ends at once instead of
    waiting out one request timeout per remaining case."""


@dataclass
class Exchange:
    """One request and its response, kept for failure reports."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any
    response: requests.Response

    def curl(self) -> str:
        """A copy-paste reproduction; the token is read from the environment, never shown."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.headers.items():
            header = f"{name}: {value}"
            parts += ["-H", f'"{header}"' if f"${TOKEN_ENV}" in value else shlex.quote(header)]
        if self.body is not None:
            body = json.dumps(self.body, separators=(",", ":"))
            parts += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote(body)]
        parts.append(shlex.quote(self.url))
        return " ".join(parts)


Observer = Callable[[Exchange], None]


@dataclass(frozen=True)
class Workspace:
    """One workspace of the target, as seen by one user of it: the requests made through this
    view are shown to its `observer` (a check keeps the last one for its reproduction)."""

    target: Target
    name: str
    observer: Observer | None = field(default=None, compare=False)

    def observed(self, observer: Observer) -> Workspace:
        return replace(self, observer=observer)

    @property
    def owned(self) -> dict[str, set[int]]:
        """This run's resources in the workspace, by kind (shared by every view)."""
        return self.target.owned[self.name]

    def path(self, kind: str, rid: int | None = None, role: str | None = None) -> str:
        """The kind's collection (no `rid`), one item, or one item's action (`role`, e.g. `run`)."""
        k = contract().kind(kind)
        scope = {contract().scope_param: self.name}
        if rid is None:
            return k.op(role or "list").concrete_path(**scope)
        return k.op(role or "get").concrete_path(**scope, **{k.id_param: rid})

    # -- plain calls ----------------------------------------------------------------------
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.target.call(method, path, observer=self.observer, **kwargs)

    def list_all(self, kind: str, page_size: int | None = None) -> list[dict[str, Any]]:
        """Every item of a collection, walking `next`, at most as many pages as `count` announces
        (plus a margin): a server whose `next` never ends is judged at once, not after a long walk."""
        page_size = page_size or largest_page(kind)
        items: list[dict[str, Any]] = []
        url: str | None = self.target.base_url + self.path(kind) + f"?{PAGE_SIZE}={page_size}"
        budget: int | None = 1
        walked, first_count = 0, None
        while url is not None:
            if budget is not None and walked >= budget:
                raise AssertionError(
                    f"walking `next` in {self.path(kind)} did not end after {walked} pages of {page_size} "
                    f"(the first page announced count={first_count})"
                )
            response = self.call("GET", url)
            if response.status_code != 200:
                raise AssertionError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
            try:
                page = response.json()
                items += page["results"]
                url = page["next"]
            except (ValueError, KeyError, TypeError):
                raise AssertionError(f"GET {url} is not a page: {response.text[:200]}") from None
            if walked == 0:
                first_count = page.get("count")
                budget = page_budget(first_count, page_size, shared=not self.target.options.exact_counts)
                if budget is None:
                    raise AssertionError(f"GET {url} is not a page: count={first_count!r}")
            walked += 1
        return items

    # -- owned resources ------------------------------------------------------------------
    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Creates a resource this run owns; fails loudly unless the target answers 201."""
        response = self.call("POST", self.path(kind), json=body)
        created = self.adopt(kind, response)
        if created is None:
            raise AssertionError(
                f"POST {self.path(kind)} answered {response.status_code}, expected 201: {response.text[:300]}"
            )
        return created

    def adopt(self, kind: str, response: requests.Response) -> dict[str, Any] | None:
        """Remembers a resource that a create answered with, so it is deleted at the end."""
        if response.status_code != 201:
            return None
        try:
            body = response.json()
            rid = body["id"]
        except (ValueError, KeyError, TypeError):
            return None
        if isinstance(rid, int):
            self.owned[kind].add(rid)
        return body

    def delete(self, kind: str, rid: int) -> requests.Response:
        response = self.call("DELETE", self.path(kind, rid))
        if response.status_code in (204, 404):
            self.owned[kind].discard(rid)
        return response

    def missing_id(self, kind: str, body: dict[str, Any]) -> int:
        """An id that surely names nothing: one this run created and deleted."""
        rid = self.create(kind, body)["id"]
        self.delete(kind, rid)
        return rid

    def cleanup(self) -> list[str]:
        """Deletes what this run created (tracked ids, then any item with the run's prefix)."""
        problems = []
        for kind in KINDS:
            for rid in sorted(self.owned[kind]):
                try:
                    response = self.delete(kind, rid)
                    if response.status_code not in (204, 404):
                        problems.append(f"DELETE {self.path(kind, rid)} answered {response.status_code}")
                except requests.RequestException as exc:
                    problems.append(f"DELETE {self.path(kind, rid)}: {exc}")
            try:
                leftovers = [i for i in self.list_all(kind) if str(i.get("name", "")).startswith(self.target.prefixes)]
            except (AssertionError, requests.RequestException, ValueError, KeyError, TypeError):
                continue
            for item in leftovers:
                if isinstance(item.get("id"), int):
                    self.delete(kind, item["id"])
        return problems


class Target:
    """The base URL, the token, a session, and the workspaces in play."""

    def __init__(self, options: SuiteOptions) -> None:
        self.options = options
        self.base_url = options.base_url
        self.session = requests.Session()
        self.run_id = secrets.token_hex(3)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.down: TargetDown | None = None
        names = [options.workspace, *([options.other_workspace] if options.other_workspace else [])]
        self.owned: dict[str, dict[str, set[int]]] = {name: {k: set() for k in KINDS} for name in names}
        self.workspace = Workspace(self, options.workspace)
        self.other = Workspace(self, options.other_workspace) if options.other_workspace else None

    # Names carry the run's prefix: persona names are kebab-case and unique, workflow names free text.
    @property
    def prefixes(self) -> tuple[str, str]:
        return (f"ct-{self.run_id}-", f"[ct-{self.run_id}] ")

    def name(self, kind: str, suggested: str = "") -> str:
        """A name in this run's namespace, within the kind's maxLength: for personas a kebab-case
        name no other persona has (the prefix, a counter, the suggestion)."""
        limit = int(name_schema(kind)["maxLength"])
        if kind == PERSONAS:
            with self._lock:
                n = next(self._counter)
            head = f"ct-{self.run_id}-{n}"
            tail = suggested[: limit - len(head) - 1].strip("-")
            return f"{head}-{tail}" if tail else head
        head = self.prefixes[1]
        return head + suggested[: limit - len(head)]

    def call(
        self,
        method: str,
        path_or_url: str,
        *,
        authorization: str | Default | None = DEFAULT,
        headers: dict[str, str] | None = None,
        observer: Observer | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request with this run's token, or `authorization` as given (None: no header)."""
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        sent: dict[str, str] = {}
        if isinstance(authorization, Default):
            sent["Authorization"] = f"Bearer {self.options.token}"
        elif authorization is not None:
            sent["Authorization"] = authorization
        sent.update(headers or {})
        with self.transport(method, url):
            response = self.session.request(method, url, headers=sent, timeout=self.options.timeout, **kwargs)
        if observer is not None:
            shown = {k: v.replace(self.options.token, f"${TOKEN_ENV}") for k, v in sent.items()}
            observer(Exchange(method, url, shown, kwargs.get("json"), response))
        return response

    @contextlib.contextmanager
    def transport(self, method: str, url: str) -> Iterator[None]:
        """Around every request to the target (the suite's own and Schemathesis'): once the target
        has stopped answering, no request is sent; a request that got no answer is followed by a
        short probe, and if that gets none either, the run ends with `TargetDown`."""
        if self.down is not None:
            raise self.down
        try:
            yield
        except (requests.ConnectionError, requests.Timeout) as exc:
            if not self._answers():
                self.down = TargetDown(
                    f"the target stopped answering: {method} {url} got no answer ({type(exc).__name__}), "
                    f"and a fresh request got none within {PROBE_TIMEOUT:g} s either"
                )
                raise self.down from exc
            raise

    def _first_page(self) -> str:
        return self.base_url + self.workspace.path(PERSONAS) + f"?{PAGE_SIZE}=1"

    def _answers(self) -> bool:
        """Whether a fresh connection gets any HTTP answer at all (any status will do)."""
        try:
            with requests.Session() as fresh:
                fresh.get(
                    self._first_page(),
                    headers={"Authorization": f"Bearer {self.options.token}"},
                    timeout=min(PROBE_TIMEOUT, self.options.timeout),
                )
        except requests.RequestException:
            return False
        return True

    def check_reachable(self) -> None:
        """One request before anything else, so a wrong URL or token is one clear line."""
        try:
            response = self.call("GET", self._first_page())
        except (requests.RequestException, TargetDown) as exc:
            cause = exc.__cause__ if isinstance(exc, TargetDown) and exc.__cause__ else exc
            raise TargetError(f"cannot reach {self.base_url}: {type(cause).__name__}") from None
        if response.status_code in (401, 403):
            raise TargetError(
                f"the target refuses the token on workspace {self.workspace.name!r} ({response.status_code})"
            )
        if response.status_code == 404 and "invalid page" not in response.text.lower():
            # (a 404 "Invalid page." on page 1 is a pagination bug for the suite to report)
            raise TargetError(f"workspace {self.workspace.name!r} not found at {self.base_url} (404)")

    def workspaces(self) -> Iterator[Workspace]:
        yield self.workspace
        if self.other is not None:
            yield self.other

    def close(self) -> list[str]:
        problems: list[str] = []
        if self.down is not None:
            problems.append(f"not cleaned up, {self.down}")
        elif not self.options.read_only:
            try:
                for ws in self.workspaces():
                    problems += ws.cleanup()
            except TargetDown as exc:
                problems.append(f"cleanup stopped, {exc}")
        self.session.close()
        return problems
