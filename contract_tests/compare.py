"""Does what the target returns match what was sent? Judged by the spec's input schema.

Only what the schema declares is compared, so an implementation may drop unknown fields
(inside nested objects too) or keep them. A field that was left out must read back as the
schema's default: that is what makes `PUT` a full replacement. The schema is read through
`api_spec`'s document (references, `allOf`, discriminated `oneOf`).
"""

from __future__ import annotations

import math
from typing import Any

from .api import contract

_MISSING = object()


def mismatches(sent: Any, got: Any, schema: Any, where: str = "") -> list[str]:
    """Differences between a sent body and the stored resource, as readable lines."""
    doc = contract().document
    schema = doc.resolve(schema)
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
            elif not where and "default" in doc.resolve(sub):
                default = doc.resolve(sub)["default"]
                if not _equal(default, got.get(name, _MISSING)):
                    problems.append(
                        f"{path}: left out, so expected the default {default!r}, got {got.get(name, 'nothing')!r}"
                    )
        return problems
    if isinstance(sent, list) and isinstance(got, list):
        if len(sent) != len(got):
            return [f"{where}: sent {len(sent)} items, got {len(got)}"]
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        pairs = enumerate(zip(sent, got, strict=True))
        return [p for i, (s, g) in pairs for p in mismatches(s, g, items, f"{where}[{i}]")]
    return [] if _equal(sent, got) else [f"{where}: sent {sent!r}, got {got!r}"]


def _properties(schema: Any, value: dict[str, Any]) -> dict[str, Any] | None:
    """Declared properties; for a discriminated `oneOf`, those of the branch the value picks
    (None, like a free-form object, when it picks none)."""
    doc = contract().document
    branch = doc.branch(schema, value)
    if branch is not None:
        return doc.properties(branch.schema) or None if branch.schema is not None else None
    return doc.properties(schema) or None


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
