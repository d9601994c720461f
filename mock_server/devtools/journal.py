"""The request journal: the last N API requests with their answers, for UI tests to assert on.

Recorded by the pipeline's last step, so it sees the final answer (CORS headers, forced and
chaos answers included). Only the API's URL space is recorded (routable or not, so a wrong URL
in a frontend shows up too); the docs, the served spec and the admin API are not. Bodies are
kept as JSON when they parse, as text otherwise, and left out above 64 KiB. Each entry lists the
contract violations of its exchange (proxy mode; empty for the mock's own answers); in proxy
mode a secret's answer (a webhook token) is kept masked. No request header is kept.

Entries keep raw values (bytes, the query as parsed, a float time) and turn them into JSON
only when the admin API reads them, not on every request.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from flask import Request, Response
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..api.errors import ValidationFailed

if TYPE_CHECKING:
    from ..api.pipeline import Call

DEFAULT_SIZE = 1000
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Filter:
    """Which entries to show: exact method, exact path (or a glob with `*`), status (`404` or `4xx`),
    with or without violations."""

    method: str | None = None
    path: str | None = None
    status: str | None = None
    limit: int | None = None
    violations: bool | None = None

    def matches(self, entry: _Entry) -> bool:
        if self.method and entry.method != self.method.upper():
            return False
        if self.path and not (
            fnmatch.fnmatchcase(entry.path, self.path) if "*" in self.path else entry.path == self.path
        ):
            return False
        if self.status:
            code = str(entry.status)
            if self.status.endswith("xx") and code[0] != self.status[0]:
                return False
            if not self.status.endswith("xx") and code != self.status:
                return False
        return self.violations is None or bool(entry.violations) == self.violations


class _Entry(NamedTuple):
    """What a request leaves in the journal: raw values, turned into JSON only when read."""

    id: int
    time: float
    method: str
    path: str
    query: MultiDict[str, str]
    status: int
    duration_s: float
    request_body: bytes | None
    response_body: bytes | None
    violations: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": datetime.fromtimestamp(self.time, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "method": self.method,
            "path": self.path,
            "query": {key: self.query.getlist(key) for key in self.query},
            "status": self.status,
            "durationMs": round(self.duration_s * 1000, 3),
            "requestBody": _body(self.request_body),
            "responseBody": _body(self.response_body),
            "violations": list(self.violations),
        }


class Journal:
    """A bounded, thread-safe record of requests, oldest first."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: deque[_Entry] = deque(maxlen=max(size, 0))
        self._ids = itertools.count(1)

    def add(self, *fields: Any) -> None:
        """`fields` are those of `_Entry` after the id, which the journal numbers."""
        with self._lock:
            self._entries.append(_Entry(next(self._ids), *fields))

    def entries(self, where: Filter = Filter()) -> list[dict[str, Any]]:
        """Bodies, times and queries are kept raw and turned into JSON here, when read, not on
        every request."""
        with self._lock:
            found = [e for e in self._entries if where.matches(e)]
        found = found[-where.limit :] if where.limit else found
        return [e.as_json() for e in found]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def record(call: Call, response: Response) -> Response:
    """The pipeline's last step: the request and its final answer, into the runtime's journal."""
    req = call.request
    call.runtime.journal.add(
        time.time(),
        req.method,
        req.path,
        req.args,
        response.status_code,
        time.perf_counter() - call.started,
        _request_data(req),
        call.redacted if call.redacted is not None else _response_data(response),
        tuple(call.violations),
    )
    return response


def _request_data(req: Request) -> bytes | None:
    environ = req.environ  # read directly: Werkzeug's `content_length` parses two headers each time
    declared = environ.get("CONTENT_LENGTH")
    if not declared and "wsgi.input_terminated" not in environ:
        return None  # no body (a GET): nothing to read
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    try:
        data = req.get_data(cache=True)
    except HTTPException:  # a body over the operation's limit (413): not read, not kept
        return None
    return data if len(data) <= MAX_BODY else None


def _response_data(response: Response) -> bytes | None:
    body = response.response
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], bytes):
        data = body[0]  # what `json_response` builds: the bytes themselves, no join
    elif response.is_streamed:
        return None
    else:
        data = response.get_data()
    # A copy of the exact size: orjson's output keeps its whole buffer (4 KiB at least), which
    # a thousand kept answers would turn into most of the journal's memory (see bench/FINDINGS.md).
    return bytes(memoryview(data)) if len(data) <= MAX_BODY else None


def _body(data: bytes | None) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def parse_filter(args: Iterable[tuple[str, str]]) -> Filter:
    """The filter of the admin API's query string; a bad value is a DRF-shaped 400."""
    values = dict(args)
    errors: dict[str, list[str]] = {}
    status = values.get("status")
    if status is not None and not re.fullmatch(r"[1-5]([0-9]{2}|xx)", status):
        errors["status"] = ["Enter a status like 404 or a class like 4xx."]
    limit = values.get("limit")
    if limit is not None and not re.fullmatch(r"[1-9][0-9]{0,8}", limit):
        errors["limit"] = ["A valid positive integer is required."]
    violations = values.get("violations")
    if violations is not None and violations not in ("true", "false"):
        errors["violations"] = ["Must be a valid boolean."]
    if errors:
        raise ValidationFailed(errors)
    return Filter(
        values.get("method"),
        values.get("path"),
        status,
        int(limit) if limit else None,
        None if violations is None else violations == "true",
    )
