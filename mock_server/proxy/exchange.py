"""One exchange checked against the contract: the request as the client sent it, the answer as the
upstream gave it.

The checks use the mock's own compiled spec (`api.compiled`: the same jsonschema-rs validators)
and its own reading of requests (`api.validation`: parameters typed by their schema, bodies parsed
strictly), so a violation reads like the `400` the mock would have answered: there is no second
validator that could disagree with the mock.

A violation is one string, `<part>: <message>`, the part naming where it is:

    request                      the method and path are not in the contract
    request.path.<name>          a path parameter          request.query.<name>   a query parameter
    request.header.<name>        a request header          request.body[.<field>] the request body
    response.status              a status not documented for the operation
    response.header.<name>       a response header         response.body[.<field>] the answer's body

Header values are never quoted: a credential travels in one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from api_spec import coerce

from ..api import validation
from ..api.compiled import CompiledOperation, CompiledSpec
from ..api.errors import APIError, ValidationFailed
from .upstream import Answer


def not_in_contract(method: str, path: str, allowed: Iterable[str] | None = None) -> str:
    """The violation of a request the contract has no operation for (`allowed`: the path's methods)."""
    if allowed:
        return f"request: {method} {path} is not in the contract (the path has {', '.join(sorted(allowed))})"
    return f"request: {method} {path} is not in the contract"


def check_path(op: CompiledOperation, raw: Mapping[str, str]) -> tuple[list[str], dict[str, Any]]:
    """The violations of the path parameters, and their typed values (those that are valid)."""
    found: list[str] = []
    values: dict[str, Any] = {}
    for param in op.path_params:
        value = coerce(raw.get(param.name, ""), param.schema)
        if param.validator.is_valid(value):  # the usual case, several times cheaper than collecting errors
            values[param.name] = value
        else:
            found += [f"request.path.{param.name}: {validation.message(e)}" for e in param.validator.iter_errors(value)]
    return found, values


def check_request(
    spec: CompiledSpec,
    op: CompiledOperation,
    query: MultiDict[str, str],
    authorization: str | None,
    content_type: str | None,
    content_length: int | None,
    data: bytes,
) -> list[str]:
    """The violations of a request to `op`: its bearer token's presence, its query, its body."""
    found: list[str] = []
    if op.needs_bearer:
        if not authorization:
            found.append("request.header.Authorization: missing (the operation needs a bearer token)")
        elif len(authorization.split()) != 2 or authorization.split()[0].lower() != "bearer":
            found.append("request.header.Authorization: not of the form 'Bearer <token>'")
    try:
        validation.query_params(op, query)
    except ValidationFailed as exc:
        found += _fields("request.query", exc.body)
    body = op.operation.body
    if body is not None:
        try:
            document = validation.parse_body(body, content_type, content_length, data)
            validation.validate_body(spec.validators, op, document)
        except ValidationFailed as exc:
            found += _fields("request.body", exc.body)
        except APIError as exc:  # 413, 415, a parse error: one `detail`
            found.append(f"request.body: {exc.body.get('detail')}")
    return found


def check_response(spec: CompiledSpec, op: CompiledOperation, method: str, answer: Answer) -> list[str]:
    """The violations of the upstream's answer to a request for `op`."""
    operation = op.operation
    documented = operation.response(answer.status)
    if documented is None:
        listed = ", ".join(operation.responses)
        return [f"response.status: {answer.status} is not documented for {operation.operation_id} ({listed})"]
    found: list[str] = []
    content_type = answer.header("Content-Type")
    if documented.media_types:
        media = content_type.split(";", 1)[0].strip().lower() if content_type else None
        if media not in documented.media_types:
            wanted = ", ".join(documented.media_types)
            given = f"{content_type!r}" if content_type else "missing"
            found.append(f"response.header.Content-Type: {given}, documented: {wanted}")
    for header in op.response_headers.get(str(answer.status), ()):
        value = answer.header(header.name)
        if value is None:
            if header.required:
                found.append(f"response.header.{header.name}: required, missing")
            continue
        typed, part = coerce(value, header.schema), f"response.header.{header.name}"
        if not header.validator.is_valid(typed):
            found += [f"{part}: {validation.message(e)}" for e in header.validator.iter_errors(typed)]
    if method == "HEAD" or answer.body is None:  # no body by definition, or streamed (not checked)
        return found
    validator = op.response_validator(answer.status)
    if validator is None:
        if not documented.media_types and answer.body:
            found.append(f"response.body: {answer.status} documents no body, got {len(answer.body)} bytes")
        return found
    if answer.content() is None:  # an encoding this check cannot undo: not judged
        return found
    is_json, document = answer.json()
    if not is_json:
        return [*found, f"response.body: not JSON ({document})"]
    if _is_valid(validator, document):
        return found
    return found + _fields("response.body", validation.field_errors(spec.validators, validator, document))


def _is_valid(validator: Any, document: Any) -> bool:
    """The quick yes of the usual case; a document jsonschema-rs cannot take (a lone surrogate)
    is left to `validation.field_errors`, which can."""
    try:
        return bool(validator.is_valid(document))
    except UnicodeEncodeError:
        return False


def _fields(part: str, errors: Mapping[str, list[str]]) -> list[str]:
    """`{"field": ["message"]}` as violations of `part.field` (`part` alone for a non-field error)."""
    return [
        f"{part}: {message}" if name == validation.NON_FIELD else f"{part}.{name}: {message}"
        for name, messages in errors.items()
        for message in messages
    ]
