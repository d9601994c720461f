"""Validation too lax (invalid bodies fixed up and accepted) or too strict (valid ones refused)."""

from __future__ import annotations

from typing import Any

from api_spec import PERSONAS, WORKFLOWS

from .. import kit
from ..catalog import CONTRACT, CREATING, CREATING_PERSONAS, CREATING_WORKFLOWS, variant

# -- lax validation --------------------------------------------------------------------
THRESHOLDS = ("filterConfidenceThreshold", "runConfidenceThreshold")
PERSONA_PATHS = kit.writes_of(PERSONAS)
WORKFLOW_PATHS = kit.writes_of(WORKFLOWS)
WRITES = frozenset({"POST", "PUT"})


@variant(
    "a confidence threshold outside 0..1 is clamped into range and accepted instead of a 400",
    "negative_data_rejection",
    "invalid_input_refused",
)
@kit.bending(kit.rewrite_json_bodies, WRITES, PERSONA_PATHS)
def threshold_clamped(body: dict[str, Any]) -> None:
    for key in THRESHOLDS:
        value = body.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            body[key] = min(1.0, max(0.0, float(value)))


@variant(
    "a non-boolean workflow `enabled` (a string like 'false', a number) is coerced instead of a 400",
    "negative_data_rejection",
)
@kit.bending(kit.rewrite_json_bodies, WRITES, WORKFLOW_PATHS)
def string_booleans_coerced(body: dict[str, Any]) -> None:
    value = body.get("enabled")
    if isinstance(value, str):
        body["enabled"] = value.strip().lower() in ("true", "1", "yes", "on")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        body["enabled"] = bool(value)


@variant(
    "a workflow body without the required trigger gets a manual trigger instead of a 400",
    "negative_data_rejection",
)
@kit.bending(kit.rewrite_json_bodies, WRITES, WORKFLOW_PATHS)
def missing_trigger_defaulted(body: dict[str, Any]) -> None:
    body.setdefault("trigger", {"type": "manual"})


@variant(
    "a persona name with uppercase letters is lowercased and accepted instead of a 400",
    "negative_data_rejection",
    "invalid_input_refused",
    "create_read_back",
)
@kit.bending(kit.rewrite_json_bodies, WRITES, PERSONA_PATHS)
def uppercase_persona_name_lowercased(body: dict[str, Any]) -> None:
    if isinstance(body.get("name"), str):
        body["name"] = body["name"].lower()


# -- strict validation -----------------------------------------------------------------
DECLARED = {op: CONTRACT.operation(op).body.fields for op in kit.CREATE | kit.UPDATE}  # type: ignore[union-attr]
PERSONA_WRITES = {kit.op(PERSONAS, "create"), kit.op(PERSONAS, "update")}
WORKFLOW_WRITES = {kit.op(WORKFLOWS, "create"), kit.op(WORKFLOWS, "update")}


@variant(
    "an explicit null avatarUrl (documented as nullable) is refused with a 400",
    "positive_data_acceptance",
    *CREATING_PERSONAS,
)
@kit.bending(kit.stricter, PERSONA_WRITES)
def null_avatar_rejected(body: dict[str, Any]) -> dict[str, list[str]] | None:
    if "avatarUrl" in body and body["avatarUrl"] is None:
        return {"avatarUrl": ["This field may not be null."]}
    return None


@variant(
    "a persona name with digits (valid: lowercase letters, digits, hyphens) is refused with a 400",
    "positive_data_acceptance",
    *CREATING_PERSONAS,
)
@kit.bending(kit.stricter, PERSONA_WRITES)
def digits_in_persona_name_rejected(body: dict[str, Any]) -> dict[str, list[str]] | None:
    name = body.get("name")
    if isinstance(name, str) and any(c.isdigit() for c in name):
        return {"name": ["Enter a valid name: lowercase letters and hyphens only."]}
    return None


@variant(
    "a cron schedule with letters (MON-FRI, JAN), valid per the contract, is refused with a 400",
    "positive_data_acceptance",
    *CREATING_WORKFLOWS,
)
@kit.bending(kit.stricter, WORKFLOW_WRITES)
def cron_names_rejected(body: dict[str, Any]) -> dict[str, list[str]] | None:
    trigger = body.get("trigger")
    schedule = trigger.get("schedule") if isinstance(trigger, dict) else None
    if isinstance(schedule, str) and any(c.isalpha() for c in schedule):
        return {"trigger": ["trigger.schedule: Enter a valid cron expression (digits only)."]}
    return None


@variant(
    "a field the input schema does not declare (unknown or read-only) is refused with a 400 instead of ignored",
    "positive_data_acceptance",
    *CREATING,
)
@kit.bending(kit.stricter, kit.CREATE | kit.UPDATE)
def unknown_fields_rejected(body: dict[str, Any]) -> dict[str, list[str]] | None:
    unknown = sorted(set(body) - DECLARED[kit.operation_id() or ""])
    return {name: ["Unknown field."] for name in unknown} or None


@variant(
    "an empty description (valid: it is the default) is refused with a 400 'may not be blank'",
    "positive_data_acceptance",
    *CREATING,
)
@kit.bending(kit.stricter, kit.CREATE | kit.UPDATE)
def blank_description_rejected(body: dict[str, Any]) -> dict[str, list[str]] | None:
    return {"description": ["This field may not be blank."]} if body.get("description") == "" else None
