"""Request validation against the compiled contract, with DRF-style error messages.

Parameters arrive as strings and are read by their schema's type (`api_spec.coerce`, as the
contract suite reads them too) before validation. Bodies are parsed strictly (no NaN, bounded
size and depth) and validated; the errors of jsonschema-rs are turned into
`{"field": ["message"]}` with the wording DRF uses. A failed discriminated `oneOf` is explained
by the branch its tag picks (`api_spec.Document.branch`), as DRF's polymorphic serializers do.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import jsonschema_rs
from werkzeug.datastructures import MultiDict

from api_spec import Body, Validators, coerce

from ..state import jsonvalue
from .compiled import CompiledOperation, CompiledParameter
from .errors import ParseError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 64
NON_FIELD = "non_field_errors"


# -- parameters ------------------------------------------------------------------------
def path_params(operation: CompiledOperation, raw: Mapping[str, str]) -> dict[str, Any] | None:
    """Typed path parameters, or None when one cannot exist (the caller answers 404)."""
    values: dict[str, Any] = {}
    for param in operation.path_params:
        value = coerce(raw.get(param.name, ""), param.schema)
        if not param.validator.is_valid(value):
            return None
        values[param.name] = value
    return values


def query_params(operation: CompiledOperation, args: MultiDict[str, str]) -> dict[str, Any]:
    """Typed query parameters with spec defaults; unknown ones are ignored, as DRF does."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for param in operation.query_params:
        name = param.name
        if name not in args:
            if param.required:
                errors[name] = ["This field is required."]
            elif param.has_default:
                values[name] = param.default
            continue
        value = _query_value(param, args)
        messages = [message(e) for e in param.validator.iter_errors(value)]
        if messages:
            errors[name] = messages
        else:
            values[name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


def _query_value(param: CompiledParameter, args: MultiDict[str, str]) -> Any:
    if param.items is not None:
        return [coerce(v, param.items) for v in args.getlist(param.name)]
    return coerce(args.get(param.name, ""), param.schema)


# -- bodies ----------------------------------------------------------------------------
def parse_body(body: Body, content_type: str | None, content_length: int | None, data: bytes) -> Any:
    """The JSON document of a request body, or the DRF error for why it is not one."""
    if (content_length or 0) > MAX_BODY_BYTES or len(data) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    if not data.strip():
        if content_type and not _is_json(content_type, body):
            raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
        raise ValidationFailed({NON_FIELD: ["No data provided."]})
    if not content_type or not _is_json(content_type, body):
        raise UnsupportedMediaType(f'Unsupported media type "{content_type or ""}" in request.')
    try:
        document = json.loads(data, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ParseError(f"JSON parse error - nesting deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise ParseError(f"JSON parse error - {exc}") from None
    if _depth(document) > MAX_DEPTH:
        raise ParseError(f"JSON parse error - nesting deeper than {MAX_DEPTH} levels")
    return document


def validate_body(validators: Validators, operation: CompiledOperation, document: Any) -> dict[str, Any]:
    """The body's known fields, with spec defaults for those left out; 400 if invalid."""
    body = operation.operation.body
    assert body is not None and operation.body is not None, f"{operation.operation.operation_id} takes no body"
    errors = field_errors(validators, operation.body, document)
    if errors:
        raise ValidationFailed(errors)
    known = {k: v for k, v in document.items() if k in body.fields}
    return {**jsonvalue.copy(body.defaults), **known}


def field_errors(validators: Validators, validator: jsonschema_rs.Validator, document: Any) -> dict[str, list[str]]:
    """`{"field": ["message", ...]}` of every error `validator` finds in `document` (none: {})."""
    try:
        found = validator.iter_errors(document)
    except UnicodeEncodeError:  # a lone surrogate (`"\ud800"`), which jsonschema-rs cannot take
        found = validator.iter_errors(_without_surrogates(document))
    errors: dict[str, list[str]] = {}
    for error in _explain(validators, found):
        key, text = locate(error)
        bucket = errors.setdefault(key, [])
        if text not in bucket:
            bucket.append(text)
    return errors


def _explain(validators: Validators, errors: Iterable[jsonschema_rs.ValidationError]) -> Iterator[Any]:
    """Errors, with a failed discriminated `oneOf` replaced by the errors of the chosen branch."""
    for error in errors:
        if error.kind.name != "oneOf":
            yield error
            continue
        schema = validators.schema_at(list(error.schema_path)[:-1])
        branch = validators.contract.document.branch(schema, error.instance)
        if branch is None or not isinstance(error.instance, dict):
            yield error
        elif not branch.present:
            yield _Synthetic(error, branch.property, "This field is required.")
        elif branch.index is None:
            value = error.instance.get(branch.property)
            choices = ", ".join(branch.choices)
            yield _Synthetic(error, branch.property, f'"{value}" is not a valid choice (one of: {choices}).')
        else:
            yield from _explain(validators, error.kind.as_dict()["context"][branch.index])


class _Synthetic:
    """An error made here, shaped like the jsonschema-rs errors that `locate` reads."""

    class _Kind:
        name = "message"

        def as_dict(self) -> dict[str, Any]:
            return {}

    def __init__(self, parent: Any, prop: str, text: str) -> None:
        self.instance_path = [*parent.instance_path, prop]
        self.kind = self._Kind()
        self.message = text
        self.instance = None


def _is_json(content_type: str, body: Body) -> bool:
    """Whether the media type is one the spec lists for this body (parameters such as charset aside)."""
    return content_type.split(";", 1)[0].strip().lower() in body.media_types


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    """A JSON number; one too large for a double (`1e999`) would be stored as `Infinity`."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


# Each surrogate code point stands for one private-use code point of plane 15 while validating:
# one code point for one, distinct ones stay distinct, so lengths, patterns and keys judge alike.
_SURROGATE_STAND_INS = {cp: 0xF0000 + cp - 0xD800 for cp in range(0xD800, 0xE000)}


def _without_surrogates(node: Any) -> Any:
    if isinstance(node, str):
        return node.translate(_SURROGATE_STAND_INS)
    if isinstance(node, list):
        return [_without_surrogates(item) for item in node]
    if isinstance(node, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in node.items()}
    return node


def _depth(document: Any) -> int:
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in node)
    return deepest


# -- messages --------------------------------------------------------------------------
_TYPE_MESSAGES = {
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "string": "Not a valid string.",
    "boolean": "Must be a valid boolean.",
    "null": "This field must be null.",
}
_PY_TYPES = {dict: "dict", list: "list", str: "str", int: "int", float: "float", bool: "bool"}


def locate(error: Any) -> tuple[str, str]:
    """The top-level field an error belongs to, and its message (nested path as prefix)."""
    path = list(error.instance_path)
    if error.kind.name == "required":
        path.append(error.kind.as_dict()["property"])
    if not path:
        return NON_FIELD, message(error)
    top, rest = str(path[0]), path[1:]
    prefix = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    return top, f"{prefix}: {message(error)}" if prefix else message(error)


def message(error: Any) -> str:
    kind = error.kind.name
    details = error.kind.as_dict()
    instance = error.instance
    if kind == "required":
        return "This field is required."
    if kind == "message":
        return str(error.message)
    if kind == "type":
        wanted = [t for t in details.get("types", []) if t != "null"] or ["null"]
        if instance is None:
            return "This field may not be null."
        if wanted[0] == "array":
            return f'Expected a list of items but got type "{_PY_TYPES.get(type(instance), "value")}".'
        if wanted[0] == "object":
            if error.instance_path:
                return f'Expected a dictionary of items but got type "{_PY_TYPES.get(type(instance), "value")}".'
            return f"Invalid data. Expected a dictionary, but got {_PY_TYPES.get(type(instance), 'value')}."
        return _TYPE_MESSAGES.get(wanted[0], error.message)
    if kind in ("enum", "const"):
        return f'"{instance}" is not a valid choice.'
    if kind == "maxLength":
        return f"Ensure this field has no more than {details['limit']} characters."
    if kind == "minLength":
        if details["limit"] == 1:
            return "This field may not be blank."
        return f"Ensure this field has at least {details['limit']} characters."
    if kind == "maximum":
        return f"Ensure this value is less than or equal to {details['limit']}."
    if kind == "minimum":
        return f"Ensure this value is greater than or equal to {details['limit']}."
    if kind == "pattern":
        return "Enter a valid value."
    if kind == "minItems":
        if details["limit"] == 1:
            return "This list may not be empty."
        return f"Ensure this field has at least {details['limit']} elements."
    if kind == "maxItems":
        return f"Ensure this field has no more than {details['limit']} elements."
    if kind == "oneOf":
        return "Does not match any of the allowed shapes."
    return error.message


__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "field_errors",
    "parse_body",
    "path_params",
    "query_params",
    "validate_body",
]
