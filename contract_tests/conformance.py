"""Schemathesis, set up for this API: the schema, its config, and safe cases.

Generated cases are made safe for a real deployment before they are sent (`Guard.prepare`):
the workspace is pinned, a generated id that could name someone else's resource is replaced
by one this run owns, and a valid generated name gets the run's prefix (and, for personas, a
counter, so two positive cases never collide on the unique name). A replaced value is valid
exactly when the generated one was, so positive cases stay positive and negative ones negative.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup

from api_spec import load_spec, spec_path

from .options import TOKEN_ENV, SuiteOptions
from .report import REPORT, FailureRecord
from .target import KINDS, PERSONAS, Target, Workspace

_ITEM = re.compile(r"/(?P<kind>[a-z]+)/\{(?P<param>[a-z_]+_id)\}")
MAX_ID = 2**63 - 1


def build_schema(options: SuiteOptions, *, stateful: bool = False) -> Any:
    """The Schemathesis schema of the packaged `openapi.yaml`, aimed at the target.

    Single cases always address live resources this run owns, so a valid one must succeed;
    stateful sequences may legitimately address what they deleted, so they keep Schemathesis'
    defaults there (and its `use_after_free` check judges those 404s).
    """
    profile = options.profile
    # Ids are ones this run owns and keeps alive, and the token is valid: a schema-valid request
    # has no excuse but success (a page past the end, a documented 404, is let through per case).
    strict: dict[str, Any] = {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx"]}}}
    if options.read_only:
        # Probing undeclared methods (POST, PUT, DELETE, PATCH ...) would be a write attempt.
        strict["phases"] = {"coverage": {"enabled": profile.coverage, "unexpected-methods": []}}
    config = SchemathesisConfig.from_dict(
        {
            "base-url": options.base_url,
            "seed": options.seed,
            "cache": {"enabled": False},  # write nothing into the caller's directory
            "headers": {"Authorization": f"Bearer {options.token}"},
            "request-timeout": options.timeout,
            "parameters": {"workspace_name": options.workspace},
            "generation": {
                "max-examples": options.examples,
                "database": "none",
                "mode": "all",
                "no-shrink": options.no_shrink,
            },
            "phases": {
                "coverage": {"enabled": profile.coverage},
                "stateful": {"max-steps": profile.stateful_steps},
            },
            **({} if stateful else strict),
        }
    )
    schema = schemathesis.openapi.from_path(spec_path(), config=config)
    selected = {op_id for op_id, method, path in operations() if options.selects(op_id, method, path)}
    return schema.include(operation_id=sorted(selected)) if selected else schema.include(operation_id="-none-")


def list_operations() -> list[str]:
    """operationIds of the paginated lists (the ones taking a `page` parameter)."""
    spec = load_spec()
    found = []
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and any(
                p.get("$ref", "").endswith("/Page") or p.get("name") == "page" for p in op.get("parameters", [])
            ):
                found.append(op["operationId"])
    return found


def operations() -> Iterable[tuple[str, str, str]]:
    """(operationId, METHOD, path) of every operation in the spec."""
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                yield op["operationId"], method.upper(), path


def item_param(path: str) -> tuple[str, str] | None:
    """(kind, id parameter) of an item path such as `/workflows/{workflow_id}/run`."""
    match = _ITEM.search(path)
    return (match["kind"], match["param"]) if match else None


def _name_validator(component: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(load_spec()["components"]["schemas"][component])


class Guard:
    """Makes generated cases safe to send and remembers what they created."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.ever_owned: dict[str, set[int]] = {k: set() for k in KINDS}
        self._resident: dict[str, int] = {}
        # Ids that cases may keep: those created earlier in the same stateful scenario.
        self.scenario: dict[str, set[int]] = {k: set() for k in KINDS}
        self._persona_name = _name_validator("PersonaName")
        self._workflow_name = _name_validator("WorkflowName")
        self.examples = example_bodies()

    @property
    def workspace(self) -> Workspace:
        return self.target.workspace

    def owned(self, kind: str, rid: int) -> None:
        self.ever_owned[kind].add(rid)

    def start_scenario(self) -> None:
        """From now on, ids created by cases are kept in later cases (stateful sequences)."""
        self.scenario = {k: set() for k in KINDS}

    def resident(self, kind: str) -> int:
        """A resource for cases that need an existing id: one this run created and keeps, or,
        read-only, the first one listed (only ever read)."""
        if kind not in self._resident:
            if self.target.options.read_only:
                response = self.workspace.call("GET", self.workspace.path(kind) + "?page_size=1")
                results = response.json().get("results") if response.status_code == 200 else None
                if not results:
                    pytest.skip(f"read-only, and the workspace has no {kind} to read")
                self._resident[kind] = results[0]["id"]
                self.owned(kind, self._resident[kind])
            else:
                self._resident[kind] = self.create(kind)
        return self._resident[kind]

    def create(self, kind: str) -> int:
        rid = self.workspace.create(kind, self.rename(kind, dict(self.examples[kind])))["id"]
        self.owned(kind, rid)
        return rid

    def rename(self, kind: str, body: Any) -> Any:
        """The body with a run-prefixed name, when its name is valid (and stays valid)."""
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return body
        body = copy.deepcopy(body)  # generated bodies may be shared between cases
        if kind == PERSONAS and self._persona_name.is_valid(body["name"]):
            body["name"] = self.target.persona_name(body["name"])
        elif kind != PERSONAS and self._workflow_name.is_valid(body["name"]):
            body["name"] = self.target.workflow_name(body["name"])
        return body

    def prepare(self, case: Any) -> None:
        """Pins the workspace, swaps ids for owned ones (a fresh one to delete), prefixes names."""
        path = case.operation.path
        params = case.path_parameters
        if params is not None and "workspace_name" in params:
            params["workspace_name"] = self.workspace.name
        found = item_param(path)
        if found and params is not None:
            kind, param = found
            value = params.get(param)
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if _plausible_id(value) and value not in self.scenario[kind]:
                params[param] = self.create(kind) if case.method.upper() == "DELETE" else self.resident(kind)
        if case.method.upper() in ("POST", "PUT") and case.body is not None:
            kind = found[0] if found else path.rstrip("/").rsplit("/", 1)[-1]
            if kind in KINDS:
                case.body = self.rename(kind, case.body)

    def after_call(self, case: Any, response: Any) -> None:
        """Adopts what a create made, so it is cleaned up."""
        if case.method.upper() != "POST" or response.status_code != 201:
            return
        kind = case.operation.path.rstrip("/").rsplit("/", 1)[-1]
        if kind not in KINDS:
            return
        try:
            rid = response.json().get("id")
        except (ValueError, AttributeError):
            return
        if isinstance(rid, int):
            self.workspace.owned[kind].add(rid)
            self.owned(kind, rid)
            self.scenario[kind].add(rid)


def _plausible_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def example_bodies() -> dict[str, dict[str, Any]]:
    """A valid create body per kind: the first example of its create operation in the spec."""
    return {kind: bodies[0] for kind, bodies in all_example_bodies().items()}


def all_example_bodies() -> dict[str, list[dict[str, Any]]]:
    """Every request example of each kind's create operation, in the spec's order."""
    spec = load_spec()
    bodies: dict[str, list[dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        post = item.get("post")
        kind = path.rstrip("/").rsplit("/", 1)[-1]
        if not post or kind not in KINDS or "requestBody" not in post:
            continue
        examples = post["requestBody"]["content"]["application/json"].get("examples", {})
        for example in examples.values():
            ref = example.get("$ref")
            resolved = spec["components"]["examples"][ref.rsplit("/", 1)[-1]] if ref else example
            bodies.setdefault(kind, []).append(resolved["value"])
    missing = set(KINDS) - set(bodies)
    if missing:
        raise RuntimeError(f"openapi.yaml has no request example for creating {sorted(missing)}")
    return bodies


def record_failures(exc: FailureGroup | Failure, case: Any, response: Any, token: str) -> None:
    """Adds Schemathesis' failures to the report, with a curl whose token is masked."""
    failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
    try:
        headers = dict(response.request.headers) if response is not None else None
        curl = case.as_curl_command(headers=headers)
    except Exception:  # a reproduction is a courtesy; never let it hide the failure
        curl = ""
    curl = curl.replace(f"Bearer {token}", f"Bearer ${TOKEN_ENV}")
    for failure in failures:
        checks = getattr(type(failure), "checks", ()) or (failure.title,)
        REPORT.fail(FailureRecord(checks[0], case.operation.label, f"{failure.title}: {failure.message}", curl))
