"""`python -m contract_tests` / `wp-contract`: one command that says whether a deployment conforms.

Exit 0: it conforms. 1: it does not (the report shows where). 2: a usage or connection
problem, in one line. It runs the bundled pytest suite through the plugin, so the CLI and a
team's own pytest run execute the very same checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from . import __version__
from . import options as opts
from .target import Target, TargetError

SUITE = Path(__file__).with_name("suite")
# Cheap, high-yield properties first; then the per-operation phases; then stateful sequences.
MODULES = ("test_properties.py", "test_relations.py", "test_limits.py", "test_conformance.py", "test_stateful.py")


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


def pytest_args(args: argparse.Namespace, options: opts.SuiteOptions) -> list[str]:
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
        "--wp-seed",
        str(options.seed),
    ]
    for opt in opts.OPTIONS:
        if opt.name in ("token", "seed"):
            continue  # the token travels in the environment, never on a command line
        value = getattr(args, opt.name.replace("-", "_"))
        if value in (None, False, []):
            continue
        flag = f"--{opts.PYTEST_PREFIX}{opt.name}"
        if value is True:
            argv.append(flag)
        elif isinstance(value, list):
            for item in value:
                argv += [flag, str(item)]
        else:
            argv += [flag, str(value)]
    if args.junit_xml:
        argv.append(f"--junitxml={args.junit_xml}")
    if args.fail_fast:
        argv.append("-x")
    return argv


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        options = opts.build(lambda name: getattr(args, name.replace("-", "_")))
    except opts.UsageError as exc:
        print(f"contract_tests: {exc}", file=sys.stderr)
        return 2
    try:
        Target(options).check_reachable()
    except TargetError as exc:
        print(f"contract_tests: {exc}", file=sys.stderr)
        return 2
    os.environ[opts.TOKEN_ENV] = options.token
    mode = "read-only" if options.read_only else ("shared" if options.shared_workspace else "dedicated")
    print(
        f"Contract suite {__version__}: {options.base_url} workspace={options.workspace} "
        f"({mode}) profile={options.profile.name}"
    )
    print(f"Seed: {options.seed} (replay with --seed {options.seed})", flush=True)
    code = pytest.main(pytest_args(args, options))
    if code == pytest.ExitCode.OK:
        return 0
    if code == pytest.ExitCode.TESTS_FAILED:
        return 1
    return 2
