"""The in-memory state: workspaces with their personas, workflows and webhook tokens.

It knows nothing of HTTP. One lock guards every method, so the store is safe under a
threaded server. Records are never mutated in place (a change builds a new dict), so a
record handed out stays consistent while another thread writes.
"""

from __future__ import annotations

import bisect
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import jsonvalue

Record = dict[str, Any]

PERSONAS = "personas"
WORKFLOWS = "workflows"
KINDS = (PERSONAS, WORKFLOWS)
RUNS = "runs"
WEBHOOK_TOKEN = "webhookToken"


class NotFoundError(LookupError):
    """The workspace or the resource does not exist."""


class ConflictError(ValueError):
    """A write would break a uniqueness rule."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class Collection:
    """Records by id, plus the ids in ascending order so a page is a slice (O(page))."""

    records: dict[int, Record] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)

    def add(self, record: Record) -> None:
        rid = record["id"]
        if not self.order or rid > self.order[-1]:
            self.order.append(rid)
        else:
            bisect.insort(self.order, rid)
        self.records[rid] = record

    def remove(self, rid: int) -> None:
        del self.records[rid]
        del self.order[bisect.bisect_left(self.order, rid)]

    def page(self, offset: int, limit: int) -> list[Record]:
        return [self.records[rid] for rid in self.order[offset : offset + limit]]


@dataclass
class Workspace:
    name: str
    personas: Collection = field(default_factory=Collection)
    workflows: Collection = field(default_factory=Collection)
    persona_names: dict[str, int] = field(default_factory=dict)
    webhook_tokens: dict[int, str] = field(default_factory=dict)

    def collection(self, kind: str) -> Collection:
        return self.personas if kind == PERSONAS else self.workflows


class Clock:
    """UTC timestamps that strictly increase, so `updatedAt` always moves forward."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> str:
        current = datetime.now(UTC)
        if current <= self._last:
            current = self._last + timedelta(microseconds=1)
        self._last = current
        return current.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def observe(self, timestamp: str | datetime | None) -> None:
        """Never hand out a time before one already stored (imported data may lie ahead)."""
        if isinstance(timestamp, str):
            timestamp = datetime.fromisoformat(timestamp)
            if timestamp.tzinfo is None:
                timestamp = timestamp.replace(tzinfo=UTC)
        if timestamp is not None and timestamp > self._last:
            self._last = timestamp


class Store:
    def __init__(self, workspaces: Iterable[str] = (), field_order: Mapping[str, Sequence[str]] | None = None) -> None:
        """`field_order`: the key order records of each kind are kept in (fields not listed come
        last). Kept in the order answers show them, a record is served as it is, not rebuilt."""
        self._field_order = dict(field_order or {})
        self._lock = threading.RLock()
        self._clock = Clock()
        self._workspaces: dict[str, Workspace] = {}
        self._next_ids = dict.fromkeys((*KINDS, RUNS), 1)
        self._listeners: list[Callable[[], None]] = []
        for name in workspaces:
            self.add_workspace(name)

    # -- workspaces --------------------------------------------------------------------
    def add_workspace(self, name: str) -> None:
        with self._lock:
            if name not in self._workspaces:
                self._workspaces[name] = Workspace(name)
                self._changed()

    def has_workspace(self, name: str) -> bool:
        return name in self._workspaces

    def workspace_names(self) -> list[str]:
        with self._lock:
            return list(self._workspaces)

    def _workspace(self, name: str) -> Workspace:
        try:
            return self._workspaces[name]
        except KeyError:
            raise NotFoundError(name) from None

    # -- generic reads -----------------------------------------------------------------
    def count(self, workspace: str, kind: str) -> int:
        with self._lock:
            return len(self._workspace(workspace).collection(kind).order)

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        """The total count and one page, read under one lock so they agree."""
        with self._lock:
            coll = self._workspace(workspace).collection(kind)
            return len(coll.order), coll.page(offset, limit)

    def get(self, workspace: str, kind: str, rid: int) -> Record:
        with self._lock:
            try:
                return self._workspace(workspace).collection(kind).records[rid]
            except KeyError:
                raise NotFoundError(f"{kind}/{rid}") from None

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            ws = self._workspace(workspace)
            record = self.get(workspace, kind, rid)
            ws.collection(kind).remove(rid)
            if kind == PERSONAS:
                ws.persona_names.pop(record["name"], None)
            else:
                ws.webhook_tokens.pop(rid, None)
            self._changed()

    # -- writes ------------------------------------------------------------------------
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        # The copy and the token (a system call) are made before taking the lock: a thread that
        # holds the lock while it waits for the GIL stalls every other request (measured at 64
        # concurrent creates: a lock convoy that halved throughput).
        own = jsonvalue.copy(data)
        token = secrets.token_urlsafe(32) if kind == WORKFLOWS else None
        with self._lock:
            ws = self._workspace(workspace)
            if kind == PERSONAS:
                self._check_name_free(ws, data["name"], None)
            now = self._clock.now()
            record = {**own, "id": self._issue(kind), "createdAt": now, "updatedAt": now}
            if token is not None:
                record["lastRunAt"] = None
                ws.webhook_tokens[record["id"]] = token
            else:
                ws.persona_names[record["name"]] = record["id"]
            record = self._ordered(kind, record)
            ws.collection(kind).add(record)
            self._changed()
            return record

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        """Full replacement: server-set fields are kept, every other field comes from `data`."""
        own = jsonvalue.copy(data)  # before the lock, as in `create`
        with self._lock:
            ws = self._workspace(workspace)
            old = self.get(workspace, kind, rid)
            if kind == PERSONAS:
                self._check_name_free(ws, data["name"], rid)
            kept = {k: old[k] for k in ("id", "createdAt", "lastRunAt") if k in old}
            record = {**own, **kept, "updatedAt": self._clock.now()}
            if kind == PERSONAS and old["name"] != record["name"]:
                del ws.persona_names[old["name"]]
                ws.persona_names[record["name"]] = rid
            ws.collection(kind).records[rid] = record = self._ordered(kind, record)
            self._changed()
            return record

    def _check_name_free(self, ws: Workspace, name: str, own_id: int | None) -> None:
        holder = ws.persona_names.get(name)
        if holder is not None and holder != own_id:
            raise ConflictError("name", "persona with this name already exists.")

    # -- workflow specifics ------------------------------------------------------------
    def webhook_token(self, workspace: str, rid: int) -> str:
        with self._lock:
            self.get(workspace, WORKFLOWS, rid)
            return self._workspace(workspace).webhook_tokens[rid]

    def run_workflow(self, workspace: str, rid: int) -> Record:
        """Runs synchronously: every action succeeds, and `lastRunAt` records the start."""
        with self._lock:
            workflow = self.get(workspace, WORKFLOWS, rid)
            started = self._clock.now()
            finished = self._clock.now()
            self._workspace(workspace).workflows.records[rid] = {**workflow, "lastRunAt": started}
            self._changed()
            return {
                "id": self._issue(RUNS),
                "workflowId": rid,
                "status": "succeeded",
                "startedAt": started,
                "finishedAt": finished,
                "actions": [
                    {"index": i, "type": action.get("type"), "status": "succeeded", "message": None}
                    for i, action in enumerate(workflow.get("actions", []))
                ],
            }

    # -- the whole state (seeds, export and import, persistence) ------------------------
    def restore(self, workspace: str, kind: str, data: Record, webhook_token: str | None = None) -> Record:
        """Stores a record as given: server-set fields it carries are kept, missing ones are set
        as a create would set them. A used id is a ConflictError."""
        with self._lock:
            ws = self._workspace(workspace)
            rid = data.get("id")
            if rid is None:
                rid = self._issue(kind)
            elif any(rid in other.collection(kind).records for other in self._workspaces.values()):
                raise ConflictError("id", f"id {rid} is used twice.")
            if kind == PERSONAS:
                self._check_name_free(ws, data["name"], None)
            record = {**jsonvalue.copy(data), "id": rid}
            record.setdefault("createdAt", self._clock.now())
            record.setdefault("updatedAt", record["createdAt"])
            self._clock.observe(record["updatedAt"])
            if kind == WORKFLOWS:
                record.setdefault("lastRunAt", None)
                self._clock.observe(record["lastRunAt"])
                ws.webhook_tokens[rid] = webhook_token or secrets.token_urlsafe(32)
            else:
                ws.persona_names[record["name"]] = rid
            record = self._ordered(kind, record)
            ws.collection(kind).add(record)
            self._next_ids[kind] = max(self._next_ids[kind], rid + 1)
            self._changed()
            return record

    def _ordered(self, kind: str, record: Record) -> Record:
        order = self._field_order.get(kind)
        if not order:
            return record
        return {**{k: record[k] for k in order if k in record}, **record}

    def next_ids(self) -> dict[str, int]:
        with self._lock:
            return dict(self._next_ids)

    def raise_next_ids(self, next_ids: dict[str, int]) -> None:
        """Moves id counters forward (never back), so ids deleted before an export stay unused."""
        with self._lock:
            for kind, value in next_ids.items():
                self._next_ids[kind] = max(self._next_ids[kind], value)
            self._changed()

    def snapshot(self) -> dict[str, Any]:
        """Every workspace with its records (workflows with their webhook token) and the next
        ids, read under one lock so they agree. Records are shared: do not mutate them."""
        with self._lock:
            return {
                "nextIds": dict(self._next_ids),
                "workspaces": {
                    name: {
                        PERSONAS: ws.personas.page(0, len(ws.personas.order)),
                        WORKFLOWS: [
                            {**record, WEBHOOK_TOKEN: ws.webhook_tokens[record["id"]]}
                            for record in ws.workflows.page(0, len(ws.workflows.order))
                        ],
                    }
                    for name, ws in self._workspaces.items()
                },
            }

    def replace_with(self, other: Store) -> None:
        """Takes over `other`'s whole state at once (reset, import); `other` is spent."""
        with self._lock, other._lock:
            self._workspaces = other._workspaces
            self._next_ids = dict(other._next_ids)
            self._clock.observe(other._clock._last)
            other._workspaces = {}
            self._changed()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Calls `listener` after every change, under the lock: it must be quick and must not
        call back into the store (persistence sets an event and writes from its own thread)."""
        with self._lock:
            self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _issue(self, kind: str) -> int:
        rid = self._next_ids[kind]
        self._next_ids[kind] = rid + 1
        return rid
