"""Workspaces are isolated (with `--other-workspace`): a resource of one is 404 through the
other, for every operation on it, and never listed there; persona names are unique per
workspace only."""

from __future__ import annotations

import pytest

from contract_tests.api import KINDS, PERSONAS, contract
from contract_tests.checks import WORKSPACE_ISOLATION
from contract_tests.probe import Probe


@WORKSPACE_ISOLATION.test(kinds=KINDS)
def test_workspace_isolation(p: Probe) -> None:
    kind, ws, other = p.kind, p.ws, p.other
    p.needs(*contract().kind(kind).operations)
    if other is None:
        pytest.skip("needs --other-workspace")
    body = p.example()
    mine = p.create(body)
    rid = mine["id"]
    response = other.call("GET", other.path(kind, rid))
    if response.status_code == 200 and response.json().get("name") == mine["name"]:
        raise p.fail(f"{kind} {rid} of {ws.name} is readable through workspace {other.name}", at="get")
    if response.status_code not in (200, 404):
        p.expect(response, 404, at="get")
    if response.status_code == 404:  # only then is id `rid` surely nobody's in the other workspace
        # Every write and action on the item through the other workspace, the delete last.
        item_ops = [op for op in contract().kind(kind).operations.values() if op.id_param and op.role != "get"]
        attempts = sorted(item_ops, key=lambda op: op.role == "delete")
        for op in attempts:
            payload = p.example() if op.body is not None else None
            response = other.call(op.method, other.path(kind, rid, op.role), json=payload)
            if response.status_code == 201:
                other.adopt(kind, response)
            p.expect(response, 404, at=op, body=payload)
    after = ws.call("GET", ws.path(kind, rid))
    p.expect(after, 200, at="get")
    if dict(after.json()) != mine:
        raise p.fail("requests through another workspace changed the resource", at="get")
    if any(item.get("name") == mine["name"] for item in other.list_all(kind)):
        raise p.fail(f"the {kind} list of {other.name} shows {ws.name}'s resource", at="list")
    if kind == PERSONAS:  # names are unique per workspace only
        twin = p.create({**body, "name": mine["name"]}, ws=other)
        other.delete(PERSONAS, twin["id"])
    ws.delete(kind, rid)
