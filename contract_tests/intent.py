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
import functools
from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, ComponentInfo, CoverageScenario
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api_spec import Parameter, as_text

from .api import by_label, validator

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
    declared = _declared(case.operation.label, location)
    values = case.get_container(location)
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise _Unjudgeable
    for name, (param, check) in declared.items():
        if name not in values or values[name] is None:  # requests drops a None parameter
            if param.required:
                return False
            continue
        text = as_text(values[name])
        if text is None:  # arrays and objects are serialized in ways a scalar parameter does not define
            raise _Unjudgeable
        if not check.is_valid(param.read(text)):  # read as the server reads it (`api_spec.coerce`)
            return False
    return True


@functools.cache
def _declared(label: str, location: ParameterLocation) -> dict[str, tuple[Parameter, jsonschema_rs.Validator]]:
    """Each declared parameter of the operation at `location`, with its compiled validator."""
    op = by_label(label)
    if op is None:
        raise _Unjudgeable
    params = op.path_params if location is ParameterLocation.PATH else op.query_params
    return {name: (param, validator(param.schema)) for name, param in params.items()}
