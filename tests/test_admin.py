"""The admin API over HTTP: reset, export and import, the request journal, and its own spec.

Every admin answer is validated against `mock_server/admin-openapi.yaml` (the `admin` fixture),
as the API's answers are against `openapi.yaml`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import requests
from openapi_spec_validator import validate

from api_spec import Document
from mock_server.devtools.admin import load_admin_spec

from .conftest import API, TOKEN, LiveMock, serve
from .test_operations import persona_body, workflow_body


def admin_responses() -> dict[str, dict[str, jsonschema_rs.Validator | None]]:
    """Validators of the admin spec's answers: operationId -> status -> validator (None: no body)."""
    doc = Document(load_admin_spec())
    found: dict[str, dict[str, jsonschema_rs.Validator | None]] = {}
    for item in doc.raw["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            found[op["operationId"]] = {}
            for status, response in op["responses"].items():
                schema = doc.resolve(response).get("content", {}).get("application/json", {}).get("schema")
                found[op["operationId"]][str(status)] = (
                    jsonschema_rs.Draft202012Validator({**schema, "components": doc.components}, validate_formats=True)
                    if schema is not None
                    else None
                )
    return found


ADMIN_RESPONSES = admin_responses()
PE = f"{API}/demo/personas/"
WF = f"{API}/demo/workflows/"


class Admin:
    """Calls to `/__admin/...`, each answer checked against the admin spec."""

    def __init__(self, live: LiveMock) -> None:
        self.live = live

    def call(self, method: str, path: str, operation_id: str, **kwargs: Any) -> requests.Response:
        r = self.live.request(method, f"/__admin{path}", **kwargs)
        responses = ADMIN_RESPONSES[operation_id]
        assert str(r.status_code) in responses, f"{operation_id}: undocumented {r.status_code} {r.text}"
        validator = responses[str(r.status_code)]
        if validator is not None:
            assert not [e.message for e in validator.iter_errors(r.json())], (operation_id, r.text)
        return r

    def state(self) -> dict[str, Any]:
        r = self.call("GET", "/state", "exportState")
        assert r.status_code == 200
        return r.json()

    def put_state(self, state: Any, **kwargs: Any) -> requests.Response:
        return self.call("PUT", "/state", "importState", json=state, **kwargs)

    def reset(self) -> requests.Response:
        return self.call("POST", "/reset", "resetState")

    def requests(self, **query: Any) -> list[dict[str, Any]]:
        r = self.call("GET", "/requests", "listRequests", params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(body["requests"])
        return body["requests"]

    def clear(self) -> None:
        assert self.call("DELETE", "/requests", "clearRequests").status_code == 204


@pytest.fixture
def admin(mock: LiveMock) -> Iterator[Admin]:
    yield Admin(mock)


def test_the_admin_spec_is_valid_openapi_and_not_part_of_the_api_spec() -> None:
    validate(load_admin_spec())
    from .conftest import SPEC

    assert not any(op.path.startswith("/__admin") for op in SPEC)


# -- auth -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("POST", "/reset", "resetState"),
        ("GET", "/state", "exportState"),
        ("PUT", "/state", "importState"),
        ("GET", "/requests", "listRequests"),
        ("DELETE", "/requests", "clearRequests"),
    ],
)
def test_admin_needs_a_token_allowed_everywhere(method: str, path: str, operation_id: str) -> None:
    with serve(tokens=(TOKEN, "limited:demo")) as live:
        admin = Admin(live)
        before = admin.state()
        for token, status in ((None, 401), ("wrong", 401), ("limited", 403)):
            r = admin.call(method, path, operation_id, token=token, json={"workspaces": {"x": {}}})
            assert r.status_code == status, (token, r.text)
            assert isinstance(r.json()["detail"], str)
            if status == 401:
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert admin.state() == before


def test_unknown_admin_paths_and_methods_are_json_errors(mock: LiveMock) -> None:
    r = mock.get("/__admin/nothing")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    r = mock.request("PATCH", "/__admin/state")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and "detail" in r.json()


# -- reset, export, import ---------------------------------------------------------------
def test_reset_restores_the_starting_data_exactly(mock: LiveMock, admin: Admin) -> None:
    initial = admin.state()
    mock.post(PE, json=persona_body())
    mock.delete(f"{WF}1")
    mock.post(f"{WF}2/run")
    mock.put(f"{PE}1", json=persona_body(name="renamed"))
    assert admin.state() != initial
    r = admin.reset()
    assert r.status_code == 200
    assert r.json() == {
        "workspaces": {"demo": {"personas": 3, "workflows": 4}, "sandbox": {"personas": 0, "workflows": 0}}
    }
    assert admin.state() == initial
    assert mock.get(f"{WF}1").status_code == 200
    assert mock.post(PE, json=persona_body()).json()["id"] == initial["nextIds"]["personas"]


def test_export_then_import_gives_the_same_state_and_the_same_answers(mock: LiveMock, admin: Admin) -> None:
    created = mock.post(WF, json=workflow_body()).json()
    mock.post(f"{WF}{created['id']}/run")
    token = mock.get(f"{WF}{created['id']}/token").json()["token"]
    doomed = mock.post(PE, json=persona_body()).json()["id"]
    mock.delete(f"{PE}{doomed}")
    exported = admin.state()
    answers = mock.snapshot()
    admin.reset()
    assert mock.snapshot() != answers
    r = admin.put_state(exported)
    assert r.status_code == 200
    assert r.json()["workspaces"]["demo"] == {"personas": 3, "workflows": 5}
    assert admin.state() == exported
    assert mock.snapshot() == answers
    assert mock.get(f"{WF}{created['id']}/token").json()["token"] == token
    assert mock.post(PE, json=persona_body()).json()["id"] == doomed + 1  # a deleted id stays unused


def test_import_accepts_a_hand_written_seed(mock: LiveMock, admin: Admin) -> None:
    seed = {"workspaces": {"team-a": {"personas": [{"name": "one", "fullName": "One"}]}, "team-b": None}}
    r = admin.put_state(seed)
    assert r.status_code == 200
    assert r.json() == {
        "workspaces": {"team-a": {"personas": 1, "workflows": 0}, "team-b": {"personas": 0, "workflows": 0}}
    }
    assert mock.get(f"{API}/team-a/personas/1").json()["fullName"] == "One"
    assert mock.get(PE).status_code == 404  # demo is gone: the import replaced everything


def _valid_state() -> dict[str, Any]:
    return {
        "version": 1,
        "nextIds": {"personas": 5, "workflows": 3, "runs": 9},
        "workspaces": {
            "demo": {
                "personas": [
                    {
                        **persona_body(),
                        "id": 4,
                        "createdAt": "2026-01-05T09:00:00Z",
                        "updatedAt": "2026-01-06T09:00:00.5Z",
                    }
                ],
                "workflows": [
                    {
                        **workflow_body(),
                        "id": 2,
                        "createdAt": "2026-01-05T09:00:00Z",
                        "updatedAt": "2026-01-05T09:00:00Z",
                        "lastRunAt": None,
                        "webhookToken": "A" * 43,
                    }
                ],
            }
        },
    }


def test_import_keeps_every_server_set_field(mock: LiveMock, admin: Admin) -> None:
    state = _valid_state()
    assert admin.put_state(state).status_code == 200
    persona = mock.get(f"{PE}4").json()
    assert persona["createdAt"] == "2026-01-05T09:00:00Z" and persona["updatedAt"] == "2026-01-06T09:00:00.5Z"
    assert mock.get(f"{WF}2/token").json() == {"token": "A" * 43}
    assert mock.post(PE, json=persona_body(name="next")).json()["id"] == 5
    assert mock.post(f"{WF}2/run").json()["id"] == 9
    updated = mock.put(f"{WF}2", json=workflow_body()).json()
    assert updated["updatedAt"] > "2026-01-05T09:00:00Z"


def _break(path: list[Any], value: Any) -> dict[str, Any]:
    state = copy.deepcopy(_valid_state())
    node: Any = state
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    elif isinstance(node, list) and path[-1] == len(node):
        node.append(value)
    else:
        node[path[-1]] = value
    return state


_DELETE = object()
P0 = ["workspaces", "demo", "personas", 0]
W0 = ["workspaces", "demo", "workflows", 0]


@pytest.mark.parametrize(
    ("state", "named"),
    [
        (_break([*P0, "name"], _DELETE), "workspaces.demo.personas[0]: name: This field is required."),
        (_break([*P0, "filterConfidenceThreshold"], 2), "personas[0]: filterConfidenceThreshold:"),
        (_break([*P0, "id"], 0), "personas[0]: id:"),
        (_break([*P0, "id"], "4"), "personas[0]: id:"),
        (_break([*P0, "createdAt"], "yesterday"), "personas[0]: createdAt:"),
        (_break([*P0, "updatedAt"], "2026-01-01T00:00:00Z"), "personas[0]: updatedAt: must not be before createdAt"),
        (_break([*W0, "webhookToken"], "short"), "workflows[0]: webhookToken:"),
        (_break([*W0, "lastRunAt"], 5), "workflows[0]: lastRunAt:"),
        (_break([*W0, "trigger"], {"type": "cron"}), "workflows[0]: trigger:"),
        (_break(["nextIds", "personas"], 0), "nextIds.personas"),
        (_break(["nextIds", "sessions"], 3), "nextIds"),
        (_break(["version"], 2), "version"),
        (_break(["workspaces"], {}), "workspaces"),
        (_break(["workspaces", "Bad Name"], {}), "workspaces.Bad Name: invalid workspace name"),
        (_break(["workspaces", "demo", "personas"], {"a": 1}), "workspaces.demo.personas: expected a list"),
        (_break(["workspaces", "demo", "personas", 1], {**persona_body(), "id": 7}), "personas[1]: name:"),
        (_break(["workspaces", "other"], {"workflows": [{**workflow_body(), "id": 2}]}), "workflows[0]: id:"),
        ([], "workspaces"),
    ],
)
def test_a_bad_import_is_refused_whole_naming_the_record_and_field(
    mock: LiveMock, admin: Admin, state: Any, named: str
) -> None:
    before = admin.state()
    r = admin.put_state(state)
    assert r.status_code == 400
    assert named in r.json()["detail"] and r.json()["detail"].startswith("request body")
    assert admin.state() == before


def test_import_needs_a_json_body(mock: LiveMock, admin: Admin) -> None:
    before = admin.state()
    r = admin.call("PUT", "/state", "importState", data="workspaces: {}", headers={"Content-Type": "application/yaml"})
    assert r.status_code == 415
    r = admin.call("PUT", "/state", "importState", data="{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error")
    deep = (
        '{"workspaces": {"demo": {"personas": [{"name": "a", "fullName": "A", "searchFilters": '
        + ('{"a": ' * 5000 + "1" + "}" * 5000)
        + "}]}}}"
    )
    r = admin.call("PUT", "/state", "importState", data=deep, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert admin.state() == before


# -- the journal ---------------------------------------------------------------------------
def test_the_journal_records_api_requests_with_their_bodies(mock: LiveMock, admin: Admin) -> None:
    admin.clear()
    created = mock.post(PE, json=persona_body()).json()
    mock.get(PE, params={"page": 1, "page_size": 2})
    mock.put(f"{PE}{created['id']}", json=persona_body(fullName="Renamed"))
    mock.delete(f"{PE}{created['id']}")
    mock.get(f"{API}/demo/nothing/")
    mock.get("/openapi.json")
    mock.get("/docs/")
    admin.state()
    entries = admin.requests()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", PE, 201),
        ("GET", PE, 200),
        ("PUT", f"{PE}{created['id']}", 200),
        ("DELETE", f"{PE}{created['id']}", 204),
        ("GET", f"{API}/demo/nothing/", 404),
    ]
    post, page, put, delete, missing = entries
    assert post["requestBody"] == persona_body() and post["responseBody"] == created
    assert page["query"] == {"page": ["1"], "page_size": ["2"]} and page["responseBody"]["count"] == 4
    assert put["requestBody"]["fullName"] == "Renamed" and put["responseBody"]["fullName"] == "Renamed"
    assert delete["requestBody"] is None and delete["responseBody"] is None
    assert missing["responseBody"] == {"detail": "Not found."}
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_the_journal_records_errors_forced_answers_and_non_json_bodies(mock: LiveMock, admin: Admin) -> None:
    admin.clear()
    mock.post(PE, data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    mock.get(PE, token=None)
    mock.get(PE, headers={"Prefer": "code=503"})
    statuses = [(e["status"], e["requestBody"]) for e in admin.requests()]
    assert statuses == [(415, "name=x"), (401, None), (503, None)]


def test_the_journal_filters(mock: LiveMock, admin: Admin) -> None:
    admin.clear()
    a = mock.post(PE, json=persona_body(name="a")).json()["id"]
    mock.post(PE, json=persona_body(name="b"))
    mock.get(f"{PE}{a}")
    mock.get(f"{PE}999")
    mock.get(WF)
    assert [e["path"] for e in admin.requests(method="post")] == [PE, PE]
    assert [e["status"] for e in admin.requests(path=f"{PE}*")] == [201, 201, 200, 404]
    assert [e["path"] for e in admin.requests(path=f"{PE}{a}")] == [f"{PE}{a}"]
    assert [e["status"] for e in admin.requests(status="4xx")] == [404]
    assert [e["status"] for e in admin.requests(status="201")] == [201, 201]
    assert [e["path"] for e in admin.requests(limit=2)] == [f"{PE}999", WF]
    assert [e["status"] for e in admin.requests(method="GET", path=f"{API}/demo/*", status="2xx", limit=1)] == [200]


@pytest.mark.parametrize(
    "query", [{"status": "abc"}, {"status": "6xx"}, {"status": "2000"}, {"limit": "0"}, {"limit": "x"}]
)
def test_a_bad_journal_filter_is_a_400_naming_it(admin: Admin, query: dict[str, str]) -> None:
    r = admin.call("GET", "/requests", "listRequests", params=query)
    assert r.status_code == 400 and list(r.json()) == list(query)


def test_clearing_the_journal_and_its_bound() -> None:
    from mock_server import create_app
    from mock_server.server import Server

    from .conftest import SPEC, LiveMock

    app = create_app(tokens=(TOKEN,), contract=SPEC, journal_size=3)
    server = Server(app, "127.0.0.1", 0, threads=4, access_log=False)
    server.start_background()
    try:
        admin = Admin(LiveMock(app, server.url))
        for page_size in range(1, 6):
            admin.live.get(PE, params={"page_size": page_size})
        assert [e["query"]["page_size"] for e in admin.requests()] == [["3"], ["4"], ["5"]]
        admin.clear()
        assert admin.requests() == []
        admin.live.get(PE)
        assert len(admin.requests()) == 1
    finally:
        server.stop()
