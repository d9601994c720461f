"""The contract as the suite reads it, on top of `api_spec` (the one model of `openapi.yaml`).

Nothing the spec says is written again here: operations come by resource kind and role
(`contract().kind(WORKFLOWS).op("run")`), schemas from the operations that use them, limits
from those schemas. What stays in Python is the suite's domain knowledge: the pagination
convention's parameter names and which item action answers a secret.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from api_spec import KINDS, PERSONAS, WORKFLOWS, Contract, Kind, Operation, Parameter, Validators, contract

__all__ = [
    "KINDS",
    "PAGE",
    "PAGE_SIZE",
    "PERSONAS",
    "WORKFLOWS",
    "Contract",
    "Kind",
    "Operation",
    "by_label",
    "contract",
    "detail_schema",
    "examples",
    "id_bounds",
    "is_secret",
    "largest_page",
    "listed_schema",
    "name_schema",
    "page_parameter",
    "run_schema",
    "validator",
]

# The spec's pagination convention ("Lists take `page` (from 1) and `page_size`").
PAGE = "page"
PAGE_SIZE = "page_size"
# Item actions whose answer is a secret (the webhook token): read-only runs leave them out
# unless asked for by name.
SECRET_ROLES = frozenset({"token"})


@functools.cache
def validators() -> Validators:
    return Validators(contract())


def validator(schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
    """A validator of a schema of the contract (its references resolved in the document)."""
    return validators().of(schema)


@functools.cache
def _labels() -> dict[str, Operation]:
    return {op.label: op for op in contract()}


def by_label(label: str) -> Operation | None:
    """The operation named `METHOD /path`, as Schemathesis labels its operations."""
    return _labels().get(label)


def is_secret(op: Operation) -> bool:
    return op.role in SECRET_ROLES


def examples(kind: str) -> tuple[dict[str, Any], ...]:
    """The documented request examples of the kind's create operation, in the spec's order."""
    found = tuple(e for e in contract().kind(kind).input.examples if isinstance(e, dict))
    if not found:
        raise RuntimeError(f"openapi.yaml has no request example for creating {kind}")
    return found


def detail_schema(kind: str) -> Mapping[str, Any]:
    """What reading one resource of the kind answers."""
    success = contract().kind(kind).op("get").success
    assert success is not None and success.schema is not None, kind
    return success.schema


def listed_schema(kind: str) -> Mapping[str, Any]:
    """What the kind's list shows of each item (the items of its `results`)."""
    c = contract()
    success = c.kind(kind).op("list").success
    assert success is not None and success.schema is not None, kind
    return c.field(success.schema, "results")["items"]


def run_schema() -> Mapping[str, Any]:
    """What running a workflow answers."""
    success = contract().kind(WORKFLOWS).op("run").success
    assert success is not None and success.schema is not None
    return success.schema


def page_parameter(kind: str, name: str) -> Parameter:
    """One of the kind's list parameters (`PAGE`, `PAGE_SIZE`)."""
    return contract().kind(kind).op("list").query_params[name]


def largest_page(kind: str) -> int:
    return int(page_parameter(kind, PAGE_SIZE).schema["maximum"])


def name_schema(kind: str) -> Mapping[str, Any]:
    """The schema of the kind's `name` field (what the run's prefixes must fit)."""
    c = contract()
    return c.field(c.kind(kind).input.schema, "name")


def id_bounds(kind: str) -> tuple[int, int | None]:
    """The smallest and largest id the spec allows for the kind."""
    k = contract().kind(kind)
    schema = k.op("get").path_params[k.id_param].schema
    return int(schema.get("minimum", 1)), schema.get("maximum")
