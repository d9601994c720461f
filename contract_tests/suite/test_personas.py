"""What only personas promise: a name is unique in its workspace, and free again once deleted."""

from __future__ import annotations

from hypothesis import strategies as st

from contract_tests.api import PERSONAS
from contract_tests.checks import PERSONA_NAME_UNIQUE
from contract_tests.probe import Probe
from contract_tests.strategies import bodies


@PERSONA_NAME_UNIQUE.property(kinds=PERSONAS, needs=("create", "update", "get", "delete"))
def test_persona_name_unique(p: Probe, data: st.DataObject) -> None:
    ws = p.ws
    first = p.create_drawn(data)
    duplicate = {**data.draw(bodies(PERSONAS)), "name": first["name"]}
    response = ws.call("POST", ws.path(PERSONAS), json=duplicate)
    ws.adopt(PERSONAS, response)
    p.expect(response, 400, at="create", body=duplicate)
    if "name" not in p.json(response, at="create"):
        raise p.fail(f"the 400 does not name the field: {response.text[:200]}", at="create")
    second = p.create_drawn(data)
    response = ws.call("PUT", ws.path(PERSONAS, second["id"]), json=duplicate)
    p.expect(response, 400, at="update", body=duplicate)
    read = ws.call("GET", ws.path(PERSONAS, second["id"]))
    if read.json().get("name") != second["name"]:
        raise p.fail("a refused rename changed the persona anyway", at="update")
    ws.delete(PERSONAS, first["id"])
    response = ws.call("POST", ws.path(PERSONAS), json=duplicate)  # the name is free again
    ws.adopt(PERSONAS, response)
    p.expect(response, 201, at="create", body=duplicate)
    ws.delete(PERSONAS, response.json()["id"])
    ws.delete(PERSONAS, second["id"])
