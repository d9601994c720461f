"""Starting data: the bundled demo workspace, or a JSON/YAML file of the same shape.

    {"workspaces": {"demo": {"personas": [...], "workflows": [...]}, "sandbox": {}}}

Every record is validated against its kind's create schema in the contract, with the API's own
validation (the same messages a `POST` would get), before anything is stored, so a bad file is
refused whole, with the file, record and field named.

The same format carries a whole exported state (`snapshot.export`, the admin API, the state
file): a record may also give the fields the server sets (the `readOnly` properties of the
kind's detail schema: `id`, `createdAt`, `updatedAt`, `lastRunAt`), a record of a kind with a
secret its secret (a workflow's `webhookToken`, checked by the schema of the kind's token
answer), and the document `nextIds` (`{"personas": N, "workflows": N, "runs": N}`) so ids
deleted before the export stay unused. Records that give no `id` get ids after the highest
given one, in file order; missing timestamps are set to now, as a create would.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from api_spec import Contract

from ..api import validation
from ..api.compiled import CompiledOperation, compile_contract
from ..api.errors import ValidationFailed
from .kinds import CREATED_AT, ID, RULES, RUNS, UPDATED_AT, KindRules
from .store import ConflictError, Store

BUNDLED = Path(__file__).with_name("data") / "seed.json"
EMPTY_WORKSPACES = ("demo", "sandbox")
FORMAT_VERSION = 1


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the place. `record` is the record at
    fault as (workspace, kind, index in its list), when one is (proxy mode's recording leaves it out)."""

    def __init__(self, message: str, record: tuple[str, str, int] | None = None) -> None:
        super().__init__(message)
        self.record = record


WORKSPACE_NAME_RULE = "invalid workspace name (lowercase letters, digits, single hyphens)"


def is_workspace_name(contract: Contract, name: str) -> bool:
    """Whether `name` fits the contract's workspace path parameter (else it could never be reached)."""
    return compile_contract(contract).scope.is_valid(name)


def read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: cannot read: {exc}") from None
    return data


def field_order(contract: Contract) -> dict[str, tuple[str, ...]]:
    """Each kind's fields in the order its detail response shows them: the store keeps them so."""
    return {name: kind.op("get").result_fields or () for name, kind in contract.kinds.items()}


def new_store(contract: Contract, workspaces: Iterable[str] = (), rules: Mapping[str, KindRules] = RULES) -> Store:
    """An empty store for the contract's kinds, records kept in the order answers show them."""
    return Store(workspaces, field_order(contract), rules)


@dataclass(frozen=True)
class _KindChecks:
    """How a seed record of one kind is checked: its create body, its server-set fields, its secret."""

    rules: KindRules
    create: CompiledOperation
    server_fields: Mapping[str, jsonschema_rs.Validator]
    secret: jsonschema_rs.Validator | None


@functools.cache
def _checks(contract: Contract) -> dict[str, _KindChecks]:
    compiled = compile_contract(contract)
    validators, doc = compiled.validators, contract.document
    unruled = set(contract.kinds) - set(RULES)
    if unruled:
        raise RuntimeError(f"kinds in the spec without rules in the store: {sorted(unruled)}")
    checks = {}
    for name, rules in RULES.items():  # in the store's order of kinds, as exports list them
        kind = contract.kind(name)
        detail = kind.op("get").success
        assert detail is not None and detail.schema is not None, f"{name}: the detail answers no schema"
        server_fields = {
            field: validators.of(prop)
            for field, prop in doc.properties(detail.schema).items()
            if contract.resolve(prop).get("readOnly")
        }
        secret = None
        if rules.secret is not None:
            token = kind.op("token")
            assert token.success is not None and token.result_fields is not None and len(token.result_fields) == 1
            secret = validators.of(doc.properties(token.success.schema)[token.result_fields[0]])
        checks[name] = _KindChecks(rules, compiled.operation(kind.op("create").operation_id), server_fields, secret)
    return checks


def build_store(contract: Contract, data: dict[str, Any] | None, source: str = "<seed>") -> Store:
    """A new store holding the seed's workspaces and records, or SeedError."""
    if data is None:
        return new_store(contract, EMPTY_WORKSPACES)
    workspaces = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(workspaces, dict) or not workspaces:
        raise SeedError(f"{source}: expected an object with a non-empty 'workspaces' object")
    _check_version(data, source)
    checks = _checks(contract)
    next_ids = _next_ids(data.get("nextIds"), (*checks, RUNS), source)
    validators = compile_contract(contract).validators
    plans: list[_Plan] = []
    for ws_name, content in workspaces.items():
        where = f"{source}: workspaces.{ws_name}"
        if not is_workspace_name(contract, ws_name):
            raise SeedError(f"{where}: {WORKSPACE_NAME_RULE}")
        content = content or {}
        if not isinstance(content, dict):
            raise SeedError(f"{where}: expected an object with {_kinds_text(checks)} lists")
        for kind, check in checks.items():
            records = content.get(kind) or []
            if not isinstance(records, list):
                raise SeedError(f"{where}.{kind}: expected a list")
            for i, record in enumerate(records):
                place = f"{where}.{kind}[{i}]"
                try:
                    fields = validation.validate_body(validators, check.create, record)
                except ValidationFailed as exc:
                    problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.body.items())
                    raise SeedError(f"{place}: {problems}", (ws_name, kind, i)) from None
                server = {k: record[k] for k in check.server_fields if k in record}
                problems = _server_problems(server, check.server_fields)
                secret_field = check.rules.secret
                secret = record.get(secret_field) if secret_field is not None else None
                if secret is not None and check.secret is not None and not check.secret.is_valid(secret):
                    problems.append(f"{secret_field}: not a valid webhook token (URL-safe, 32+ characters)")
                if problems:
                    raise SeedError(f"{place}: {'; '.join(problems)}", (ws_name, kind, i))
                plans.append(_Plan(ws_name, kind, {**fields, **server}, secret, place, i))
    store = new_store(contract, workspaces)
    for plan in sorted(plans, key=lambda plan: ID not in plan.record):  # given ids first, order kept
        try:
            store.restore(plan.workspace, plan.kind, plan.record, plan.secret)
        except ConflictError as exc:
            at_fault = (plan.workspace, plan.kind, plan.index)
            raise SeedError(f"{plan.place}: {exc.field}: {exc.message}", at_fault) from None
    store.raise_next_ids(next_ids)
    return store


@dataclass(frozen=True)
class _Plan:
    workspace: str
    kind: str
    record: dict[str, Any]
    secret: str | None
    place: str
    index: int  # in its kind's list


def _kinds_text(checks: Mapping[str, Any]) -> str:
    names = [f"'{kind}'" for kind in checks]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _check_version(data: dict[str, Any], source: str) -> None:
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SeedError(f"{source}: version: only version {FORMAT_VERSION} is known, not {version!r}")


def _next_ids(value: Any, counters: tuple[str, ...], source: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(counters):
        raise SeedError(f"{source}: nextIds: expected an object with some of {', '.join(counters)}")
    for kind, next_id in value.items():
        if not isinstance(next_id, int) or isinstance(next_id, bool) or next_id < 1:
            raise SeedError(f"{source}: nextIds.{kind}: expected a positive integer, not {next_id!r}")
    return dict(value)


def _server_problems(server: dict[str, Any], validators: Mapping[str, jsonschema_rs.Validator]) -> list[str]:
    problems = [
        f"{name}: {' '.join(validation.message(e) for e in validators[name].iter_errors(value))}"
        for name, value in server.items()
        if not validators[name].is_valid(value)
    ]
    created, updated = server.get(CREATED_AT), server.get(UPDATED_AT)
    if not problems and created and updated and datetime.fromisoformat(updated) < datetime.fromisoformat(created):
        problems.append(f"{UPDATED_AT}: must not be before {CREATED_AT}")
    return problems


def load(contract: Contract, path: Path | None, *, empty: bool = False) -> Store:
    """The store to start with: `path`'s data, the bundled demo data, or empty workspaces."""
    if empty:
        return build_store(contract, None)
    path = path or BUNDLED
    return build_store(contract, read(path), str(path))
