"""Each faulty variant really breaks the contract the way its description says, and the real mock
does not: one plain HTTP probe per variant, independent of the contract suite.

A probe raises `Violation` where the contract it states does not hold; a failed plain `assert`
in its setup is a broken probe, never counted as the variant's fault.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from .faults import CHECKS, VARIANTS, serve_correct, serve_variant
from .faults.client import Api, Violation, expect

TOKEN = "probe-token"
Probe = Callable[[Api], None]
PROBES: dict[str, Probe] = {}
RUN_STATUSES = {"queued", "running", "succeeded", "failed"}


def probe(name: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        assert name not in PROBES, name
        PROBES[name] = fn
        return fn

    return register


def workflow(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Restart pods",
        "description": "Restarts crashed pods",
        "enabled": True,
        "trigger": {"type": "schedule", "schedule": "*/5 * * * *"},
        "actions": [{"type": "run_codebundle", "parameters": {"codebundle": "k8s-restart"}}],
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


def persona(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "net-guru",
        "fullName": "Network Guru",
        "description": "DNS, TLS and load balancers",
        "avatarUrl": "/personas/Man2.svg",
        "filterConfidenceThreshold": 0.4,
        "filterStopWords": ["lab"],
    }
    body.update(over)
    return body


def create(api: Api, kind: str, body: dict[str, Any], workspace: str | None = None) -> dict[str, Any]:
    r = api.post(f"{kind}/", json=body, workspace=workspace)
    assert r.status_code == 201, r.text
    return r.json()


def ok(r: Any) -> Any:
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    return r.json()


def sandbox_personas(api: Api, n: int) -> list[int]:
    """`n` new personas in the (empty) sandbox; their ids."""
    assert ok(api.get("personas/", workspace="sandbox"))["results"] == []
    return [create(api, "personas", persona(name=f"p-{i}"), "sandbox")["id"] for i in range(n)]


def walk(api: Api, url: str, link: str = "next") -> list[dict[str, Any]]:
    """The pages met following `link` from `url` (at most 20); a link that leads nowhere is a violation."""
    pages = []
    while url and len(pages) < 20:
        r = api.get(url)
        expect(r.status_code == 200, f"{link} leads to a page ({url} is {r.status_code})")
        pages.append(r.json())
        url = pages[-1][link]
    return pages


def ids(pages: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for page in pages for item in page["results"]]


# ================================================================= status codes, shapes
@probe("create_answers_200")
def _(api: Api) -> None:
    expect(api.post("workflows/", json=workflow()).status_code == 201, "create is 201")


@probe("delete_answers_200_with_body")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    r = api.delete(f"workflows/{wid}")
    expect(r.status_code == 204 and r.content == b"", "delete is 204 without a body")


@probe("json_as_text_plain")
def _(api: Api) -> None:
    r = api.get("personas/")
    assert r.status_code == 200
    expect(r.headers["Content-Type"].startswith("application/json"), "JSON is labelled application/json")


@probe("updated_at_missing")
def _(api: Api) -> None:
    expect("updatedAt" in ok(api.get("personas/1")), "a persona has updatedAt")


@probe("ids_as_strings_in_lists")
def _(api: Api) -> None:
    page = ok(api.get("workflows/"))
    assert page["results"]
    expect(all(type(w["id"]) is int for w in page["results"]), "ids are integers")


@probe("nulls_omitted")
def _(api: Api) -> None:
    cost_watcher = ok(api.get("personas/3"))
    assert cost_watcher["name"] == "cost-watcher"
    expect({"avatarUrl", "filterScope"} <= cost_watcher.keys(), "null fields are present")


@probe("run_status_outside_enum")
def _(api: Api) -> None:
    expect(ok(api.post("workflows/1/run"))["status"] in RUN_STATUSES, "a run's status is documented")


@probe("server_error_on_non_ascii")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(name="Nächtlicher Check ☕"))
    expect(r.status_code == 201, f"a non-ASCII name is accepted (got {r.status_code})")


@probe("server_error_on_huge_page")
def _(api: Api) -> None:
    r = api.get("workflows/", params={"page": 2147483647})
    expect(r.status_code == 404, f"a page far past the end is 404 (got {r.status_code})")


@probe("no_www_authenticate")
def _(api: Api) -> None:
    r = api.get("workflows/", token=None)
    assert r.status_code == 401
    expect(r.headers.get("WWW-Authenticate", "").startswith("Bearer"), "401 has WWW-Authenticate: Bearer")


@probe("no_allow_on_405")
def _(api: Api) -> None:
    r = api.call("PATCH", "workflows/1", json={})
    assert r.status_code == 405
    expect("PUT" in r.headers.get("Allow", ""), "405 has an Allow header")


@probe("run_disabled_refused")
def _(api: Api) -> None:
    assert ok(api.get("workflows/3"))["enabled"] is False
    expect(api.post("workflows/3/run").status_code == 200, "a disabled workflow runs on demand")


# ========================================================================= authentication
@probe("unknown_token_403")
def _(api: Api) -> None:
    r = api.get("workflows/", token="not-a-known-token")
    expect(r.status_code == 401, f"an unknown token is 401 (got {r.status_code})")


@probe("any_bearer_token_accepted")
def _(api: Api) -> None:
    r = api.get("personas/1", token="guessed")
    expect(r.status_code == 401, f"a guessed token reads nothing (got {r.status_code})")


@probe("raw_token_accepted")
def _(api: Api) -> None:
    assert api.get("workflows/").status_code == 200
    r = api.get("workflows/", authorization=api.token)
    expect(r.status_code == 401, f"a header without the Bearer scheme is 401 (got {r.status_code})")


@probe("auth_ignored_on_run")
def _(api: Api) -> None:
    assert ok(api.get("workflows/4"))["lastRunAt"] is None
    expect(api.post("workflows/4/run", token=None).status_code == 401, "run without a token is 401")
    expect(api.post("workflows/4/run", token="bad").status_code == 401, "run with a bad token is 401")
    expect(ok(api.get("workflows/4"))["lastRunAt"] is None, "nothing ran")


# ============================================================================ persistence
@probe("update_drops_filter_stop_words")
def _(api: Api) -> None:
    ok(api.put("personas/1", json=persona(name="sre-responder", filterStopWords=["maintenance"])))
    expect(ok(api.get("personas/1"))["filterStopWords"] == ["maintenance"], "filterStopWords persists")


@probe("update_echoes_enabled_without_storing")
def _(api: Api) -> None:
    assert ok(api.get("workflows/1"))["enabled"] is True
    assert ok(api.put("workflows/1", json=workflow(enabled=False)))["enabled"] is False
    expect(ok(api.get("workflows/1"))["enabled"] is False, "enabled persists")


@probe("put_merges_like_patch")
def _(api: Api) -> None:
    before = ok(api.get("personas/1"))
    assert before["description"] and before["filterStopWords"] and before["avatarUrl"]
    ok(api.put("personas/1", json={"name": "sre-responder", "fullName": "Responder"}))
    after = ok(api.get("personas/1"))
    expect(after["description"] == "", "an omitted description goes back to its default")
    expect(after["filterStopWords"] == [] and after["avatarUrl"] is None, "omitted fields go back to defaults")


@probe("created_at_moves_on_update")
def _(api: Api) -> None:
    before = ok(api.get("workflows/1"))["createdAt"]
    ok(api.put("workflows/1", json=workflow()))
    expect(ok(api.get("workflows/1"))["createdAt"] == before, "createdAt is kept")


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@probe("updated_at_frozen")
def _(api: Api) -> None:
    before = ok(api.get("workflows/1"))["updatedAt"]
    ok(api.put("workflows/1", json=workflow()))
    expect(_instant(ok(api.get("workflows/1"))["updatedAt"]) > _instant(before), "updatedAt moves forward")


@probe("action_parameters_dropped")
def _(api: Api) -> None:
    sent = workflow(actions=[{"type": "notify", "parameters": {"channel": "#ops"}}, {"type": "create_issue"}])
    wid = create(api, "workflows", sent)["id"]
    expect(ok(api.get(f"workflows/{wid}"))["actions"] == sent["actions"], "actions read back as sent")


@probe("threshold_rounded")
def _(api: Api) -> None:
    pid = create(api, "personas", persona(filterConfidenceThreshold=0.75, runConfidenceThreshold=0.33))["id"]
    got = ok(api.get(f"personas/{pid}"))
    expect(got["filterConfidenceThreshold"] == 0.75, "filterConfidenceThreshold reads back as sent")
    expect(got["runConfidenceThreshold"] == 0.33, "runConfidenceThreshold reads back as sent")


@probe("description_truncated")
def _(api: Api) -> None:
    description = "Checks every node. " * 20  # 380 characters
    wid = create(api, "workflows", workflow(description=description))["id"]
    expect(ok(api.get(f"workflows/{wid}"))["description"] == description, "a long description reads back whole")


@probe("names_trimmed")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow(name="  padded name  "))["id"]
    expect(ok(api.get(f"workflows/{wid}"))["name"] == "  padded name  ", "a name reads back as sent")


@probe("read_only_id_honoured")
def _(api: Api) -> None:
    created = create(api, "workflows", {**workflow(), "id": 777})
    expect(created["id"] != 777, "a read-only id in the body is ignored")
    expect(api.get("workflows/777").status_code == 404, "no resource got the id from the body")


# ============================================================================== lifecycle
@probe("token_survives_delete")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    ok(api.get(f"workflows/{wid}/token"))
    assert api.delete(f"workflows/{wid}").status_code == 204
    expect(api.get(f"workflows/{wid}/token").status_code == 404, "the token is gone with its workflow")


@probe("delete_leaves_item_listed")
def _(api: Api) -> None:
    (pid,) = sandbox_personas(api, 1)
    assert api.delete(f"personas/{pid}", workspace="sandbox").status_code == 204
    page = ok(api.get("personas/", workspace="sandbox"))
    expect(page["count"] == 0 and page["results"] == [], "a deleted persona leaves the list")


@probe("put_recreates_deleted")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    assert api.delete(f"workflows/{wid}").status_code == 204
    expect(api.put(f"workflows/{wid}", json=workflow()).status_code == 404, "PUT on a deleted id is 404")
    expect(api.get(f"workflows/{wid}").status_code == 404, "the deleted workflow stays deleted")


@probe("delete_is_idempotent")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    assert api.delete(f"workflows/{wid}").status_code == 204
    expect(api.delete(f"workflows/{wid}").status_code == 404, "a second delete is 404")


@probe("ids_reused")
def _(api: Api) -> None:
    first = create(api, "workflows", workflow())["id"]
    assert api.delete(f"workflows/{first}").status_code == 204
    expect(create(api, "workflows", workflow())["id"] != first, "a deleted id is not given again")


@probe("delete_removes_neighbour")
def _(api: Api) -> None:
    first, second = sandbox_personas(api, 2)
    assert api.delete(f"personas/{first}", workspace="sandbox").status_code == 204
    expect(api.get(f"personas/{second}", workspace="sandbox").status_code == 200, "only the deleted one is gone")


# ============================================================================= pagination
@probe("count_off_by_one")
def _(api: Api) -> None:
    sandbox_personas(api, 3)
    page = ok(api.get("personas/", workspace="sandbox"))
    expect(page["count"] == len(page["results"]) == 3, f"count is 3 (got {page['count']})")


@probe("next_missing_on_middle_pages")
def _(api: Api) -> None:
    created = sandbox_personas(api, 5)
    pages = walk(api, api.url("personas/?page_size=2", "sandbox"))
    expect(ids(pages) == created, "walking next meets every item")


@probe("previous_drops_page_size")
def _(api: Api) -> None:
    created = sandbox_personas(api, 5)
    last = walk(api, api.url("personas/?page_size=2", "sandbox"))[-1]
    assert last["next"] is None and last["previous"]
    back = walk(api, last["previous"], "previous")
    expect(ids(back[::-1]) + [p["id"] for p in last["results"]] == created, "walking previous meets every item")


@probe("page_size_ignored")
def _(api: Api) -> None:
    sandbox_personas(api, 5)
    page = ok(api.get("personas/", params={"page_size": 2}, workspace="sandbox"))
    expect(len(page["results"]) == 2, f"page_size=2 gives 2 items (got {len(page['results'])})")


@probe("page_past_end_200")
def _(api: Api) -> None:
    sandbox_personas(api, 5)
    r = api.get("personas/", params={"page": 4, "page_size": 2}, workspace="sandbox")
    expect(r.status_code == 404, f"page 4 of 3 is 404 (got {r.status_code})")


@probe("list_newest_first")
def _(api: Api) -> None:
    created = sandbox_personas(api, 3)
    expect(ids([ok(api.get("personas/", workspace="sandbox"))]) == created, "lists are ordered by id")


@probe("page_boundary_overlap")
def _(api: Api) -> None:
    created = sandbox_personas(api, 5)
    expect(ids(walk(api, api.url("personas/?page_size=2", "sandbox"))) == created, "every item exactly once")


@probe("stale_list_cache")
def _(api: Api) -> None:
    (pid,) = sandbox_personas(api, 1)  # listed the empty sandbox first
    expect(ids([ok(api.get("personas/", workspace="sandbox"))]) == [pid], "a created persona is listed at once")


@probe("list_includes_other_workspaces")
def _(api: Api) -> None:
    assert ok(api.get("personas/"))["count"] > 0
    page = ok(api.get("personas/", workspace="sandbox"))
    expect(page["count"] == 0 and page["results"] == [], "another workspace's personas are not listed")


# ========================================================================= webhook tokens
@probe("token_changes_every_call")
def _(api: Api) -> None:
    expect(ok(api.get("workflows/1/token")) == ok(api.get("workflows/1/token")), "the token is stable")


@probe("token_shared_by_all_workflows")
def _(api: Api) -> None:
    expect(ok(api.get("workflows/1/token")) != ok(api.get("workflows/2/token")), "tokens differ between workflows")


@probe("token_rotates_on_update")
def _(api: Api) -> None:
    before = ok(api.get("workflows/1/token"))
    ok(api.put("workflows/1", json=workflow()))
    expect(ok(api.get("workflows/1/token")) == before, "an update keeps the token")


@probe("token_only_for_webhook_triggers")
def _(api: Api) -> None:
    assert ok(api.get("workflows/1"))["trigger"]["type"] == "schedule"
    expect(api.get("workflows/1/token").status_code == 200, "every workflow has a token")


# =================================================================================== runs
@probe("run_wrong_workflow_id")
def _(api: Api) -> None:
    expect(ok(api.post("workflows/2/run"))["workflowId"] == 2, "a run names the workflow that ran")


@probe("run_missing_answers_200")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    assert api.delete(f"workflows/{wid}").status_code == 204
    r = api.post(f"workflows/{wid}/run")
    expect(r.status_code == 404, f"running a deleted workflow is 404 (got {r.status_code})")


@probe("run_not_recorded")
def _(api: Api) -> None:
    run = ok(api.post("workflows/4/run"))
    expect(ok(api.get("workflows/4"))["lastRunAt"] == run["startedAt"], "lastRunAt records the run")


# ============================================================================= uniqueness
@probe("duplicate_persona_names")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(name="sre-responder"))
    expect(r.status_code == 400 and "name" in r.json(), f"a taken name is a 400 on name (got {r.status_code})")


@probe("rename_into_duplicate")
def _(api: Api) -> None:
    r = api.put("personas/2", json=persona(name="sre-responder"))
    expect(r.status_code == 400 and "name" in r.json(), f"renaming to a taken name is a 400 (got {r.status_code})")


@probe("name_reserved_after_delete")
def _(api: Api) -> None:
    pid = create(api, "personas", persona(name="short-lived"))["id"]
    assert api.delete(f"personas/{pid}").status_code == 204
    r = api.post("personas/", json=persona(name="short-lived"))
    expect(r.status_code == 201, f"a deleted persona's name is free again (got {r.status_code})")


# ==================================================================== workspace isolation
@probe("cross_workspace_read")
def _(api: Api) -> None:
    ok(api.get("personas/1"))
    expect(api.get("personas/1", workspace="sandbox").status_code == 404, "another workspace's persona is 404")


@probe("cross_workspace_update")
def _(api: Api) -> None:
    before = ok(api.get("workflows/1"))
    r = api.put("workflows/1", json=workflow(name="Hijacked"), workspace="sandbox")
    expect(r.status_code == 404, f"another workspace's workflow cannot be updated (got {r.status_code})")
    expect(ok(api.get("workflows/1")) == before, "the workflow is unchanged")


@probe("cross_workspace_delete")
def _(api: Api) -> None:
    r = api.delete("personas/2", workspace="sandbox")
    expect(r.status_code == 404, f"another workspace's persona cannot be deleted (got {r.status_code})")
    expect(api.get("personas/2").status_code == 200, "the persona is still there")


# ========================================================================= lax validation
def _refused(r: Any, field: str) -> bool:
    return r.status_code == 400 and field in r.json()


@probe("threshold_clamped")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(filterConfidenceThreshold=1.5))
    expect(_refused(r, "filterConfidenceThreshold"), f"a threshold of 1.5 is a 400 (got {r.status_code})")


@probe("string_booleans_coerced")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(enabled="false"))
    expect(_refused(r, "enabled"), f"enabled='false' is a 400 (got {r.status_code})")


@probe("missing_trigger_defaulted")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(trigger=...))
    expect(_refused(r, "trigger"), f"a workflow without trigger is a 400 (got {r.status_code})")


@probe("uppercase_persona_name_lowercased")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(name="Net-Guru"))
    expect(_refused(r, "name"), f"an uppercase name is a 400 (got {r.status_code})")


# ====================================================================== strict validation
@probe("null_avatar_rejected")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(avatarUrl=None))
    expect(r.status_code == 201, f"a null avatarUrl is accepted (got {r.status_code})")


@probe("digits_in_persona_name_rejected")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(name="k8s-helper"))
    expect(r.status_code == 201, f"a name with digits is accepted (got {r.status_code})")


@probe("cron_names_rejected")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(trigger={"type": "schedule", "schedule": "0 9 * JAN-MAR MON-FRI"}))
    expect(r.status_code == 201, f"a cron schedule with names is accepted (got {r.status_code})")


# ======================================================== boundaries, defaults, formats
@probe("page_size_100_rejected")
def _(api: Api) -> None:
    r = api.get("personas/", params={"page_size": 100})
    expect(r.status_code == 200, f"page_size=100 is accepted (got {r.status_code})")


@probe("relative_next_links")
def _(api: Api) -> None:
    sandbox_personas(api, 3)
    page = ok(api.get("personas/", params={"page_size": 1, "page": 2}, workspace="sandbox"))
    expect(page["next"].startswith(api.base_url), f"next is absolute (got {page['next']!r})")
    expect(page["previous"].startswith(api.base_url), f"previous is absolute (got {page['previous']!r})")


@probe("empty_first_page_404")
def _(api: Api) -> None:
    r = api.get("workflows/", workspace="sandbox")
    expect(r.status_code == 200 and r.json()["results"] == [], f"an empty list is 200 (got {r.status_code})")


@probe("validation_before_auth")
def _(api: Api) -> None:
    r = api.post("personas/", json={"name": "Not Valid"}, token=None)
    expect(r.status_code == 401, f"no token is 401 whatever the body (got {r.status_code})")


@probe("strategy_uppercased")
def _(api: Api) -> None:
    pid = create(api, "personas", persona(filterIssueSelectionStrategy="most_severe"))["id"]
    strategy = ok(api.get(f"personas/{pid}"))["filterIssueSelectionStrategy"]
    expect(strategy == "most_severe", f"the strategy reads back as sent (got {strategy!r})")


@probe("enabled_defaults_false")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow(enabled=...))["id"]
    expect(ok(api.get(f"workflows/{wid}"))["enabled"] is True, "enabled defaults to true")


@probe("naive_timestamps")
def _(api: Api) -> None:
    stamp = ok(api.get("workflows/1"))["createdAt"]
    expect(_instant(stamp).utcoffset() is not None, f"timestamps carry their time zone (got {stamp!r})")


@probe("run_without_action_results")
def _(api: Api) -> None:
    actions = ok(api.get("workflows/1"))["actions"]
    results = ok(api.post("workflows/1/run"))["actions"]
    expect([a["type"] for a in results] == [a["type"] for a in actions], "one result per action, in order")


@probe("unknown_fields_rejected")
def _(api: Api) -> None:
    r = api.post("personas/", json={**persona(), "createdAt": "2000-01-01T00:00:00Z", "colour": "teal"})
    expect(r.status_code == 201, f"read-only and unknown fields are ignored (got {r.status_code})")


@probe("blank_description_rejected")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(description=""))
    expect(r.status_code == 201, f"an empty description is accepted (got {r.status_code})")


# ================================================== relations: order in time, references, counts
@probe("created_after_updated")
def _(api: Api) -> None:
    wid = create(api, "workflows", workflow())["id"]
    got = ok(api.get(f"workflows/{wid}"))
    expect(_instant(got["createdAt"]) <= _instant(got["updatedAt"]), "createdAt is not after updatedAt")


@probe("run_finished_before_started")
def _(api: Api) -> None:
    run = ok(api.post("workflows/1/run"))
    assert run["status"] == "succeeded"
    expect(_instant(run["startedAt"]) <= _instant(run["finishedAt"]), "a run finishes no earlier than it starts")


@probe("timestamps_not_utc")
def _(api: Api) -> None:
    stamp = ok(api.get("workflows/1"))["createdAt"]
    expect(stamp.endswith("Z"), f"a Timestamp is in UTC with Z (got {stamp!r})")


@probe("run_action_index_from_one")
def _(api: Api) -> None:
    assert len(ok(api.get("workflows/1"))["actions"]) == 2
    indexes = [result["index"] for result in ok(api.post("workflows/1/run"))["actions"]]
    expect(indexes == [0, 1], f"action results are indexed by position from 0 (got {indexes})")


@probe("run_ids_per_workflow")
def _(api: Api) -> None:
    first, second = ok(api.post("workflows/1/run")), ok(api.post("workflows/2/run"))
    expect(first["id"] != second["id"], f"two runs have two ids (got {first['id']} twice)")


@probe("run_marks_every_workflow")
def _(api: Api) -> None:
    assert ok(api.get("workflows/4"))["lastRunAt"] is None
    ok(api.post("workflows/1/run"))
    expect(ok(api.get("workflows/4"))["lastRunAt"] is None, "running workflow 1 leaves workflow 4's lastRunAt")


@probe("update_clears_last_run")
def _(api: Api) -> None:
    ok(api.post("workflows/1/run"))
    ran = ok(api.get("workflows/1"))["lastRunAt"]
    assert ran is not None
    ok(api.put("workflows/1", json=workflow()))
    expect(ok(api.get("workflows/1"))["lastRunAt"] == ran, "an update keeps lastRunAt (it runs nothing)")


@probe("workflow_create_stored_twice")
def _(api: Api) -> None:
    assert ok(api.get("workflows/", workspace="sandbox"))["count"] == 0
    create(api, "workflows", workflow(), "sandbox")
    page = ok(api.get("workflows/", workspace="sandbox"))
    expect(page["count"] == len(page["results"]) == 1, f"one create stores one workflow (count {page['count']})")


# ======================================================== limits across their whole span
@probe("page_size_capped_at_50")
def _(api: Api) -> None:
    sandbox_personas(api, 51)
    page = ok(api.get("personas/", params={"page_size": 100}, workspace="sandbox"))
    expect(len(page["results"]) == 51, f"page_size=100 holds all 51 personas (got {len(page['results'])})")


@probe("actions_truncated_at_20")
def _(api: Api) -> None:
    actions = [{"type": "notify", "parameters": {"step": i}} for i in range(50)]
    wid = create(api, "workflows", workflow(actions=actions))["id"]
    expect(ok(api.get(f"workflows/{wid}"))["actions"] == actions, "50 actions (the maximum) read back whole")


@probe("string_lists_cut_at_50")
def _(api: Api) -> None:
    words = [f"word-{i}" for i in range(100)]
    pid = create(api, "personas", persona(filterStopWords=words, runConfig={"allow": words}))["id"]
    got = ok(api.get(f"personas/{pid}"))
    expect(got["filterStopWords"] == words, f"100 stop words read back whole (got {len(got['filterStopWords'])})")
    expect(got["runConfig"] == {"allow": words}, "runConfig with 100 allowed entries reads back whole")


@probe("zero_threshold_defaulted")
def _(api: Api) -> None:
    pid = create(api, "personas", persona(filterConfidenceThreshold=0, runConfidenceThreshold=0))["id"]
    got = ok(api.get(f"personas/{pid}"))
    for key in ("filterConfidenceThreshold", "runConfidenceThreshold"):
        expect(got[key] == 0, f"{key} of 0 (its minimum) reads back 0 (got {got[key]})")


@probe("actions_past_50_dropped")
def _(api: Api) -> None:
    r = api.post("workflows/", json=workflow(actions=[{"type": "notify"}] * 51))
    expect(_refused(r, "actions"), f"51 actions (the maximum is 50) is a 400 on actions (got {r.status_code})")


# ================================================================ ordinary traffic, no 5xx
def server_errors(api: Api) -> list[str]:
    """A round of valid, ordinary traffic in the sandbox (reads, writes, renames, repeats, deletes,
    reads after delete); the 5xx answers it met. A variant must fail only where it means to, so
    that the check that catches it is the one meant for it."""
    met: list[str] = []

    def call(method: str, path: str, **kwargs: Any) -> int | None:
        r = api.call(method, path, workspace="sandbox", **kwargs)
        if r.status_code >= 500:
            met.append(f"{method} {path} -> {r.status_code}")
        body = r.json() if r.content and r.headers.get("Content-Type", "").endswith("json") else None
        return body.get("id") if r.status_code in (200, 201) and isinstance(body, dict) else None

    for query in ("", "?page=2&page_size=1"):
        call("GET", f"workflows/{query}")
        call("GET", f"personas/{query}")
    a = call("POST", "personas/", json=persona(name="smoke-a"))
    b = call("POST", "personas/", json=persona(name="smoke-a"))
    for pid, name in ((b, "smoke-b"), (a, "smoke-b"), (a, "smoke-c"), (b, "smoke-a")):
        if pid is not None:
            call("PUT", f"personas/{pid}", json=persona(name=name, avatarUrl=None))
    for pid in (b, b, a):
        if pid is not None:
            call("DELETE", f"personas/{pid}")
    call("POST", "personas/", json=persona(name="smoke-b"))
    w = call("POST", "workflows/", json=workflow(trigger={"type": "webhook"}))
    if w is not None:
        for method, path in (("GET", "/token"), ("POST", "/run"), ("GET", "")):
            call(method, f"workflows/{w}{path}")
        call("PUT", f"workflows/{w}", json=workflow(enabled=False))
        for method, path in (("POST", "/run"), ("DELETE", ""), ("GET", ""), ("POST", "/run"), ("GET", "/token")):
            call(method, f"workflows/{w}{path}")
        call("PUT", f"workflows/{w}", json=workflow())
        call("DELETE", f"workflows/{w}")
    call("GET", "workflows/1")  # demo's
    call("GET", "personas/?page_size=1")
    return met


# ================================================================================== tests
def test_every_variant_has_one_probe() -> None:
    assert set(PROBES) == set(VARIANTS)


def test_the_catalog_is_well_formed() -> None:
    assert len(VARIANTS) >= 25
    for name, variant in VARIANTS.items():
        assert variant.name == name
        assert variant.description and "\n" not in variant.description
        assert variant.checks and set(variant.checks) <= CHECKS


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_variant_breaks_what_the_mock_keeps(name: str) -> None:
    check = PROBES[name]
    with serve_correct(token=TOKEN) as url, Api(url, TOKEN) as api:
        check(api)
    with serve_variant(name, token=TOKEN) as url, Api(url, TOKEN) as api:
        with pytest.raises(Violation):
            check(api)
        assert not server_errors(api), "the variant fails where it is not meant to"


@probe("page_ignored")
def _(api: Api) -> None:
    ids = sandbox_personas(api, 3)
    page = ok(api.get("personas/", params={"page": 2, "page_size": 2}, workspace="sandbox"))
    got = [item["id"] for item in page["results"]]
    expect(got == ids[2:], f"page 2 of size 2 holds the third persona {ids[2:]} (got {got})")


@probe("non_ascii_body_500")
def _(api: Api) -> None:
    r = api.post("personas/", json=persona(name="cafe", fullName="Café Crème"))
    expect(r.status_code == 201, f"a body with non-ASCII text is created (got {r.status_code})")
