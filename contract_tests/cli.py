"""`python -m contract_tests` / `wp-contract`: one command that says whether a deployment conforms.

Exit 0: it conforms. 1: it does not (the report shows where). 2: a usage or connection
problem, in one line. It runs the bundled pytest suite through the plugin, so the CLI and a
team's own pytest run execute the very same checks. The options are parsed once, here, into
the run's `ContractSuite`, which is handed to pytest as a plugin object: nothing (the token
least of all) travels through the environment or pytest's command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

# The suite's own dependencies come with the [contract] extra; a plain install is the mock only.
CONTRACT_EXTRA = ("schemathesis", "hypothesis", "pytest", "_pytest", "requests")
MISSING_EXTRA: str | None = None
try:
    import pytest

    from . import options as opts
    from .plugin import ContractSuite
    from .target import Target, TargetError
except ImportError as exc:
    if (exc.name or "").partition(".")[0] not in CONTRACT_EXTRA:
        raise
    MISSING_EXTRA = exc.name

SUITE = Path(__file__).with_name("suite")
# Cheap, high-yield domain properties first; then what names and bounds imply; then the
# per-operation phases; then stateful sequences.
MODULES = (
    "test_lifecycle.py",
    "test_pagination.py",
    "test_workflows.py",
    "test_personas.py",
    "test_auth.py",
    "test_isolation.py",
    "test_relations.py",
    "test_limits.py",
    "test_conformance.py",
    "test_stateful.py",
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m contract_tests",
        description="Property-test an implementation of the Workflows & Personas API (v3) against openapi.yaml.",
        epilog="Exit codes: 0 conforms, 1 does not conform, 2 usage or connection problem.",
    )
    opts.add_to_argparse(p)
    p.add_argument("--junit-xml", metavar="PATH", help="write a JUnit XML report")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failing check")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def pytest_args(args: argparse.Namespace) -> list[str]:
    """pytest's own arguments: the suite's configuration and modules, verbosity and reports."""
    argv = [
        "-c",
        str(Path(__file__).with_name("pytest.ini")),
        "--rootdir",
        str(SUITE),
        "-p",
        "contract_tests.plugin",
        "--tb=short",
        "-v" if args.verbose else "-q",
        *(str(SUITE / m) for m in MODULES),
    ]
    if args.junit_xml:
        argv.append(f"--junitxml={args.junit_xml}")
    if args.fail_fast:
        argv.append("-x")
    return argv


def main(argv: list[str] | None = None) -> int:
    if MISSING_EXTRA is not None:
        print(
            "wp-contract needs the [contract] extra: pip install 'workflows-personas-toolkit[contract]'",
            file=sys.stderr,
        )
        return 2
    args = parser().parse_args(argv)
    try:
        options = opts.build(lambda name: getattr(args, name.replace("-", "_")))
    except opts.UsageError as exc:
        print(f"contract_tests: {exc}", file=sys.stderr)
        return 2
    probe = Target(options)
    try:
        probe.check_reachable()
    except TargetError as exc:
        print(f"contract_tests: {exc}", file=sys.stderr)
        return 2
    finally:
        probe.session.close()
    mode = "read-only" if options.read_only else ("shared" if options.shared_workspace else "dedicated")
    print(
        f"Contract suite {__version__}: {options.base_url} workspace={options.workspace} "
        f"({mode}) profile={options.profile.name}"
    )
    print(f"Seed: {options.seed} (replay with --seed {options.seed})", flush=True)
    code = pytest.main(pytest_args(args), plugins=[ContractSuite(options)])
    if code == pytest.ExitCode.OK:
        return 0
    if code == pytest.ExitCode.TESTS_FAILED:
        return 1
    return 2
