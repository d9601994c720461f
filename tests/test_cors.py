"""A browser app on another origin can call the mock: preflights pass, answers are readable."""

from __future__ import annotations

import pytest

from .conftest import API, LiveMock
from .test_operations import persona_body, workflow_body

ORIGIN = "http://localhost:5173"
WF = f"{API}/demo/workflows/"
PE = f"{API}/demo/personas/"


def header_set(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", WF),
        ("POST", WF),
        ("PUT", f"{WF}1"),
        ("DELETE", f"{WF}1"),
        ("POST", f"{WF}1/run"),
        ("GET", f"{WF}1/token"),
        ("POST", PE),
        ("PUT", f"{PE}1"),
        ("DELETE", f"{PE}1"),
    ],
)
def test_preflight_allows_the_method_and_the_auth_and_json_headers(shared_mock: LiveMock, method: str, path: str):
    before = shared_mock.snapshot()
    r = shared_mock.request(
        "OPTIONS",
        path,
        token=None,  # a browser sends no credentials with a preflight
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert r.status_code in (200, 204)
    assert r.content == b"" and "Content-Type" not in r.headers, "nothing to type"
    assert r.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    assert method.lower() in header_set(r.headers["Access-Control-Allow-Methods"])
    assert {"authorization", "content-type"} <= header_set(r.headers["Access-Control-Allow-Headers"])
    assert shared_mock.snapshot() == before, "a preflight must not run the operation"


def test_actual_responses_carry_the_origin_and_expose_location(mock: LiveMock):
    r = mock.post(WF, json=workflow_body(), headers={"Origin": ORIGIN})
    assert r.status_code == 201
    assert r.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    assert "location" in header_set(r.headers["Access-Control-Expose-Headers"])
    assert r.headers["Location"].endswith(f"{WF}{r.json()['id']}")
    assert mock.delete(f"{WF}{r.json()['id']}", headers={"Origin": ORIGIN}).headers["Access-Control-Allow-Origin"]


@pytest.mark.parametrize(
    ("method", "path", "token", "body", "status"),
    [
        ("GET", PE, None, None, 401),
        ("GET", PE, "wrong", None, 401),
        ("GET", f"{PE}999", "test-token", None, 404),
        ("GET", f"{PE}abc", "test-token", None, 404),
        ("GET", f"{API}/nowhere/personas/", "test-token", None, 404),
        ("POST", PE, "test-token", {"name": "Bad Name"}, 400),
        ("GET", f"{PE}?page=0", "test-token", None, 400),
        ("PATCH", f"{PE}1", "test-token", persona_body(), 405),
        ("POST", f"{PE}", "test-token", "x" * (1024 * 1024 + 1), 413),
        ("POST", f"{PE}", "test-token", "text", 415),
    ],
)
def test_error_responses_are_readable_cross_origin(
    shared_mock: LiveMock, method: str, path: str, token: str | None, body: object, status: int
):
    kwargs: dict = {"json": body} if isinstance(body, dict) else {"data": body} if body else {}
    if status == 415:
        kwargs["headers"] = {"Content-Type": "text/plain"}
    kwargs.setdefault("headers", {})["Origin"] = ORIGIN
    r = shared_mock.request(method, path, token=token, **kwargs)
    assert r.status_code == status
    assert r.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    assert r.headers["Content-Type"] == "application/json"
    if status == 401:
        assert "www-authenticate" in header_set(r.headers["Access-Control-Expose-Headers"])
    if status == 405:
        assert "allow" in header_set(r.headers["Access-Control-Expose-Headers"])


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        (WF, {"GET", "POST"}),
        (f"{WF}1", {"GET", "PUT", "DELETE"}),
        (f"{WF}1/run", {"POST"}),
        (f"{WF}1/token", {"GET"}),
        (f"{PE}1", {"GET", "PUT", "DELETE"}),
    ],
)
def test_preflight_allows_exactly_the_methods_the_spec_gives_the_path(
    shared_mock: LiveMock, path: str, methods: set[str]
):
    r = shared_mock.request(
        "OPTIONS", path, token=None, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"}
    )
    assert r.status_code == 204
    allowed = {m.upper() for m in header_set(r.headers["Access-Control-Allow-Methods"])}
    assert allowed - {"HEAD", "OPTIONS"} == methods
    assert int(r.headers["Access-Control-Max-Age"]) > 0


def test_plain_options_answers_allow_and_an_unroutable_preflight_is_a_json_404(shared_mock: LiveMock):
    r = shared_mock.request("OPTIONS", f"{PE}1", token=None)
    assert r.status_code == 204
    assert {m.upper() for m in header_set(r.headers["Allow"])} - {"HEAD", "OPTIONS"} == {"GET", "PUT", "DELETE"}
    assert "Access-Control-Allow-Origin" not in r.headers
    r = shared_mock.request(
        "OPTIONS",
        f"{API}/demo/nothing/",
        token=None,
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_no_cors_headers_without_an_origin_or_outside_the_api(shared_mock: LiveMock):
    assert "Access-Control-Allow-Origin" not in shared_mock.get(WF).headers
    docs = shared_mock.request("GET", "/docs/", token=None, headers={"Origin": ORIGIN})
    assert docs.status_code == 200
    assert "Access-Control-Allow-Origin" not in docs.headers
