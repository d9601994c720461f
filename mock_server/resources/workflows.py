"""Workflows: triggered actions of a workspace, runnable on demand, with a webhook token."""

from __future__ import annotations

from ..routing import Call, Handlers, Reply
from ..store import WORKFLOWS
from . import crud

handlers = Handlers("workflows")
ID = "workflow_id"


@handlers.operation("listWorkflows")
def list_workflows(call: Call) -> Reply:
    return crud.list_page(call, WORKFLOWS)


@handlers.operation("getWorkflow")
def get_workflow(call: Call) -> Reply:
    return crud.get(call, WORKFLOWS, ID)


@handlers.operation("createWorkflow")
def create_workflow(call: Call) -> Reply:
    return crud.create(call, WORKFLOWS, "workflows.getWorkflow", ID)


@handlers.operation("updateWorkflow")
def update_workflow(call: Call) -> Reply:
    return crud.replace(call, WORKFLOWS, ID)


@handlers.operation("deleteWorkflow")
def delete_workflow(call: Call) -> Reply:
    return crud.delete(call, WORKFLOWS, ID)


@handlers.operation("runWorkflow")
def run_workflow(call: Call) -> Reply:
    return Reply(200, call.store.run_workflow(call.workspace, call.params[ID]))


@handlers.operation("getWorkflowToken")
def get_workflow_token(call: Call) -> Reply:
    return Reply(200, {"token": call.store.webhook_token(call.workspace, call.params[ID])})
