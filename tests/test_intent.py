"""A case is judged as it is sent, not as it was generated (contract_tests/intent.py).

Each test builds, by hand, a kind of case that once made the suite fail the correct mock: a
case generated as negative whose invalid parts `Guard.prepare` replaced with valid ones, or
whose only remaining "invalid" part is an unknown query parameter, which the contract says a
server ignores. The case is prepared by the real Guard, sent to the real mock and judged by
Schemathesis' own checks; each test also shows that judging by the generation-time mode fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import (
    CaseMetadata,
    ComponentInfo,
    CoverageScenario,
    FuzzingPhaseData,
    GenerationInfo,
    PhaseInfo,
    TestPhase,
)
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api_spec import spec_path
from contract_tests.conformance import Guard
from contract_tests.intent import Intent, excluded_checks, reassess
from contract_tests.options import SuiteOptions
from contract_tests.target import Target

from .conftest import TOKEN, LiveMock, serve

WS = "/api/v3/workspaces/{workspace_name}"
NEG, POS = GenerationMode.NEGATIVE, GenerationMode.POSITIVE
JUDGES = [negative_data_rejection, positive_data_acceptance]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveMock]:
    with serve() as mock:
        yield mock


@pytest.fixture(scope="module")
def guard(live: LiveMock) -> Iterator[Guard]:
    target = Target(SuiteOptions(base_url=live.url, token=TOKEN, workspace="demo"))
    yield Guard(target)
    target.close()


@pytest.fixture(scope="module")
def schema(live: LiveMock) -> Any:
    return schemathesis.openapi.from_path(
        spec_path(), config=schemathesis.config.SchemathesisConfig.from_dict({"base-url": live.url})
    )


def case(schema: Any, path: str, method: str, modes: dict[ParameterLocation, GenerationMode], **parts: Any) -> Any:
    """A case as Schemathesis' fuzzing phase makes one, negative where `modes` says."""
    negated = next((loc for loc, mode in modes.items() if mode is NEG), None)
    meta = CaseMetadata(
        generation=GenerationInfo(time=0.0, mode=NEG if negated else POS),
        components={loc: ComponentInfo(mode=mode) for loc, mode in modes.items()},
        phase=PhaseInfo(
            name=TestPhase.FUZZING,
            data=FuzzingPhaseData(description="hand-built", parameter=None, parameter_location=negated, location=None),
        ),
    )
    operation = schema[WS + path][method]
    return operation.Case(_meta=meta, **parts)


def judged(case: Any, live: LiveMock, *, reassessed: bool) -> tuple[int, list[str]]:
    """Sends the case and returns its status and the failing checks' titles."""
    excluded = excluded_checks(reassess(case)) if reassessed else []
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        case.validate_response(response, checks=[c for c in JUDGES if c not in excluded])
    except (Failure, FailureGroup) as exc:
        failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
        return response.status_code, [f.title for f in failures]
    return response.status_code, []


def test_pinned_workspace_and_unknown_query_parameter_is_positive(schema: Any, guard: Guard, live: LiveMock) -> None:
    """The false alarm of seed 359579595: workspace negated by pattern, plus an unknown query parameter."""

    def built() -> Any:
        made = case(
            schema,
            "/workflows/",
            "GET",
            {ParameterLocation.PATH: NEG, ParameterLocation.QUERY: NEG},
            path_parameters={"workspace_name": "Not A Name!"},
            query={"xYz": "\U0001f600", "page_size": 2},
        )
        guard.prepare(made)
        return made

    assert judged(built(), live, reassessed=False) == (200, ["Schema-violating request accepted"])
    made = built()
    assert reassess(made) is Intent.POSITIVE
    assert made.meta.generation.mode is POS
    assert judged(made, live, reassessed=True) == (200, [])


def test_replaced_id_is_positive(schema: Any, guard: Guard, live: LiveMock) -> None:
    """A negated workspace beside a plausible id: both are replaced (the id by one the run owns)."""
    made = case(
        schema,
        "/personas/{persona_id}",
        "GET",
        {ParameterLocation.PATH: NEG},
        path_parameters={"workspace_name": "-", "persona_id": 987654321},
    )
    guard.prepare(made)
    assert made.path_parameters["persona_id"] != 987654321  # swapped for an owned one
    assert reassess(made) is Intent.POSITIVE
    assert judged(made, live, reassessed=True) == (200, [])


def test_invalid_declared_parameter_stays_negative(schema: Any, guard: Guard, live: LiveMock) -> None:
    made = case(
        schema,
        "/workflows/",
        "GET",
        {ParameterLocation.PATH: NEG, ParameterLocation.QUERY: NEG},
        path_parameters={"workspace_name": "Not A Name!"},
        query={"page_size": 101, "unknown": "x"},
    )
    guard.prepare(made)
    assert reassess(made) is Intent.NEGATIVE
    assert judged(made, live, reassessed=True) == (400, [])


def test_invalid_body_stays_negative(schema: Any, guard: Guard, live: LiveMock) -> None:
    made = case(
        schema,
        "/personas/",
        "POST",
        {ParameterLocation.PATH: NEG, ParameterLocation.BODY: NEG},
        path_parameters={"workspace_name": "UPPER"},
        body={"name": "ok-name", "fullName": 5},
        media_type="application/json",
    )
    guard.prepare(made)
    assert reassess(made) is Intent.NEGATIVE
    assert judged(made, live, reassessed=True) == (400, [])


def test_value_whose_wire_form_is_unclear_is_not_judged(schema: Any, guard: Guard, live: LiveMock) -> None:
    """A list where an integer is declared: how it is serialized decides its meaning, so neither
    acceptance nor rejection can be demanded."""
    made = case(
        schema,
        "/personas/",
        "GET",
        {ParameterLocation.PATH: POS, ParameterLocation.QUERY: NEG},
        path_parameters={"workspace_name": "demo"},
        query={"page_size": [3, "x"]},
    )
    guard.prepare(made)
    intent = reassess(made)
    assert intent is Intent.UNDETERMINED
    assert set(excluded_checks(intent)) == set(JUDGES)
    assert judged(made, live, reassessed=True)[1] == []


def test_auth_probe_is_judged_as_generated(schema: Any, guard: Guard) -> None:
    """A case missing its `Authorization` header (a header negation, with the path pinned too)
    stays negative: the guard never touches headers, and Schemathesis sends it without auth."""
    made = case(
        schema,
        "/workflows/",
        "GET",
        {ParameterLocation.PATH: NEG, ParameterLocation.HEADER: NEG},
        path_parameters={"workspace_name": "Not A Name!"},
    )
    made.meta.phase = PhaseInfo.coverage(
        CoverageScenario.MISSING_PARAMETER,
        "Missing `Authorization` at header",
        parameter="Authorization",
        parameter_location=ParameterLocation.HEADER,
    )
    guard.prepare(made)
    assert reassess(made) is Intent.NEGATIVE
    assert made.meta.generation.mode is NEG
