"""Every operation, from the spec: Schemathesis' examples, coverage and fuzzing phases.

Positive cases must be accepted, negative ones (schema-violating bodies and parameters,
missing or bad auth) rejected with a documented 4xx; status codes, content types, headers and
bodies must conform; never a 5xx. The test is parametrized with the run's schema when the
plugin collects it (one test per selected operation; see `contract_tests.plugin`).
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contract_tests.api import by_label
from contract_tests.conformance import Guard, per_operation, record_failures
from contract_tests.intent import excluded_checks, reassess
from contract_tests.plugin import ContractSuite


@per_operation
def test_operation(case: Any, wp_guard: Guard, wp_suite: ContractSuite) -> None:
    wp_guard.start_scenario()  # each case stands alone
    wp_guard.prepare(case)
    excluded = excluded_checks(reassess(case))  # judged as sent, not as generated
    with wp_guard.target.transport(case.method, case.formatted_path):
        response = case.call()
    wp_guard.after_call(case, response)
    wp_suite.report.count(case.operation.label)
    # A valid page number past the end is a documented 404, not a refusal of valid data.
    operation = by_label(case.operation.label)
    if response.status_code == 404 and operation is not None and operation.paginated:
        excluded.append(positive_data_acceptance)
    try:
        case.validate_response(response, excluded_checks=excluded or None)
    except (FailureGroup, Failure) as exc:
        record_failures(wp_suite.report, exc, case, response, wp_suite.options.token)
        raise
