"""The contract suite (`python -m contract_tests`) against plain `st run` at the same example
budget: wall time and test cases per second on the real mock, and which of the project's
faulty variants (tests/faults) each one rejects.

Both parts degrade to a "not measured" record when the suite or the variants are not there.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import procs
from .targets import MOCK, ROOT, SPEC

WORKSPACE, OTHER_WORKSPACE = "demo", "sandbox"
SEED = 1
TIMEOUT_S = {"quick": 900, "thorough": 3600}
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Budget:
    """What one run may do: a profile and, for the smoke mode, a cap and an operation filter."""

    profile: str
    max_examples: int  # per operation, as both tools count it
    capped: bool = False  # max_examples overrides the profile
    operations: tuple[str, ...] = ()  # operationIds; empty: all
    read_only: bool = False  # the suite's --read-only (smoke mode)


@dataclass
class Outcome:
    exit_code: int
    wall_s: float
    cases: int | None
    failures: int | None
    output_tail: str
    checks_failed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "wall_s": self.wall_s,
            "cases": self.cases,
            "cases_per_s": self.cases / self.wall_s if self.cases and self.wall_s else None,
            "failures": self.failures,
            "output_tail": self.output_tail,
        }


def suite_missing() -> str | None:
    """Why the contract suite cannot be run here, or None."""
    if importlib.util.find_spec("contract_tests.__main__") is None:
        return "suite not available (no contract_tests/__main__.py)"
    try:
        options = importlib.import_module("contract_tests.options")
    except Exception as exc:  # a suite being written may not import yet
        return f"suite not available ({type(exc).__name__}: {exc})"
    if not hasattr(options, "PROFILES"):
        return "suite not available (contract_tests.options has no PROFILES)"
    return None


def variants_missing() -> str | None:
    try:
        faults = importlib.import_module("tests.faults")
    except Exception as exc:
        return f"variants not available ({type(exc).__name__}: {exc})"
    if not getattr(faults, "VARIANTS", None) or not hasattr(faults, "serve_variant"):
        return "variants not available (tests.faults has no VARIANTS / serve_variant)"
    return None


def budget(profile: str, cap: int | None = None, operations: Sequence[str] = (), read_only: bool = False) -> Budget:
    profiles = importlib.import_module("contract_tests.options").PROFILES
    examples = profiles[profile].max_examples
    return Budget(profile, min(examples, cap) if cap else examples, cap is not None, tuple(operations), read_only)


# -- the two runners ----------------------------------------------------------------------
def run_suite(url: str, token: str, b: Budget, report: Path, fail_fast: bool = False, seed: int = SEED) -> Outcome:
    argv = [
        sys.executable,
        "-m",
        "contract_tests",
        "--base-url",
        url,
        "--workspace",
        WORKSPACE,
        "--other-workspace",
        OTHER_WORKSPACE,
        "--profile",
        b.profile,
        "--seed",
        str(seed),
        "--report-json",
        str(report),
    ]
    if b.capped:
        argv += ["--max-examples", str(b.max_examples)]
    for operation in b.operations:
        argv += ["--include", operation]
    if b.read_only:
        argv.append("--read-only")
    if fail_fast:
        argv.append("--fail-fast")
    env = {**os.environ, "WP_API_TOKEN": token}
    report.unlink(missing_ok=True)
    code, wall, out = _run(argv, env, TIMEOUT_S.get(b.profile, 900))
    data: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(report.read_text(encoding="utf-8"))
    failures = data.get("failures")
    failed = tuple(data.get("checks_failed") or ())
    return Outcome(code, wall, data.get("cases"), len(failures) if isinstance(failures, list) else None, out, failed)


def run_schemathesis(url: str, token: str, b: Budget, config: Path, max_failures: int | None = None) -> Outcome:
    """Plain `st run` as a user would start it: the spec, the URL, the token, the budget, and the
    workspace pinned (else nearly every generated request is a 404 for an unknown workspace)."""
    config.write_text(f'[parameters]\n"path.workspace_name" = "{WORKSPACE}"\n', encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(SPEC),
        "-u",
        url,
        "-H",
        f"Authorization: Bearer {token}",
        "-n",
        str(b.max_examples),
        "--seed",
        str(SEED),
    ]
    for operation in b.operations:
        argv += ["--include-operation-id", operation]
    if b.read_only:
        argv += ["--include-method", "GET"]
    if max_failures:
        argv += ["--max-failures", str(max_failures)]
    code, wall, out = _run(argv, dict(os.environ), TIMEOUT_S.get(b.profile, 900))
    cases = re.search(r"Test cases:\s*\n\s*(\d+) generated", out)
    failures = re.search(r"(\d+) found (\d+) unique failures", out)
    return Outcome(code, wall, int(cases.group(1)) if cases else None, int(failures.group(2)) if failures else 0, out)


def _run(argv: list[str], env: dict[str, str], timeout: float) -> tuple[int, float, str]:
    started = time.perf_counter()
    try:
        out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout, check=False)
        code, text = out.returncode, out.stdout + out.stderr
    except subprocess.TimeoutExpired as exc:
        code, text = -1, f"timed out after {timeout} s\n{exc.stdout or ''}"
    return code, time.perf_counter() - started, "\n".join(text.strip().splitlines()[-6:])


# -- the measurements ---------------------------------------------------------------------
@contextlib.contextmanager
def _fresh_mock(runs_dir: Path, name: str) -> Iterator[str]:
    """The mock as shipped (access log to a file), with its demo data and an empty sandbox."""
    running = procs.start_local(name, MOCK.command, runs_dir / f"{name}.log")
    try:
        yield running.url
    finally:
        running.stop()


def timing(budgets: Sequence[Budget], runs_dir: Path, progress: Progress) -> dict[str, Any]:
    """Per budget: the suite, then `st run`, each against a fresh mock."""
    results: dict[str, Any] = {}
    for b in budgets:
        with _fresh_mock(runs_dir, f"suite-{b.profile}") as url:
            suite = run_suite(url, procs.TOKEN, b, runs_dir / f"suite-{b.profile}.json")
        progress(f"suite {b.profile}: exit {suite.exit_code}, {suite.wall_s:.1f} s, {suite.cases} cases")
        with _fresh_mock(runs_dir, f"st-{b.profile}") as url:
            st = run_schemathesis(url, procs.TOKEN, b, runs_dir / "schemathesis.toml")
        progress(f"st run -n {b.max_examples}: exit {st.exit_code}, {st.wall_s:.1f} s, {st.cases} cases")
        results[b.profile] = {
            "max_examples": b.max_examples,
            "capped": b.capped,
            "operations": list(b.operations),
            "suite": suite.as_dict(),
            "schemathesis": st.as_dict(),
        }
    return results


def catching(
    budgets: Sequence[Budget], names: Sequence[str] | None, runs_dir: Path, progress: Progress
) -> dict[str, Any]:
    """Which variants each tool rejects (exit 1). Both stop at their first failure (a CI verdict).
    A later budget runs only on the variants the earlier ones missed, and counts their catches."""
    faults = importlib.import_module("tests.faults")
    token = faults.DEFAULT_TOKEN
    chosen = list(names or faults.VARIANTS)
    results: dict[str, Any] = {}
    missed = {"suite": chosen, "schemathesis": chosen}
    for b in budgets:
        row: dict[str, Any] = {"max_examples": b.max_examples, "capped": b.capped, "variants": len(chosen)}
        for tool in ("suite", "schemathesis"):
            todo = missed[tool]
            with faults.serve_correct(token=token) as url:
                baseline = _verdict(tool, url, token, b, runs_dir)
            outcomes: dict[str, int] = {}
            for name in todo:
                with faults.serve_variant(name, token=token) as url:
                    outcomes[name] = _verdict(tool, url, token, b, runs_dir).exit_code
                progress(f"catch {b.profile:8} {tool:12} {name:36} exit {outcomes[name]}")
            caught_now = [n for n, code in outcomes.items() if code == 1]
            errors = [n for n, code in outcomes.items() if code not in (0, 1)]
            missed[tool] = [n for n in todo if n not in caught_now]
            row[tool] = {
                "correct_mock_exit": baseline.exit_code,
                "ran_on": len(todo),
                "caught": len(chosen) - len(missed[tool]),
                "missed": missed[tool],
                "errors": errors,
            }
            progress(
                f"catch {b.profile:8} {tool:12} caught {row[tool]['caught']}/{len(chosen)} "
                f"(correct mock: exit {baseline.exit_code})"
            )
        results[b.profile] = row
    return results


def _verdict(tool: str, url: str, token: str, b: Budget, runs_dir: Path) -> Outcome:
    if tool == "suite":
        return run_suite(url, token, b, runs_dir / "catch.json", fail_fast=True)
    return run_schemathesis(url, token, b, runs_dir / "schemathesis.toml", max_failures=1)
