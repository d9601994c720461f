"""`--state-file` and full-fidelity `--seed` files, through a real `python -m mock_server` process."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from .processes import MockProcess
from .test_operations import persona_body, workflow_body

TOKEN = "dev-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEMO = "/api/v3/workspaces/demo"


class Running:
    """A started mock process and its base URL."""

    def __init__(self, process: MockProcess) -> None:
        self.process = process
        self.url = process.banner().url
        self.http = requests.Session()
        self.http.headers.update(AUTH)

    def state(self) -> dict[str, Any]:
        r = self.http.get(f"{self.url}/__admin/state", timeout=10)
        assert r.status_code == 200
        return r.json()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.url}{DEMO}{path}", timeout=10, **kwargs)


@contextlib.contextmanager
def running(*args: str) -> Iterator[Running]:
    process = MockProcess.start("--port", "0", "--quiet", *args)
    try:
        yield Running(process)
    finally:
        process.kill()


def refused(*args: str) -> str:
    """Starts a mock that must refuse to start; its stderr."""
    process = MockProcess.start("--port", "0", *args)
    try:
        assert process.wait(timeout=30) == 2
    finally:
        process.kill()
    return process.stderr_text


def read_state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def wait_for_file(path: Path, expected: dict[str, Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, ValueError):
            if read_state(path) == expected:
                return
        time.sleep(0.02)
    raise AssertionError(f"{path} did not reach the expected state within {timeout}s")


def change_everything(mock: Running) -> int:
    """A create, an update, a run, a delete: returns the deleted persona's id."""
    wid = mock.call("POST", "/workflows/", json=workflow_body()).json()["id"]
    mock.call("POST", f"/workflows/{wid}/run")
    mock.call("PUT", "/personas/1", json=persona_body(name="sre-responder", fullName="Renamed"))
    doomed = mock.call("POST", "/personas/", json=persona_body()).json()["id"]
    assert mock.call("DELETE", f"/personas/{doomed}").status_code == 204
    return doomed


# -- --state-file ---------------------------------------------------------------------------
def test_the_state_survives_a_clean_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with running("--state-file", str(path)) as first:
        assert read_state(path) == first.state()  # written at start
        doomed = change_everything(first)
        saved, token = first.state(), first.call("GET", "/workflows/1/token").json()
        assert first.process.stop(signal.SIGTERM) == 0
    assert read_state(path) == saved
    with running("--state-file", str(path)) as second:
        assert second.state() == saved
        assert second.call("GET", "/personas/1").json()["fullName"] == "Renamed"
        assert second.call("GET", "/workflows/1/token").json() == token
        assert second.call("POST", "/personas/", json=persona_body()).json()["id"] == doomed + 1


def test_every_change_reaches_the_file_without_a_shutdown(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with running("--state-file", str(path)) as mock:
        change_everything(mock)
        expected = mock.state()
        wait_for_file(path, expected)
        mock.process.kill()  # SIGKILL: no shutdown hook runs
    with running("--state-file", str(path)) as again:
        assert again.state() == expected


def test_reset_goes_back_to_the_seed_and_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with running("--state-file", str(path)) as mock:
        initial = mock.state()
        change_everything(mock)
        r = mock.http.post(f"{mock.url}/__admin/reset", timeout=10)
        assert r.status_code == 200
        after = mock.state()
        assert after["workspaces"] == json.loads(json.dumps(after["workspaces"]))
        assert [p["name"] for p in after["workspaces"]["demo"]["personas"]] == [
            p["name"] for p in initial["workspaces"]["demo"]["personas"]
        ]
        assert after["nextIds"] == initial["nextIds"]
        wait_for_file(path, after)


def test_an_empty_state_file_starts_from_the_seed(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("")
    with running("--state-file", str(path), "--workspace", "extra") as mock:
        state = mock.state()
        assert set(state["workspaces"]) == {"demo", "sandbox", "extra"}
        assert len(state["workspaces"]["demo"]["personas"]) == 3
        assert read_state(path) == state


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{not json", "not a state file"),
        ('{"workspaces": {"demo": {"personas": [{"name": "x"}]}}}', "workspaces.demo.personas[0]: fullName"),
        ('{"workspaces": {"demo": {"personas": [{"name": "x", "fullName": "X", "id": -1}]}}}', "personas[0]: id"),
    ],
)
def test_a_broken_state_file_is_refused_and_left_alone(tmp_path: Path, content: str, named: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    stderr = refused("--state-file", str(path))
    assert str(path) in stderr and named in stderr
    assert path.read_text() == content


def test_an_unwritable_state_file_is_refused_at_start(tmp_path: Path) -> None:
    stderr = refused("--state-file", str(tmp_path / "missing-dir" / "state.json"))
    assert "--state-file" in stderr and "cannot write" in stderr


@pytest.mark.slow
def test_a_kill_at_any_moment_leaves_the_old_or_the_new_state(tmp_path: Path) -> None:
    """SIGKILL during a stream of writes, 20 times: the file always parses, always equals a state
    the mock really had (the one before the round plus the first k creates of the round), and
    always loads again."""
    path = tmp_path / "state.json"
    rng = random.Random(20)
    rounds, changed, lagging = 20, 0, 0
    process = MockProcess.start("--port", "0", "--quiet", "--state-file", str(path))
    try:
        for n in range(rounds):
            url = process.banner().url
            assert not list(tmp_path.glob(".state.json.*.tmp")), "leftovers of a killed write were not removed"
            before = read_state(path)
            http = requests.Session()
            http.headers.update(AUTH)
            assert http.get(f"{url}/__admin/state", timeout=10).json() == before
            sent: list[str] = []
            answered: list[dict[str, Any]] = []
            stop = threading.Event()

            def hammer(
                http: requests.Session = http,
                url: str = url,
                n: int = n,
                sent: list[str] = sent,
                answered: list[dict[str, Any]] = answered,
                stop: threading.Event = stop,
            ) -> None:
                while not stop.is_set():
                    name = f"r{n}-{len(sent)}"
                    sent.append(name)
                    try:
                        r = http.post(f"{url}{DEMO}/personas/", json={"name": name, "fullName": name}, timeout=10)
                    except requests.RequestException:  # the kill cut the connection
                        return
                    assert r.status_code == 201, r.text
                    answered.append(r.json())

            writer = threading.Thread(target=hammer)
            writer.start()
            time.sleep(rng.uniform(0.05, 0.4))
            process.kill()
            stop.set()
            writer.join(timeout=30)
            http.close()

            state = read_state(path)  # always parses
            old = before["workspaces"]["demo"]["personas"]
            personas = state["workspaces"]["demo"]["personas"]
            assert personas[: len(old)] == old
            new = personas[len(old) :]
            assert [p["name"] for p in new] == sent[: len(new)]
            for stored, answer in zip(new, answered, strict=False):
                assert {k: stored[k] for k in answer} == answer
            assert state["nextIds"]["personas"] == before["nextIds"]["personas"] + len(new)
            assert state["workspaces"]["demo"]["workflows"] == before["workspaces"]["demo"]["workflows"]
            assert {k: v for k, v in state["workspaces"].items() if k != "demo"} == {
                k: v for k, v in before["workspaces"].items() if k != "demo"
            }
            changed += bool(new)
            lagging += len(new) < len(answered)
            process = MockProcess.start("--port", "0", "--quiet", "--state-file", str(path))
        process.banner()
    finally:
        process.kill()
    assert changed >= rounds // 2, f"only {changed} of {rounds} rounds wrote anything"
    print(f"{rounds} kills: {changed} rounds saved changes, {lagging} killed with writes still pending")


# -- full-fidelity seed files ----------------------------------------------------------------
def test_an_exported_state_is_a_seed_that_starts_exactly_there(tmp_path: Path) -> None:
    with running() as source:
        change_everything(source)
        exported = source.state()
        token = source.call("GET", "/workflows/2/token").json()
    as_json, as_yaml = tmp_path / "state.json", tmp_path / "state.yaml"
    as_json.write_text(json.dumps(exported))
    as_yaml.write_text(yaml.safe_dump(exported))
    for seed_file in (as_json, as_yaml):
        with running("--seed", str(seed_file)) as mock:
            assert mock.state() == exported
            assert mock.call("GET", "/workflows/2/token").json() == token
            reset = mock.http.post(f"{mock.url}/__admin/reset", timeout=10)
            assert reset.status_code == 200 and mock.state() == exported  # the seed is what reset restores


def test_a_hand_written_seed_stays_as_simple_as_before(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "workspaces:\n  team:\n    personas:\n      - {name: ana, fullName: Ana}\n"
        "    workflows:\n      - {name: W, trigger: {type: manual}, actions: [{type: notify}]}\n"
    )
    with running("--seed", str(seed)) as mock:
        state = mock.state()
        persona = state["workspaces"]["team"]["personas"][0]
        assert persona["id"] == 1 and persona["createdAt"] == persona["updatedAt"]
        assert persona["filterConfidenceThreshold"] == 0.7  # the spec's default
        assert len(state["workspaces"]["team"]["workflows"][0]["webhookToken"]) >= 32


@pytest.mark.parametrize(
    ("record", "named"),
    [
        ({"createdAt": "last tuesday"}, "workspaces.demo.personas[0]: createdAt:"),
        ({"id": 0}, "workspaces.demo.personas[0]: id:"),
        ({"createdAt": "2026-02-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}, "updatedAt: must not be before"),
        ({"filterScope": 3}, "workspaces.demo.personas[0]: filterScope:"),
    ],
)
def test_a_bad_seed_is_refused_at_start_naming_file_record_and_field(
    tmp_path: Path, record: dict[str, Any], named: str
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"workspaces": {"demo": {"personas": [{**persona_body(), **record}]}}}))
    stderr = refused("--seed", str(seed))
    assert f"{seed}: {named}" in stderr or (str(seed) in stderr and named in stderr)


def test_a_duplicate_id_in_a_seed_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    workflows = [{**workflow_body(), "id": 3}, {**workflow_body(), "id": 3}]
    seed.write_text(json.dumps({"workspaces": {"a": {"workflows": workflows[:1]}, "b": {"workflows": workflows[1:]}}}))
    stderr = refused("--seed", str(seed))
    assert "workspaces.b.workflows[0]: id: id 3 is used twice." in stderr
