"""The OpenAPI document compiled into what the mock needs at run time.

Everything the mock knows about routes, parameters, bodies, defaults and response shapes is
read here from `openapi.yaml`; schemas are compiled once into jsonschema-rs validators, so a
change to the spec changes the mock's behaviour with no Python change.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema_rs

from api_spec import load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
DOCUMENT_URI = "urn:workflows-personas-api:openapi"  # the document's name in the validators' registry
_TEMPLATE_VAR = re.compile(r"{([^}/]+)}")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: jsonschema_rs.Validator
    default: Any = None

    @property
    def has_default(self) -> bool:
        return "default" in self.schema


@dataclass(frozen=True)
class Body:
    required: bool
    media_types: tuple[str, ...]
    validator: jsonschema_rs.Validator
    fields: frozenset[str]
    defaults: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    path_params: dict[str, Parameter]
    query_params: dict[str, Parameter]
    body: Body | None
    responses: dict[str, jsonschema_rs.Validator | None]
    result_fields: tuple[str, ...] | None
    paginated: bool
    raw: dict[str, Any] = field(repr=False)

    @property
    def rule(self) -> str:
        """The path as a Flask URL rule (`{id}` becomes `<id>`)."""
        return _TEMPLATE_VAR.sub(r"<\1>", self.path)

    def response_validator(self, status: int) -> jsonschema_rs.Validator | None:
        return self.responses.get(str(status))

    def documents(self, status: int) -> bool:
        return str(status) in self.responses


class Spec:
    """The compiled OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._components = document.get("components", {})
        self._registry = jsonschema_rs.Registry([(DOCUMENT_URI, {"components": self._components})])
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    op = self._compile(path, method, item[method], shared)
                    self.operations[op.operation_id] = op

    @classmethod
    def load(cls, path: Path | None = None) -> Spec:
        return cls(load_spec(path))

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations.values())

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def without_request_checks(self) -> Spec:
        """This spec with parameter and body schemas that accept anything, to measure what request
        validation costs (a benchmark variant: bad input may then fail inside the mock)."""
        anything = jsonschema_rs.validator_for(True)

        def lax(params: dict[str, Parameter]) -> dict[str, Parameter]:
            return {name: replace(p, validator=anything) for name, p in params.items()}

        lenient = copy.copy(self)
        lenient.operations = {
            oid: replace(
                op,
                path_params=lax(op.path_params),
                query_params=lax(op.query_params),
                body=replace(op.body, validator=anything) if op.body else None,
            )
            for oid, op in self.operations.items()
        }
        return lenient

    # -- schema helpers ---------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        """Follows `$ref`s until a concrete node (siblings of the last `$ref` are merged in)."""
        extra: dict[str, Any] = {}
        while isinstance(node, dict) and "$ref" in node:
            extra = {**{k: v for k, v in node.items() if k != "$ref"}, **extra}
            node = self.pointer(node["$ref"])
        if extra and isinstance(node, dict):
            node = {**node, **extra}
        return node

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def properties(self, schema: Any) -> dict[str, Any]:
        """Top-level properties of an object schema, `allOf` branches merged."""
        schema = self.resolve(schema)
        props: dict[str, Any] = dict(schema.get("properties", {}))
        for branch in schema.get("allOf", []):
            props.update(self.properties(branch))
        return props

    def validator(self, schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
        """A validator for a schema of this document; its `#/components/...` refs resolve in one
        registry shared by every validator (a copy of the components in each cost ~25 MB RSS)."""
        return jsonschema_rs.Draft202012Validator(_anchored(schema), validate_formats=True, registry=self._registry)

    def schema_validator(self, name: str) -> jsonschema_rs.Validator:
        return self.validator({"$ref": f"#/components/schemas/{name}"})

    def schema_defaults(self, schema: Any) -> dict[str, Any]:
        return {
            name: self.resolve(prop)["default"]
            for name, prop in self.properties(schema).items()
            if "default" in self.resolve(prop)
        }

    # -- compilation ------------------------------------------------------------------
    def _compile(self, path: str, method: str, raw: dict[str, Any], shared: list[Any]) -> Operation:
        params: dict[tuple[str, str], Parameter] = {}
        for node in [*shared, *raw.get("parameters", [])]:
            param = self._parameter(node)
            params[(param.location, param.name)] = param
        body = self._body(raw["requestBody"]) if "requestBody" in raw else None
        responses: dict[str, jsonschema_rs.Validator | None] = {}
        success_schema = None
        for status, response in raw.get("responses", {}).items():
            schema = self.resolve(response).get("content", {}).get("application/json", {}).get("schema")
            responses[str(status)] = self.validator(schema) if schema is not None else None
            if str(status).startswith("2") and schema is not None:
                success_schema = schema
        result_fields, paginated = self._result_fields(success_schema)
        return Operation(
            operation_id=raw["operationId"],
            method=method.upper(),
            path=path,
            path_params={p.name: p for (loc, _), p in params.items() if loc == "path"},
            query_params={p.name: p for (loc, _), p in params.items() if loc == "query"},
            body=body,
            responses=responses,
            result_fields=result_fields,
            paginated=paginated,
            raw=raw,
        )

    def _parameter(self, node: Any) -> Parameter:
        node = self.resolve(node)
        schema = self.resolve(node.get("schema", {}))
        return Parameter(
            name=node["name"],
            location=node["in"],
            required=bool(node.get("required", node["in"] == "path")),
            schema=schema,
            validator=self.validator(schema),
            default=schema.get("default"),
        )

    def _body(self, node: Any) -> Body:
        node = self.resolve(node)
        content = node.get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        return Body(
            required=bool(node.get("required", False)),
            media_types=tuple(content),
            validator=self.validator(schema),
            fields=frozenset(self.properties(schema)),
            defaults=self.schema_defaults(schema),
        )

    def _result_fields(self, schema: Any) -> tuple[tuple[str, ...] | None, bool]:
        """Which fields a success response shows: of the item, or of each listed item."""
        if schema is None:
            return None, False
        props = self.properties(schema)
        if {"count", "results"} <= props.keys():
            items = self.resolve(props["results"]).get("items", {})
            return tuple(self.properties(items)) or None, True
        return tuple(props) or None, False


def _anchored(node: Any) -> Any:
    """The schema with its local refs (`#/...`) made absolute, pointing into the registry."""
    if isinstance(node, Mapping):
        return {
            k: DOCUMENT_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _anchored(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_anchored(item) for item in node]
    return node
