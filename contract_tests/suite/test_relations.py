"""What field names and descriptions imply where no schema keyword says it: order in time
(`createdAt`, `updatedAt`, a run's `startedAt` and `finishedAt`, `lastRunAt`), references (a run
names the workflow that ran and mirrors its actions; `lastRunAt` follows that workflow's runs
only) and counts (`count` follows every create and delete). The schemas looked at are those the
operations answer with (the detail, the listed item, the run result)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from hypothesis import strategies as st

from contract_tests.api import KINDS, PAGE_SIZE, WORKFLOWS, contract, detail_schema, listed_schema, run_schema
from contract_tests.checks import COUNT_TRACKS_WRITES, RUN_REFERENCES, TIMESTAMPS_ORDERED
from contract_tests.probe import At, Probe

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
UNFINISHED = frozenset({"queued", "running"})  # "finishedAt ... null while it is queued or running"


# -- time ------------------------------------------------------------------------------
def time_fields(schema: Any) -> dict[str, bool]:
    """The date-time fields of a response schema, each with whether the spec says UTC (`Z`):
    those whose schema's description says so (the spec's timestamps: "An RFC 3339 timestamp in
    UTC (`Z`)") do, plain date-times do not."""
    doc = contract().document
    fields: dict[str, bool] = {}
    for name, prop in doc.properties(schema).items():
        if doc.resolve(prop).get("format") == "date-time":
            fields[name] = any("UTC" in d for d in _descriptions(prop))
    return fields


def _descriptions(node: Any) -> list[str]:
    """The descriptions met following a schema's references (its own, then each target's)."""
    found = []
    while isinstance(node, Mapping):
        if isinstance(node.get("description"), str):
            found.append(node["description"])
        if "$ref" not in node:
            break
        node = contract().document.pointer(node["$ref"])
    return found


def instants(p: Probe, at: At, record: Any, schema: Any) -> dict[str, datetime | None]:
    """The record's date-time fields as aware datetimes (None where the value is null)."""
    if not isinstance(record, dict):
        raise p.fail(f"expected an object, got {record!r}"[:300], at=at)
    found: dict[str, datetime | None] = {}
    for name, utc in time_fields(schema).items():
        value = record.get(name)
        if value is None:
            found[name] = None
            continue
        if not isinstance(value, str) or not _RFC3339.fullmatch(value):
            raise p.fail(f"{name} is not an RFC 3339 date-time with its offset: {value!r}", at=at)
        if utc and not value.endswith(("Z", "z")):
            raise p.fail(f"{name} is not in UTC with `Z`, as the spec's timestamps say: {value!r}", at=at)
        found[name] = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return found


def not_after(p: Probe, at: At, earlier: tuple[str, datetime | None], later: tuple[str, datetime | None]) -> None:
    """`earlier` is not after `later` (equal is fine: clocks have a resolution)."""
    (a_name, a), (b_name, b) = earlier, later
    if a is not None and b is not None and a > b:
        raise p.fail(f"{a_name} ({a.isoformat()}) is after {b_name} ({b.isoformat()})", at=at)


def run_once(p: Probe, rid: int) -> dict[str, Any]:
    response = p.ws.call("POST", p.ws.path(WORKFLOWS, rid, "run"))
    p.expect(response, 200, at="run")
    run = p.json(response, at="run")
    if not isinstance(run, dict):
        raise p.fail(f"the run result is not an object: {run!r}"[:300], at="run")
    return run


def unfinished_statuses() -> set[str]:
    """The run statuses during which `finishedAt` is null ("null while it is queued or running")."""
    return set(contract().field(run_schema(), "status")["enum"]) & UNFINISHED


@TIMESTAMPS_ORDERED.property(kinds=KINDS, needs=("create", "get", "update", "delete"))
def test_timestamps_ordered(p: Probe, data: st.DataObject) -> None:
    """createdAt <= updatedAt on create and after an update, one createdAt in the 201, the detail
    and the list; a run starts no earlier than its workflow was created and finishes no earlier
    than it started (finishedAt null exactly while queued or running); lastRunAt is not before
    the workflow's createdAt and never goes back. (It is not compared with the run's startedAt:
    a service may record when a run was asked for, before the run starts.)"""
    kind, ws = p.kind, p.ws
    detail = detail_schema(kind)
    created = p.create_drawn(data, "created")
    rid = created["id"]
    first = instants(p, "create", created, detail)
    not_after(p, "create", ("createdAt", first["createdAt"]), ("updatedAt", first["updatedAt"]))
    views = [("get", "the detail", p.read(rid), detail)]
    if p.selected("list"):
        listed = p.find_listed(rid)
        if listed:  # (whether it is listed at all is create_read_back's to judge)
            views.append(("list", "the list", listed[0], listed_schema(kind)))
    for at, where, record, schema in views:
        seen = instants(p, at, record, schema)
        if seen["createdAt"] != first["createdAt"]:
            raise p.fail(
                f"{where} says createdAt={record.get('createdAt')}, the 201 said {created['createdAt']}", at=at
            )
        if "updatedAt" in seen:
            not_after(p, at, ("createdAt", seen["createdAt"]), ("updatedAt", seen["updatedAt"]))
    body = p.drawn(data, "update")
    response = ws.call("PUT", ws.path(kind, rid), json=body)
    p.expect(response, 200, at="update", body=body)
    updated = p.json(response, at="update")
    for where, record in (("PUT response", updated), ("read after PUT", None)):
        record = record if record is not None else p.read(rid)
        seen = instants(p, "update", record, detail)
        before = ("updatedAt before the update", first["updatedAt"])
        not_after(p, "update", ("createdAt", seen["createdAt"]), (f"updatedAt ({where})", seen["updatedAt"]))
        not_after(p, "update", before, (f"updatedAt ({where})", seen["updatedAt"]))
    if kind == WORKFLOWS and p.selected("run"):
        runs_are_ordered(p, rid, first["createdAt"])
    ws.delete(kind, rid)


def runs_are_ordered(p: Probe, rid: int, created_at: datetime | None) -> None:
    last_run_at: datetime | None = None
    for attempt in ("first", "second"):
        run = run_once(p, rid)
        times = instants(p, "run", run, run_schema())
        started, finished = times["startedAt"], times["finishedAt"]
        unfinished = run.get("status") in unfinished_statuses()
        if unfinished != (finished is None):
            state = "null" if finished is None else run.get("finishedAt")
            raise p.fail(
                f"a {run.get('status')} run has finishedAt={state}: it is null exactly while queued or running",
                at="run",
            )
        not_after(p, "run", ("startedAt", started), ("finishedAt", finished))
        not_after(p, "run", ("the workflow's createdAt", created_at), ("the run's startedAt", started))
        now = instants(p, "get", p.read(rid), detail_schema(WORKFLOWS))["lastRunAt"]
        if now is None:
            raise p.fail(f"lastRunAt is null after the {attempt} run", at="run")
        not_after(p, "run", ("the workflow's createdAt", created_at), ("lastRunAt", now))
        not_after(p, "run", ("lastRunAt after the first run", last_run_at), ("lastRunAt after the second", now))
        last_run_at = now


@TIMESTAMPS_ORDERED.test(kinds=KINDS, needs=("list", "get"))
def test_timestamps_ordered_as_stored(p: Probe) -> None:
    """The same order on what the workspace already holds (the first page and its details):
    runs read-only too, so a production check sees the stored data."""
    kind, ws = p.kind, p.ws
    response = ws.call("GET", ws.path(kind) + f"?{PAGE_SIZE}=20")
    p.expect(response, 200, at="list")
    for item in p.json(response, at="list").get("results", []):
        seen = instants(p, "list", item, listed_schema(kind))
        not_after(p, "list", ("createdAt", seen["createdAt"]), ("updatedAt", seen.get("updatedAt")))
        if not isinstance(item.get("id"), int):
            continue
        detail = instants(p, "get", p.read(item["id"]), detail_schema(kind))
        for field in ("updatedAt", "lastRunAt"):
            not_after(p, "get", ("createdAt", detail["createdAt"]), (field, detail.get(field)))


# -- references ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def run_ids() -> dict[int, int]:
    """Run id -> the workflow it ran, across this run's whole session."""
    return {}


def definition(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The fields a client sets (those of the input schema), without the server-set ones."""
    names = contract().kind(kind).input.fields
    return {k: v for k, v in record.items() if k in names}


@RUN_REFERENCES.property(kinds=WORKFLOWS, needs=("create", "update", "get", "run", "delete"))
def test_run_references(p: Probe, data: st.DataObject, run_ids: dict[int, int]) -> None:
    """A run names the workflow that ran and mirrors its current actions (`index` 0..n-1 in
    order, each action's `type`); every run has its own id; a run records lastRunAt on its own
    workflow only and changes nothing of its definition; an update is no run: lastRunAt stays."""
    ws = p.ws
    a_body = p.drawn(data, "workflow a")
    a = p.create(a_body)
    b_body = p.drawn(data, "workflow b")
    b = p.create(b_body)

    def run(workflow: dict[str, Any], actions: list[dict[str, Any]]) -> None:
        result = run_once(p, workflow["id"])
        if result.get("workflowId") != workflow["id"]:
            raise p.fail(f"ran workflow {workflow['id']}, the run says workflowId={result.get('workflowId')}", at="run")
        results = result.get("actions")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise p.fail(f"the run's actions are not a list of results: {results!r}"[:300], at="run")
        indexes = [r.get("index") for r in results]
        if indexes != list(range(len(actions))):
            raise p.fail(
                f"a workflow of {len(actions)} actions ran with result indexes {indexes}, not 0..n-1", at="run"
            )
        types = [r.get("type") for r in results]
        if types != [action["type"] for action in actions]:
            raise p.fail(
                f"the results' types {types} are not the workflow's actions {[x['type'] for x in actions]}", at="run"
            )
        run_id = result.get("id")
        if not isinstance(run_id, int):
            raise p.fail(f"the run has no integer id: {run_id!r}", at="run")
        if run_id in run_ids:
            raise p.fail(
                f"run id {run_id} was given before, to a run of workflow {run_ids[run_id]}: every run has its own id",
                at="run",
            )
        run_ids[run_id] = workflow["id"]

    a_before = p.read(a["id"])
    b_before = p.read(b["id"])
    run(a, a_body["actions"])
    if p.read(b["id"]) != b_before:
        raise p.fail(f"running workflow {a['id']} changed workflow {b['id']}", at="run")
    a_after = p.read(a["id"])
    if definition(WORKFLOWS, a_after) != definition(WORKFLOWS, a_before):
        raise p.fail(f"running workflow {a['id']} changed its definition: {a_before} -> {a_after}", at="run")
    last = a_after.get("lastRunAt")
    if last is None:
        raise p.fail(f"workflow {a['id']} ran but its lastRunAt is null", at="run")
    run(b, b_body["actions"])
    if p.read(a["id"]).get("lastRunAt") != last:
        raise p.fail(f"running workflow {b['id']} changed lastRunAt of workflow {a['id']}", at="run")
    new_body = p.drawn(data, "update of a")
    response = ws.call("PUT", ws.path(WORKFLOWS, a["id"]), json=new_body)
    p.expect(response, 200, at="update", body=new_body)
    for where, record in (("the PUT response", p.json(response, at="update")), ("the next read", None)):
        record = record if record is not None else p.read(a["id"])
        if record.get("lastRunAt") != last:
            raise p.fail(
                f"{where}: an update changed lastRunAt from {last} to {record.get('lastRunAt')} (it ran no workflow)",
                at="update",
                body=new_body,
            )
    run(a, new_body["actions"])  # the run follows the definition as updated
    ws.delete(WORKFLOWS, a["id"])
    ws.delete(WORKFLOWS, b["id"])


# -- counts ----------------------------------------------------------------------------
def count_of(p: Probe) -> int:
    response = p.ws.call("GET", p.ws.path(p.kind) + f"?{PAGE_SIZE}=1")
    p.expect(response, 200, at="list")
    count = p.json(response, at="list").get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        raise p.fail(f"count is not an integer: {count!r}", at="list")
    return count


@COUNT_TRACKS_WRITES.property(kinds=KINDS, needs=("list", "create", "delete"))
def test_count_tracks_writes(p: Probe, data: st.DataObject) -> None:
    """After k creates `count` is k more, after j deletes j less, and the list holds exactly what
    it held plus what was created (a create stores one resource). In a shared workspace others
    write too: only `count` >= what this example has alive there is checked."""
    kind, ws = p.kind, p.ws
    exact = p.options.exact_counts
    before = p.listed_ids() if exact else []
    start = count_of(p)
    created = [p.create_drawn(data)["id"] for _ in range(data.draw(st.integers(1, 4), label="k"))]
    gone = data.draw(st.integers(1, len(created)), label="j")

    def expect_count(alive: list[int], after: str) -> None:
        count = count_of(p)
        if exact and count != start + len(alive):
            raise p.fail(f"count went from {start} to {count} after {after}; expected {start + len(alive)}", at="list")
        if count < len(alive):
            raise p.fail(f"count={count}, but this run alone has {len(alive)} {kind} alive here", at="list")

    expect_count(created, f"{len(created)} creates")
    if exact:
        listed = p.listed_ids()
        extra = sorted(set(listed) - set(before) - set(created))
        lost = sorted(set(before) - set(listed))
        if extra or lost:
            raise p.fail(
                f"after creating {created} the list also holds {extra} and lost {lost}: a create stores one resource",
                at="list",
            )
    for rid in created[:gone]:
        ws.delete(kind, rid)
    expect_count(created[gone:], f"{len(created)} creates and {gone} deletes")
    for rid in created[gone:]:
        ws.delete(kind, rid)
    expect_count([], f"{len(created)} creates and as many deletes")
