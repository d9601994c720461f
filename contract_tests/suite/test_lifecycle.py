"""A resource's life: created, read back, replaced, refused when invalid, deleted for good.

Hypothesis properties over valid bodies generated from the spec, and deterministic edges (the
spec's examples, its bounds, its read-only fields). Each failure names its check, the
operation, the minimal example and a curl reproduction.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from contract_tests.api import KINDS, WORKFLOWS, contract, examples
from contract_tests.checks import CREATE_READ_BACK, DELETE_IS_FINAL, INVALID_INPUT_REFUSED, UPDATE_PERSISTS
from contract_tests.compare import mismatches
from contract_tests.probe import Probe

# The fields the server sets (the spec's conventions name them read-only), sent with a value
# that must be ignored.
FOREIGN_TIME = "2001-01-01T00:00:00Z"


def input_schema(kind: str) -> Any:
    return contract().kind(kind).input.schema


@CREATE_READ_BACK.property(kinds=KINDS, needs=("create", "get", "list", "delete"))
def test_create_read_back(p: Probe, data: st.DataObject) -> None:
    body = p.drawn(data, "body")
    created = p.create(body)
    problems = mismatches(body, created, input_schema(p.kind))
    if problems:
        raise p.fail("the 201 body differs from what was sent: " + "; ".join(problems), at="create", body=body)
    problems = mismatches(body, p.read(created["id"]), input_schema(p.kind))
    if problems:
        raise p.fail("reads back differently: " + "; ".join(problems), at="get", body=body)
    listed = p.find_listed(created["id"])
    if len(listed) != 1:
        raise p.fail(f"created id {created['id']} appears {len(listed)} times in the list", at="list", body=body)
    p.ws.delete(p.kind, created["id"])


@UPDATE_PERSISTS.property(kinds=KINDS, needs=("create", "update", "get", "list", "delete"))
def test_update_persists(p: Probe, data: st.DataObject) -> None:
    ws = p.ws
    first = p.create_drawn(data, "created")
    body = p.drawn(data, "update")
    response = ws.call("PUT", ws.path(p.kind, first["id"]), json=body)
    p.expect(response, 200, at="update", body=body)
    updated = p.json(response, at="update")
    schema = contract().kind(p.kind).op("update").body.schema  # type: ignore[union-attr]
    for source, got in (("PUT response", updated), ("next read", None)):
        if got is None:
            got = p.read(first["id"])
        problems = mismatches(body, got, schema)
        if problems:
            raise p.fail(f"{source} does not hold what was sent: " + "; ".join(problems), at="update", body=body)
        if got.get("id") != first["id"]:
            raise p.fail(f"{source}: id changed from {first['id']} to {got.get('id')}", at="update", body=body)
        if got.get("createdAt") != first.get("createdAt"):
            raise p.fail(
                f"{source}: createdAt changed from {first.get('createdAt')} to {got.get('createdAt')}",
                at="update",
                body=body,
            )
        if not p.timestamp(got.get("updatedAt"), at="update") > p.timestamp(first.get("updatedAt"), at="update"):
            raise p.fail(
                f"{source}: updatedAt did not move forward ({first.get('updatedAt')} -> {got.get('updatedAt')})",
                at="update",
                body=body,
            )
    listed = next(iter(p.find_listed(first["id"])), None)
    if listed is None:
        raise p.fail(f"updated id {first['id']} is missing from the list", at="list", body=body)
    stale = {k: v for k, v in listed.items() if k in got and got[k] != v}
    if stale:
        raise p.fail(f"the list shows stale fields after the update: {stale}", at="list", body=body)
    ws.delete(p.kind, first["id"])


@DELETE_IS_FINAL.property(kinds=KINDS)
def test_delete_is_final(p: Probe, data: st.DataObject) -> None:
    kind, ws = p.kind, p.ws
    p.needs(*contract().kind(kind).operations)
    rid = p.create(p.drawn(data, "body"))["id"]
    response = ws.call("DELETE", ws.path(kind, rid))
    p.expect(response, 204, at="delete")
    if response.content:
        raise p.fail(f"204 with a body: {response.text[:200]!r}", at="delete")
    ws.owned[kind].discard(rid)
    replacement = p.drawn(data, "update")
    # Every operation on the item, bodies where they take one: each must be 404 now.
    item_ops = [op for op in contract().kind(kind).operations.values() if op.id_param is not None]
    for op in item_ops:
        payload = replacement if op.body is not None else None
        response = ws.call(op.method, ws.path(kind, rid, op.role), json=payload)
        p.expect(response, 404, at=op, body=payload)
    response = ws.call("GET", ws.path(kind, rid))
    p.expect(response, 404, at="get")  # a 404 PUT must not have recreated it
    if rid in p.listed_ids():
        raise p.fail(f"deleted id {rid} is still listed", at="list")
    successor = p.create(replacement)["id"]  # ids are never reused
    ws.delete(kind, successor)
    if successor == rid:
        raise p.fail(f"the id {rid} of a deleted resource was given again", at="create")


# -- deterministic edges: the spec's examples, its bounds, its read-only fields -----------
def edge_body(p: Probe) -> dict[str, Any]:
    """The first example with every free-text field at its maxLength, padded with spaces."""
    body = dict(examples(p.kind)[0])
    doc = contract().document
    for name, prop in doc.properties(input_schema(p.kind)).items():
        resolved = doc.resolve(prop)
        limit = resolved.get("maxLength")
        if resolved.get("type") in ("string", ["string", "null"]) and limit and resolved.get("pattern", "\\S") == "\\S":
            body[name] = "  " + "é" * (limit - 4) + "  " if limit >= 5 else "x" * limit
    return p.guard.rename(p.kind, body)


@CREATE_READ_BACK.test(kinds=KINDS, needs=("create", "get", "delete"))
def test_create_read_back_at_the_edges(p: Probe) -> None:
    """Longest values, surrounding spaces, non-ASCII, and read-only fields that must be ignored."""
    taken = p.ws.missing_id(p.kind, p.example())
    foreign = {"id": taken, "createdAt": FOREIGN_TIME, "updatedAt": FOREIGN_TIME}
    if p.kind == WORKFLOWS:
        foreign["lastRunAt"] = FOREIGN_TIME
    body = {**edge_body(p), **foreign}
    created = p.create(body)
    for field, value in foreign.items():
        if created.get(field) == value:
            raise p.fail(f"the read-only {field} sent ({value!r}) was stored", at="create", body=body)
    problems = mismatches(body, p.read(created["id"]), input_schema(p.kind))
    if problems:
        raise p.fail("reads back differently: " + "; ".join(problems), at="get", body=body)
    p.ws.delete(p.kind, created["id"])


@UPDATE_PERSISTS.test(kinds=KINDS, needs=("create", "update", "get", "delete"))
def test_update_persists_every_field(p: Probe) -> None:
    """Switches between the spec's examples, which differ in every field (booleans and enums too)."""
    ws, shown = p.ws, examples(p.kind)
    rid = p.create(p.example())["id"]
    schema = contract().kind(p.kind).op("update").body.schema  # type: ignore[union-attr]
    for index in [*range(1, len(shown)), 0]:
        body = p.example(index)
        response = ws.call("PUT", ws.path(p.kind, rid), json=body)
        p.expect(response, 200, at="update", body=body)
        problems = mismatches(body, p.read(rid), schema)
        if problems:
            raise p.fail("not persisted: " + "; ".join(problems), at="update", body=body)
    ws.delete(p.kind, rid)


def invalid_variants(kind: str, example: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field, value) pairs that break one bound of the create schema each, derived from it:
    a pattern broken by upper case, a maximum and a maxLength passed, an enum value upper-cased."""
    found: list[tuple[str, Any]] = []
    doc = contract().document
    for name, prop in doc.properties(input_schema(kind)).items():
        resolved = doc.resolve(prop)
        value = example.get(name)
        if "pattern" in resolved and isinstance(value, str) and not re.search(resolved["pattern"], value.upper()):
            found.append((name, value.upper()))
        if "maximum" in resolved:
            found.append((name, resolved["maximum"] + 1))
        if "maxLength" in resolved:
            found.append((name, "x" * (resolved["maxLength"] + 1)))
        if "enum" in resolved and isinstance(value, str):
            found.append((name, value.upper()))
    return found


@INVALID_INPUT_REFUSED.test(kinds=KINDS, needs=("create", "update", "get", "delete"))
def test_invalid_input_is_refused(p: Probe) -> None:
    """Each broken bound is a 400 that names the field, and creates or changes nothing."""
    ws = p.ws
    rid = p.create(p.example())["id"]
    before = ws.call("GET", ws.path(p.kind, rid)).json()
    for field, value in invalid_variants(p.kind, p.example()):
        # (values are derived from a fresh, unique name: a lowercased one must not collide)
        body = {**p.example(), field: value}
        for role, method, path in (("create", "POST", ws.path(p.kind)), ("update", "PUT", ws.path(p.kind, rid))):
            response = ws.call(method, path, json=body)
            if response.status_code == 201:
                ws.adopt(p.kind, response)
            p.expect(response, 400, at=role, body=body)
            if field not in p.json(response, at=role):
                raise p.fail(f"the 400 does not name {field!r}: {response.text[:200]}", at=role)
    if ws.call("GET", ws.path(p.kind, rid)).json() != before:
        raise p.fail("a refused update changed the resource", at="update")
    ws.delete(p.kind, rid)
