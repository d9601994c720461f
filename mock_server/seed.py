"""Starting data: the bundled demo workspace, or a JSON/YAML file of the same shape.

    {"workspaces": {"demo": {"personas": [...], "workflows": [...]}, "sandbox": {}}}

Every record is validated against the spec's create schema before anything is stored, so
a bad file is refused whole, with the file, record and field named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from . import validation
from .errors import ValidationFailed
from .spec import Spec
from .store import PERSONAS, WORKFLOWS, Store

BUNDLED = Path(__file__).with_name("data") / "seed.json"
EMPTY_WORKSPACES = ("demo", "sandbox")
CREATE_OPERATION = {PERSONAS: "createPersona", WORKFLOWS: "createWorkflow"}


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


def build_store(spec: Spec, data: dict[str, Any] | None, source: str = "<seed>") -> Store:
    """A new store holding the seed's workspaces and records, or SeedError."""
    if data is None:
        return Store(EMPTY_WORKSPACES)
    workspaces = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(workspaces, dict) or not workspaces:
        raise SeedError(f"{source}: expected an object with a non-empty 'workspaces' object")
    plans: list[tuple[str, str, dict[str, Any]]] = []
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
                try:
                    plans.append((ws_name, kind, validation.validate_body(spec, body, record)))
                except ValidationFailed as exc:
                    problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.body.items())
                    raise SeedError(f"{where}.{kind}[{i}]: {problems}") from None
    store = Store(workspaces)
    for ws_name, kind, record in plans:
        try:
            store.create(ws_name, kind, record)
        except ValueError as exc:  # a duplicate persona name
            raise SeedError(f"{source}: workspaces.{ws_name}.{kind}: {exc} ({record.get('name')!r})") from None
    return store


def load(spec: Spec, path: Path | None, *, empty: bool = False) -> Store:
    """The store to start with: `path`'s data, the bundled demo data, or empty workspaces."""
    if empty:
        return build_store(spec, None)
    path = path or BUNDLED
    return build_store(spec, read(path), str(path))
