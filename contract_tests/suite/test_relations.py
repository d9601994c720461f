"""What field names and descriptions imply where no schema keyword says it: order in time
(`createdAt`, `updatedAt`, a run's `startedAt` and `finishedAt`, `lastRunAt`), references (a run
names the workflow that ran and mirrors its actions; `lastRunAt` follows that workflow's runs
only) and counts (`count` follows every create and delete). Each is a named property, like those
of `test_properties`, whose helpers it shares."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from api_spec import load_spec
from contract_tests.compare import input_schema, resolve_schema
from contract_tests.conformance import Guard
from contract_tests.options import SuiteOptions
from contract_tests.suite.test_properties import (
    OPS,
    counted,
    create,
    create_drawn,
    drawn,
    expect_status,
    fail,
    find_listed,
    json_of,
    needs,
    needs_kind,
    seeded,
    selected,
    settings,
)
from contract_tests.target import KINDS, PERSONAS, WORKFLOWS, Target, Workspace

DETAIL = {PERSONAS: "Persona", WORKFLOWS: "Workflow"}
LISTED = {PERSONAS: "PersonaSummary", WORKFLOWS: "Workflow"}
RUN = "WorkflowRun"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


# -- time ------------------------------------------------------------------------------
def time_fields(component: str) -> dict[str, bool]:
    """The date-time fields of a response schema, each with whether the spec says UTC (`Z`):
    those typed `Timestamp` ("An RFC 3339 timestamp in UTC (`Z`)") do, plain date-times do not."""
    fields: dict[str, bool] = {}
    for name, prop in load_spec()["components"]["schemas"][component]["properties"].items():
        if prop.get("$ref", "").endswith("/Timestamp"):
            fields[name] = True
        elif resolve_schema(prop).get("format") == "date-time":
            fields[name] = False
    return fields


def instants(target: Target, check: str, op: str, record: Any, component: str) -> dict[str, datetime | None]:
    """The record's date-time fields as aware datetimes (None where the value is null)."""
    if not isinstance(record, dict):
        raise fail(target, check, op, f"expected an object, got {record!r}"[:300])
    found: dict[str, datetime | None] = {}
    for name, utc in time_fields(component).items():
        value = record.get(name)
        if value is None:
            found[name] = None
            continue
        if not isinstance(value, str) or not _RFC3339.fullmatch(value):
            raise fail(target, check, op, f"{name} is not an RFC 3339 date-time with its offset: {value!r}")
        if utc and not value.endswith(("Z", "z")):
            raise fail(target, check, op, f"{name} is not in UTC with `Z`, as the spec's Timestamp says: {value!r}")
        found[name] = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return found


def not_after(
    target: Target, check: str, op: str, earlier: tuple[str, datetime | None], later: tuple[str, datetime | None]
) -> None:
    """`earlier` is not after `later` (equal is fine: clocks have a resolution)."""
    (a_name, a), (b_name, b) = earlier, later
    if a is not None and b is not None and a > b:
        raise fail(target, check, op, f"{a_name} ({a.isoformat()}) is after {b_name} ({b.isoformat()})")


def read(ws: Workspace, target: Target, check: str, kind: str, rid: int) -> dict[str, Any]:
    response = ws.call("GET", ws.path(kind, rid))
    expect_status(target, check, OPS[kind]["get"], response, 200)
    return json_of(target, check, OPS[kind]["get"], response)


def run_once(ws: Workspace, target: Target, check: str, rid: int) -> dict[str, Any]:
    op = OPS[WORKFLOWS]["run"]
    response = ws.call("POST", ws.path(WORKFLOWS, rid, "/run"))
    expect_status(target, check, op, response, 200)
    run = json_of(target, check, op, response)
    if not isinstance(run, dict):
        raise fail(target, check, op, f"the run result is not an object: {run!r}"[:300])
    return run


def unfinished_statuses() -> set[str]:
    """The run statuses during which `finishedAt` is null ("null while it is queued or running")."""
    statuses = set(load_spec()["components"]["schemas"][RUN]["properties"]["status"]["enum"])
    return statuses & {"queued", "running"}


@pytest.mark.parametrize("kind", KINDS)
@settings
@seeded
@hypothesis.given(data=st.data())
@counted
def test_timestamps_ordered(kind: str, data: st.DataObject, wp_guard: Guard) -> None:
    """createdAt <= updatedAt on create and after an update, one createdAt in the 201, the detail
    and the list; a run starts no earlier than its workflow was created and finishes no earlier
    than it started (finishedAt null exactly while queued or running); lastRunAt is not before
    the workflow's createdAt and never goes back. (It is not compared with the run's startedAt:
    a service may record when a run was asked for, before the run starts.)"""
    needs_kind(kind, "create", "get", "update", "delete")
    check, ws, target = "timestamps_ordered", wp_guard.workspace, wp_guard.target
    ops = OPS[kind]
    created = create_drawn(wp_guard, kind, data, check, "created")
    rid = created["id"]
    first = instants(target, check, ops["create"], created, DETAIL[kind])
    not_after(target, check, ops["create"], ("createdAt", first["createdAt"]), ("updatedAt", first["updatedAt"]))
    views = [(ops["get"], "the detail", read(ws, target, check, kind, rid), DETAIL[kind])]
    if selected(ops["list"]):
        listed = find_listed(ws, kind, rid)
        if listed:  # (whether it is listed at all is create_read_back's to judge)
            views.append((ops["list"], "the list", listed[0], LISTED[kind]))
    for op, where, record, component in views:
        seen = instants(target, check, op, record, component)
        if seen["createdAt"] != first["createdAt"]:
            raise fail(
                target,
                check,
                op,
                f"{where} says createdAt={record.get('createdAt')}, the 201 said {created['createdAt']}",
            )
        if "updatedAt" in seen:
            not_after(target, check, op, ("createdAt", seen["createdAt"]), ("updatedAt", seen["updatedAt"]))
    body = drawn(wp_guard, kind, data, "update")
    response = ws.call("PUT", ws.path(kind, rid), json=body)
    expect_status(target, check, ops["update"], response, 200, body=body)
    updated = json_of(target, check, ops["update"], response)
    for where, record in (("PUT response", updated), ("read after PUT", None)):
        record = record if record is not None else read(ws, target, check, kind, rid)
        seen = instants(target, check, ops["update"], record, DETAIL[kind])
        before = ("updatedAt before the update", first["updatedAt"])
        not_after(
            target, check, ops["update"], ("createdAt", seen["createdAt"]), (f"updatedAt ({where})", seen["updatedAt"])
        )
        not_after(target, check, ops["update"], before, (f"updatedAt ({where})", seen["updatedAt"]))
    if kind == WORKFLOWS and selected(ops["run"]):
        runs_are_ordered(ws, target, check, rid, first["createdAt"])
    ws.delete(kind, rid)


def runs_are_ordered(ws: Workspace, target: Target, check: str, rid: int, created_at: datetime | None) -> None:
    op = OPS[WORKFLOWS]["run"]
    last_run_at: datetime | None = None
    for attempt in ("first", "second"):
        run = run_once(ws, target, check, rid)
        times = instants(target, check, op, run, RUN)
        started, finished = times["startedAt"], times["finishedAt"]
        unfinished = run.get("status") in unfinished_statuses()
        if unfinished != (finished is None):
            state = "null" if finished is None else run.get("finishedAt")
            raise fail(
                target,
                check,
                op,
                f"a {run.get('status')} run has finishedAt={state}: it is null exactly while queued or running",
            )
        not_after(target, check, op, ("startedAt", started), ("finishedAt", finished))
        not_after(target, check, op, ("the workflow's createdAt", created_at), ("the run's startedAt", started))
        record = read(ws, target, check, WORKFLOWS, rid)
        now = instants(target, check, OPS[WORKFLOWS]["get"], record, DETAIL[WORKFLOWS])["lastRunAt"]
        if now is None:
            raise fail(target, check, op, f"lastRunAt is null after the {attempt} run")
        not_after(target, check, op, ("the workflow's createdAt", created_at), ("lastRunAt", now))
        not_after(
            target, check, op, ("lastRunAt after the first run", last_run_at), ("lastRunAt after the second", now)
        )
        last_run_at = now


@pytest.mark.parametrize("kind", KINDS)
def test_timestamps_ordered_as_stored(kind: str, wp_guard: Guard) -> None:
    """The same order on what the workspace already holds (the first page and its details):
    runs read-only too, so a production check sees the stored data."""
    needs_kind(kind, "list", "get")
    check, ws, target = "timestamps_ordered", wp_guard.workspace, wp_guard.target
    op = OPS[kind]["list"]
    response = ws.call("GET", ws.path(kind) + "?page_size=20")
    expect_status(target, check, op, response, 200)
    for item in json_of(target, check, op, response).get("results", []):
        seen = instants(target, check, op, item, LISTED[kind])
        not_after(target, check, op, ("createdAt", seen["createdAt"]), ("updatedAt", seen.get("updatedAt")))
        if not isinstance(item.get("id"), int):
            continue
        detail = instants(target, check, OPS[kind]["get"], read(ws, target, check, kind, item["id"]), DETAIL[kind])
        for field in ("updatedAt", "lastRunAt"):
            not_after(target, check, OPS[kind]["get"], ("createdAt", detail["createdAt"]), (field, detail.get(field)))


# -- references ------------------------------------------------------------------------
_RUN_IDS: dict[int, int] = {}  # run id -> the workflow it ran, across the whole session


def definition(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The fields a client sets (those of the input schema), without the server-set ones."""
    names = input_schema(OPS[kind]["create"]).get("properties", {})
    return {k: v for k, v in record.items() if k in names}


@needs("create", "update", "get", "run", "delete", kinds=(WORKFLOWS,))
@settings
@seeded
@hypothesis.given(data=st.data())
@counted
def test_run_references(data: st.DataObject, wp_guard: Guard) -> None:
    """A run names the workflow that ran and mirrors its current actions (`index` 0..n-1 in
    order, each action's `type`); every run has its own id; a run records lastRunAt on its own
    workflow only and changes nothing of its definition; an update is no run: lastRunAt stays."""
    check, ws, target = "run_references", wp_guard.workspace, wp_guard.target
    op = OPS[WORKFLOWS]["run"]
    a_body = drawn(wp_guard, WORKFLOWS, data, "workflow a")
    a = create(wp_guard, WORKFLOWS, a_body, check)
    b_body = drawn(wp_guard, WORKFLOWS, data, "workflow b")
    b = create(wp_guard, WORKFLOWS, b_body, check)

    def run(workflow: dict[str, Any], actions: list[dict[str, Any]]) -> None:
        result = run_once(ws, target, check, workflow["id"])
        if result.get("workflowId") != workflow["id"]:
            raise fail(
                target, check, op, f"ran workflow {workflow['id']}, the run says workflowId={result.get('workflowId')}"
            )
        results = result.get("actions")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise fail(target, check, op, f"the run's actions are not a list of results: {results!r}"[:300])
        indexes = [r.get("index") for r in results]
        if indexes != list(range(len(actions))):
            raise fail(
                target, check, op, f"a workflow of {len(actions)} actions ran with result indexes {indexes}, not 0..n-1"
            )
        types = [r.get("type") for r in results]
        if types != [action["type"] for action in actions]:
            raise fail(
                target,
                check,
                op,
                f"the results' types {types} are not the workflow's actions {[x['type'] for x in actions]}",
            )
        run_id = result.get("id")
        if not isinstance(run_id, int):
            raise fail(target, check, op, f"the run has no integer id: {run_id!r}")
        if run_id in _RUN_IDS:
            raise fail(
                target,
                check,
                op,
                f"run id {run_id} was given before, to a run of workflow {_RUN_IDS[run_id]}: every run has its own id",
            )
        _RUN_IDS[run_id] = workflow["id"]

    a_before = read(ws, target, check, WORKFLOWS, a["id"])
    b_before = read(ws, target, check, WORKFLOWS, b["id"])
    run(a, a_body["actions"])
    if read(ws, target, check, WORKFLOWS, b["id"]) != b_before:
        raise fail(target, check, op, f"running workflow {a['id']} changed workflow {b['id']}")
    a_after = read(ws, target, check, WORKFLOWS, a["id"])
    if definition(WORKFLOWS, a_after) != definition(WORKFLOWS, a_before):
        raise fail(target, check, op, f"running workflow {a['id']} changed its definition: {a_before} -> {a_after}")
    last = a_after.get("lastRunAt")
    if last is None:
        raise fail(target, check, op, f"workflow {a['id']} ran but its lastRunAt is null")
    run(b, b_body["actions"])
    if read(ws, target, check, WORKFLOWS, a["id"]).get("lastRunAt") != last:
        raise fail(target, check, op, f"running workflow {b['id']} changed lastRunAt of workflow {a['id']}")
    new_body = drawn(wp_guard, WORKFLOWS, data, "update of a")
    update = OPS[WORKFLOWS]["update"]
    response = ws.call("PUT", ws.path(WORKFLOWS, a["id"]), json=new_body)
    expect_status(target, check, update, response, 200, body=new_body)
    for where, record in (("the PUT response", json_of(target, check, update, response)), ("the next read", None)):
        record = record if record is not None else read(ws, target, check, WORKFLOWS, a["id"])
        if record.get("lastRunAt") != last:
            raise fail(
                target,
                check,
                update,
                f"{where}: an update changed lastRunAt from {last} to {record.get('lastRunAt')} (it ran no workflow)",
                new_body,
            )
    run(a, new_body["actions"])  # the run follows the definition as updated
    ws.delete(WORKFLOWS, a["id"])
    ws.delete(WORKFLOWS, b["id"])


# -- counts ----------------------------------------------------------------------------
def count_of(ws: Workspace, target: Target, check: str, kind: str) -> int:
    op = OPS[kind]["list"]
    response = ws.call("GET", ws.path(kind) + "?page_size=1")
    expect_status(target, check, op, response, 200)
    count = json_of(target, check, op, response).get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        raise fail(target, check, op, f"count is not an integer: {count!r}")
    return count


@pytest.mark.parametrize("kind", KINDS)
@settings
@seeded
@hypothesis.given(data=st.data())
@counted
def test_count_tracks_writes(kind: str, data: st.DataObject, wp_guard: Guard, wp_options: SuiteOptions) -> None:
    """After k creates `count` is k more, after j deletes j less, and the list holds exactly what
    it held plus what was created (a create stores one resource). In a shared workspace others
    write too: only `count` >= what this example has alive there is checked."""
    needs_kind(kind, "list", "create", "delete")
    check, ws, target = "count_tracks_writes", wp_guard.workspace, wp_guard.target
    op = OPS[kind]["list"]
    exact = wp_options.exact_counts
    before = [item["id"] for item in ws.list_all(kind)] if exact else []
    start = count_of(ws, target, check, kind)
    created = [create_drawn(wp_guard, kind, data, check)["id"] for _ in range(data.draw(st.integers(1, 4), label="k"))]
    gone = data.draw(st.integers(1, len(created)), label="j")

    def expect_count(alive: list[int], after: str) -> None:
        count = count_of(ws, target, check, kind)
        if exact and count != start + len(alive):
            raise fail(
                target, check, op, f"count went from {start} to {count} after {after}; expected {start + len(alive)}"
            )
        if count < len(alive):
            raise fail(target, check, op, f"count={count}, but this run alone has {len(alive)} {kind} alive here")

    expect_count(created, f"{len(created)} creates")
    if exact:
        listed = [item["id"] for item in ws.list_all(kind)]
        extra = sorted(set(listed) - set(before) - set(created))
        lost = sorted(set(before) - set(listed))
        if extra or lost:
            raise fail(
                target,
                check,
                op,
                f"after creating {created} the list also holds {extra} and lost {lost}: a create stores one resource",
            )
    for rid in created[:gone]:
        ws.delete(kind, rid)
    expect_count(created[gone:], f"{len(created)} creates and {gone} deletes")
    for rid in created[gone:]:
        ws.delete(kind, rid)
    expect_count([], f"{len(created)} creates and as many deletes")
