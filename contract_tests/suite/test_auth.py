"""Every operation refuses a missing, malformed or unknown token with 401 and
`WWW-Authenticate: Bearer`, before it looks at the body, and the refused request changes nothing."""

from __future__ import annotations

import pytest

from contract_tests.api import WORKFLOWS, contract
from contract_tests.checks import AUTH_REQUIRED
from contract_tests.probe import Probe

BAD_AUTH = {
    "raw-token": "{token}",  # the right token without its scheme
    "missing": None,
    "malformed-no-token": "Bearer",
    "malformed-scheme": "Basic dXNlcjpwYXNz",
    "malformed-extra": "Bearer a b",
    "unknown": "Bearer ct-unknown-token-0000000000000000",
}
RUN_STATE = "lastRunAt"  # what a run changes on its workflow (and nothing else)


@pytest.mark.parametrize("variant", sorted(BAD_AUTH))
@pytest.mark.parametrize("op_id", sorted(contract().operations))
@AUTH_REQUIRED.test()
def test_auth_required(p: Probe, op_id: str, variant: str) -> None:
    op = contract().operation(op_id)
    if not p.options.selects(op):
        pytest.skip("operation not selected")
    kind, ws = op.kind, p.ws
    assert kind is not None, op_id
    rid = p.guard.resident(kind) if op.id_param is not None else None
    ids = {op.id_param: rid} if op.id_param is not None else {}
    concrete = op.concrete_path(**{contract().scope_param: ws.name}, **ids)
    before = ws.call("GET", ws.path(kind, rid)).json() if rid is not None else None
    body = p.example(kind=kind) if op.body is not None else None
    header = BAD_AUTH[variant]
    header = header.format(token=p.options.token) if header is not None else None
    # Authentication comes first: an invalid body must not turn the 401 into a 400.
    for payload in [body, {}] if body is not None else [None]:
        response = p.call(op.method, concrete, authorization=header, json=payload)
        if response.status_code == 201:
            ws.adopt(kind, response)
        p.expect(response, 401, at=op, body=payload)
        if not response.headers.get("WWW-Authenticate", "").lower().startswith("bearer"):
            raise p.fail("401 without `WWW-Authenticate: Bearer ...`", at=op)
    if before is not None and op.method != "GET":
        after = ws.call("GET", ws.path(kind, rid))
        if after.status_code != 200 or {k: v for k, v in after.json().items() if k != RUN_STATE} != {
            k: v for k, v in before.items() if k != RUN_STATE
        }:
            raise p.fail("a request refused with 401 changed the resource anyway", at=op)
        if kind == WORKFLOWS and after.json().get(RUN_STATE) != before.get(RUN_STATE):
            raise p.fail("a run refused with 401 ran the workflow anyway", at=op)
