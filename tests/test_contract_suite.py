"""The contract suite, run as its users run it (`python -m contract_tests`), against the mock.

It must pass against the correct mock with any seed, leave data that is not its own exactly
as it was, make no write in read-only mode, clean up after an interrupt, never print the
token, and answer usage and connection problems with exit 2 and one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from contract_tests import cli
from contract_tests.checks import ALL_NAMES

from .conftest import API, TOKEN, LiveMock, serve
from .faults import runner as faults_runner
from .faults import serve_correct, serve_variant
from .faults.runner import SuiteRun, suite_command

WORKSPACES = ("demo", "sandbox")


def run_suite(base_url: str, *args: str, token: str = TOKEN, cwd: Path, timeout: float = 600) -> SuiteRun:
    return faults_runner.run_suite(base_url, *args, token=token, cwd=cwd, timeout=timeout)


def state(mock: LiveMock) -> str:
    """Every workspace's data, webhook tokens included, as one canonical string."""
    snapshot: dict[str, Any] = {}
    for ws in WORKSPACES:
        snapshot[ws] = mock.snapshot(ws)
        snapshot[ws]["tokens"] = {
            w["id"]: mock.get(f"{API}/{ws}/workflows/{w['id']}/token").json() for w in snapshot[ws]["workflows"]
        }
    return json.dumps(snapshot, sort_keys=True)


@pytest.fixture
def seeded() -> Iterator[LiveMock]:
    """The mock with the demo data, which is not the suite's, in the workspace it tests."""
    with serve() as live:
        yield live


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])  # many more seeds: `python -m bench --sections soak`
def test_quick_profile_passes_and_leaves_foreign_data_byte_for_byte(
    seeded: LiveMock, tmp_path: Path, seed: int
) -> None:
    before = state(seeded)
    run = run_suite(seeded.url, "--other-workspace", "sandbox", "--seed", str(seed), cwd=tmp_path)
    assert run.code == 0, run.output[-4000:]
    assert f"Seed: {seed}" in run.out
    assert run.report["passed"] and run.report["seed"] == seed and run.report["profile"] == "quick"
    assert len(run.report["operations"]) == 12 and run.report["cases"] > 300
    examples = run.report["property_examples"]  # every Hypothesis property ran, each example counted
    assert len(examples) == 10 and all(n > 0 for n in examples.values()), examples
    assert run.report["cases"] == sum(run.report["operations"].values()) + sum(examples.values())
    assert not run.report["cleanup_problems"]
    assert state(seeded) == before


@pytest.mark.slow
def test_thorough_profile_passes(seeded: LiveMock, tmp_path: Path) -> None:
    before = state(seeded)
    run = run_suite(
        seeded.url, "--other-workspace", "sandbox", "--profile", "thorough", "--seed", "7", cwd=tmp_path, timeout=900
    )
    assert run.code == 0, run.output[-4000:]
    assert run.report["profile"] == "thorough" and run.report["cases"] > 1000
    assert state(seeded) == before


@pytest.mark.slow
def test_shared_workspace_mode_passes(seeded: LiveMock, tmp_path: Path) -> None:
    run = run_suite(seeded.url, "--shared-workspace", "--max-examples", "3", "--seed", "4", cwd=tmp_path)
    assert run.code == 0, run.output[-4000:]


class MethodLog:
    """WSGI middleware that remembers every method it saw."""

    def __init__(self, app: Any) -> None:
        self.app, self.seen = app, set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.seen.add(environ["REQUEST_METHOD"])
        return self.app(environ, start_response)


@pytest.mark.slow
def test_read_only_makes_no_write(seeded: LiveMock, tmp_path: Path) -> None:
    before = state(seeded)
    log = MethodLog(seeded.app.wsgi_app)
    seeded.app.wsgi_app = log  # type: ignore[method-assign]
    run = run_suite(seeded.url, "--read-only", "--max-examples", "5", "--seed", "5", cwd=tmp_path)
    assert run.code == 0, run.output[-4000:]
    assert log.seen <= {"GET", "HEAD"}, log.seen
    assert (
        set(run.report["operations"]) == {op for op in run.report["operations"] if op.startswith("GET ")}
        and run.report["operations"]
    )
    assert state(seeded) == before


@pytest.mark.slow
def test_include_and_exclude_select_operations(seeded: LiveMock, tmp_path: Path) -> None:
    run = run_suite(
        seeded.url,
        "--include",
        "getPersona",
        "--include",
        "GET /api/v3/workspaces/{workspace_name}/personas/",
        "--max-examples",
        "3",
        cwd=tmp_path,
    )
    assert run.code == 0, run.output[-4000:]
    assert sorted(run.report["operations"]) == [
        "GET /api/v3/workspaces/{workspace_name}/personas/",
        "GET /api/v3/workspaces/{workspace_name}/personas/{persona_id}",
    ]
    run = run_suite(seeded.url, "--exclude", "deleteWorkflow", "--max-examples", "2", cwd=tmp_path)
    assert "DELETE /api/v3/workspaces/{workspace_name}/workflows/{workflow_id}" not in run.report["operations"]


@pytest.mark.slow
def test_failure_report_names_the_check_and_reproduces_without_the_token(tmp_path: Path) -> None:
    secret = "s3cr3t-t0ken-never-printed"
    junit = tmp_path / "junit.xml"
    with serve_variant("create_answers_200", token=secret) as url:
        run = run_suite(
            url, "--seed", "1", "--max-examples", "5", "--junit-xml", str(junit), token=secret, cwd=tmp_path
        )
    assert run.code == 1, run.output[-3000:]
    failures = run.report["failures"]
    assert failures and not run.report["passed"]
    caught = {f["check"] for f in failures}
    assert caught & {"status_code_conformance", "create_read_back"}, caught
    create = [f for f in failures if f["operation"].startswith("POST ") and f["curl"]]
    assert create and "curl" in create[0]["curl"] and "$WP_API_TOKEN" in create[0]["curl"]
    assert "DOES NOT CONFORM" in run.out and "Reproduce with:" in run.out
    for text in (run.out, run.err, json.dumps(run.report), junit.read_text()):
        assert secret not in text
    # Each JUnit test case names the check(s) it makes (a failing one, those that failed) by the
    # names the report uses.
    cases = list(ET.parse(junit).iter("testcase"))
    named = {
        (case.get("name"), prop.get("value"))
        for case in cases
        for prop in case.iter("property")
        if prop.get("name") == "check"
    }
    assert {check for _, check in named} <= ALL_NAMES
    assert all(check == "auth_required" for name, check in named if name.startswith("test_auth_required"))
    failed = {
        check for name, check in named if any(c.get("name") == name and c.find("failure") is not None for c in cases)
    }
    assert set(run.report["checks_failed"]) <= failed, (run.report["checks_failed"], failed)


@pytest.mark.slow
def test_two_runs_in_one_process_are_independent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's state lives in its own plugin object: a second run in the same process, after one
    that failed, gets its own verdict; and the CLI passes the token to pytest without the
    environment."""
    monkeypatch.delenv("WP_API_TOKEN", raising=False)
    secret = "in-process-token"
    # Two operations are enough to tell the runs apart (the whole suite runs in the other tests).
    only = ("--include", "createPersona", "--include", "getPersona")
    budget = ("--workspace", "demo", "--token", secret, "--seed", "1", "--max-examples", "2", "--no-shrink", *only)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    with serve_variant("create_answers_200", token=secret) as url:
        assert cli.main(["--base-url", url, *budget, "--report-json", str(first)]) == 1
    with serve_correct(token=secret) as url:
        assert cli.main(["--base-url", url, *budget, "--report-json", str(second)]) == 0
    assert json.loads(first.read_text())["failures"]
    report = json.loads(second.read_text())
    assert report["passed"] and not report["failures"] and report["cases"] > 0, report
    assert "WP_API_TOKEN" not in os.environ


def test_unreachable_target_is_exit_2_with_one_line(tmp_path: Path) -> None:
    run = run_suite("http://127.0.0.1:9", cwd=tmp_path)  # discard port: nothing listens
    assert run.code == 2
    assert run.err.strip().count("\n") == 0 and "cannot reach" in run.err and "Traceback" not in run.output


def test_refused_token_and_unknown_workspace_are_exit_2(seeded: LiveMock, tmp_path: Path) -> None:
    run = run_suite(seeded.url, token="wrong", cwd=tmp_path)
    assert run.code == 2 and "refuses the token" in run.err and "wrong" not in run.output
    run = run_suite(seeded.url.replace("demo", "x"), "--workspace", "nowhere", cwd=tmp_path)
    assert run.code == 2 and "not found" in run.err


@pytest.mark.parametrize(
    "args,message",
    [
        ((), "a token is required"),
        (("--other-workspace", "demo"), "must differ"),
    ],
)
def test_usage_errors_are_exit_2(seeded: LiveMock, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WP_API_TOKEN"}
    token_args = () if not args else ("--token", TOKEN)
    proc = subprocess.run(
        suite_command(seeded.url, *token_args, *args), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and message in proc.stderr


@pytest.mark.slow
def test_interrupt_still_cleans_up(seeded: LiveMock, tmp_path: Path) -> None:
    before = state(seeded)
    proc = subprocess.Popen(
        suite_command(seeded.url, "--seed", "9"),
        cwd=tmp_path,
        env={**os.environ, "WP_API_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the suite has created something
            listed = requests.get(
                f"{seeded.url}{API}/demo/personas/?page_size=100",
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            ).json()
            if any(p["name"].startswith("ct-") for p in listed["results"]):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the suite created nothing within 60 s")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, out[-2000:]
    assert state(seeded) == before, out[-3000:]


@pytest.mark.slow
def test_runs_as_a_pytest_plugin_in_a_teams_own_session(seeded: LiveMock, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "contract_tests.plugin",
            "--pyargs",
            "contract_tests.suite",
            "-q",
            "-p",
            "no:cacheprovider",
            "--wp-base-url",
            seeded.url,
            "--wp-workspace",
            "demo",
            "--wp-max-examples",
            "2",
            "--wp-seed",
            "3",
        ],
        cwd=tmp_path,
        env={**os.environ, "WP_API_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "contract suite summary" in proc.stdout and "CONFORMS" in proc.stdout
