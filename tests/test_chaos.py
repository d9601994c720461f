"""`--latency`, `--fail-rate` and `--chaos-seed`, through a real `python -m mock_server` process."""

from __future__ import annotations

import time

import pytest
import requests

from .test_operations import persona_body
from .test_state_file import Running, refused, running

PE = "/personas/"


def statuses(mock: Running, count: int) -> list[int]:
    return [mock.call("GET", PE).status_code for _ in range(count)]


def test_the_same_seed_replays_the_same_failures() -> None:
    runs = []
    for seed in ("7", "7", "8"):
        with running("--fail-rate", "0.4", "--chaos-seed", seed) as mock:
            runs.append(statuses(mock, 40))
    first, again, other = runs
    assert first == again
    assert set(first) == {200, 503}
    assert other != first


def test_latency_does_not_change_which_requests_fail() -> None:
    with running("--fail-rate", "0.4", "--chaos-seed", "7") as mock:
        plain = statuses(mock, 20)
    with running("--fail-rate", "0.4", "--chaos-seed", "7", "--latency", "0-5") as mock:
        assert statuses(mock, 20) == plain


def test_a_failed_request_answers_503_json_and_changes_nothing() -> None:
    with running("--fail-rate", "0.5", "--chaos-seed", "3") as mock:
        before = mock.state()
        answers = [mock.call("POST", PE, json=persona_body(name=f"p{i}")) for i in range(30)]
        created = [r.json() for r in answers if r.status_code == 201]
        failed = [r for r in answers if r.status_code == 503]
        assert len(created) + len(failed) == 30 and created and failed
        for r in failed:
            assert r.headers["Content-Type"] == "application/json" and r.headers["Retry-After"] == "1"
            assert r.json() == {"detail": "Service temporarily unavailable, try again later."}
        after = mock.state()["workspaces"]["demo"]["personas"]
        assert after == before["workspaces"]["demo"]["personas"] + created


def test_the_admin_api_docs_spec_and_preflights_never_fail() -> None:
    with running("--fail-rate", "1") as mock:
        assert mock.call("GET", PE).status_code == 503
        assert mock.http.get(f"{mock.url}/__admin/requests", timeout=10).status_code == 200
        assert mock.http.get(f"{mock.url}/openapi.json", timeout=10).status_code == 200
        assert mock.http.get(f"{mock.url}/docs/", timeout=10).status_code == 200
        pre = requests.options(
            f"{mock.url}/api/v3/workspaces/demo/personas/",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
            timeout=10,
        )
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"]
        r = mock.call("GET", PE, headers={"Origin": "http://localhost:5173"})
        assert r.status_code == 503 and r.headers["Access-Control-Allow-Origin"]  # a browser can read the 503


def test_latency_delays_every_api_response() -> None:
    with running("--latency", "150-250", "--chaos-seed", "1") as mock:
        mock.http.delete(f"{mock.url}/__admin/requests", timeout=10)
        for _ in range(5):
            started = time.monotonic()
            assert mock.call("GET", PE).status_code == 200
            assert time.monotonic() - started >= 0.15
        journal = mock.http.get(f"{mock.url}/__admin/requests", timeout=10).json()["requests"]
        durations = [e["durationMs"] for e in journal]
        assert len(durations) == 5 and min(durations) >= 150


def test_the_banner_shows_the_seed_to_replay_with() -> None:
    with running("--fail-rate", "0.2") as mock:
        text = "\n".join(mock.process.stdout)
        assert "Chaos:" in text and "replay with --chaos-seed" in text


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--latency", "500-100"], "latency"),
        (["--latency", "fast"], "latency"),
        (["--latency", "999999"], "latency"),
        (["--fail-rate", "1.5"], "fail rate"),
        (["--fail-rate", "-0.1"], "fail rate"),
        (["--chaos-seed", "x"], "chaos-seed"),
    ],
)
def test_bad_chaos_flags_are_refused(flags: list[str], complaint: str) -> None:
    assert complaint in refused(*flags)
