"""The contract as a model: operations with their parameters, bodies and responses, and the
resource kinds the paths describe. Built once from the document, with every `$ref` followed,
so the mock and the suite read the same facts and neither reads the YAML itself.

Resource kinds are read from the shape of the paths, as the spec's conventions state them: a
collection `.../<kind>/` (GET lists, POST creates), its items `.../<kind>/{<id>}` (GET, PUT,
DELETE) and item actions `.../<kind>/{<id>}/<action>`. Each operation's `role` names its place
in that shape (`list`, `create`, `get`, `update`, `delete`, or the action's segment).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import Document, load_spec
from .wire import coerce

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
JSON = "application/json"
_TEMPLATE = re.compile(r"\{([^}/]+)\}")
_ITEM = re.compile(r"^(?P<collection>.*/(?P<kind>[^/{}]+)/)\{(?P<id>[^}/]+)\}(?:/(?P<action>[^/{}]+))?$")
_COLLECTION = re.compile(r"^.*/(?P<kind>[^/{}]+)/$")
_ITEM_ROLES = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
_COLLECTION_ROLES = {"GET": "list", "POST": "create"}


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]  # resolved

    @property
    def has_default(self) -> bool:
        return "default" in self.schema

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    @property
    def is_array(self) -> bool:
        return self.schema.get("type") == "array"

    def read(self, text: str) -> Any:
        """The value the server reads from this parameter's text."""
        return coerce(text, self.schema)


@dataclass(frozen=True)
class Body:
    required: bool
    media_types: tuple[str, ...]
    schema: Mapping[str, Any]  # as written (refs kept): validators resolve them in the document
    fields: frozenset[str]
    defaults: Mapping[str, Any]
    examples: tuple[Any, ...]  # the documented example values, in the spec's order


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    schema: Mapping[str, Any]  # resolved


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    media_types: tuple[str, ...]
    schema: Mapping[str, Any] | None  # of the JSON body, as written; None: no JSON body
    headers: Mapping[str, Header]
    examples: Mapping[str, Any]  # name -> value
    has_example: bool = False  # whether the JSON media type gives an `example`
    example: Any = None  # that `example`


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str
    path_params: Mapping[str, Parameter]
    query_params: Mapping[str, Parameter]
    body: Body | None
    responses: Mapping[str, Response]
    result_fields: tuple[str, ...] | None  # the fields a success shows (of each item, for a page)
    paginated: bool
    kind: str | None
    role: str | None
    id_param: str | None
    summary: str
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def documents(self, status: int | str) -> bool:
        return str(status) in self.responses

    def response(self, status: int | str) -> Response | None:
        return self.responses.get(str(status))

    @property
    def success(self) -> Response | None:
        return next((r for s, r in self.responses.items() if s.startswith("2")), None)

    def concrete_path(self, **values: Any) -> str:
        """The path with its templates filled in from `values`."""
        return _TEMPLATE.sub(lambda m: str(values[m.group(1)]), self.path)


@dataclass(frozen=True)
class Kind:
    """A resource kind: its collection, its id parameter, and its operations by role."""

    name: str
    collection_path: str
    id_param: str
    operations: Mapping[str, Operation]

    def op(self, role: str) -> Operation:
        return self.operations[role]

    def has(self, role: str) -> bool:
        return role in self.operations

    @property
    def input(self) -> Body:
        """The create operation's request body (what a client sends to make one)."""
        body = self.op("create").body
        assert body is not None, f"{self.name}: the create operation takes no body"
        return body


class Contract:
    """The whole contract; build with `contract()` (cached) or `Contract(document)`."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = Document(document)
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    op = self._operation(path, method, item[method], shared)
                    self.operations[op.operation_id] = op
        self.kinds: dict[str, Kind] = self._kinds()
        fixed = [op.path.split("{", 1)[0] for op in self.operations.values()]
        self.api_prefix = posixpath.commonpath(fixed).rstrip("/") + "/"
        shared_params = [set(op.path_params) for op in self.operations.values()]
        common = set.intersection(*shared_params) if shared_params else set()
        if len(common) != 1:
            raise ValueError(f"expected one path parameter shared by every operation (the workspace), got {common}")
        self.scope_param: str = common.pop()

    @classmethod
    def load(cls, path: Path | None = None) -> Contract:
        return cls(load_spec(path))

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations.values())

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def kind(self, name: str) -> Kind:
        return self.kinds[name]

    # -- schemas ---------------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        return self.document.resolve(node)

    def schema(self, name: str) -> Mapping[str, Any]:
        """A named component schema, resolved."""
        return self.document.resolve(self.document.components["schemas"][name])

    def field(self, schema: Any, name: str) -> Mapping[str, Any]:
        """The resolved schema of one top-level property."""
        return self.document.resolve(self.document.properties(schema)[name])

    # -- building --------------------------------------------------------------------
    def _operation(self, path: str, method: str, raw: Mapping[str, Any], shared: list[Any]) -> Operation:
        doc = self.document
        params: dict[tuple[str, str], Parameter] = {}
        for node in [*shared, *raw.get("parameters", [])]:
            node = doc.resolve(node)
            schema = doc.resolve(node.get("schema", {}))
            required = bool(node.get("required", node["in"] == "path"))
            params[(node["in"], node["name"])] = Parameter(node["name"], node["in"], required, schema)
        responses = {str(code): self._response(str(code), node) for code, node in raw.get("responses", {}).items()}
        success = next((r for s, r in responses.items() if s.startswith("2") and r.schema is not None), None)
        result_fields, paginated = self._result_fields(success.schema if success else None)
        item = _ITEM.match(path)
        collection = _COLLECTION.match(path)
        upper = method.upper()
        if item:
            kind, id_param = item["kind"], item["id"]
            role = item["action"] or _ITEM_ROLES.get(upper)
        elif collection:
            kind, id_param, role = collection["kind"], None, _COLLECTION_ROLES.get(upper)
        else:
            kind = id_param = role = None
        return Operation(
            operation_id=raw["operationId"],
            method=upper,
            path=path,
            path_params={p.name: p for (loc, _), p in params.items() if loc == "path"},
            query_params={p.name: p for (loc, _), p in params.items() if loc == "query"},
            body=self._body(raw["requestBody"]) if "requestBody" in raw else None,
            responses=responses,
            result_fields=result_fields,
            paginated=paginated,
            kind=kind,
            role=role,
            id_param=id_param,
            summary=raw.get("summary", ""),
            raw=raw,
        )

    def _body(self, node: Any) -> Body:
        doc = self.document
        node = doc.resolve(node)
        content = node.get("content", {})
        media = content.get(JSON, {})
        schema = media.get("schema", {})
        examples = tuple(doc.resolve(e).get("value") for e in media.get("examples", {}).values())
        if "example" in media:
            examples = (media["example"], *examples)
        return Body(
            required=bool(node.get("required", False)),
            media_types=tuple(content),
            schema=schema,
            fields=frozenset(doc.properties(schema)),
            defaults=doc.defaults(schema),
            examples=examples,
        )

    def _response(self, status: str, node: Any) -> Response:
        doc = self.document
        node = doc.resolve(node)
        content = node.get("content", {})
        media = content.get(JSON, {})
        headers = {}
        for name, header in node.get("headers", {}).items():
            header = doc.resolve(header)
            headers[name] = Header(name, bool(header.get("required", False)), doc.resolve(header.get("schema", {})))
        return Response(
            status=status,
            description=node.get("description", ""),
            media_types=tuple(content),
            schema=media.get("schema"),
            headers=headers,
            examples={name: doc.resolve(e).get("value") for name, e in media.get("examples", {}).items()},
            has_example="example" in media,
            example=media.get("example"),
        )

    def _result_fields(self, schema: Any) -> tuple[tuple[str, ...] | None, bool]:
        if schema is None:
            return None, False
        props = self.document.properties(schema)
        if {"count", "results"} <= props.keys():
            items = self.document.resolve(props["results"]).get("items", {})
            return tuple(self.document.properties(items)) or None, True
        return tuple(props) or None, False

    def _kinds(self) -> dict[str, Kind]:
        found: dict[str, dict[str, Operation]] = {}
        paths: dict[str, tuple[str, str]] = {}
        for op in self.operations.values():
            if op.kind is None or op.role is None:
                continue
            roles = found.setdefault(op.kind, {})
            if op.role in roles:
                raise ValueError(f"{op.kind}: two operations with the role {op.role!r}")
            roles[op.role] = op
            if op.id_param is not None:
                collection = op.path[: op.path.index("{" + op.id_param + "}")]
                paths[op.kind] = (collection, op.id_param)
        return {
            name: Kind(name, paths[name][0], paths[name][1], roles)
            for name, roles in found.items()
            if name in paths and "create" in roles
        }


@functools.cache
def contract(path: Path | None = None) -> Contract:
    """The contract of `openapi.yaml` (the packaged or the checkout's); built once per process."""
    return Contract.load(path)
