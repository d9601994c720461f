"""`Prefer: code=`, `example=` and `delay=` over HTTP: documented answers, no state change.

The `mock` fixture validates every answer against the spec, so each forced answer of a
documented status is also checked against its response schema here.
"""

from __future__ import annotations

import http.client
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_server.devtools.prefer import MAX_DELAY_MS

from .conftest import API, SPEC, TOKEN, LiveMock, serve

PE = f"{API}/demo/personas/"
WF = f"{API}/demo/workflows/"
STATE = "/__admin/state"


def concrete(path: str) -> str:
    return path.replace("{workspace_name}", "demo").replace("{workflow_id}", "1").replace("{persona_id}", "1")


def documented_cases() -> list[tuple[str, str, str, int]]:
    return [
        (op.operation_id, op.method, concrete(op.path), int(status))
        for op in SPEC
        for status in op.raw["responses"]
        if str(status).isdigit()
    ]


def spec_example(operation_id: str, status: int, name: str) -> Any:
    response = SPEC.resolve(SPEC.operation(operation_id).raw["responses"][str(status)])
    return SPEC.resolve(response["content"]["application/json"]["examples"][name])["value"]


@pytest.mark.parametrize(("operation_id", "method", "path", "status"), documented_cases())
def test_every_documented_status_of_every_operation_can_be_forced(
    shared_mock: LiveMock, operation_id: str, method: str, path: str, status: int
) -> None:
    before = shared_mock.get(STATE).json()
    r = shared_mock.request(method, path, headers={"Prefer": f"code={status}"})
    assert r.status_code == status, (operation_id, r.text)
    assert r.headers["Preference-Applied"] == f"code={status}"
    if status == 204:
        assert r.content == b""
    else:
        assert r.headers["Content-Type"] == "application/json"
        assert r.json() is not None
    if status == 401:
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 201:
        assert r.headers["Location"].startswith(shared_mock.url)
    assert shared_mock.get(STATE).json() == before  # nothing stored, nothing run, nothing deleted


def test_a_status_with_a_named_example_answers_the_first_one(mock: LiveMock) -> None:
    r = mock.get(PE, headers={"Prefer": "code=200"})
    assert r.json() == spec_example("listPersonas", 200, "documented")


def test_example_picks_a_named_example(mock: LiveMock) -> None:
    r = mock.get(PE, headers={"Prefer": "code=404, example=invalidPage"})
    assert r.status_code == 404
    assert r.json() == spec_example("listPersonas", 404, "invalidPage")
    assert r.headers["Preference-Applied"] == "code=404, example=invalidPage"


def test_example_alone_finds_its_status(mock: LiveMock) -> None:
    r = mock.post(PE, headers={"Prefer": "example=parseError"})
    assert r.status_code == 400
    assert r.json() == spec_example("createPersona", 400, "parseError")


def test_a_quoted_example_name_works(mock: LiveMock) -> None:
    r = mock.get(WF, headers={"Prefer": 'code=404; foo=bar, example="notFound"'})
    assert r.status_code == 404 and r.json() == spec_example("listWorkflows", 404, "notFound")


def test_an_unknown_example_is_a_400_that_lists_the_documented_ones(mock: LiveMock) -> None:
    r = mock.get(PE, headers={"Prefer": "example=nope"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert "nope" in detail and "documented (200)" in detail and "invalidPage (404)" in detail
    assert "Preference-Applied" not in r.headers


@pytest.mark.parametrize(
    ("status", "detail"),
    [(500, "A server error occurred."), (503, "Service temporarily unavailable, try again later."), (418, None)],
)
def test_an_undocumented_status_answers_a_drf_shaped_error(mock: LiveMock, status: int, detail: str | None) -> None:
    r = mock.get(PE, headers={"Prefer": f"code={status}"})
    assert r.status_code == status
    body = r.json()
    assert list(body) == ["detail"] and isinstance(body["detail"], str) and body["detail"]
    if detail is not None:
        assert body["detail"] == detail


def test_forced_writes_change_nothing(mock: LiveMock) -> None:
    before = mock.get(STATE).json()
    assert mock.post(PE, json={"name": "x", "fullName": "X"}, headers={"Prefer": "code=201"}).status_code == 201
    assert mock.put(f"{PE}1", json={"name": "y", "fullName": "Y"}, headers={"Prefer": "code=200"}).status_code == 200
    assert mock.delete(f"{WF}1", headers={"Prefer": "code=204"}).status_code == 204
    assert mock.post(f"{WF}2/run", headers={"Prefer": "code=200"}).status_code == 200
    assert mock.post(PE, json={"name": "x", "fullName": "X"}, headers={"Prefer": "code=500"}).status_code == 500
    assert mock.get(STATE).json() == before
    assert mock.get(f"{WF}1").status_code == 200


def test_a_forced_answer_needs_no_existing_workspace_id_or_valid_body(mock: LiveMock) -> None:
    r = mock.get(f"{API}/nowhere/workflows/999", headers={"Prefer": "code=200"})
    assert r.status_code == 200 and r.json()["id"] >= 1
    r = mock.post(PE, data="not json", headers={"Prefer": "code=201", "Content-Type": "text/plain"})
    assert r.status_code == 201


def test_security_comes_before_preferences(mock: LiveMock) -> None:
    for token in (None, "unknown-token"):
        r = mock.get(PE, token=token, headers={"Prefer": "code=500"})
        assert r.status_code == 401 and "detail" in r.json()
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Preference-Applied" not in r.headers
    r = mock.get(PE, token=None, headers={"Prefer": "code=500", "Authorization": "Token abc"})
    assert r.status_code == 401


def test_a_token_limited_to_another_workspace_is_still_403() -> None:
    with serve(tokens=(TOKEN, "sandbox-only:sandbox")) as live:
        r = live.get(PE, token="sandbox-only", headers={"Prefer": "code=200"})
        assert r.status_code == 403
        r = live.get(f"{API}/sandbox/personas/", token="sandbox-only", headers={"Prefer": "code=500"})
        assert r.status_code == 500


def test_delay_delays_the_normal_answer(mock: LiveMock) -> None:
    started = time.monotonic()
    r = mock.post(PE, json={"name": "slow", "fullName": "Slow"}, headers={"Prefer": "delay=300"})
    assert time.monotonic() - started >= 0.3
    assert r.status_code == 201 and r.headers["Preference-Applied"] == "delay=300"
    assert mock.get(f"{PE}{r.json()['id']}").json()["name"] == "slow"


def test_delay_combines_with_a_forced_code(mock: LiveMock) -> None:
    started = time.monotonic()
    r = mock.get(PE, headers={"Prefer": "code=503, delay=200"})
    assert time.monotonic() - started >= 0.2
    assert r.status_code == 503 and r.headers["Preference-Applied"] == "code=503, delay=200"


@pytest.mark.parametrize(
    ("header", "mentions"),
    [
        ("code=abc", "code"),
        ("code=99", "code"),
        ("code=600", "code"),
        ("code=", "code"),
        (f"delay={MAX_DELAY_MS + 1}", "delay"),
        ("delay=-5", "delay"),
        ("delay=1.5", "delay"),
        ("example=", "example"),
        ("code=200 junk", "parse"),
    ],
)
def test_an_invalid_preference_is_a_400_and_changes_nothing(mock: LiveMock, header: str, mentions: str) -> None:
    before = mock.get(STATE).json()
    r = mock.post(PE, json={"name": "x", "fullName": "X"}, headers={"Prefer": header})
    assert r.status_code == 400, header
    assert mentions in r.json()["detail"] and "Prefer" in r.json()["detail"]
    assert mock.get(STATE).json() == before


def test_the_first_of_a_repeated_preference_wins(mock: LiveMock) -> None:
    assert mock.get(PE, headers={"Prefer": "code=404, code=500"}).status_code == 404
    conn = http.client.HTTPConnection(urlsplit(mock.url).netloc, timeout=10)
    try:
        conn.putrequest("GET", PE)
        conn.putheader("Authorization", f"Bearer {TOKEN}")
        conn.putheader("Prefer", "code=404")
        conn.putheader("Prefer", "code=500, delay=0")
        conn.endheaders()
        r = conn.getresponse()
        assert r.status == 404 and r.getheader("Preference-Applied") == "code=404, delay=0"
    finally:
        conn.close()


def test_unknown_preferences_are_ignored(mock: LiveMock) -> None:
    r = mock.get(PE, headers={"Prefer": "respond-async, wait=5, return=minimal"})
    assert r.status_code == 200 and r.json()["count"] == 3
    assert "Preference-Applied" not in r.headers


def test_prefer_does_not_make_an_unroutable_request_route(mock: LiveMock) -> None:
    assert mock.get(f"{API}/demo/nothing/", headers={"Prefer": "code=200"}).status_code == 404
    assert mock.get(f"{WF}abc", headers={"Prefer": "code=200"}).status_code == 404
    assert mock.request("PATCH", f"{WF}1", headers={"Prefer": "code=200"}).status_code == 405


def test_a_browser_on_another_origin_may_send_prefer_and_read_preference_applied(mock: LiveMock) -> None:
    origin = "http://localhost:5173"
    pre = mock.request(
        "OPTIONS",
        PE,
        token=None,
        headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "prefer"},
    )
    assert pre.status_code == 204 and "prefer" in pre.headers["Access-Control-Allow-Headers"].lower()
    r = mock.get(PE, headers={"Origin": origin, "Prefer": "code=500"})
    assert "preference-applied" in r.headers["Access-Control-Expose-Headers"].lower()
