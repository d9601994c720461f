"""Runs the contract suite the way its users do: `python -m contract_tests` in a subprocess, or its
CLI's `main` in this process (many runs in a row)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class SuiteRun:
    code: int
    out: str
    err: str
    report: dict[str, Any]
    seconds: float

    @property
    def output(self) -> str:
        return self.out + self.err

    @property
    def caught(self) -> list[str]:
        """The checks that failed, as the suite's report names them."""
        return list(self.report.get("checks_failed", []))


def suite_command(base_url: str, *args: str, workspace: str = "demo") -> list[str]:
    return [sys.executable, "-m", "contract_tests", "--base-url", base_url, "--workspace", workspace, *args]


def run_suite(base_url: str, *args: str, token: str, cwd: Path | None = None, timeout: float = 600) -> SuiteRun:
    """One run; the token travels in the environment, as the suite recommends."""
    with tempfile.TemporaryDirectory() as scratch:
        where = cwd or Path(scratch)
        report = where / "report.json"
        report.unlink(missing_ok=True)
        started = time.monotonic()
        proc = subprocess.run(
            suite_command(base_url, "--report-json", str(report), *args),
            cwd=where,
            env={**os.environ, "WP_API_TOKEN": token},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        data = json.loads(report.read_text()) if report.exists() else {}
        return SuiteRun(proc.returncode, proc.stdout, proc.stderr, data, time.monotonic() - started)


def run_suite_here(base_url: str, *args: str, token: str, workspace: str = "demo") -> SuiteRun:
    """One run in this process, through the CLI's own `main`, its output kept: the same run as
    `run_suite` without a new interpreter importing Schemathesis, Hypothesis and pytest again
    (about a third of a short run's time). Each run has its own plugin object, so runs are
    independent (`tests/test_contract_suite.py` proves it)."""
    from contract_tests import cli  # the suite's dependencies: only where a run is made

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        argv = ["--base-url", base_url, "--workspace", workspace, "--token", token, "--report-json", str(report)]
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main([*argv, *args])
        data = json.loads(report.read_text()) if report.exists() else {}
        return SuiteRun(code, out.getvalue(), err.getvalue(), data, time.monotonic() - started)
