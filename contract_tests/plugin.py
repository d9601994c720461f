"""The pytest plugin: the suite's options, fixtures, and its report.

Both entry points run through it: `python -m contract_tests` runs pytest on the bundled
suite with this plugin, and a team can run the same suite in its own pytest session with
`pytest -p contract_tests.plugin --pyargs contract_tests.suite --wp-base-url ...`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from schemathesis.core.failures import Failure, FailureGroup

from . import options as opts
from .conformance import Guard, build_schema
from .report import REPORT, FailureRecord, PropertyFailure
from .shrinking import ShrinkBudget
from .target import Target, TargetDown, TargetError

SHRINK_BUDGET = pytest.StashKey[ShrinkBudget]()
_ACTIVE: opts.SuiteOptions | None = None
_SCHEMAS: dict[bool, Any] = {}
_GUARD: Guard | None = None


def active_options() -> opts.SuiteOptions:
    """The options of this run; the suite's modules read them when they are collected."""
    if _ACTIVE is None:
        raise pytest.UsageError(
            "the contract suite needs its options: run `python -m contract_tests --base-url URL ...`, "
            "or pytest with `-p contract_tests.plugin --wp-base-url URL --wp-workspace NAME`"
        )
    return _ACTIVE


def current_guard() -> Guard:
    """The session's guard, for code that cannot take fixtures (the state machine)."""
    if _GUARD is None:
        raise RuntimeError("the wp_guard fixture has not been set up")
    return _GUARD


def active_schema(*, stateful: bool = False) -> Any:
    if stateful not in _SCHEMAS:
        _SCHEMAS[stateful] = build_schema(active_options(), stateful=stateful)
    return _SCHEMAS[stateful]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wp-contract", "Workflows & Personas API contract suite")
    for opt in opts.OPTIONS:
        group.addoption(f"--{opts.PYTEST_PREFIX}{opt.name}", help=opt.help, **opt.kwargs)


def pytest_configure(config: pytest.Config) -> None:
    global _ACTIVE
    if not config.getoption("wp_base_url", default=None):
        return
    try:
        _ACTIVE = opts.build(lambda name: config.getoption("wp_" + name.replace("-", "_")))
    except opts.UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    _SCHEMAS.clear()
    profile = _ACTIVE.profile
    if profile.shrink_seconds is not None and profile.shrink_budget is not None and not _ACTIVE.no_shrink:
        config.stash[SHRINK_BUDGET] = ShrinkBudget(profile.shrink_seconds, profile.shrink_budget)
    REPORT.seed = _ACTIVE.seed
    REPORT.profile = _ACTIVE.profile.name


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _ACTIVE is None:
        return []
    o = _ACTIVE
    mode = "read-only" if o.read_only else ("shared workspace" if o.shared_workspace else "dedicated workspace")
    return [
        f"contract suite: {o.base_url} workspace={o.workspace} other={o.other_workspace or '-'} "
        f"profile={o.profile.name} {mode}",
        f"seed: {o.seed} (replay with --seed {o.seed})",
    ]


@pytest.fixture(scope="session")
def wp_options() -> opts.SuiteOptions:
    return active_options()


@pytest.fixture(scope="session")
def wp_target(wp_options: opts.SuiteOptions) -> Iterator[Target]:
    target = Target(wp_options)
    try:
        target.check_reachable()
    except TargetError as exc:
        pytest.exit(f"contract suite: {exc}", returncode=2)
    try:
        yield target
    finally:
        REPORT.cleanup_problems += target.close()


@pytest.fixture(scope="session")
def wp_guard(wp_target: Target) -> Guard:
    global _GUARD
    _GUARD = Guard(wp_target)
    return _GUARD


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    return (yield from _ending_when_down())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    budget = item.config.stash.get(SHRINK_BUDGET, None)
    with budget.around_test() if budget is not None else contextlib.nullcontext():
        return (yield from _ending_when_down())


def _ending_when_down() -> Generator[None, None, None]:
    """A target that stopped answering ends the run (exit 2) with one clear line."""
    try:
        return (yield)
    except TargetDown as exc:
        REPORT.stopped = str(exc)
        pytest.exit(f"contract suite: {exc}; the run stops here", returncode=2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None:
        return
    if report.skipped:
        REPORT.not_run[item.name] = str(getattr(call.excinfo.value, "msg", "") or call.excinfo.value)
        return
    if not report.failed:
        return
    for exc in _leaves(call.excinfo.value):
        if isinstance(exc, PropertyFailure):
            REPORT.fail(exc.record)
        elif isinstance(exc, FailureGroup | Failure):
            pass  # recorded with its case by the test itself
        else:
            # An unforeseen error inside a property still counts against that property.
            name = getattr(item, "originalname", item.name)
            module = getattr(getattr(item, "module", None), "__name__", "")
            check = name.removeprefix("test_") if module.endswith(("_properties", "_relations", "_limits")) else "error"
            REPORT.fail(FailureRecord(check, item.name, f"{type(exc).__name__}: {str(exc)[:2000]}"))


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) groups, e.g. when Hypothesis finds several failures;
    Schemathesis' own FailureGroup is kept whole."""
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, FailureGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _ACTIVE is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("contract suite summary")
    write(REPORT.table())
    write("")
    for record in REPORT.failures.values():
        write(f"FAILED [{record.check}] {record.operation}")
        for line in record.message.strip().splitlines()[:12]:
            write(f"    {line}")
        if record.curl:
            write(f"    Reproduce with: {record.curl}")
        write("")
    reasons: dict[str, list[str]] = {}
    for name, why in REPORT.not_run.items():
        reasons.setdefault(why, []).append(name)
    for why, names in sorted(reasons.items()):
        shown = ", ".join(sorted(names)[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        write(f"not run ({why}): {shown}")
    if REPORT.stopped:
        write(f"stopped: {REPORT.stopped}")
    for problem in REPORT.cleanup_problems:
        write(f"cleanup: {problem}")
    verdict = "CONFORMS" if REPORT.passed and exitstatus == 0 else "DOES NOT CONFORM"
    write(f"{verdict}: {len(REPORT.failures)} failing check(s), {REPORT.total_cases} cases, seed {_ACTIVE.seed}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _ACTIVE is not None and _ACTIVE.report_json:
        REPORT.write_json(_ACTIVE.report_json)
