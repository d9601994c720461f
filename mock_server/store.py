"""The in-memory state: workspaces with their personas, workflows and webhook tokens.

It knows nothing of HTTP. One lock guards every method, so the store is safe under a
threaded server. Records are never mutated in place (a change builds a new dict), so a
record handed out stays consistent while another thread writes.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Record = dict[str, Any]

PERSONAS = "personas"
WORKFLOWS = "workflows"
KINDS = (PERSONAS, WORKFLOWS)


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


class Store:
    def __init__(self, workspaces: Iterable[str] = ()) -> None:
        self._lock = threading.RLock()
        self._clock = Clock()
        self._workspaces: dict[str, Workspace] = {}
        self._ids = {kind: itertools.count(1) for kind in KINDS}
        self._run_ids = itertools.count(1)
        for name in workspaces:
            self.add_workspace(name)

    # -- workspaces --------------------------------------------------------------------
    def add_workspace(self, name: str) -> None:
        with self._lock:
            self._workspaces.setdefault(name, Workspace(name))

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

    # -- writes ------------------------------------------------------------------------
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self._lock:
            ws = self._workspace(workspace)
            if kind == PERSONAS:
                self._check_name_free(ws, data["name"], None)
            now = self._clock.now()
            record = {**copy.deepcopy(data), "id": next(self._ids[kind]), "createdAt": now, "updatedAt": now}
            if kind == WORKFLOWS:
                record["lastRunAt"] = None
                ws.webhook_tokens[record["id"]] = secrets.token_urlsafe(32)
            else:
                ws.persona_names[record["name"]] = record["id"]
            ws.collection(kind).add(record)
            return record

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        """Full replacement: server-set fields are kept, every other field comes from `data`."""
        with self._lock:
            ws = self._workspace(workspace)
            old = self.get(workspace, kind, rid)
            if kind == PERSONAS:
                self._check_name_free(ws, data["name"], rid)
            kept = {k: old[k] for k in ("id", "createdAt", "lastRunAt") if k in old}
            record = {**copy.deepcopy(data), **kept, "updatedAt": self._clock.now()}
            if kind == PERSONAS and old["name"] != record["name"]:
                del ws.persona_names[old["name"]]
                ws.persona_names[record["name"]] = rid
            ws.collection(kind).records[rid] = record
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
            return {
                "id": next(self._run_ids),
                "workflowId": rid,
                "status": "succeeded",
                "startedAt": started,
                "finishedAt": finished,
                "actions": [
                    {"index": i, "type": action.get("type"), "status": "succeeded", "message": None}
                    for i, action in enumerate(workflow.get("actions", []))
                ],
            }
