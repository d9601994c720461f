"""`python -m mock_server` as a user starts it: its banner, flags, access log, exit codes."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from .processes import MockProcess, clean_env
from .test_operations import persona_body, workflow_body

API = "/api/v3/workspaces"
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<target>/\S*)" (?P<status>\d{3}) ')


def get(url: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url + path, headers=headers, timeout=10, **kwargs)


def count(url: str, token: str, workspace: str, kind: str) -> int:
    r = get(url, f"{API}/{workspace}/{kind}/", token)
    assert r.status_code == 200, r.text
    return r.json()["count"]


def exits_at_start(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs the mock with flags that must stop it before it serves."""
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Listening on" not in done.stdout
    return done


@pytest.fixture
def started() -> Any:
    """Starts mocks and makes sure none outlives the test."""
    running: list[MockProcess] = []

    def start(*args: str) -> MockProcess:
        mock = MockProcess.start("--port", "0", *args)
        running.append(mock)
        return mock

    yield start
    for mock in running:
        mock.kill()


def test_default_start_banner_requests_access_log_and_sigterm(started: Any) -> None:
    mock = started()
    banner = mock.banner()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", banner.url) and not banner.url.endswith(":0")
    assert banner.base_url == f"{banner.url}{API}/{{workspace_name}}/"
    assert banner.tokens == ["dev-token"]
    assert set(banner.workspaces) == {"demo", "sandbox"}
    token = banner.tokens[0]
    sent = []
    for name, (personas, workflows) in banner.workspaces.items():
        assert count(banner.url, token, name, "personas") == personas
        assert count(banner.url, token, name, "workflows") == workflows
        sent += [("GET", f"{API}/{name}/personas/", 200), ("GET", f"{API}/{name}/workflows/", 200)]
    assert banner.workspaces["demo"][0] > 0 and banner.workspaces["demo"][1] > 0
    assert banner.workspaces["sandbox"] == (0, 0)
    names = [p["name"] for p in get(banner.url, f"{API}/demo/personas/", token).json()["results"]]
    assert "sre-responder" in names
    assert get(banner.url, f"{API}/demo/workflows/999?x=1", token).status_code == 404
    assert get(banner.url, f"{API}/demo/workflows/", None).status_code == 401
    sent += [("GET", f"{API}/demo/personas/", 200), ("GET", f"{API}/demo/workflows/999?x=1", 404)]
    sent += [("GET", f"{API}/demo/workflows/", 401)]

    assert mock.stop(signal.SIGTERM) == 0, mock.stderr_text
    assert "shutting down" in mock.stderr_text
    logged = [m.group("method", "target", "status") for m in map(ACCESS_LINE.search, mock.stderr) if m]
    assert sorted(logged) == sorted((method, path, str(status)) for method, path, status in sent)


LOAD_SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "load.lua"


def put_under_load(url: str, token: str, seconds: float) -> None:
    """Creates at 64 connections for `seconds`, with wrk where there is one (the load that found
    the abort below: many requests still in flight when it stops), else from 16 threads."""
    wrk = shutil.which("wrk")
    if wrk:
        argv = [wrk, "-t1", "-c64", f"-d{seconds:.0f}s", "-s", str(LOAD_SCRIPT), url, "--"]
        argv += ["create", f"{API}/sandbox", token, "1", "1"]
        subprocess.run(argv, capture_output=True, timeout=seconds + 30, check=True)
        return
    deadline = time.monotonic() + seconds

    def hammer(number: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            while time.monotonic() < deadline:
                body = workflow_body(name=f"load {number}")
                assert session.post(f"{url}{API}/sandbox/workflows/", json=body, timeout=10).status_code == 201

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_sigterm_right_after_a_load_exits_0_with_the_state_written(started: Any, tmp_path: Path, server: str) -> None:
    """Stopping a server that has just been under load. On granian, ending the interpreter while
    granian's threads were still winding down aborted the process (SIGABRT, a Rust panic, the
    state file never written); the command now ends the way granian's own workers do."""
    state = tmp_path / "state.json"
    mock = started("--server", server, "--state-file", str(state))
    banner = mock.banner()
    put_under_load(banner.url, banner.tokens[0], 3)
    stored = -1
    while stored != (stored := count(banner.url, banner.tokens[0], "sandbox", "workflows")):
        time.sleep(0.2)  # requests wrk left in flight are still being answered
    assert stored > 100
    assert mock.stop(signal.SIGTERM) == 0, mock.stderr_text[-3000:]
    assert "panicked" not in mock.stderr_text
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert len(saved["workspaces"]["sandbox"]["workflows"]) == stored


def test_sigint_stops_it_cleanly(started: Any) -> None:
    mock = started("--quiet")
    banner = mock.banner()
    assert get(banner.url, f"{API}/sandbox/personas/", banner.tokens[0]).status_code == 200
    assert mock.stop(signal.SIGINT) == 0, mock.stderr_text
    assert "shutting down" in mock.stderr_text
    assert "Traceback" not in mock.stderr_text
    assert not [line for line in mock.stderr if ACCESS_LINE.search(line)], "--quiet still logged requests"


def test_tokens_limited_to_workspaces(started: Any) -> None:
    banner = started("--token", "a", "--token", "b:sandbox").banner()
    assert banner.tokens == ["a", "b"]
    assert get(banner.url, f"{API}/demo/personas/", "a").status_code == 200
    assert get(banner.url, f"{API}/sandbox/personas/", "a").status_code == 200
    assert get(banner.url, f"{API}/sandbox/personas/", "b").status_code == 200
    forbidden = get(banner.url, f"{API}/demo/personas/", "b")
    assert forbidden.status_code == 403 and forbidden.json() == {
        "detail": "You do not have permission to perform this action."
    }
    assert get(banner.url, f"{API}/demo/personas/", "dev-token").status_code == 401


def test_no_seed_starts_empty(started: Any) -> None:
    banner = started("--no-seed").banner()
    assert banner.workspaces == {"demo": (0, 0), "sandbox": (0, 0)}
    assert count(banner.url, banner.tokens[0], "demo", "personas") == 0
    assert count(banner.url, banner.tokens[0], "demo", "workflows") == 0


SEED = {
    "workspaces": {
        "team-x": {
            "personas": [persona_body(name="first"), persona_body(name="second", fullName="Second One")],
            "workflows": [workflow_body(name="Only workflow")],
        },
        "empty-one": {},
    }
}


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_seed_file_gives_the_starting_data(started: Any, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"seed{suffix}"
    path.write_text(json.dumps(SEED) if suffix == ".json" else yaml.safe_dump(SEED, allow_unicode=True))
    banner = started("--seed", str(path)).banner()
    assert banner.workspaces == {"team-x": (2, 1), "empty-one": (0, 0)}
    token = banner.tokens[0]
    personas = get(banner.url, f"{API}/team-x/personas/", token).json()["results"]
    assert [(p["name"], p["fullName"]) for p in personas] == [("first", "Network Guru"), ("second", "Second One")]
    workflow = get(banner.url, f"{API}/team-x/workflows/1", token).json()
    assert {k: workflow[k] for k in workflow_body()} == workflow_body(name="Only workflow")
    assert get(banner.url, f"{API}/demo/personas/", token).status_code == 404


def bad_seeds(tmp_path: Path) -> list[tuple[Path, list[str]]]:
    """(file, what the error must name) for seeds that must be refused."""
    out_of_range = json.loads(json.dumps(SEED))
    out_of_range["workspaces"]["team-x"]["personas"][1]["filterConfidenceThreshold"] = 2
    missing = json.loads(json.dumps(SEED))
    del missing["workspaces"]["team-x"]["workflows"][0]["trigger"]
    bad_name = {"workspaces": {"Team_X": {}}}
    duplicate = json.loads(json.dumps(SEED))
    duplicate["workspaces"]["team-x"]["personas"][1]["name"] = "first"
    cases: list[tuple[str, Any, list[str]]] = [
        ("range.json", out_of_range, ["team-x", "personas[1]", "filterConfidenceThreshold"]),
        ("missing.yaml", missing, ["team-x", "workflows[0]", "trigger"]),
        ("name.json", bad_name, ["Team_X"]),
        ("duplicate.json", duplicate, ["team-x", "personas", "name"]),
        ("list.json", [1, 2], []),
    ]
    made = []
    for file_name, data, names in cases:
        path = tmp_path / file_name
        path.write_text(json.dumps(data) if file_name.endswith(".json") else yaml.safe_dump(data))
        made.append((path, names))
    (tmp_path / "broken.json").write_text('{"workspaces": {"demo": ')
    (tmp_path / "broken.yaml").write_text("workspaces: [unclosed\n  - : :")
    made += [(tmp_path / "broken.json", []), (tmp_path / "broken.yaml", []), (tmp_path / "absent.json", [])]
    return made


def test_a_bad_seed_file_is_refused_at_start_naming_the_problem(tmp_path: Path) -> None:
    for path, names in bad_seeds(tmp_path):
        done = exits_at_start("--port", "0", "--seed", str(path))
        assert done.returncode == 2, (path.name, done.stderr)
        message = done.stderr.strip()
        assert str(path) in message, message
        for name in names:
            assert name in message, (path.name, name, message)
        assert "Traceback" not in message


def test_workspace_flag_adds_empty_workspaces(started: Any) -> None:
    banner = started("--workspace", "team-b", "--workspace", "qa-2").banner()
    assert banner.workspaces["team-b"] == (0, 0) and banner.workspaces["qa-2"] == (0, 0)
    assert {"demo", "sandbox"} <= set(banner.workspaces)
    assert count(banner.url, banner.tokens[0], "team-b", "workflows") == 0
    assert get(banner.url, f"{API}/team-c/workflows/", banner.tokens[0]).status_code == 404


@pytest.mark.parametrize("name", ["Team_B", "-x", "a--b", "a" * 64, "émile", ""])
def test_an_invalid_workspace_name_is_refused_at_start(name: str) -> None:
    done = exits_at_start("--port", "0", f"--workspace={name}")
    assert done.returncode == 2, done.stderr
    assert repr(name) in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_one_clear_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = exits_at_start("--port", str(port))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0]


def test_the_banner_names_the_server_waitress_by_default_and_granian_on_request(started: Any) -> None:
    shipped = started("--quiet", "--threads", "3").banner()
    assert re.search(r"Server:\s+waitress, 3 threads\n", shipped.text + "\n"), shipped.text
    fast = started("--quiet", "--server", "granian").banner()
    assert re.search(r"Server:\s+granian \S+ \(Rust HTTP/1\), 8 threads", fast.text), fast.text
    auto = started("--quiet", "--server", "auto").banner()
    assert re.search(r"Server:\s+granian ", auto.text), auto.text
    for banner in (shipped, fast, auto):
        assert count(banner.url, banner.tokens[0], "demo", "workflows") > 0


GRANIAN_MISSING = (  # the mock's CLI where `import granian` fails (a platform without a build)
    "import sys; sys.modules['granian'] = None; from mock_server.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_without_granian_auto_falls_back_to_waitress_and_says_why() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", GRANIAN_MISSING, "--port", "0", "--server", "auto"],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        text = ""
        for line in proc.stdout:
            text += line
            if line.strip() == "Stop with Ctrl-C.":
                break
        server = re.search(r"Server:\s+(.*)", text)
        assert server and server.group(1).startswith("waitress, 8 threads; granian did not load"), text
        url = re.search(r"Listening on (http://\S+)", text)
        assert url, text
        assert count(url.group(1), "dev-token", "demo", "workflows") > 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        proc.kill()
        _, stderr = proc.communicate(timeout=15)
    assert "Traceback" not in stderr and "shutting down" in stderr


def test_server_granian_where_it_does_not_load_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-c", GRANIAN_MISSING, "--port", "0", "--server", "granian"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2 and "Listening on" not in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mock_server: --server granian: granian did not load ("), lines
