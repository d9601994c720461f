"""Every documented operation, its happy path and its documented errors, over HTTP."""

from __future__ import annotations

import re

import pytest

from .conftest import API, LiveMock

WF = f"{API}/demo/workflows/"
PE = f"{API}/demo/personas/"
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def workflow_body(**over: object) -> dict:
    body = {
        "name": "Restart pods",
        "description": "Restarts crashed pods",
        "enabled": True,
        "trigger": {"type": "schedule", "schedule": "*/5 * * * MON-FRI"},
        "actions": [{"type": "run_codebundle", "parameters": {"codebundle": "k8s-restart"}}],
    }
    body.update(over)
    return body


def persona_body(**over: object) -> dict:
    body = {
        "name": "net-guru",
        "fullName": "Network Guru",
        "description": "DNS, TLS and load balancers",
        "avatarUrl": "/personas/Man2.svg",
        "filterConfidenceThreshold": 0.4,
        "filterIssueSelectionStrategy": "most_severe",
        "filterCodebundleTaskTags": ["dns", "tls"],
        "filterStopWords": ["lab"],
        "filterScope": "edge",
        "searchFilters": {"regions": ["eu"]},
        "runConfidenceThreshold": 0.9,
        "runConfig": {"allow": ["read_only"], "disallow": [], "budget": {"maxRunsPerHour": 3}},
    }
    body.update(over)
    return body


# -- workflows ---------------------------------------------------------------------------
def test_list_workflows_is_paginated_and_ordered(mock: LiveMock) -> None:
    r = mock.get(WF)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    page = r.json()
    assert page["count"] == 4 and page["next"] is None and page["previous"] is None
    assert [w["id"] for w in page["results"]] == sorted(w["id"] for w in page["results"])


def test_create_then_get_workflow(mock: LiveMock) -> None:
    sent = workflow_body()
    r = mock.post(WF, json=sent)
    assert r.status_code == 201
    created = r.json()
    assert {k: created[k] for k in sent} == sent
    assert isinstance(created["id"], int) and created["id"] > 0
    assert RFC3339_UTC.match(created["createdAt"]) and created["updatedAt"] == created["createdAt"]
    assert created["lastRunAt"] is None
    assert r.headers["Location"] == f"{mock.url}{WF}{created['id']}"
    got = mock.get(f"{WF}{created['id']}")
    assert got.status_code == 200 and got.json() == created
    assert created["id"] in [w["id"] for w in mock.get(WF).json()["results"]]


def test_create_fills_defaults_and_ignores_read_only_and_unknown_fields(mock: LiveMock) -> None:
    sent = {
        "name": "Minimal",
        "trigger": {"type": "manual"},
        "actions": [{"type": "notify"}],
        "id": 999,
        "createdAt": "2000-01-01T00:00:00Z",
        "lastRunAt": "2000-01-01T00:00:00Z",
        "bogus": 1,
    }
    created = mock.post(WF, json=sent).json()
    assert created["id"] != 999 and created["createdAt"] != "2000-01-01T00:00:00Z"
    assert created["lastRunAt"] is None and "bogus" not in created
    assert created["description"] == "" and created["enabled"] is True


def test_update_workflow_replaces_and_moves_updated_at(mock: LiveMock) -> None:
    created = mock.post(WF, json=workflow_body()).json()
    new = workflow_body(name="Renamed", enabled=False, trigger={"type": "webhook"}, description="x")
    r = mock.put(f"{WF}{created['id']}", json=new)
    assert r.status_code == 200
    updated = r.json()
    assert {k: updated[k] for k in new} == new
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] > created["updatedAt"]
    assert mock.get(f"{WF}{created['id']}").json() == updated


def test_put_is_full_replacement(mock: LiveMock) -> None:
    created = mock.post(WF, json=workflow_body(description="keep?", enabled=False)).json()
    updated = mock.put(
        f"{WF}{created['id']}", json={"name": "n", "trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}
    ).json()
    assert updated["description"] == "" and updated["enabled"] is True


def test_delete_workflow_removes_it_and_its_token(mock: LiveMock) -> None:
    wid = mock.post(WF, json=workflow_body()).json()["id"]
    assert mock.get(f"{WF}{wid}/token").status_code == 200
    r = mock.delete(f"{WF}{wid}")
    assert r.status_code == 204 and r.content == b""
    assert "Content-Type" not in r.headers, "DRF sends no Content-Type with a 204 (no body to type)"
    for method, path in [("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/run"), ("GET", "/token")]:
        kwargs = {"json": workflow_body()} if method == "PUT" else {}
        gone = mock.request(method, f"{WF}{wid}{path}", **kwargs)
        assert gone.status_code == 404, (method, path)
        assert gone.json() == {"detail": "Not found."}
    assert wid not in [w["id"] for w in mock.get(WF).json()["results"]]


def test_ids_are_never_reused(mock: LiveMock) -> None:
    first = mock.post(WF, json=workflow_body()).json()["id"]
    mock.delete(f"{WF}{first}")
    second = mock.post(WF, json=workflow_body()).json()["id"]
    assert second > first


def test_run_workflow_returns_result_and_records_last_run(mock: LiveMock) -> None:
    created = mock.post(WF, json=workflow_body(enabled=False)).json()
    r = mock.post(f"{WF}{created['id']}/run")
    assert r.status_code == 200
    run = r.json()
    assert run["workflowId"] == created["id"]
    assert run["status"] in {"queued", "running", "succeeded", "failed"}
    assert [a["type"] for a in run["actions"]] == [a["type"] for a in created["actions"]]
    after = mock.get(f"{WF}{created['id']}").json()
    assert after["lastRunAt"] == run["startedAt"]
    assert after["updatedAt"] == created["updatedAt"]
    assert mock.post(f"{WF}{created['id']}/run").json()["id"] > run["id"]


def test_webhook_token_is_stable_unique_and_url_safe(mock: LiveMock) -> None:
    a = mock.post(WF, json=workflow_body()).json()["id"]
    b = mock.post(WF, json=workflow_body()).json()["id"]
    ta = mock.get(f"{WF}{a}/token").json()["token"]
    assert mock.get(f"{WF}{a}/token").json()["token"] == ta
    assert mock.get(f"{WF}{b}/token").json()["token"] != ta
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", ta)


# -- personas ----------------------------------------------------------------------------
def test_list_personas_matches_the_documented_example_shape(mock: LiveMock) -> None:
    page = mock.get(PE).json()
    assert page["count"] == 3
    first = page["results"][0]
    assert list(first) == [
        "id",
        "name",
        "fullName",
        "description",
        "avatarUrl",
        "filterConfidenceThreshold",
        "filterIssueSelectionStrategy",
        "createdAt",
    ]
    assert first["name"] == "sre-responder" and first["fullName"] == "SRE First Responder"


def test_persona_crud_round_trip(mock: LiveMock) -> None:
    sent = persona_body()
    r = mock.post(PE, json=sent)
    assert r.status_code == 201
    created = r.json()
    assert {k: created[k] for k in sent} == sent
    pid = created["id"]
    assert mock.get(f"{PE}{pid}").json() == created
    changed = persona_body(fullName="Network Wizard", filterScope=None, runConfig={})
    updated = mock.put(f"{PE}{pid}", json=changed).json()
    assert {k: updated[k] for k in changed} == changed and updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] > created["updatedAt"]
    assert mock.delete(f"{PE}{pid}").status_code == 204
    assert mock.get(f"{PE}{pid}").status_code == 404


def test_duplicate_persona_name_is_refused_and_freed_by_delete_or_rename(mock: LiveMock) -> None:
    r = mock.post(PE, json=persona_body(name="sre-responder"))
    assert r.status_code == 400 and list(r.json()) == ["name"]
    pid = mock.post(PE, json=persona_body(name="first")).json()["id"]
    other = mock.post(PE, json=persona_body(name="second")).json()["id"]
    assert mock.put(f"{PE}{other}", json=persona_body(name="first")).status_code == 400
    assert mock.put(f"{PE}{pid}", json=persona_body(name="first")).status_code == 200  # its own name
    assert mock.put(f"{PE}{pid}", json=persona_body(name="renamed")).status_code == 200
    assert mock.post(PE, json=persona_body(name="first")).status_code == 201
    mock.delete(f"{PE}{other}")
    assert mock.post(PE, json=persona_body(name="second")).status_code == 201


def test_same_persona_name_is_allowed_in_another_workspace(mock: LiveMock) -> None:
    assert mock.post(f"{API}/sandbox/personas/", json=persona_body(name="sre-responder")).status_code == 201


# -- pagination --------------------------------------------------------------------------
def test_pagination_walks_every_item_once(mock: LiveMock) -> None:
    ids = {mock.post(f"{API}/sandbox/personas/", json=persona_body(name=f"p-{i}")).json()["id"] for i in range(7)}
    url = f"{mock.url}{API}/sandbox/personas/?page_size=3"
    seen, pages = [], []
    while url:
        page = mock.session.get(url, headers={"Authorization": "Bearer test-token"}).json()
        assert page["count"] == 7 and len(page["results"]) <= 3
        seen += [p["id"] for p in page["results"]]
        pages.append(page)
        url = page["next"]
    assert seen == sorted(ids)
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    assert pages[0]["previous"] is None
    assert pages[1]["previous"] == f"{mock.url}{API}/sandbox/personas/?page_size=3"
    assert pages[2]["previous"].endswith("page_size=3&page=2")


def test_page_past_the_end_is_404_but_empty_first_page_is_not(mock: LiveMock) -> None:
    empty = mock.get(f"{API}/sandbox/workflows/")
    assert empty.status_code == 200 and empty.json() == {"count": 0, "next": None, "previous": None, "results": []}
    r = mock.get(f"{API}/sandbox/workflows/?page=2")
    assert r.status_code == 404 and r.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    "query,field",
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page=1.5", "page"),
    ],
)
def test_invalid_page_parameters_are_400(shared_mock: LiveMock, query: str, field: str) -> None:
    r = shared_mock.get(f"{PE}?{query}")
    assert r.status_code == 400 and list(r.json()) == [field]


# -- documented errors -------------------------------------------------------------------
ALL_OPERATIONS = [
    ("GET", "workflows/"),
    ("POST", "workflows/"),
    ("GET", "workflows/1"),
    ("PUT", "workflows/1"),
    ("DELETE", "workflows/1"),
    ("POST", "workflows/1/run"),
    ("GET", "workflows/1/token"),
    ("GET", "personas/"),
    ("POST", "personas/"),
    ("GET", "personas/1"),
    ("PUT", "personas/1"),
    ("DELETE", "personas/1"),
]


@pytest.mark.parametrize("method,path", ALL_OPERATIONS)
@pytest.mark.parametrize(
    "header,detail",
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer", "Invalid token header. Expected 'Bearer <token>'."),
        ("Basic dGVzdA==", "Invalid token header. Expected 'Bearer <token>'."),
        ("Bearer nope", "Given token not valid for any token type"),
        ("Bearer test-token extra", "Invalid token header. Expected 'Bearer <token>'."),
    ],
)
def test_every_operation_requires_a_valid_token(
    shared_mock: LiveMock, method: str, path: str, header: str | None, detail: str
) -> None:
    headers = {"Authorization": header} if header else {}
    r = shared_mock.request(method, f"{API}/demo/{path}", token=None, headers=headers, json={})
    assert r.status_code == 401
    assert r.json() == {"detail": detail}
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_bearer_scheme_is_case_insensitive(shared_mock: LiveMock) -> None:
    r = shared_mock.get(PE, token=None, headers={"Authorization": "bearer test-token"})
    assert r.status_code == 200


@pytest.mark.parametrize("method,path", ALL_OPERATIONS)
def test_unknown_workspace_is_404(shared_mock: LiveMock, method: str, path: str) -> None:
    r = shared_mock.request(method, f"{API}/nowhere/{path}", json={})
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "method,suffix", [("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/run"), ("GET", "/token")]
)
def test_missing_workflow_is_404(shared_mock: LiveMock, method: str, suffix: str) -> None:
    r = shared_mock.request(method, f"{WF}424242{suffix}", json=workflow_body())
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


def test_a_resource_of_another_workspace_is_404(mock: LiveMock) -> None:
    wid = mock.post(WF, json=workflow_body()).json()["id"]
    pid = mock.post(PE, json=persona_body()).json()["id"]
    other = f"{API}/sandbox"
    for method, path in [
        ("GET", f"/workflows/{wid}"),
        ("PUT", f"/workflows/{wid}"),
        ("POST", f"/workflows/{wid}/run"),
        ("GET", f"/workflows/{wid}/token"),
        ("DELETE", f"/workflows/{wid}"),
        ("GET", f"/personas/{pid}"),
        ("PUT", f"/personas/{pid}"),
        ("DELETE", f"/personas/{pid}"),
    ]:
        body = workflow_body() if "workflows" in path else persona_body()
        assert mock.request(method, other + path, json=body).status_code == 404, (method, path)
    assert mock.get(f"{WF}{wid}").status_code == 200 and mock.get(f"{PE}{pid}").status_code == 200


def test_token_limited_to_a_workspace_is_403_elsewhere() -> None:
    from .conftest import serve

    with serve(tokens=("test-token", "scoped:sandbox")) as live:
        assert live.get(f"{API}/sandbox/personas/", token="scoped").status_code == 200
        r = live.get(PE, token="scoped")
        assert r.status_code == 403 and r.json() == {"detail": "You do not have permission to perform this action."}
        assert live.post(PE, token="scoped", json=persona_body()).status_code == 403
        assert live.get(PE).status_code == 200


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}, "name", "This field is required."),
        ({"name": "", "trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}, "name", None),
        ({"name": "x", "trigger": {"type": "cron"}, "actions": [{"type": "notify"}]}, "trigger", None),
        (
            {"name": "x", "trigger": {"type": "schedule"}, "actions": [{"type": "notify"}]},
            "trigger",
            "schedule: This field is required.",
        ),
        (
            {"name": "x", "trigger": {"type": "schedule", "schedule": "every day"}, "actions": [{"type": "notify"}]},
            "trigger",
            "schedule: Enter a valid value.",
        ),
        ({"name": "x", "trigger": {"type": "manual"}, "actions": []}, "actions", "This list may not be empty."),
        ({"name": "x", "trigger": {"type": "manual"}, "actions": [{"type": "fly"}]}, "actions", None),
        (
            {"name": "x", "trigger": {"type": "manual"}, "actions": [{"type": "notify"}], "enabled": "yes"},
            "enabled",
            "Must be a valid boolean.",
        ),
    ],
)
def test_invalid_workflow_bodies_are_400_naming_the_field(
    shared_mock: LiveMock, body: dict, field: str, message: str | None
) -> None:
    for method, path in (("POST", WF), ("PUT", f"{WF}1")):
        r = shared_mock.request(method, path, json=body)
        assert r.status_code == 400, (method, r.text)
        assert field in r.json()
        if message:
            assert message in r.json()[field]


@pytest.mark.parametrize(
    "over,field",
    [
        ({"name": "Not Kebab"}, "name"),
        ({"name": "a" * 64}, "name"),
        ({"name": "-x"}, "name"),
        ({"filterConfidenceThreshold": 1.5}, "filterConfidenceThreshold"),
        ({"runConfidenceThreshold": -0.1}, "runConfidenceThreshold"),
        ({"filterIssueSelectionStrategy": "MOST_SEVERE"}, "filterIssueSelectionStrategy"),
        ({"filterStopWords": "x"}, "filterStopWords"),
        ({"fullName": None}, "fullName"),
        ({"searchFilters": []}, "searchFilters"),
    ],
)
def test_invalid_persona_bodies_are_400_naming_the_field(shared_mock: LiveMock, over: dict, field: str) -> None:
    r = shared_mock.post(PE, json=persona_body(**over))
    assert r.status_code == 400 and field in r.json(), r.text
