"""The in-memory state: workspaces, each with a collection of records per kind.

It knows nothing of HTTP. The store is the same for every kind: what a kind needs beyond
records kept by id (a unique name, a webhook token, runs) is in its `KindRules`, given at
construction (`kinds.RULES` by default); a kind without rules is an error.

One lock guards every method, so the store is safe under a threaded server. Records are never
mutated in place (a change builds a new dict), so a record handed out stays consistent while
another thread writes. Ids are issued per kind across workspaces and never reused, deleted
ones included. A page is a slice of the ids kept in order, O(page) however many are stored.

Any object with this public interface may stand in for a `Store` (`create_app(store=...)`):
the app, the admin API, snapshots and the state file use nothing else.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import jsonvalue
from .kinds import (
    CREATED_AT,
    ID,
    RULES,
    RUNS,
    UPDATED_AT,
    Collection,
    KindRules,
    NotSupportedError,
    Record,
    UnknownKindError,
)

__all__ = ["RUNS", "Clock", "ConflictError", "NotFoundError", "Record", "Store", "UnknownKindError"]


class NotFoundError(LookupError):
    """The workspace or the resource does not exist."""


class ConflictError(ValueError):
    """A write would break a uniqueness rule."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class Workspace:
    name: str
    collections: dict[str, Collection] = field(default_factory=dict)


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
    def __init__(
        self,
        workspaces: Iterable[str] = (),
        field_order: Mapping[str, Sequence[str]] | None = None,
        rules: Mapping[str, KindRules] = RULES,
    ) -> None:
        """`field_order`: the key order records of each kind are kept in (fields not listed come
        last). Kept in the order answers show them, a record is served as it is, not rebuilt.
        `rules`: the kinds this store holds, with their rules."""
        self._rules = dict(rules)
        self._field_order = dict(field_order or {})
        self._lock = threading.RLock()
        self._clock = Clock()
        self._workspaces: dict[str, Workspace] = {}
        self._next_ids = dict.fromkeys((*self._rules, RUNS), 1)
        self._listeners: list[Callable[[], None]] = []
        for name in workspaces:
            self.add_workspace(name)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._rules)

    # -- workspaces --------------------------------------------------------------------
    def add_workspace(self, name: str) -> None:
        with self._lock:
            if name not in self._workspaces:
                self._workspaces[name] = Workspace(name, {kind: Collection.empty() for kind in self._rules})
                self._changed()

    def has_workspace(self, name: str) -> bool:
        return name in self._workspaces

    def workspace_names(self) -> list[str]:
        with self._lock:
            return list(self._workspaces)

    # -- reads -------------------------------------------------------------------------
    def count(self, workspace: str, kind: str) -> int:
        with self._lock:
            return len(self._collection(workspace, kind).order)

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        """The total count and one page in id order, read under one lock so they agree."""
        with self._lock:
            coll = self._collection(workspace, kind)
            return len(coll.order), coll.page(offset, limit)

    def ids(self, workspace: str, kind: str) -> list[int]:
        """Every id of a kind in a workspace, ascending (a copy: O(n), not for the hot path)."""
        with self._lock:
            return list(self._collection(workspace, kind).order)

    def get(self, workspace: str, kind: str, rid: int) -> Record:
        with self._lock:
            try:
                return self._collection(workspace, kind).records[rid]
            except KeyError:
                raise NotFoundError(f"{kind}/{rid}") from None

    def secret(self, workspace: str, kind: str, rid: int) -> str:
        """The secret of a record of a kind that has one (a workflow's webhook token)."""
        rules = self._rules_of(kind)
        if rules.secret is None:
            raise NotSupportedError(f"{kind} have no secret")
        with self._lock:
            self.get(workspace, kind, rid)
            return self._collection(workspace, kind).secrets[rid]

    # -- writes ------------------------------------------------------------------------
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        rules = self._rules_of(kind)
        # The copy and the secret (a system call) are made before taking the lock: a thread that
        # holds the lock while it waits for the GIL stalls every other request (a lock convoy,
        # measured: see bench/FINDINGS.md).
        own = jsonvalue.copy(data)
        secret = rules.new_secret()
        with self._lock:
            coll = self._collection(workspace, kind)
            self._check(rules, coll, own, None)
            now = self._clock.now()
            record = rules.started({**own, ID: self._issue(kind), CREATED_AT: now, UPDATED_AT: now})
            record = self._ordered(kind, record)
            self._add(rules, coll, record, secret)
            self._changed()
            return record

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        """Full replacement: server-set fields are kept, every other field comes from `data`."""
        rules = self._rules_of(kind)
        own = jsonvalue.copy(data)  # before the lock, as in `create`
        with self._lock:
            coll = self._collection(workspace, kind)
            old = self.get(workspace, kind, rid)
            self._check(rules, coll, own, rid)
            kept = {k: old[k] for k in rules.kept_on_replace if k in old}
            record = self._ordered(kind, {**own, **kept, UPDATED_AT: self._clock.now()})
            rules.replaced(coll, old, record)
            coll.records[rid] = record
            self._changed()
            return record

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        rules = self._rules_of(kind)
        with self._lock:
            coll = self._collection(workspace, kind)
            record = self.get(workspace, kind, rid)
            del coll.records[rid]
            del coll.order[bisect.bisect_left(coll.order, rid)]
            rules.forget(coll, record)
            self._changed()

    def run(self, workspace: str, kind: str, rid: int) -> Record:
        """Runs a record of a runnable kind synchronously; its result (the record notes the run)."""
        rules = self._rules_of(kind)
        if not rules.runnable:
            raise NotSupportedError(f"{kind} cannot run")
        with self._lock:
            record = self.get(workspace, kind, rid)
            started = self._clock.now()
            finished = self._clock.now()
            after, result = rules.ran(record, self._issue(RUNS), started, finished)
            self._collection(workspace, kind).records[rid] = after
            self._changed()
            return result

    # -- the whole state (seeds, export and import, persistence) ------------------------
    def restore(self, workspace: str, kind: str, data: Record, secret: str | None = None) -> Record:
        """Stores a record as given: server-set fields it carries are kept, missing ones are set
        as a create would set them (a new secret unless one is given). A used id is a ConflictError."""
        rules = self._rules_of(kind)
        with self._lock:
            coll = self._collection(workspace, kind)
            rid = data.get(ID)
            if rid is None:
                rid = self._issue(kind)
            elif any(rid in ws.collections[kind].records for ws in self._workspaces.values()):
                raise ConflictError(ID, f"id {rid} is used twice.")
            self._check(rules, coll, data, None)
            record = {**jsonvalue.copy(data), ID: rid}
            record.setdefault(CREATED_AT, self._clock.now())
            record.setdefault(UPDATED_AT, record[CREATED_AT])
            self._clock.observe(record[UPDATED_AT])
            record = self._ordered(kind, rules.filled(record))
            if rules.last_run is not None:
                self._clock.observe(record[rules.last_run])
            self._add(rules, coll, record, secret)
            self._next_ids[kind] = max(self._next_ids[kind], rid + 1)
            self._changed()
            return record

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
        """Every workspace with its records of each kind (with their secrets, for kinds that have
        one) and the next ids, read under one lock so they agree. Records are shared: do not
        mutate them."""
        with self._lock:
            workspaces = {}
            for name, ws in self._workspaces.items():
                content = workspaces[name] = {}
                for kind, rules in self._rules.items():
                    coll = ws.collections[kind]
                    content[kind] = [rules.exported(coll, record) for record in coll.page(0, len(coll.order))]
            return {"nextIds": dict(self._next_ids), "workspaces": workspaces}

    def replace_with(self, other: Store) -> None:
        """Takes over `other`'s whole state at once (reset, import); `other` is spent. Its
        collections are kept under this store's rules."""
        with self._lock, other._lock:
            if set(other._rules) != set(self._rules):
                raise UnknownKindError(f"other kinds: {sorted(other._rules)} instead of {sorted(self._rules)}")
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

    # -- inside ------------------------------------------------------------------------
    def _rules_of(self, kind: str) -> KindRules:
        try:
            return self._rules[kind]
        except KeyError:
            raise UnknownKindError(kind) from None

    def _collection(self, workspace: str, kind: str) -> Collection:
        try:
            ws = self._workspaces[workspace]
        except KeyError:
            raise NotFoundError(workspace) from None
        try:
            return ws.collections[kind]
        except KeyError:
            raise UnknownKindError(kind) from None

    @staticmethod
    def _check(rules: KindRules, coll: Collection, record: Record, own_id: int | None) -> None:
        broken = rules.check(coll, record, own_id)
        if broken is not None:
            raise ConflictError(*broken)

    @staticmethod
    def _add(rules: KindRules, coll: Collection, record: Record, secret: str | None) -> None:
        rid = record[ID]
        if not coll.order or rid > coll.order[-1]:
            coll.order.append(rid)
        else:
            bisect.insort(coll.order, rid)
        coll.records[rid] = record
        rules.admit(coll, record, secret)

    def _ordered(self, kind: str, record: Record) -> Record:
        order = self._field_order.get(kind)
        if not order:
            return record
        return {**{k: record[k] for k in order if k in record}, **record}

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _issue(self, kind: str) -> int:
        rid = self._next_ids[kind]
        self._next_ids[kind] = rid + 1
        return rid
