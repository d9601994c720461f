"""The benchmark keeps working: its smoke mode runs end to end, the pieces it compares answer
what they claim, and the plain-Schemathesis runner still reads Schemathesis' output. Nothing
here asserts a speed; the numbers live in docs/benchmarks.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bench import load, suite
from bench.floor import create_floor_app
from bench.targets import write_seed
from mock_server import create_app
from mock_server.server import Server
from mock_server.state import seed

from .conftest import SPEC

ROOT = Path(__file__).resolve().parent.parent
BASE = "/api/v3/workspaces/demo/workflows/"


@pytest.mark.slow
def test_smoke_mode_measures_every_server_without_errors(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "benchmarks.json").read_text())

    cells = results["load"]["cells"]
    assert {c["target"] for c in cells} == {"mock", "unvalidated", "floor"}
    assert {c["profile"] for c in cells} == set(load.PROFILES)
    assert all(c["requests"] > 0 and c["errors"] == 0 for c in cells), cells

    started = results["startup"]["results"]
    assert set(started) == {"mock", "mock-waitress", "floor"}
    assert all(r["startup_s"] > 0 and r["rss_idle_mb"] > 0 for r in started.values())

    cpu = results["cpu"]["us_per_request"]  # every app answered 2xx (cpu.measure raises otherwise)
    assert {"floor", "mock", "mock-quiet", "no-journal"} <= set(cpu)
    assert all(row[p] > 0 for row in cpu.values() for p in ("list", "detail", "create")), cpu

    for size, facts in results["scale"]["sizes"].items():  # the deep page and middle id exist at each size
        assert all(op["errors"] == 0 for op in facts["operations"].values()), (size, facts)

    page = (tmp_path / "benchmarks.md").read_text()
    assert "![requests/s by concurrency, per server](benchmarks.png)" in page
    assert "not measured: section not run" in page  # the suite sections are left to full runs
    assert (tmp_path / "benchmarks.png").read_bytes().startswith(b"\x89PNG")


def serve_app(app):
    server = Server(app, "127.0.0.1", 0, threads=4, access_log=False)
    server.start_background()
    return server


@pytest.fixture
def unvalidated():
    server = serve_app(create_app(store=seed.load(SPEC, None), contract=SPEC, validate_requests=False))
    yield server.url
    server.stop()


@pytest.fixture
def shipped():
    """The mock as the benchmark starts it: demo data, the default token, no response checking."""
    server = serve_app(create_app(store=seed.load(SPEC, None), contract=SPEC))
    yield server.url
    server.stop()


def test_request_validation_switch_lets_schema_violations_through(unvalidated, shared_mock):
    body = {"name": "x", "enabled": "yes", "trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}
    auth = {"Authorization": "Bearer dev-token"}

    assert shared_mock.post("/api/v3/workspaces/demo/workflows/", json=body).status_code == 400
    assert requests.post(unvalidated + BASE, json=body, headers=auth, timeout=10).status_code == 201

    assert shared_mock.get("/api/v3/workspaces/demo/workflows/?page_size=1000").status_code == 400
    big_page = requests.get(unvalidated + BASE + "?page_size=1000", headers=auth, timeout=10)
    assert big_page.status_code == 200
    assert big_page.json()["count"] == len(big_page.json()["results"])
    # authentication is not request validation: it stays
    assert requests.get(unvalidated + BASE, timeout=10).status_code == 401


def test_floor_answers_the_benchmarked_routes(tmp_path):
    data = json.loads(write_seed(tmp_path / "seed.json", 30).read_text())
    server = serve_app(create_floor_app(data))
    try:
        first = requests.get(server.url + BASE + "?page=1&page_size=20", timeout=10).json()
        last = requests.get(server.url + BASE + "?page=2&page_size=20", timeout=10).json()
        assert (first["count"], len(first["results"]), len(last["results"])) == (30, 20, 10)
        assert first["previous"] is None and last["next"] is None
        created = requests.post(server.url + BASE, json={"name": "n"}, timeout=10)
        assert created.status_code == 201
        assert requests.get(created.headers["Location"], timeout=10).json() == created.json()
    finally:
        server.stop()


@pytest.mark.parametrize("profile", load.PROFILES)
def test_python_load_generator_counts_requests_and_errors(profile, shipped):
    good = load.run(shipped, load.Plan(profile), 2, 0.3, force_python=True)
    assert good.tool == "python" and good.requests > 0 and good.errors == 0
    assert good.p50_ms <= good.p99_ms <= good.max_ms


def test_python_load_generator_counts_answers_above_400_as_errors(shipped):
    missing = load.run(shipped, load.Plan("detail", detail_id=999_999), 1, 0.2, force_python=True)
    assert missing.requests > 0 and missing.errors == missing.requests


def test_plain_schemathesis_runner_reads_the_case_count(tmp_path, shipped):
    b = suite.Budget("quick", max_examples=1, capped=True, operations=("getWorkflow",))
    outcome = suite.run_schemathesis(shipped, "dev-token", b, tmp_path / "st.toml")
    assert outcome.exit_code in (0, 1), outcome.output_tail
    assert outcome.cases and outcome.cases > 0, outcome.output_tail
