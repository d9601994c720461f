"""Every operation, from the spec: Schemathesis' examples, coverage and fuzzing phases.

Positive cases must be accepted, negative ones (schema-violating bodies and parameters,
missing or bad auth) rejected with a documented 4xx; status codes, content types, headers and
bodies must conform; never a 5xx.
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contract_tests.conformance import Guard, list_operations, record_failures
from contract_tests.intent import excluded_checks, reassess
from contract_tests.options import SuiteOptions
from contract_tests.plugin import active_schema
from contract_tests.report import REPORT

schema = active_schema()
LISTS = frozenset(list_operations())


@schema.parametrize()
def test_operation(case: Any, wp_guard: Guard, wp_options: SuiteOptions) -> None:
    wp_guard.scenario = {kind: set() for kind in wp_guard.scenario}  # each case stands alone
    wp_guard.prepare(case)
    excluded = excluded_checks(reassess(case))  # judged as sent, not as generated
    with wp_guard.target.transport(case.method, case.formatted_path):
        response = case.call()
    wp_guard.after_call(case, response)
    REPORT.count(case.operation.label)
    # A valid page number past the end is a documented 404, not a refusal of valid data.
    if response.status_code == 404 and case.operation.definition.raw.get("operationId") in LISTS:
        excluded.append(positive_data_acceptance)
    try:
        case.validate_response(response, excluded_checks=excluded or None)
    except (FailureGroup, Failure) as exc:
        record_failures(exc, case, response, wp_options.token)
        raise
