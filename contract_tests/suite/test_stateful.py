"""Sequences generated from the spec's links: create, then read, update, run, fetch the token
and delete what was created, in generated orders with generated data."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from schemathesis.core.failures import FailureGroup

from contract_tests.conformance import operations, record_failures
from contract_tests.intent import excluded_checks, reassess
from contract_tests.plugin import active_options, active_schema, current_guard
from contract_tests.report import REPORT

options = active_options()
LINKED = {op_id for op_id, method, path in operations() if options.selects(op_id, method, path)}
RUNNABLE = bool({"createWorkflow", "createPersona"} & LINKED) and len(LINKED) > 1

if options.read_only or not RUNNABLE:
    pytestmark = pytest.mark.skip(reason="needs a create operation and one it links to (writes; not read-only)")
else:

    class APIWorkflow(active_schema(stateful=True).as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            current_guard().start_scenario()

        def before_call(self, case: Any) -> None:
            current_guard().prepare(case)
            reassess(case)  # judged as sent, not as generated

        def call(self, case: Any, **kwargs: Any) -> Any:
            with current_guard().target.transport(case.method, case.formatted_path):
                return super().call(case, **kwargs)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            current_guard().after_call(case, response)
            REPORT.count(case.operation.label)

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
                record_failures(exc, case, response, options.token)
                raise

    hypothesis.seed(options.seed)(APIWorkflow)

    @pytest.mark.usefixtures("wp_guard")
    class TestStateful(APIWorkflow.TestCase):  # type: ignore[name-defined,misc]
        settings = hypothesis.settings(
            max_examples=options.stateful_examples,
            stateful_step_count=options.profile.stateful_steps,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=options.hypothesis_phases,
        )
