"""What each kind of record needs beyond being kept by id: the rules the store applies per kind.

The store is the same for every kind; a `KindRules` says what differs, as data and small
methods, so the store never asks which kind it holds:

- personas: `name` is unique within a workspace (kept in an index, so a check is one lookup);
- workflows: a webhook token per workflow (made at create, kept until the workflow is deleted,
  exported with it), and `lastRunAt`, null until a run sets it; they can run.

The field names here are the behaviour the mock implements for the contract's kinds (the
contract says `name` is unique and a run records `lastRunAt`; it cannot say it in a form a
program reads). `webhookToken` is the name of the token in the mock's own seed and export
format, not a field of the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api_spec import PERSONAS, WORKFLOWS

Record = dict[str, Any]

ID = "id"
CREATED_AT = "createdAt"
UPDATED_AT = "updatedAt"
RUNS = "runs"  # the id counter of runs (every runnable kind shares it), as `nextIds` names it


class UnknownKindError(KeyError):
    """A kind the store has no rules for: a mistake in the caller, never a client's."""


class NotSupportedError(TypeError):
    """An operation the kind does not have (running a persona, a persona's token)."""


@dataclass
class Collection:
    """One kind's records in one workspace, with what its rules keep beside them."""

    records: dict[int, Record]
    order: list[int]  # the ids, ascending, so that a page is a slice (O(page))
    unique: dict[Any, int]  # the unique field's value -> id (kinds with a unique field)
    secrets: dict[int, str]  # id -> secret (kinds with a secret)

    @classmethod
    def empty(cls) -> Collection:
        return cls({}, [], {}, {})

    def page(self, offset: int, limit: int) -> list[Record]:
        return [self.records[rid] for rid in self.order[offset : offset + limit]]


@dataclass(frozen=True)
class KindRules:
    """The rules of one kind; the defaults are a kind with none (records kept by id, nothing else)."""

    name: str
    unique: str | None = None  # a field whose value is unique within a workspace
    duplicate_message: str = ""  # the DRF message of a taken value
    secret: str | None = None  # a secret per record, under this name in exports and seeds
    last_run: str | None = None  # the field a run sets (null until then); a kind with one can run
    run_reference: str = ""  # the field of a run's result that holds the id of the record that ran

    @property
    def runnable(self) -> bool:
        return self.last_run is not None

    @property
    def kept_on_replace(self) -> tuple[str, ...]:
        """The server-set fields a full replacement keeps (`updatedAt` moves on)."""
        return (ID, CREATED_AT) + ((self.last_run,) if self.last_run else ())

    def new_secret(self) -> str | None:
        """A fresh secret (a system call: made before the store's lock is taken)."""
        return secrets.token_urlsafe(32) if self.secret else None

    def check(self, collection: Collection, record: Record, own_id: int | None) -> tuple[str, str] | None:
        """(field, message) when `record` would break a uniqueness rule, else None."""
        if self.unique is None:
            return None
        holder = collection.unique.get(record[self.unique])
        if holder is not None and holder != own_id:
            return self.unique, self.duplicate_message
        return None

    def started(self, record: Record) -> Record:
        """A created record with the server-set fields of this kind at their start (no run yet)."""
        if self.last_run is not None:
            record[self.last_run] = None
        return record

    def filled(self, record: Record) -> Record:
        """A restored record with the server-set fields of this kind it lacks, as a create sets them."""
        if self.last_run is not None:
            record.setdefault(self.last_run, None)
        return record

    def admit(self, collection: Collection, record: Record, secret: str | None) -> None:
        """Indexes a record that enters the collection (create, restore)."""
        if self.unique is not None:
            collection.unique[record[self.unique]] = record[ID]
        if self.secret is not None:
            collection.secrets[record[ID]] = secret or secrets.token_urlsafe(32)

    def replaced(self, collection: Collection, old: Record, new: Record) -> None:
        """Moves the index entry of a record whose unique value changed."""
        if self.unique is not None and old[self.unique] != new[self.unique]:
            collection.unique.pop(old[self.unique], None)
            collection.unique[new[self.unique]] = new[ID]

    def forget(self, collection: Collection, record: Record) -> None:
        """Drops what was kept beside a deleted record (its index entry, its secret)."""
        if self.unique is not None:
            collection.unique.pop(record[self.unique], None)
        collection.secrets.pop(record[ID], None)

    def exported(self, collection: Collection, record: Record) -> Record:
        """The record as exports and seeds carry it: with its secret, if the kind has one."""
        if self.secret is None:
            return record
        return {**record, self.secret: collection.secrets[record[ID]]}

    def ran(self, record: Record, run_id: int, started: str, finished: str) -> tuple[Record, Record]:
        """(the record after a run, the run's result): synchronous, every action succeeds."""
        if self.last_run is None:
            raise NotSupportedError(f"{self.name} cannot run")
        result = {
            "id": run_id,
            self.run_reference: record[ID],
            "status": "succeeded",
            "startedAt": started,
            "finishedAt": finished,
            "actions": [
                {"index": i, "type": action.get("type"), "status": "succeeded", "message": None}
                for i, action in enumerate(record.get("actions", []))
            ],
        }
        return {**record, self.last_run: started}, result


RULES: Mapping[str, KindRules] = {
    PERSONAS: KindRules(PERSONAS, unique="name", duplicate_message="persona with this name already exists."),
    WORKFLOWS: KindRules(WORKFLOWS, secret="webhookToken", last_run="lastRunAt", run_reference="workflowId"),
}
