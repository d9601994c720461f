"""Data that contradicts what field names and descriptions imply, though every response fits its
schema: timestamps out of order or not in UTC, runs that misreference their workflow, its
actions or each other, and a create that stores more than one resource."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask

from api_spec import WORKFLOWS
from mock_server.state.store import Record, Store

from .. import kit
from ..catalog import mock, variant

TIMES = ("createdAt", "updatedAt", "lastRunAt", "startedAt", "finishedAt")
UTC_PLUS_2 = timezone(timedelta(hours=2))


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# -- order in time ---------------------------------------------------------------------
class _CreatedAfterUpdated(kit.StoreWrapper):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            record = super().create(workspace, kind, data)
            later = _moment(record["updatedAt"]) + timedelta(seconds=1)
            record = {**record, "createdAt": later.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
            kit.write(self, workspace, kind, record)
            return record


@variant("a new resource's createdAt is stored one second after its updatedAt", "timestamps_ordered")
def created_after_updated(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _CreatedAfterUpdated)


@variant("a run answers its startedAt and finishedAt swapped: it finishes before it starts", "timestamps_ordered")
@kit.bending(kit.rewrite_json, {kit.RUN})
def run_finished_before_started(run: Any) -> Any:
    return {**run, "startedAt": run["finishedAt"], "finishedAt": run["startedAt"]}


@variant(
    "timestamps are answered at UTC+2 (...T11:00:00.000000+02:00): the same instants, valid date-times, "
    "but not UTC with Z as the spec's Timestamp says",
    "timestamps_ordered",
)
@kit.bending(kit.rewrite_json, None)
def timestamps_not_utc(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return {**body, "results": [_at_utc_plus_2(item) for item in body["results"]]}
    return _at_utc_plus_2(body)


def _at_utc_plus_2(record: Any) -> Any:
    if not isinstance(record, dict):
        return record
    return {
        k: _moment(v).astimezone(UTC_PLUS_2).isoformat(timespec="microseconds")
        if k in TIMES and isinstance(v, str)
        else v
        for k, v in record.items()
    }


# -- references ------------------------------------------------------------------------
@variant("a run numbers its action results from 1 (index is the action's position, from 0)", "run_references")
@kit.bending(kit.rewrite_json, {kit.RUN})
def run_action_index_from_one(run: Any) -> Any:
    return {**run, "actions": [{**result, "index": result["index"] + 1} for result in run["actions"]]}


class _RunIdsPerWorkflow(kit.StoreWrapper):
    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.counters: dict[tuple[str, int], int] = {}

    def run(self, workspace: str, kind: str, rid: int) -> Record:
        with self.lock:
            run = super().run(workspace, kind, rid)
            counters = self.counters
            counters[(workspace, rid)] = counters.get((workspace, rid), 0) + 1
            return {**run, "id": counters[(workspace, rid)]}


@variant(
    "run ids are counted per workflow (each workflow's first run is id 1), so two runs share an id",
    "run_references",
)
def run_ids_per_workflow(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RunIdsPerWorkflow)


class _RunMarksEveryWorkflow(kit.StoreWrapper):
    def run(self, workspace: str, kind: str, rid: int) -> Record:
        with self.lock:
            run = super().run(workspace, kind, rid)
            for record in kit.everything(self.inner, workspace, kind):
                kit.write(self, workspace, kind, {**record, "lastRunAt": run["startedAt"]})
            return run


@variant(
    "a run records lastRunAt on every workflow of the workspace, not only on the one that ran",
    "run_references",
)
def run_marks_every_workflow(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RunMarksEveryWorkflow)


class _UpdateClearsLastRun(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            record = super().replace(workspace, kind, rid, data)
            if kind == WORKFLOWS:
                record = {**record, "lastRunAt": None}
                kit.write(self, workspace, kind, record)
            return record


@variant("an update sets the workflow's lastRunAt back to null, as if it had never run", "run_references")
def update_clears_last_run(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _UpdateClearsLastRun)


# -- counts ----------------------------------------------------------------------------
class _StoresWorkflowsTwice(kit.StoreWrapper):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            record = super().create(workspace, kind, data)
            if kind == WORKFLOWS:
                super().create(workspace, kind, data)  # the retried insert
            return record


@variant(
    "a workflow create stores it twice (a retried insert): a second copy under the next id, listed and counted",
    "count_tracks_writes",
)
def workflow_create_stored_twice(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _StoresWorkflowsTwice)
