"""What only workflows do: their webhook token, and running on demand."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.api import WORKFLOWS, contract, examples, run_schema
from contract_tests.checks import RUN_RESULT, WEBHOOK_TOKEN_STABLE
from contract_tests.probe import Probe


@WEBHOOK_TOKEN_STABLE.property(kinds=WORKFLOWS, needs=("create", "update", "token", "delete"))
def test_webhook_token_stable(p: Probe, data: st.DataObject) -> None:
    ws = p.ws
    a = p.create_drawn(data)["id"]
    b = p.create_drawn(data)["id"]

    def token(rid: int) -> Any:
        response = ws.call("GET", ws.path(WORKFLOWS, rid, "token"))
        p.expect(response, 200, at="token")
        return p.json(response, at="token").get("token")

    first, again, other = token(a), token(a), token(b)
    if first != again:
        raise p.fail("the webhook token changed between two calls", at="token")
    if first == other:
        raise p.fail("two workflows have the same webhook token", at="token")
    ws.call("PUT", ws.path(WORKFLOWS, a), json=p.drawn(data))
    if token(a) != first:
        raise p.fail("the webhook token changed after an update of the workflow", at="token")
    ws.delete(WORKFLOWS, a)
    response = ws.call("GET", ws.path(WORKFLOWS, a, "token"))
    p.expect(response, 404, at="token")
    if token(b) != other:
        raise p.fail("deleting one workflow changed another's webhook token", at="token")
    ws.delete(WORKFLOWS, b)


@RUN_RESULT.property(kinds=WORKFLOWS, needs=("create", "run", "get", "delete"))
def test_run_result(p: Probe, data: st.DataObject) -> None:
    ws = p.ws
    body = p.drawn(data, "workflow")
    workflow = p.create(body)
    statuses = contract().field(run_schema(), "status")["enum"]
    response = ws.call("POST", ws.path(WORKFLOWS, workflow["id"], "run"))
    p.expect(response, 200, at="run", body=body)
    run = p.json(response, at="run")
    if run.get("workflowId") != workflow["id"]:
        raise p.fail(f"ran workflow {workflow['id']}, the result says {run.get('workflowId')}", at="run")
    if run.get("status") not in statuses:
        raise p.fail(f"status {run.get('status')!r} is none of {statuses}", at="run")
    actions = run.get("actions")
    if not isinstance(actions, list) or [a.get("type") for a in actions] != [a["type"] for a in body["actions"]]:
        raise p.fail("the result has not one entry per action of the workflow, in order", at="run", body=body)
    read = ws.call("GET", ws.path(WORKFLOWS, workflow["id"]))
    p.expect(read, 200, at="get")
    if read.json().get("lastRunAt") is None:
        raise p.fail("lastRunAt is still null after a run", at="run")
    ws.delete(WORKFLOWS, workflow["id"])
    response = ws.call("POST", ws.path(WORKFLOWS, workflow["id"], "run"))
    p.expect(response, 404, at="run")


@RUN_RESULT.test(kinds=WORKFLOWS, needs=("create", "run", "delete"))
def test_run_on_demand_ignores_enabled(p: Probe) -> None:
    """A disabled workflow still runs on demand (`enabled` only gates its triggers)."""
    ws = p.ws
    for index in range(len(examples(WORKFLOWS))):
        body = p.example(index, enabled=False)
        rid = p.create(body)["id"]
        response = ws.call("POST", ws.path(WORKFLOWS, rid, "run"))
        p.expect(response, 200, at="run", body=body)
        ws.delete(WORKFLOWS, rid)
