"""Schemathesis, set up for this API: the schema of a run, safe cases, and the stateful sequences.

Generated cases are made safe for a real deployment before they are sent (`Guard.prepare`):
the workspace is pinned, a generated id that could name someone else's resource is replaced
by one this run owns, and a valid generated name gets the run's prefix (and, for personas, a
counter, so two positive cases never collide on the unique name). A replaced value is valid
exactly when the generated one was, so positive cases stay positive and negative ones negative.
Which parameter is the workspace, which the id and of what kind, comes from the contract.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup

from api_spec import spec_path

from .api import KINDS, PAGE_SIZE, by_label, contract, examples, id_bounds, name_schema, validator
from .intent import excluded_checks, reassess
from .options import TOKEN_ENV, SuiteOptions
from .report import FailureRecord, Report
from .target import Target, Workspace

PER_OPERATION = "wp_per_operation"  # marks the test the plugin parametrizes with the run's schema


def per_operation(test: Callable[..., None]) -> Callable[..., None]:
    """Marks a test `(case, ...)` to be run once per selected operation with the run's schema.

    The schema depends on the run's options, so it cannot be built when the module is imported;
    the plugin applies `schema.parametrize()` when it collects the test."""
    setattr(test, PER_OPERATION, True)
    return test


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
            "parameters": {contract().scope_param: options.workspace},
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
    selected = sorted(op.operation_id for op in contract() if options.selects(op))
    return schema.include(operation_id=selected) if selected else schema.include(operation_id="-none-")


class Guard:
    """Makes generated cases safe to send and remembers what they created."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._resident: dict[str, int] = {}
        # Ids that cases may keep: those created earlier in the same stateful scenario.
        self.scenario: dict[str, set[int]] = {k: set() for k in KINDS}
        self._names = {kind: validator(name_schema(kind)) for kind in KINDS}
        self.examples = {kind: examples(kind)[0] for kind in KINDS}

    @property
    def workspace(self) -> Workspace:
        return self.target.workspace

    def start_scenario(self) -> None:
        """From now on, ids created by cases are kept in later cases (stateful sequences)."""
        self.scenario = {k: set() for k in KINDS}

    def resident(self, kind: str) -> int:
        """A resource for cases that need an existing id: one this run created and keeps, or,
        read-only, the first one listed (only ever read)."""
        if kind not in self._resident:
            if self.target.options.read_only:
                response = self.workspace.call("GET", self.workspace.path(kind) + f"?{PAGE_SIZE}=1")
                results = response.json().get("results") if response.status_code == 200 else None
                if not results:
                    pytest.skip(f"read-only, and the workspace has no {kind} to read")
                self._resident[kind] = results[0]["id"]
            else:
                self._resident[kind] = self.create(kind)
        return self._resident[kind]

    def create(self, kind: str) -> int:
        return self.workspace.create(kind, self.rename(kind, dict(self.examples[kind])))["id"]

    def rename(self, kind: str, body: Any) -> Any:
        """The body with a run-prefixed name, when its name is valid (and stays valid)."""
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return body
        body = copy.deepcopy(body)  # generated bodies may be shared between cases
        if self._names[kind].is_valid(body["name"]):
            body["name"] = self.target.name(kind, body["name"])
        return body

    def prepare(self, case: Any) -> None:
        """Pins the workspace, swaps ids for owned ones (a fresh one to delete), prefixes names."""
        op = by_label(case.operation.label)
        params = case.path_parameters
        scope = contract().scope_param
        if params is not None and scope in params:
            params[scope] = self.workspace.name
        if op is None or op.kind not in KINDS:
            return
        if op.id_param is not None and params is not None:
            value = params.get(op.id_param)
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if _plausible_id(op.kind, value) and value not in self.scenario[op.kind]:
                params[op.id_param] = self.create(op.kind) if op.method == "DELETE" else self.resident(op.kind)
        if op.method in ("POST", "PUT") and case.body is not None:
            case.body = self.rename(op.kind, case.body)

    def after_call(self, case: Any, response: Any) -> None:
        """Adopts what a create made, so it is cleaned up."""
        op = by_label(case.operation.label)
        if op is None or op.role != "create" or op.kind not in KINDS or response.status_code != 201:
            return
        try:
            rid = response.json().get("id")
        except (ValueError, AttributeError):
            return
        if isinstance(rid, int):
            self.workspace.owned[op.kind].add(rid)
            self.scenario[op.kind].add(rid)


def _plausible_id(kind: str, value: Any) -> bool:
    """Whether `value` is an id the spec allows, and so could name someone's resource."""
    smallest, largest = id_bounds(kind)
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return smallest <= value and (largest is None or value <= largest)


def check_name(failure: Failure) -> str:
    """The name of the Schemathesis check a failure belongs to."""
    checks = getattr(type(failure), "checks", ()) or (failure.title,)
    return checks[0]


def record_failures(report: Report, exc: FailureGroup | Failure, case: Any, response: Any, token: str) -> None:
    """Adds Schemathesis' failures to the report, with a curl whose token is masked."""
    failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
    try:
        headers = dict(response.request.headers) if response is not None else None
        curl = case.as_curl_command(headers=headers)
    except Exception:  # a reproduction is a courtesy; never let it hide the failure
        curl = ""
    curl = curl.replace(f"Bearer {token}", f"Bearer ${TOKEN_ENV}")
    for failure in failures:
        report.fail(
            FailureRecord(check_name(failure), case.operation.label, f"{failure.title}: {failure.message}", curl)
        )


def sequences(schema: Any, guard: Guard, report: Report, token: str) -> type:
    """The state machine of the spec's links (create, then read, update, run, fetch the token and
    delete what was created), its cases made safe by `guard` and judged as sent."""

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            guard.start_scenario()

        def before_call(self, case: Any) -> None:
            guard.prepare(case)
            reassess(case)  # judged as sent, not as generated

        def call(self, case: Any, **kwargs: Any) -> Any:
            with guard.target.transport(case.method, case.formatted_path):
                return super().call(case, **kwargs)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            guard.after_call(case, response)
            report.count(case.operation.label)

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            try:
                # As the base class does, plus the checks that cannot judge this case as sent.
                case.validate_response(
                    response,
                    additional_checks=additional_checks,
                    excluded_checks=excluded_checks(reassess(case)) or None,
                    transport_kwargs=kwargs or None,
                    recorder=self.recorder,
                )
            except FailureGroup as exc:
                record_failures(report, exc, case, response, token)
                raise

    return Sequences
