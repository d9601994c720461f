"""What a case means once it is made safe to send: valid, invalid, or not for us to judge.

Schemathesis decides at generation time whether a case is positive or negative. `Guard.prepare`
then pins the workspace, swaps ids for owned ones and prefixes names, so a part generated as
invalid may be sent valid, and the contract says a server ignores unknown query parameters.
Judging such a case by its generation-time mode fails a correct server. So every case is judged
again as it will be sent, part by part, from the operation's own parameter schemas:

* every declared part valid (unknown query parameters left aside): the case is positive and a
  correct server must accept it;
* some declared part still invalid: it stays negative and must be refused;
* a part whose wire form cannot be judged here (a list or an object where a scalar is
  declared, a value the serialization may change): neither check applies to the case.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, ComponentInfo, CoverageScenario
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_REPLACED = (ParameterLocation.PATH, ParameterLocation.QUERY)
_SHAPE_PROBES = frozenset({*REQUEST_SHAPE_PROBES, CoverageScenario.DUPLICATE_PARAMETER})


class Intent(enum.Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNDETERMINED = "undetermined"


class _Unjudgeable(Exception):
    """A value whose form on the wire cannot be told from here."""


def reassess(case: Any) -> Intent:
    """Judges the case as it will be sent and records the result in its metadata, so that
    Schemathesis' `positive_data_acceptance` and `negative_data_rejection` judge what is sent."""
    meta = case.meta  # Schemathesis re-validates the containers that were changed in place
    if meta is None:
        return Intent.UNDETERMINED
    if meta.generation.mode.is_positive:
        return Intent.POSITIVE  # replacements keep valid values valid
    if not _replaceable_only(meta):
        return Intent.NEGATIVE
    try:
        all_valid = all(_parameters_valid(case, loc) for loc in _REPLACED if loc in meta.components)
    except _Unjudgeable:
        return Intent.UNDETERMINED
    if not all_valid:
        return Intent.NEGATIVE
    for location in meta.components:
        meta.components[location] = ComponentInfo(mode=GenerationMode.POSITIVE)
    meta.generation.mode = GenerationMode.POSITIVE
    return Intent.POSITIVE


def excluded_checks(intent: Intent) -> list[Any]:
    """The checks that cannot judge a case of this intent."""
    return [positive_data_acceptance, negative_data_rejection] if intent is Intent.UNDETERMINED else []


def _replaceable_only(meta: Any) -> bool:
    """Whether the case is negative only in the path and the query, the parts the guard replaces
    and the contract lets a server ignore. A negative body, header (the missing or bad
    `Authorization` probes) or cookie, and the request-shape probes (an undeclared method, a
    bad content type, a repeated parameter), are judged by Schemathesis as generated."""
    negated = {loc for loc, info in meta.components.items() if info.mode.is_negative}
    if negated - set(_REPLACED):
        return False
    data = meta.phase.data
    if getattr(data, "parameter_location", None) not in (None, *_REPLACED):
        return False
    return getattr(data, "scenario", None) not in _SHAPE_PROBES


def _parameters_valid(case: Any, location: ParameterLocation) -> bool:
    """Whether every declared parameter at `location` is valid as sent; undeclared ones are left
    aside (the contract: unknown query parameters are ignored)."""
    declared = _declared(case.operation, location)
    values = case.get_container(location)
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise _Unjudgeable
    for name, (schema, validator, required) in declared.items():
        if name not in values or values[name] is None:  # requests drops a None parameter
            if required:
                return False
            continue
        if not validator.is_valid(_read(values[name], schema)):
            return False
    return True


def _read(value: Any, schema: Mapping[str, Any]) -> Any:
    """A parameter value as the server reads it: its text, typed by the schema."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value)
    else:
        raise _Unjudgeable  # arrays and objects are serialized in ways a scalar parameter does not define
    types = schema.get("type", "string")
    for kind in [types] if isinstance(types, str) else types:
        if kind == "integer" and _INTEGER.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            return float(text)
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "string":
            return text
    return text


_DECLARED: dict[tuple[str, ParameterLocation], dict[str, tuple[Any, Any, bool]]] = {}


def _declared(operation: Any, location: ParameterLocation) -> dict[str, tuple[Any, Any, bool]]:
    """Each declared parameter's schema, compiled validator and whether it is required."""
    key = (operation.label, location)
    if key not in _DECLARED:
        schema = getattr(operation.get_parameter_set(location), "schema", None) or {}
        required = set(schema.get("required", ()))
        _DECLARED[key] = {
            name: (prop, jsonschema_rs.validator_for(prop), name in required)
            for name, prop in schema.get("properties", {}).items()
        }
    return _DECLARED[key]
