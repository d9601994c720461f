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

import pytest

from contract_tests.api import KINDS, PAGE, PAGE_SIZE, WORKFLOWS, contract, examples, validator
from contract_tests.checks import LIMITS_HONOURED
from contract_tests.compare import mismatches
from contract_tests.conformance import Guard
from contract_tests.probe import At, Probe

_MISSING = object()
FILLERS = ("x", "0", "-x", ",0", " x")  # tried in turn to lengthen a value without breaking its pattern
NUMBER_STEP = 0.001  # "one past" a bound of a (non-integer) number


# -- values from the schema ------------------------------------------------------------
def resolve(schema: Any) -> Any:
    return contract().document.resolve(schema)


def properties(schema: Any) -> dict[str, Any]:
    return contract().document.properties(schema)


def types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", ())
    return {declared} if isinstance(declared, str) else set(declared)


def branch(schema: dict[str, Any], value: Any) -> Any:
    """The `oneOf` branch a value picks through the discriminator (None: none)."""
    chosen = contract().document.branch(schema, value)
    return chosen.schema if chosen is not None else None


def instance(schema: Any) -> Any:
    """A small valid value of `schema` (its const, enum, default or example first), or _MISSING."""
    s = resolve(schema)
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
        required = contract().document.required(s)
        made = {name: instance(sub) for name, sub in properties(s).items() if name in required}
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
    s = resolve(schema)
    if "oneOf" in s:
        chosen = branch(s, value)
        return value if chosen is None else extreme(chosen, value, high, salt)
    kinds = types(s)
    if isinstance(value, dict):
        out = dict(value)
        for name, sub in properties(s).items():
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
    s = resolve(schema)
    if "oneOf" in s:
        chosen = branch(s, value)
        if chosen is not None:
            yield from breaches(chosen, value, where)
        return
    if isinstance(value, dict):
        for name, sub in properties(s).items():
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
    doc = contract().document
    base = examples(kind)[0]
    found = [copy.deepcopy(base)]
    for name, prop in properties(contract().kind(kind).input.schema).items():
        shape = doc.branch(prop, {})
        if shape is None:
            continue
        for tag in shape.choices:
            shown = isinstance(base.get(name), dict) and base[name].get(shape.property) == tag
            made = instance(doc.branch(prop, {shape.property: tag}).schema)  # type: ignore[union-attr]
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
    schema = contract().kind(kind).input.schema
    high: list[dict[str, Any]] = []
    low: list[dict[str, Any]] = []
    past: dict[str, dict[str, Any]] = {}
    for sample in samples(kind):
        high.append(extreme(schema, guard.rename(kind, sample), True))
        low.append(guard.rename(kind, extreme(schema, sample, False)))
        marked = guard.rename(kind, {**sample, "name": f"past-{sample['name']}"})  # refused ones, told apart
        for where, body in breaches(schema, marked):
            past.setdefault(where, body)  # one body per place, from the first sample that reaches it
    valid = validator(schema)
    for body in high + low:  # a body the spec refuses would be the suite's bug, never the target's
        assert valid.is_valid(body), f"suite bug: an at-the-bound {kind} body breaks the spec: {body!r}"[:500]
    for where, body in past.items():
        assert not valid.is_valid(body), f"suite bug: {kind} {where} does not break the spec"
    return Plan(high, low, list(past.items()))


# -- the checks ------------------------------------------------------------------------
def create_at(p: Probe, body: dict[str, Any], what: str) -> dict[str, Any]:
    """Creates a body at its bounds; a refusal is reported without the (large) body itself."""
    ws = p.ws
    response = ws.call("POST", ws.path(p.kind), json=body)
    created = ws.adopt(p.kind, response)
    if response.status_code != 201 or created is None or not isinstance(created.get("id"), int):
        raise p.fail(f"{what}: expected 201, got {response.status_code}: {response.text[:300]}", at="create")
    return created


def same(p: Probe, at: At, sent: dict[str, Any], got: Any, what: str) -> None:
    problems = mismatches(sent, got, contract().kind(p.kind).input.schema)
    if problems:
        raise p.fail(f"{what} does not round-trip exactly: " + "; ".join(problems)[:1500], at=at)


@pytest.mark.parametrize("aspect", ["bodies", "lists"])
@LIMITS_HONOURED.test(kinds=KINDS)
def test_limits_honoured(p: Probe, aspect: str) -> None:
    """Every documented limit across its span: in request bodies, and in list parameters."""
    (bodies_at_bounds if aspect == "bodies" else lists_at_bounds)(p)


def bodies_at_bounds(p: Probe) -> None:
    """Each bounded value at its maximum and at its minimum is stored exactly (create, read,
    replace, and a workflow at its maximum runs whole); one past a bound is a 400 naming the
    top-level field, on create and on replace, and stores nothing."""
    p.needs("create", "get", "update", "delete", "list")
    kind, ws = p.kind, p.ws
    assert kind is not None
    bodies = plan(p.guard, kind)
    for high, low in zip(bodies.high, bodies.low, strict=True):
        created = create_at(p, high, "a body at every maximum")
        same(p, "create", high, created, "the 201 of a body at every maximum")
        same(p, "get", high, p.read(created["id"]), "a body at every maximum")
        if kind == WORKFLOWS and p.selected("run"):
            response = ws.call("POST", ws.path(kind, created["id"], "run"))
            p.expect(response, 200, at="run")
            results = p.json(response, at="run").get("actions")
            if not isinstance(results, list) or len(results) != len(high["actions"]):
                got = len(results) if isinstance(results, list) else results
                raise p.fail(f"a workflow of {len(high['actions'])} actions ran {got}", at="run")
        for body, what in ((low, "every minimum"), (high, "every maximum")):
            response = ws.call("PUT", ws.path(kind, created["id"]), json=body)
            if response.status_code != 200:
                got = f"{response.status_code}: {response.text[:300]}"
                raise p.fail(f"a replace at {what}: expected 200, got {got}", at="update")
            same(p, "update", body, p.read(created["id"]), f"a replace at {what}")
        ws.delete(kind, created["id"])
        created = create_at(p, low, "a body at every minimum")
        same(p, "get", low, p.read(created["id"]), "a body at every minimum")
        ws.delete(kind, created["id"])
    kept = p.create(p.example())
    before = p.read(kept["id"])
    start = {item.get("id") for item in ws.list_all(kind)} if p.options.exact_counts else None
    for where, body in bodies.past:
        field = re.split(r"[.\[ ]", where, maxsplit=1)[0]
        for role, method, path in (("create", "POST", ws.path(kind)), ("update", "PUT", ws.path(kind, kept["id"]))):
            response = ws.call(method, path, json=body)
            if response.status_code == 201:
                ws.adopt(kind, response)
            if response.status_code != 400:
                raise p.fail(f"{where}: expected 400, got {response.status_code}", at=role)
            if field not in p.json(response, at=role):
                raise p.fail(f"{where}: the 400 does not name {field!r}: {response.text[:200]}", at=role)
    if p.read(kept["id"]) != before:
        raise p.fail("a replace refused with 400 changed the resource anyway", at="update")
    refused = {str(body.get("name")) for _, body in bodies.past}
    listed = ws.list_all(kind)
    stored = sorted({str(item.get("name")) for item in listed} & refused)
    new = sorted({item.get("id") for item in listed} - start) if start is not None else []
    if stored or new:
        raise p.fail(f"creates refused with 400 stored something: {stored or new}", at="list")
    ws.delete(kind, kept["id"])


def lists_at_bounds(p: Probe) -> None:
    """`page` and `page_size` one past their bounds are 400s naming them, the last page number is
    404 (past the end), and with more items than the largest page_size, page 1 holds exactly as
    many as asked at sizes across the span and a walk at the largest lists every item once: a
    server that caps page_size lower is caught. Creates the items it needs (none read-only); in
    a shared workspace only its own items must be listed, once."""
    p.needs("list")
    kind, ws, options = p.kind, p.ws, p.options
    assert kind is not None
    params = integer_parameters(kind)
    base = p.target.base_url + ws.path(kind)
    for name, schema in params.items():
        outside = [schema["minimum"] - 1] if "minimum" in schema else []
        outside += [schema["maximum"] + 1] if "maximum" in schema else []
        for value in outside:
            response = p.call("GET", f"{base}?{name}={value}")
            p.expect(response, 400, at="list")
            if name not in p.json(response, at="list"):
                raise p.fail(f"the 400 for {name}={value} does not name {name!r}: {response.text[:200]}", at="list")
    if "maximum" in params.get(PAGE, {}):
        response = p.call("GET", f"{base}?{PAGE}={params[PAGE]['maximum']}")
        p.expect(response, 404, at="list")  # the last page number is past the end
    sizes = params.get(PAGE_SIZE, {})
    largest = sizes.get("maximum")
    if largest is None:
        return
    count = page_count(p, f"{base}?{PAGE_SIZE}=1")
    created: list[int] = []
    if not options.read_only and p.selected("create") and p.selected("delete"):
        wanted = max(largest + 1 - count, 0 if options.exact_counts else 2)
        created = [p.create(p.example())["id"] for _ in range(wanted)]
        count += len(created)
    if options.exact_counts:
        smallest = sizes.get("minimum", 1)
        for size in sorted({smallest, smallest + 1, largest // 2, largest // 2 + 1, largest - 1, largest}):
            response = p.call("GET", f"{base}?{PAGE_SIZE}={size}")
            p.expect(response, 200, at="list")
            results = p.json(response, at="list").get("results")
            if not isinstance(results, list) or len(results) != min(size, count):
                got = len(results) if isinstance(results, list) else results
                raise p.fail(f"page_size={size} with {count} items: page 1 holds {got}", at="list")
    for _ in range(1 if options.exact_counts else 3):  # a concurrent delete may shift an item past a walk
        listed = [item.get("id") for item in ws.list_all(kind, page_size=largest)]
        missing = [rid for rid in created if listed.count(rid) != 1]
        if not missing:
            break
    else:
        raise p.fail(f"walking pages of {largest}: created ids {missing} are not listed exactly once", at="list")
    for rid in created:
        ws.delete(kind, rid)


def page_count(p: Probe, url: str) -> int:
    response = p.call("GET", url)
    p.expect(response, 200, at="list")
    count = p.json(response, at="list").get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        raise p.fail(f"count is not an integer: {count!r}", at="list")
    return count


def integer_parameters(kind: str) -> dict[str, dict[str, Any]]:
    """The list's integer query parameters (`page`, `page_size`) with their schemas."""
    params = contract().kind(kind).op("list").query_params
    return {name: dict(param.schema) for name, param in params.items() if "integer" in types(dict(param.schema))}
