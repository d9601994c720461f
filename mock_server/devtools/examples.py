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

from api_spec import Contract, Operation

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
    codes = [int(code) for code in op.responses if code.isdigit()]
    return sorted(codes, key=lambda c: (c >= 300, c))


def example_names(op: Operation, status: int) -> list[str]:
    response = op.response(status)
    return list(response.examples) if response is not None and JSON in response.media_types else []


def status_with_example(op: Operation, name: str) -> int:
    """The first documented status that has a named example `name`."""
    for status in statuses(op):
        if name in example_names(op, status):
            return status
    raise UnknownExample(f"{op.operation_id} has no example named {name!r}; {_known(op)}.")


def documented(contract: Contract, op: Operation, status: int, example: str | None, base_url: str) -> Documented:
    """The spec's response of `op` for a documented `status` (its named `example` if given)."""
    response = op.response(status)
    assert response is not None, f"{op.operation_id} does not document {status}"
    answer = Documented(status)
    for name, header in response.headers.items():
        answer.headers[name] = str(from_schema(contract, header.schema, base_url))
    if JSON not in response.media_types:
        if example is not None:
            raise UnknownExample(f"{op.operation_id} documents no body for {status}; {_known(op)}.")
        return answer
    answer.has_body = True
    if example is not None:
        if example not in response.examples:
            raise UnknownExample(f"{op.operation_id} has no example named {example!r} for {status}; {_known(op)}.")
        answer.body = copy.deepcopy(response.examples[example])
    elif response.has_example:
        answer.body = copy.deepcopy(response.example)
    elif response.examples:
        answer.body = copy.deepcopy(next(iter(response.examples.values())))
    else:
        answer.body = from_schema(contract, response.schema or {}, base_url)
    return answer


def from_schema(contract: Contract, schema: Any, base_url: str, depth: int = 0) -> Any:
    """A value that fits `schema`, preferring the values the spec itself gives."""
    schema = contract.resolve(schema)
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
            return from_schema(contract, schema[key][0], base_url, depth + 1)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "null" in types:
        return None
    kind = types[0] if types else ("object" if "properties" in schema or "allOf" in schema else None)
    if kind == "object":
        return {
            name: from_schema(contract, prop, base_url, depth + 1)
            for name, prop in contract.document.properties(schema).items()
        }
    if kind == "array":
        items = schema.get("items")
        count = max(1, schema.get("minItems", 1)) if items else 0
        return [from_schema(contract, items, base_url, depth + 1) for _ in range(count)]
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


def _known(op: Operation) -> str:
    named = [f"{name} ({status})" for status in statuses(op) for name in example_names(op, status)]
    return "documented examples: " + (", ".join(named) if named else "none")
