"""Starting data: the bundled demo workspace, or a JSON/YAML file of the same shape.

    {"workspaces": {"demo": {"personas": [...], "workflows": [...]}, "sandbox": {}}}

Every record is validated against the spec's create schema before anything is stored, so
a bad file is refused whole, with the file, record and field named.

The same format carries a whole exported state (`snapshot.export`, the admin API, the state
file): a record may also give the fields the server sets (the `readOnly` properties of the
spec's detail schema: `id`, `createdAt`, `updatedAt`, `lastRunAt`), a workflow its
`webhookToken`, and the document `nextIds` (`{"personas": N, "workflows": N, "runs": N}`)
so ids deleted before the export stay unused. Each is validated by its schema in the spec.
Records that give no `id` get ids after the highest given one, in file order; missing
timestamps are set to now, as a create would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import validation
from .errors import ValidationFailed
from .spec import Spec
from .store import PERSONAS, RUNS, WEBHOOK_TOKEN, WORKFLOWS, ConflictError, Store

BUNDLED = Path(__file__).with_name("data") / "seed.json"
EMPTY_WORKSPACES = ("demo", "sandbox")
CREATE_OPERATION = {PERSONAS: "createPersona", WORKFLOWS: "createWorkflow"}
DETAIL_OPERATION = {PERSONAS: "getPersona", WORKFLOWS: "getWorkflow"}
TOKEN_OPERATION = "getWorkflowToken"
FORMAT_VERSION = 1


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the place."""


WORKSPACE_NAME_RULE = "invalid workspace name (lowercase letters, digits, single hyphens)"


def is_workspace_name(spec: Spec, name: str) -> bool:
    """Whether `name` fits the spec's `workspace_name` path parameter (else it could never be reached)."""
    return spec.operation("listPersonas").path_params["workspace_name"].validator.is_valid(name)


def read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: cannot read: {exc}") from None
    return data


def field_order(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Each kind's fields in the order its detail response shows them: the store keeps them so."""
    return {kind: spec.operation(op).result_fields or () for kind, op in DETAIL_OPERATION.items()}


def build_store(spec: Spec, data: dict[str, Any] | None, source: str = "<seed>") -> Store:
    """A new store holding the seed's workspaces and records, or SeedError."""
    if data is None:
        return Store(EMPTY_WORKSPACES, field_order(spec))
    workspaces = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(workspaces, dict) or not workspaces:
        raise SeedError(f"{source}: expected an object with a non-empty 'workspaces' object")
    _check_version(data, source)
    next_ids = _next_ids(data.get("nextIds"), source)
    server_fields = {kind: _server_fields(spec, op) for kind, op in DETAIL_OPERATION.items()}
    token_validator = _token_validator(spec)
    plans: list[_Plan] = []
    for ws_name, content in workspaces.items():
        where = f"{source}: workspaces.{ws_name}"
        if not is_workspace_name(spec, ws_name):
            raise SeedError(f"{where}: {WORKSPACE_NAME_RULE}")
        content = content or {}
        if not isinstance(content, dict):
            raise SeedError(f"{where}: expected an object with 'personas' and 'workflows' lists")
        for kind, operation_id in CREATE_OPERATION.items():
            records = content.get(kind) or []
            if not isinstance(records, list):
                raise SeedError(f"{where}.{kind}: expected a list")
            body = spec.operation(operation_id).body
            assert body is not None
            for i, record in enumerate(records):
                place = f"{where}.{kind}[{i}]"
                try:
                    fields = validation.validate_body(spec, body, record)
                except ValidationFailed as exc:
                    problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.body.items())
                    raise SeedError(f"{place}: {problems}") from None
                server = {k: record[k] for k in server_fields[kind] if k in record}
                problems = _server_problems(server, server_fields[kind])
                token = record.get(WEBHOOK_TOKEN) if kind == WORKFLOWS else None
                if token is not None and not token_validator.is_valid(token):
                    problems.append(f"{WEBHOOK_TOKEN}: not a valid webhook token (URL-safe, 32+ characters)")
                if problems:
                    raise SeedError(f"{place}: {'; '.join(problems)}")
                plans.append(_Plan(ws_name, kind, {**fields, **server}, token, place))
    store = Store(workspaces, field_order(spec))
    for plan in sorted(plans, key=lambda plan: "id" not in plan.record):  # given ids first, order kept
        try:
            store.restore(plan.workspace, plan.kind, plan.record, plan.token)
        except ConflictError as exc:
            raise SeedError(f"{plan.place}: {exc.field}: {exc.message}") from None
    store.raise_next_ids(next_ids)
    return store


@dataclass(frozen=True)
class _Plan:
    workspace: str
    kind: str
    record: dict[str, Any]
    token: str | None
    place: str


def _check_version(data: dict[str, Any], source: str) -> None:
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SeedError(f"{source}: version: only version {FORMAT_VERSION} is known, not {version!r}")


def _next_ids(value: Any, source: str) -> dict[str, int]:
    if value is None:
        return {}
    kinds = (PERSONAS, WORKFLOWS, RUNS)
    if not isinstance(value, dict) or set(value) - set(kinds):
        raise SeedError(f"{source}: nextIds: expected an object with some of {', '.join(kinds)}")
    for kind, next_id in value.items():
        if not isinstance(next_id, int) or isinstance(next_id, bool) or next_id < 1:
            raise SeedError(f"{source}: nextIds.{kind}: expected a positive integer, not {next_id!r}")
    return dict(value)


def _server_fields(spec: Spec, operation_id: str) -> dict[str, Any]:
    """Validators of the fields the server sets: the readOnly properties of the detail schema."""
    response = spec.resolve(spec.operation(operation_id).raw["responses"]["200"])
    schema = response["content"]["application/json"]["schema"]
    return {
        name: spec.validator(prop)
        for name, prop in spec.properties(schema).items()
        if spec.resolve(prop).get("readOnly")
    }


def _token_validator(spec: Spec) -> Any:
    response = spec.resolve(spec.operation(TOKEN_OPERATION).raw["responses"]["200"])
    schema = response["content"]["application/json"]["schema"]
    return spec.validator(spec.properties(schema)["token"])


def _server_problems(server: dict[str, Any], validators: dict[str, Any]) -> list[str]:
    problems = [
        f"{name}: {' '.join(validation.message(e) for e in validators[name].iter_errors(value))}"
        for name, value in server.items()
        if not validators[name].is_valid(value)
    ]
    created, updated = server.get("createdAt"), server.get("updatedAt")
    if not problems and created and updated and datetime.fromisoformat(updated) < datetime.fromisoformat(created):
        problems.append("updatedAt: must not be before createdAt")
    return problems


def load(spec: Spec, path: Path | None, *, empty: bool = False) -> Store:
    """The store to start with: `path`'s data, the bundled demo data, or empty workspaces."""
    if empty:
        return build_store(spec, None)
    path = path or BUNDLED
    return build_store(spec, read(path), str(path))
