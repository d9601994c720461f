"""The pytest plugin: the suite's options, the object that holds one run, its fixtures and report.

Both entry points run through it: `python -m contract_tests` builds the run's `ContractSuite`
from its options and hands it to `pytest.main(..., plugins=[suite])` (the token never travels
through the environment or a command line); a team runs the same suite in its own session with
`pytest -p contract_tests.plugin --pyargs contract_tests.suite --wp-base-url ...`, and this
module's `pytest_configure` builds the `ContractSuite` from the `--wp-*` options.

Everything a run owns (its options, parsed once, its report, its shrink budget, its Hypothesis
settings and Schemathesis schemas) lives on that object, reached through `config.stash` and the
`wp_*` fixtures; no module holds run state, and the suite's modules do nothing at import that
depends on options, so two runs in one process are independent.

The per-operation test needs a Schemathesis schema built from the run's options (the target,
the token, the seed, the budget, the selected operations). `schemathesis.pytest.from_fixture`
would build it in a fixture, but with Schemathesis 4.32 under pytest 9 its lazy tests fail
before running (`'Function' object has no attribute '_nodeid'`: it renames the running item
through an attribute pytest 9 removed), and it runs every operation as subtests of one item
(one JUnit case, one shrink budget, `--fail-fast` no longer per operation). So the test is
only marked at import (`conformance.per_operation`) and `ContractSuite.pytest_pycollect_makeitem`
applies `schema.parametrize()` with the run's schema when it is collected: one item per operation,
as Schemathesis' own parametrization makes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from schemathesis.core.failures import Failure, FailureGroup

from . import options as opts
from .checks import ERROR
from .conformance import PER_OPERATION, Guard, build_schema, check_name
from .probe import check_of
from .report import FailureRecord, PropertyFailure, Report
from .shrinking import ShrinkBudget
from .target import Target, TargetDown, TargetError

SUITE = pytest.StashKey["ContractSuite"]()
NEEDS_OPTIONS = (
    "the contract suite needs its options: run `python -m contract_tests --base-url URL ...`, "
    "or pytest with `-p contract_tests.plugin --wp-base-url URL --wp-workspace NAME`"
)


class ContractSuite:
    """One run of the suite: a pytest plugin object, registered once per session."""

    def __init__(self, options: opts.SuiteOptions) -> None:
        self.options = options
        self.report = Report(seed=options.seed, profile=options.profile.name)
        self.property_settings = options.hypothesis_settings()
        self.sequence_settings = options.hypothesis_settings(sequences=True)
        profile = options.profile
        self.shrink: ShrinkBudget | None = None
        if profile.shrink_seconds is not None and profile.shrink_budget is not None and not options.no_shrink:
            self.shrink = ShrinkBudget(profile.shrink_seconds, profile.shrink_budget)
        self._schemas: dict[bool, Any] = {}

    def schema(self, *, stateful: bool = False) -> Any:
        """The run's Schemathesis schema (of single cases, or of stateful sequences)."""
        if stateful not in self._schemas:
            self._schemas[stateful] = build_schema(self.options, stateful=stateful)
        return self._schemas[stateful]

    # -- collection -----------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector: pytest.Collector, name: str, obj: Any) -> Any:
        """A test marked `per_operation` is parametrized here with the run's schema."""
        if getattr(obj, PER_OPERATION, None) is not True or not collector.istestfunction(obj, name):
            return None
        parametrized = self.schema().parametrize()(obj)
        setattr(parametrized, PER_OPERATION, False)  # (its marks were copied from `obj`)
        return collector.ihook.pytest_pycollect_makeitem(collector=collector, name=name, obj=parametrized)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        o = self.options
        mode = "read-only" if o.read_only else ("shared workspace" if o.shared_workspace else "dedicated workspace")
        return [
            f"contract suite: {o.base_url} workspace={o.workspace} other={o.other_workspace or '-'} "
            f"profile={o.profile.name} {mode}",
            f"seed: {o.seed} (replay with --seed {o.seed})",
        ]

    # -- running --------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        made = check_of(getattr(item, "function", None))
        if made is not None:
            item.user_properties.append(("check", made.name))  # in the JUnit report
        return (yield from self._ending_when_down())

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        with self.shrink.around_test() if self.shrink is not None else contextlib.nullcontext():
            return (yield from self._ending_when_down())

    def _ending_when_down(self) -> Generator[None, None, None]:
        """A target that stopped answering ends the run (exit 2) with one clear line."""
        try:
            return (yield)
        except TargetDown as exc:
            self.report.stopped = str(exc)
            pytest.exit(f"contract suite: {exc}; the run stops here", returncode=2)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None:
            return
        if report.skipped:
            self.report.not_run[item.name] = str(getattr(call.excinfo.value, "msg", "") or call.excinfo.value)
            return
        if not report.failed:
            return
        made = check_of(getattr(item, "function", None))
        for exc in _leaves(call.excinfo.value):
            if isinstance(exc, PropertyFailure):
                self.report.fail(exc.record)
            elif isinstance(exc, FailureGroup | Failure):
                # Recorded with its case by the test itself; here its checks go to the JUnit report.
                for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                    _add_property(item, report, check_name(failure))
            else:
                # An unforeseen error inside a domain check still counts against that check.
                check = made.name if made is not None else ERROR.name
                _add_property(item, report, check)
                self.report.fail(FailureRecord(check, item.name, f"{type(exc).__name__}: {str(exc)[:2000]}"))

    # -- reporting ------------------------------------------------------------------------
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        r = self.report
        write = terminalreporter.write_line
        terminalreporter.section("contract suite summary")
        write(r.table())
        write("")
        for record in r.failures.values():
            write(f"FAILED [{record.check}] {record.operation}")
            for line in record.message.strip().splitlines()[:12]:
                write(f"    {line}")
            if record.curl:
                write(f"    Reproduce with: {record.curl}")
            write("")
        reasons: dict[str, list[str]] = {}
        for name, why in r.not_run.items():
            reasons.setdefault(why, []).append(name)
        for why, names in sorted(reasons.items()):
            shown = ", ".join(sorted(names)[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            write(f"not run ({why}): {shown}")
        if r.stopped:
            write(f"stopped: {r.stopped}")
        for problem in r.cleanup_problems:
            write(f"cleanup: {problem}")
        verdict = "CONFORMS" if r.passed and exitstatus == 0 else "DOES NOT CONFORM"
        write(f"{verdict}: {len(r.failures)} failing check(s), {r.total_cases} cases, seed {self.options.seed}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.options.report_json:
            self.report.write_json(self.options.report_json)


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) groups, e.g. when Hypothesis finds several failures;
    Schemathesis' own FailureGroup is kept whole."""
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, FailureGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _add_property(item: pytest.Item, report: pytest.TestReport, name: str) -> None:
    prop = ("check", name)
    if prop not in item.user_properties:
        item.user_properties.append(prop)
        report.user_properties.append(prop)


# -- the module plugin: options, the run object, fixtures ----------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wp-contract", "Workflows & Personas API contract suite")
    for opt in opts.OPTIONS:
        group.addoption(f"--{opts.PYTEST_PREFIX}{opt.name}", help=opt.help, **opt.kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Finds the run's `ContractSuite` (the CLI registers one) or builds it from `--wp-*`."""
    given = [p for p in config.pluginmanager.get_plugins() if isinstance(p, ContractSuite)]
    if given:
        suite = given[0]
    elif config.getoption("wp_base_url", default=None):
        try:
            options = opts.build(lambda name: config.getoption("wp_" + name.replace("-", "_")))
        except opts.UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        suite = ContractSuite(options)
        config.pluginmanager.register(suite, "wp-contract-suite")
    else:
        return
    config.stash[SUITE] = suite


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The suite's tests without the suite's options are a usage error, in one line."""
    if SUITE in config.stash:
        return
    if any(getattr(getattr(i, "module", None), "__name__", "").startswith(__package__ + ".suite.") for i in items):
        raise pytest.UsageError(NEEDS_OPTIONS)


def suite_of(config: pytest.Config) -> ContractSuite:
    if SUITE not in config.stash:
        raise pytest.UsageError(NEEDS_OPTIONS)
    return config.stash[SUITE]


@pytest.fixture(scope="session")
def wp_suite(request: pytest.FixtureRequest) -> ContractSuite:
    """This run: its options, its report, its settings."""
    return suite_of(request.config)


@pytest.fixture(scope="session")
def wp_options(wp_suite: ContractSuite) -> opts.SuiteOptions:
    return wp_suite.options


@pytest.fixture(scope="session")
def wp_target(wp_suite: ContractSuite) -> Iterator[Target]:
    """The target; everything this run created there is deleted when the session ends."""
    target = Target(wp_suite.options)
    try:
        target.check_reachable()
    except TargetError as exc:
        pytest.exit(f"contract suite: {exc}", returncode=2)
    try:
        yield target
    finally:
        wp_suite.report.cleanup_problems += target.close()


@pytest.fixture(scope="session")
def wp_guard(wp_target: Target) -> Guard:
    return Guard(wp_target)


__all__ = ["SUITE", "ContractSuite", "suite_of"]
