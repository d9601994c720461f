"""Sequences generated from the spec's links: create, then read, update, run, fetch the token
and delete what was created, in generated orders with generated data. The state machine is
built for each run from its schema, its guard and its report (`conformance.sequences`)."""

from __future__ import annotations

import hypothesis
import pytest
from schemathesis.core.failures import FailureGroup, as_reported_failure

from contract_tests.api import contract
from contract_tests.conformance import Guard, sequences
from contract_tests.plugin import ContractSuite


def test_stateful(wp_suite: ContractSuite, wp_guard: Guard) -> None:
    options = wp_suite.options
    linked = [op for op in contract() if options.selects(op)]
    if options.read_only or not any(op.role == "create" for op in linked) or len(linked) < 2:
        pytest.skip("needs a create operation and one it links to (writes; not read-only)")
    machine = sequences(wp_suite.schema(stateful=True), wp_guard, wp_suite.report, options.token)
    try:
        hypothesis.seed(options.seed)(machine).run(settings=wp_suite.sequence_settings)
    except FailureGroup as exc:
        raise as_reported_failure(exc) from None
