"""Does what the target returns match what was sent? Judged by the spec's input schema.

Only what the schema declares is compared, so an implementation may drop unknown fields
(inside nested objects too) or keep them. A field that was left out must read back as the
schema's default: that is what makes `PUT` a full replacement.
"""

from __future__ import annotations

import math
from typing import Any

from api_spec import load_spec

_MISSING = object()


def resolve_schema(node: Any) -> Any:
    """A schema with its `$ref`s followed (siblings of a `$ref` kept)."""
    return _resolve(node)


def _resolve(node: Any) -> Any:
    spec = load_spec()
    extra: dict[str, Any] = {}
    while isinstance(node, dict) and "$ref" in node:
        extra = {**{k: v for k, v in node.items() if k != "$ref"}, **extra}
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return {**node, **extra} if extra and isinstance(node, dict) else node


def input_schema(operation_id: str) -> dict[str, Any]:
    for item in load_spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return _resolve(op["requestBody"]["content"]["application/json"]["schema"])
    raise KeyError(operation_id)


def mismatches(sent: Any, got: Any, schema: Any, where: str = "") -> list[str]:
    """Differences between a sent body and the stored resource, as readable lines."""
    schema = _resolve(schema)
    if isinstance(sent, dict) and isinstance(got, dict):
        props = _properties(schema, sent)
        if props is None:  # a free-form object: stored as sent
            return [] if _equal(sent, got) else [f"{where or 'body'}: sent {sent!r}, got {got!r}"]
        problems: list[str] = []
        for name, sub in props.items():
            path = f"{where}.{name}" if where else name
            if name in sent:
                if name not in got:
                    problems.append(f"{path}: sent {sent[name]!r}, missing in the response")
                else:
                    problems += mismatches(sent[name], got[name], sub, path)
            elif not where and "default" in _resolve(sub):
                default = _resolve(sub)["default"]
                if not _equal(default, got.get(name, _MISSING)):
                    problems.append(
                        f"{path}: left out, so expected the default {default!r}, got {got.get(name, 'nothing')!r}"
                    )
        return problems
    if isinstance(sent, list) and isinstance(got, list):
        if len(sent) != len(got):
            return [f"{where}: sent {len(sent)} items, got {len(got)}"]
        items = schema.get("items", {})
        pairs = enumerate(zip(sent, got, strict=True))
        return [p for i, (s, g) in pairs for p in mismatches(s, g, items, f"{where}[{i}]")]
    return [] if _equal(sent, got) else [f"{where}: sent {sent!r}, got {got!r}"]


def _properties(schema: dict[str, Any], value: dict[str, Any]) -> dict[str, Any] | None:
    """Declared properties; for a discriminated `oneOf`, those of the branch the value picks."""
    if "oneOf" in schema:
        disc = schema.get("discriminator", {})
        ref = disc.get("mapping", {}).get(value.get(disc.get("propertyName", "")))
        if ref is None:
            return None
        return _properties(_resolve({"$ref": ref}), value)
    props = schema.get("properties")
    return {k: v for k, v in props.items()} if props else None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b
