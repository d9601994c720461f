"""The spec as a document: where `openapi.yaml` is, its parsed form, and reading it through `$ref`s.

An installed wheel carries the spec inside this package; a source checkout keeps it at the
repository root, so both places are looked at.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_PACKAGED = Path(__file__).with_name("openapi.yaml")
_CHECKOUT = Path(__file__).resolve().parent.parent / "openapi.yaml"


def spec_path() -> Path:
    """Path of the `openapi.yaml` in use (packaged copy first, then the checkout's)."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("openapi.yaml is neither packaged nor at the repository root")


@functools.cache
def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The parsed spec; cached, so callers must not mutate it."""
    with open(path or spec_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Document:
    """Reads a parsed OpenAPI document through its local references."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.raw = document

    @property
    def components(self) -> Mapping[str, Any]:
        return self.raw.get("components", {})

    def pointer(self, ref: str) -> Any:
        """The node a local JSON pointer (`#/components/...`, `~1` and `~0` unescaped) names."""
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node: Any = self.raw
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def resolve(self, node: Any) -> Any:
        """Follows `$ref`s until a concrete node; siblings of a `$ref` are merged in (theirs win)."""
        extra: dict[str, Any] = {}
        while isinstance(node, Mapping) and "$ref" in node:
            extra = {**{k: v for k, v in node.items() if k != "$ref"}, **extra}
            node = self.pointer(node["$ref"])
        if extra and isinstance(node, Mapping):
            node = {**node, **extra}
        return node

    def properties(self, schema: Any) -> dict[str, Any]:
        """Top-level properties of an object schema, `allOf` branches merged (unresolved values)."""
        schema = self.resolve(schema)
        props: dict[str, Any] = dict(schema.get("properties", {})) if isinstance(schema, Mapping) else {}
        for sub in schema.get("allOf", []) if isinstance(schema, Mapping) else ():
            props.update(self.properties(sub))
        return props

    def required(self, schema: Any) -> frozenset[str]:
        schema = self.resolve(schema)
        names = set(schema.get("required", ())) if isinstance(schema, Mapping) else set()
        for sub in schema.get("allOf", []) if isinstance(schema, Mapping) else ():
            names |= self.required(sub)
        return frozenset(names)

    def defaults(self, schema: Any) -> dict[str, Any]:
        """The `default` of each top-level property that declares one."""
        found = {}
        for name, prop in self.properties(schema).items():
            resolved = self.resolve(prop)
            if isinstance(resolved, Mapping) and "default" in resolved:
                found[name] = resolved["default"]
        return found

    def branch(self, schema: Any, value: Any) -> Branch | None:
        """How a discriminated `oneOf` judges `value`; None when `schema` is not one."""
        schema = self.resolve(schema)
        if not isinstance(schema, Mapping) or "oneOf" not in schema or "discriminator" not in schema:
            return None
        disc = schema["discriminator"]
        prop = disc["propertyName"]
        mapping = dict(disc.get("mapping", {}))
        branches = [b.get("$ref") for b in schema["oneOf"]]
        tag = value.get(prop) if isinstance(value, Mapping) else None
        ref = mapping.get(tag) if isinstance(tag, str) else None
        chosen = branches.index(ref) if ref in branches else None
        return Branch(
            prop,
            tuple(mapping),
            present=isinstance(value, Mapping) and prop in value,
            index=chosen,
            schema=self.resolve({"$ref": ref}) if chosen is not None else None,
        )


@dataclass(frozen=True)
class Branch:
    """A discriminated `oneOf` against one value: the tag property, the documented tags, whether
    the value carries a tag, and the branch it picks (its position in `oneOf` and its schema)."""

    property: str
    choices: tuple[str, ...]
    present: bool
    index: int | None
    schema: Mapping[str, Any] | None
