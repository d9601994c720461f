"""Runs that answer for the wrong workflow, for a missing one, or leave no trace."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response

from mock_server.errors import json_response
from mock_server.store import WORKFLOWS, Record, Store

from .. import kit
from ..catalog import mock, variant


class _RunIdAsWorkflowId(Store):
    def run_workflow(self, workspace: str, rid: int) -> Record:
        run = super().run_workflow(workspace, rid)
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
@kit.bending(kit.on_missing, {"runWorkflow"})
def run_missing_answers_200(path: dict[str, Any]) -> Response:
    run = {
        "id": 1,
        "workflowId": path["workflow_id"],
        "status": "queued",
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "finishedAt": None,
        "actions": [],
    }
    return json_response(200, run)


class _ForgetsRuns(Store):
    def run_workflow(self, workspace: str, rid: int) -> Record:
        with self._lock:
            before = self.get(workspace, WORKFLOWS, rid)
            run = super().run_workflow(workspace, rid)
            kit.write(self, workspace, WORKFLOWS, before)
            return run


@variant("a run does not record the workflow's lastRunAt (it stays null)", "run_result")
def run_not_recorded(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _ForgetsRuns)


@variant("a run answers no per-action results (an empty actions list)", "run_result")
@kit.bending(kit.rewrite_json, {"runWorkflow"})
def run_without_action_results(run: Any) -> Any:
    return {**run, "actions": []}
