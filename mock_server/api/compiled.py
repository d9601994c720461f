"""The contract compiled for serving: a jsonschema-rs validator per parameter, body, response and
documented response header, and the Flask URL rule of each operation's path.

This is all the mock adds to `api_spec`'s model, which it reads for everything else. Compiling
is the slow part of building an app, so it is done once per contract (`compile_contract` is
cached) and shared by every app built on that contract.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import jsonschema_rs

from api_spec import Contract, Operation, Validators

_TEMPLATE = re.compile(r"{([^}/]+)}")


@dataclass(frozen=True, slots=True)
class CompiledParameter:
    name: str
    required: bool
    has_default: bool
    default: Any
    schema: Mapping[str, Any]  # resolved: its `type` says how the text is read
    items: Mapping[str, Any] | None  # an array's item schema (repeated in the query), else None
    validator: jsonschema_rs.Validator


@dataclass(frozen=True, slots=True)
class CompiledHeader:
    name: str
    required: bool
    schema: Mapping[str, Any]  # resolved: its `type` says how the text is read
    validator: jsonschema_rs.Validator


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    operation: Operation
    rule: str  # the path as a Flask URL rule (`{id}` becomes `<id>`)
    path_params: tuple[CompiledParameter, ...]
    query_params: tuple[CompiledParameter, ...]
    body: jsonschema_rs.Validator | None
    responses: Mapping[str, jsonschema_rs.Validator | None]  # by status; None: no JSON body
    response_headers: Mapping[str, tuple[CompiledHeader, ...]]  # by status: the documented headers
    needs_bearer: bool  # its security asks for the bearer scheme (what proxy mode checks a request for)

    def response_validator(self, status: int) -> jsonschema_rs.Validator | None:
        return self.responses.get(str(status))


class CompiledSpec:
    """Every operation of a contract, compiled; `validators` also explain errors (`validation`)."""

    def __init__(self, contract: Contract, validators: Validators, operations: dict[str, CompiledOperation]) -> None:
        self.contract = contract
        self.validators = validators
        self.operations = operations
        any_op = next(iter(operations.values())).operation
        self.scope = validators.of(any_op.path_params[contract.scope_param].schema)

    def __iter__(self) -> Iterator[CompiledOperation]:
        return iter(self.operations.values())

    def operation(self, operation_id: str) -> CompiledOperation:
        return self.operations[operation_id]

    @functools.cached_property
    def without_request_checks(self) -> CompiledSpec:
        """This spec with parameter and body schemas that accept anything, to measure what request
        validation costs (a benchmark variant: bad input may then fail inside the mock)."""
        anything = jsonschema_rs.validator_for(True)

        def lax(params: tuple[CompiledParameter, ...]) -> tuple[CompiledParameter, ...]:
            return tuple(replace(p, validator=anything) for p in params)

        operations = {
            oid: replace(
                op,
                path_params=lax(op.path_params),
                query_params=lax(op.query_params),
                body=anything if op.body is not None else None,
            )
            for oid, op in self.operations.items()
        }
        return CompiledSpec(self.contract, self.validators, operations)


@functools.cache
def compile_contract(contract: Contract) -> CompiledSpec:
    """The compiled form of `contract` (built once per contract object)."""
    validators = Validators(contract)
    operations = {op.operation_id: _compile(validators, op) for op in contract}
    return CompiledSpec(contract, validators, operations)


def _compile(validators: Validators, op: Operation) -> CompiledOperation:
    def parameter(p: Any) -> CompiledParameter:
        items = p.schema.get("items", {}) if p.is_array else None
        return CompiledParameter(p.name, p.required, p.has_default, p.default, p.schema, items, validators.of(p.schema))

    document = validators.contract.document
    security = op.raw.get("security", document.raw.get("security", []))
    schemes = document.components.get("securitySchemes", {})
    bearer = {name for name, scheme in schemes.items() if str(scheme.get("scheme", "")).lower() == "bearer"}

    return CompiledOperation(
        operation=op,
        rule=_TEMPLATE.sub(r"<\1>", op.path),
        path_params=tuple(parameter(p) for p in op.path_params.values()),
        query_params=tuple(parameter(p) for p in op.query_params.values()),
        body=validators.of(op.body.schema) if op.body is not None else None,
        responses={
            status: validators.of(response.schema) if response.schema is not None else None
            for status, response in op.responses.items()
        },
        response_headers={
            status: tuple(
                CompiledHeader(h.name, h.required, h.schema, validators.of(h.schema)) for h in response.headers.values()
            )
            for status, response in op.responses.items()
        },
        # Every alternative of `security` names a bearer scheme: a request without one cannot pass.
        needs_bearer=bool(security) and all(bearer & set(requirement) for requirement in security),
    )
