"""Runs that answer for the wrong workflow, for a missing one, or leave no trace."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Flask

from mock_server.api.pipeline import Call, Reply
from mock_server.state.store import Record, Store

from .. import kit
from ..catalog import mock, variant


class _RunIdAsWorkflowId(kit.StoreWrapper):
    def run(self, workspace: str, kind: str, rid: int) -> Record:
        run = super().run(workspace, kind, rid)
        return {**run, "workflowId": run["id"]}


@variant("a run answers its own run id as workflowId", "run_result")
def run_wrong_workflow_id(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RunIdAsWorkflowId)


@variant(
    "running a missing (or deleted) workflow answers 200 with a queued run instead of 404",
    "run_result",
    "delete_is_final",
    "use_after_free",
)
@kit.bending(kit.on_missing, {kit.RUN})
def run_missing_answers_200(call: Call) -> Reply:
    run = {
        "id": 1,
        "workflowId": kit.id_of(call),
        "status": "queued",
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "finishedAt": None,
        "actions": [],
    }
    return Reply(200, run)


class _ForgetsRuns(kit.StoreWrapper):
    def run(self, workspace: str, kind: str, rid: int) -> Record:
        with self.lock:
            before = self.get(workspace, kind, rid)
            run = super().run(workspace, kind, rid)
            kit.write(self, workspace, kind, before)
            return run


@variant("a run does not record the workflow's lastRunAt (it stays null)", "run_result")
def run_not_recorded(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _ForgetsRuns)


@variant("a run answers no per-action results (an empty actions list)", "run_result")
@kit.bending(kit.rewrite_json, {kit.RUN})
def run_without_action_results(run: Any) -> Any:
    return {**run, "actions": []}
