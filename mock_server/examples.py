"""The spec's documented responses as concrete answers, for `Prefer: code=` / `example=`.

A response's body is, in order of preference: the named example asked for, the media type's
`example`, its first named example, or a value built from the schema (its `example` /
`examples` / `default` / `const` / first `enum` value, recursively), the way Prism's static
mode does. Everything comes from `openapi.yaml`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .spec import Operation, Spec

JSON = "application/json"
_FORMATS = {
    "date-time": "2026-01-05T09:00:00Z",
    "date": "2026-01-05",
    "time": "09:00:00Z",
    "email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
}


class UnknownExample(LookupError):
    """The asked-for named example is not documented; the message lists the ones that are."""


@dataclass
class Documented:
    status: int
    body: Any = None
    has_body: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def statuses(op: Operation) -> list[int]:
    """The documented statuses of an operation, success first (as the spec lists them)."""
    codes = [int(code) for code in op.raw.get("responses", {}) if str(code).isdigit()]
    return sorted(codes, key=lambda c: (c >= 300, c))


def example_names(spec: Spec, op: Operation, status: int) -> list[str]:
    content = _content(spec, op, status)
    return list(content.get("examples", {})) if content else []


def status_with_example(spec: Spec, op: Operation, name: str) -> int:
    """The first documented status that has a named example `name`."""
    for status in statuses(op):
        if name in example_names(spec, op, status):
            return status
    raise UnknownExample(f"{op.operation_id} has no example named {name!r}; {_known(spec, op)}.")


def documented(spec: Spec, op: Operation, status: int, example: str | None, base_url: str) -> Documented:
    """The spec's response of `op` for a documented `status` (its named `example` if given)."""
    response = spec.resolve(op.raw["responses"][str(status)])
    answer = Documented(status)
    for name, header in response.get("headers", {}).items():
        header = spec.resolve(header)
        answer.headers[name] = str(_header_value(spec, header, base_url))
    content = _content(spec, op, status)
    if content is None:
        if example is not None:
            raise UnknownExample(f"{op.operation_id} documents no body for {status}; {_known(spec, op)}.")
        return answer
    answer.has_body = True
    examples = content.get("examples", {})
    if example is not None:
        if example not in examples:
            known = _known(spec, op)
            raise UnknownExample(f"{op.operation_id} has no example named {example!r} for {status}; {known}.")
        answer.body = _example_value(spec, examples[example])
    elif "example" in content:
        answer.body = copy.deepcopy(content["example"])
    elif examples:
        answer.body = _example_value(spec, next(iter(examples.values())))
    else:
        answer.body = from_schema(spec, content.get("schema", {}), base_url)
    return answer


def from_schema(spec: Spec, schema: Any, base_url: str, depth: int = 0) -> Any:
    """A value that fits `schema`, preferring the values the spec itself gives."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict) or depth > 20:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return copy.deepcopy(schema[key])
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if schema.get("enum"):
        return copy.deepcopy(schema["enum"][0])
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return from_schema(spec, schema[key][0], base_url, depth + 1)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "null" in types:
        return None
    kind = types[0] if types else ("object" if "properties" in schema or "allOf" in schema else None)
    if kind == "object":
        return {name: from_schema(spec, prop, base_url, depth + 1) for name, prop in spec.properties(schema).items()}
    if kind == "array":
        items = schema.get("items")
        count = max(1, schema.get("minItems", 1)) if items else 0
        return [from_schema(spec, items, base_url, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        value = max(schema.get("minimum", 1), min(schema.get("maximum", 1), 1))
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uri":
            return base_url
        return _FORMATS.get(fmt or "", "string")
    return None


def _content(spec: Spec, op: Operation, status: int) -> dict[str, Any] | None:
    response = spec.resolve(op.raw.get("responses", {}).get(str(status), {}))
    content = response.get("content", {})
    return content.get(JSON) if JSON in content else None


def _example_value(spec: Spec, node: Any) -> Any:
    return copy.deepcopy(spec.resolve(node).get("value"))


def _header_value(spec: Spec, header: dict[str, Any], base_url: str) -> Any:
    if "example" in header:
        return header["example"]
    return from_schema(spec, header.get("schema", {}), base_url)


def _known(spec: Spec, op: Operation) -> str:
    named = [f"{name} ({status})" for status in statuses(op) for name in example_names(spec, op, status)]
    return "documented examples: " + (", ".join(named) if named else "none")
