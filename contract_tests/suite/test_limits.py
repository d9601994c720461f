"""Every documented limit across its whole span, derived from the spec's schemas (nothing is
written again here): a body with each bounded value at its maximum, and one with each at its
minimum, round-trip exactly through create, read and replace; a value one past a bound is a
`400` naming its top-level field, and nothing is stored; lists honour `page_size` up to its
maximum with more items than that present. Deterministic: one pass per kind and run."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import pytest

from api_spec import load_spec
from contract_tests.compare import input_schema, mismatches, resolve_schema
from contract_tests.conformance import Guard, all_example_bodies
from contract_tests.options import SuiteOptions
from contract_tests.suite.test_properties import (
    LABEL,
    OPS,
    create,
    expect_status,
    fail,
    json_of,
    needs_kind,
    selected,
)
from contract_tests.target import KINDS, WORKFLOWS, Target, Workspace

CHECK = "limits_honoured"
_MISSING = object()
FILLERS = ("x", "0", "-x", ",0", " x")  # tried in turn to lengthen a value without breaking its pattern
NUMBER_STEP = 0.001  # "one past" a bound of a (non-integer) number


# -- values from the schema ------------------------------------------------------------
def types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", ())
    return {declared} if isinstance(declared, str) else set(declared)


def branch(schema: dict[str, Any], value: Any) -> dict[str, Any] | None:
    """The `oneOf` branch a value picks through the discriminator."""
    tag = schema.get("discriminator", {}).get("propertyName")
    ref = schema.get("discriminator", {}).get("mapping", {}).get(value.get(tag)) if isinstance(value, dict) else None
    return resolve_schema({"$ref": ref}) if ref else None


def instance(schema: Any) -> Any:
    """A small valid value of `schema` (its const, enum, default or example first), or _MISSING."""
    s = resolve_schema(schema)
    for key in ("const", "default"):
        if key in s:
            return copy.deepcopy(s[key])
    for key in ("enum", "examples"):
        if s.get(key):
            return copy.deepcopy(s[key][0])
    if "oneOf" in s:
        return instance(s["oneOf"][0])
    kinds = types(s)
    if "object" in kinds:
        made = {name: instance(s.get("properties", {}).get(name, {})) for name in s.get("required", [])}
        return _MISSING if _MISSING in made.values() else made
    if "array" in kinds:
        item = instance(s.get("items", {}))
        needed = s.get("minItems", 0)
        return [] if needed == 0 else _MISSING if item is _MISSING else [item] * needed
    if "string" in kinds:
        text = "x" * max(1, s.get("minLength", 0))
        return text if not s.get("pattern") or re.search(s["pattern"], text) else _MISSING
    if kinds & {"integer", "number"}:
        return s.get("minimum", 0)
    if "boolean" in kinds:
        return True
    return None if "null" in kinds else _MISSING


def stretch(text: str, length: int, pattern: str | None, salt: int = 0) -> str | None:
    """`text` (salted, so list items differ) made exactly `length` characters, still matching `pattern`."""
    head = f"{salt}{text}" if salt else text
    for filler in FILLERS:
        candidate = (head + filler * length)[:length]
        if len(candidate) == length and (not pattern or re.search(pattern, candidate)):
            return candidate
    return None


def extreme(schema: Any, value: Any, high: bool, salt: int = 0) -> Any:
    """`value` with every bounded length, size and number inside it at its maximum (`high`) or
    minimum: optional properties are filled in, free-form maps get one entry at the maximum."""
    s = resolve_schema(schema)
    if "oneOf" in s:
        chosen = branch(s, value)
        return value if chosen is None else extreme(chosen, value, high, salt)
    kinds = types(s)
    if isinstance(value, dict):
        out = dict(value)
        for name, sub in s.get("properties", {}).items():
            base = out.get(name, _MISSING)
            base = instance(sub) if base is _MISSING else base
            if base is not _MISSING:
                out[name] = extreme(sub, base, high, salt)
        extra = s.get("additionalProperties")
        if high and isinstance(extra, dict) and extra and instance(extra) is not _MISSING:
            out[f"key{salt}"] = extreme(extra, instance(extra), high, salt)
        return out
    if isinstance(value, list):
        size = s.get("maxItems" if high else "minItems", 0 if not high else None)
        items = s.get("items", {})
        pool = value or ([] if instance(items) is _MISSING else [instance(items)])
        if size is None or not pool:
            return value
        return [extreme(items, pool[i % len(pool)], high, i) for i in range(size)]
    if "enum" in s or "const" in s:
        return value
    if (isinstance(value, str) or value is None) and "string" in kinds:
        if high and "maxLength" in s:
            return stretch(value or "", s["maxLength"], s.get("pattern"), salt) or value
        if not high and isinstance(value, str) and "minLength" in s and len(value) > s["minLength"]:
            short = value[: s["minLength"]]  # (only a declared minLength: "" may not suit what a field means)
            return short if not s.get("pattern") or re.search(s["pattern"], short) else value
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return s.get("maximum" if high else "minimum", value)
    return value


def breaches(schema: Any, value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(where, value) pairs: `value` with one bound inside it passed by one, each."""
    s = resolve_schema(schema)
    if "oneOf" in s:
        chosen = branch(s, value)
        if chosen is not None:
            yield from breaches(chosen, value, where)
        return
    if isinstance(value, dict):
        for name, sub in s.get("properties", {}).items():
            base = value.get(name, _MISSING)
            base = instance(sub) if base is _MISSING else base
            if base is not _MISSING:
                for at, bad in breaches(sub, base, f"{where}.{name}" if where else name):
                    yield at, {**value, name: bad}
        extra = s.get("additionalProperties")
        if isinstance(extra, dict) and extra and instance(extra) is not _MISSING:
            for at, bad in breaches(extra, instance(extra), f"{where}.key"):
                yield at, {**value, "key": bad}
        return
    if isinstance(value, list):
        items = s.get("items", {})
        pool = value or ([] if instance(items) is _MISSING else [instance(items)])
        if "maxItems" in s and pool:
            yield f"{where} with {s['maxItems'] + 1} items", [pool[i % len(pool)] for i in range(s["maxItems"] + 1)]
        if s.get("minItems", 0) > 0 and pool:
            yield f"{where} with {s['minItems'] - 1} items", (pool * s["minItems"])[: s["minItems"] - 1]
        if pool:
            for at, bad in breaches(items, pool[0], f"{where}[0]"):
                yield at, [bad, *pool[1:]]
        return
    if "enum" in s or "const" in s:
        return
    kinds = types(s)
    if (isinstance(value, str) or value is None) and "string" in kinds:
        if "maxLength" in s:
            long = stretch(value or "", s["maxLength"] + 1, s.get("pattern"))
            if long is not None:
                yield f"{where} of {s['maxLength'] + 1} characters", long
        if s.get("minLength", 0) > 0:
            yield f"{where} of {s['minLength'] - 1} characters", (value or "")[: s["minLength"] - 1]
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        step = 1 if "integer" in kinds else NUMBER_STEP
        if "maximum" in s:
            yield f"{where} = {s['maximum'] + step}", s["maximum"] + step
        if "minimum" in s:
            yield f"{where} = {s['minimum'] - step}", s["minimum"] - step


def samples(kind: str) -> list[dict[str, Any]]:
    """The spec's first example, and one copy per branch of each discriminated `oneOf` field it
    does not already show (so every trigger type's own bounds are reached)."""
    base = all_example_bodies()[kind][0]
    found = [copy.deepcopy(base)]
    for name, prop in input_schema(OPS[kind]["create"]).get("properties", {}).items():
        s = resolve_schema(prop)
        for tag, ref in s.get("discriminator", {}).get("mapping", {}).items():
            shown = isinstance(base.get(name), dict) and base[name].get(s["discriminator"]["propertyName"]) == tag
            made = instance({"$ref": ref})
            if not shown and made is not _MISSING:
                found.append({**copy.deepcopy(base), name: made})
    return found


@dataclass(frozen=True)
class Plan:
    """What one kind is tested with: per sample a body at every maximum and one at every
    minimum, and one body per place where a bound is passed by one."""

    high: list[dict[str, Any]]
    low: list[dict[str, Any]]
    past: list[tuple[str, dict[str, Any]]]


def plan(guard: Guard, kind: str) -> Plan:
    """The bodies, in this run's namespace: a name is prefixed before it is lengthened, so a name
    at its maxLength (or one past it) still carries the run's prefix."""
    schema = input_schema(OPS[kind]["create"])
    high: list[dict[str, Any]] = []
    low: list[dict[str, Any]] = []
    past: dict[str, dict[str, Any]] = {}
    for sample in samples(kind):
        high.append(extreme(schema, guard.rename(kind, sample), True))
        low.append(guard.rename(kind, extreme(schema, sample, False)))
        marked = guard.rename(kind, {**sample, "name": f"past-{sample['name']}"})  # refused ones, told apart
        for where, body in breaches(schema, marked):
            past.setdefault(where, body)  # one body per place, from the first sample that reaches it
    validator = _validator(kind)
    for body in high + low:  # a body the spec refuses would be the suite's bug, never the target's
        assert validator.is_valid(body), f"suite bug: an at-the-bound {kind} body breaks the spec: {body!r}"[:500]
    for where, body in past.items():
        assert not validator.is_valid(body), f"suite bug: {kind} {where} does not break the spec"
    return Plan(high, low, list(past.items()))


def _validator(kind: str) -> jsonschema_rs.Validator:
    """The create operation's request schema, its references resolved within the spec."""
    method, path = LABEL[OPS[kind]["create"]].split(" ", 1)
    spec = load_spec()
    schema = spec["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": spec["components"]})


# -- the checks ------------------------------------------------------------------------
def read(ws: Workspace, target: Target, kind: str, rid: int) -> dict[str, Any]:
    response = ws.call("GET", ws.path(kind, rid))
    expect_status(target, CHECK, OPS[kind]["get"], response, 200)
    return json_of(target, CHECK, OPS[kind]["get"], response)


def create_at(guard: Guard, kind: str, body: dict[str, Any], what: str) -> dict[str, Any]:
    """Creates a body at its bounds; a refusal is reported without the (large) body itself."""
    ws, op = guard.workspace, OPS[kind]["create"]
    response = ws.call("POST", ws.path(kind), json=body)
    created = ws.adopt(kind, response)
    if response.status_code != 201 or created is None or not isinstance(created.get("id"), int):
        raise fail(guard.target, CHECK, op, f"{what}: expected 201, got {response.status_code}: {response.text[:300]}")
    guard.owned(kind, created["id"])
    return created


def same(target: Target, kind: str, op: str, sent: dict[str, Any], got: Any, what: str) -> None:
    problems = mismatches(sent, got, input_schema(OPS[kind]["create"]))
    if problems:
        raise fail(target, CHECK, op, f"{what} does not round-trip exactly: " + "; ".join(problems)[:1500])


@pytest.mark.parametrize("aspect", ["bodies", "lists"])
@pytest.mark.parametrize("kind", KINDS)
def test_limits_honoured(kind: str, aspect: str, wp_guard: Guard, wp_options: SuiteOptions) -> None:
    """Every documented limit across its span: in request bodies, and in list parameters."""
    (bodies_at_bounds if aspect == "bodies" else lists_at_bounds)(kind, wp_guard, wp_options)


def bodies_at_bounds(kind: str, guard: Guard, options: SuiteOptions) -> None:
    """Each bounded value at its maximum and at its minimum is stored exactly (create, read,
    replace, and a workflow at its maximum runs whole); one past a bound is a 400 naming the
    top-level field, on create and on replace, and stores nothing."""
    needs_kind(kind, "create", "get", "update", "delete", "list")
    ws, target, ops = guard.workspace, guard.target, OPS[kind]
    bodies = plan(guard, kind)
    for high, low in zip(bodies.high, bodies.low, strict=True):
        created = create_at(guard, kind, high, "a body at every maximum")
        same(target, kind, ops["create"], high, created, "the 201 of a body at every maximum")
        same(target, kind, ops["get"], high, read(ws, target, kind, created["id"]), "a body at every maximum")
        if kind == WORKFLOWS and selected(ops["run"]):
            response = ws.call("POST", ws.path(kind, created["id"], "/run"))
            expect_status(target, CHECK, ops["run"], response, 200)
            results = json_of(target, CHECK, ops["run"], response).get("actions")
            if not isinstance(results, list) or len(results) != len(high["actions"]):
                got = len(results) if isinstance(results, list) else results
                raise fail(target, CHECK, ops["run"], f"a workflow of {len(high['actions'])} actions ran {got}")
        for body, what in ((low, "every minimum"), (high, "every maximum")):
            response = ws.call("PUT", ws.path(kind, created["id"]), json=body)
            if response.status_code != 200:
                got = f"{response.status_code}: {response.text[:300]}"
                raise fail(target, CHECK, ops["update"], f"a replace at {what}: expected 200, got {got}")
            same(target, kind, ops["update"], body, read(ws, target, kind, created["id"]), f"a replace at {what}")
        ws.delete(kind, created["id"])
        created = create_at(guard, kind, low, "a body at every minimum")
        same(target, kind, ops["get"], low, read(ws, target, kind, created["id"]), "a body at every minimum")
        ws.delete(kind, created["id"])
    kept = create(guard, kind, guard.rename(kind, all_example_bodies()[kind][0]), CHECK)
    before = read(ws, target, kind, kept["id"])
    start = {item.get("id") for item in ws.list_all(kind)} if options.exact_counts else None
    for where, body in bodies.past:
        field = re.split(r"[.\[ ]", where, maxsplit=1)[0]
        for op, method, path in (("create", "POST", ws.path(kind)), ("update", "PUT", ws.path(kind, kept["id"]))):
            response = ws.call(method, path, json=body)
            if response.status_code == 201:
                ws.adopt(kind, response)
            if response.status_code != 400:
                raise fail(target, CHECK, ops[op], f"{where}: expected 400, got {response.status_code}")
            if field not in json_of(target, CHECK, ops[op], response):
                raise fail(target, CHECK, ops[op], f"{where}: the 400 does not name {field!r}: {response.text[:200]}")
    if read(ws, target, kind, kept["id"]) != before:
        raise fail(target, CHECK, ops["update"], "a replace refused with 400 changed the resource anyway")
    refused = {str(body.get("name")) for _, body in bodies.past}
    listed = ws.list_all(kind)
    stored = sorted({str(item.get("name")) for item in listed} & refused)
    new = sorted({item.get("id") for item in listed} - start) if start is not None else []
    if stored or new:
        raise fail(target, CHECK, ops["list"], f"creates refused with 400 stored something: {stored or new}")
    ws.delete(kind, kept["id"])


def lists_at_bounds(kind: str, guard: Guard, options: SuiteOptions) -> None:
    """`page` and `page_size` one past their bounds are 400s naming them, the last page number is
    404 (past the end), and with more items than the largest page_size, page 1 holds exactly as
    many as asked at sizes across the span and a walk at the largest lists every item once: a
    server that caps page_size lower is caught. Creates the items it needs (none read-only); in
    a shared workspace only its own items must be listed, once."""
    needs_kind(kind, "list")
    ws, target, op = guard.workspace, guard.target, OPS[kind]["list"]
    params = integer_parameters(op)
    base = target.base_url + ws.path(kind)
    for name, schema in params.items():
        outside = [schema["minimum"] - 1] if "minimum" in schema else []
        outside += [schema["maximum"] + 1] if "maximum" in schema else []
        for value in outside:
            response = target.call("GET", f"{base}?{name}={value}")
            expect_status(target, CHECK, op, response, 400)
            if name not in json_of(target, CHECK, op, response):
                raise fail(
                    target, CHECK, op, f"the 400 for {name}={value} does not name {name!r}: {response.text[:200]}"
                )
    if "maximum" in params.get("page", {}):
        response = target.call("GET", f"{base}?page={params['page']['maximum']}")
        expect_status(target, CHECK, op, response, 404)  # the last page number is past the end
    sizes = params.get("page_size", {})
    largest = sizes.get("maximum")
    if largest is None:
        return
    count = page_count(target, op, f"{base}?page_size=1")
    created: list[int] = []
    if not options.read_only and selected(OPS[kind]["create"]) and selected(OPS[kind]["delete"]):
        wanted = max(largest + 1 - count, 0 if options.exact_counts else 2)
        body = all_example_bodies()[kind][0]
        created = [create(guard, kind, guard.rename(kind, body), CHECK)["id"] for _ in range(wanted)]
        count += len(created)
    if options.exact_counts:
        smallest = sizes.get("minimum", 1)
        for size in sorted({smallest, smallest + 1, largest // 2, largest // 2 + 1, largest - 1, largest}):
            response = target.call("GET", f"{base}?page_size={size}")
            expect_status(target, CHECK, op, response, 200)
            results = json_of(target, CHECK, op, response).get("results")
            if not isinstance(results, list) or len(results) != min(size, count):
                got = len(results) if isinstance(results, list) else results
                raise fail(target, CHECK, op, f"page_size={size} with {count} items: page 1 holds {got}")
    for _ in range(1 if options.exact_counts else 3):  # a concurrent delete may shift an item past a walk
        listed = [item.get("id") for item in ws.list_all(kind, page_size=largest)]
        missing = [rid for rid in created if listed.count(rid) != 1]
        if not missing:
            break
    else:
        raise fail(target, CHECK, op, f"walking pages of {largest}: created ids {missing} are not listed exactly once")
    for rid in created:
        ws.delete(kind, rid)


def page_count(target: Target, op: str, url: str) -> int:
    response = target.call("GET", url)
    expect_status(target, CHECK, op, response, 200)
    count = json_of(target, CHECK, op, response).get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        raise fail(target, CHECK, op, f"count is not an integer: {count!r}")
    return count


def integer_parameters(op_id: str) -> dict[str, dict[str, Any]]:
    """The operation's integer query parameters (`page`, `page_size`) with their schemas."""
    method, path = LABEL[op_id].split(" ", 1)
    found = {}
    for param in load_spec()["paths"][path][method.lower()].get("parameters", []):
        param = resolve_schema(param)
        schema = resolve_schema(param.get("schema", {}))
        if param.get("in") == "query" and "integer" in types(schema):
            found[param["name"]] = schema
    return found
