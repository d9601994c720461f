"""The serving path under a client that waits or dawdles: the app runs one request at a time
(`mock_server.turns`, on granian), so whatever waits must wait outside that turn; and the
access log writes its lines from a thread of its own, all of them and in order."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_server import turns
from mock_server.app import create_app
from mock_server.devtools.accesslog import AccessLog
from mock_server.server import Server

from .conftest import API, SPEC, TOKEN
from .test_operations import workflow_body

WF = f"{API}/demo/workflows/"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["granian", "waitress"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    app = create_app(contract=SPEC, tokens=(TOKEN,))
    served = Server(app, "127.0.0.1", 0, threads=4, access_log=False, kind=request.param)
    served.start_background()
    try:
        yield served
    finally:
        served.stop()


def hundred_gets(url: str) -> float:
    """Seconds 100 detail requests take on one connection; every one must be a 200."""
    with requests.Session() as session:
        started = time.monotonic()
        statuses = [session.get(f"{url}{WF}{i % 3 + 1}", headers=AUTH, timeout=5).status_code for i in range(100)]
        elapsed = time.monotonic() - started
    assert statuses == [200] * 100
    return elapsed


def test_several_delayed_requests_wait_at_once_and_the_others_are_answered(server: Server) -> None:
    """Three `Prefer: delay=1500` requests on four threads: they wait side by side (1.5 s, not
    4.5 s one after the other), and the fourth thread answers everyone else at full speed."""
    done: list[tuple[int, float]] = []

    def delayed() -> None:
        started = time.monotonic()
        r = requests.get(f"{server.url}{WF}1", headers={**AUTH, "Prefer": "delay=1500"}, timeout=10)
        done.append((r.status_code, time.monotonic() - started))

    waiting = [threading.Thread(target=delayed) for _ in range(3)]
    started = time.monotonic()
    for thread in waiting:
        thread.start()
    time.sleep(0.2)  # all three asleep in the app
    others = hundred_gets(server.url)
    assert all(thread.is_alive() for thread in waiting), f"a delayed request was answered early: {done}"
    assert others < 1.0, others
    for thread in waiting:
        thread.join(timeout=10)
    assert [status for status, _ in done] == [200] * 3
    assert all(1.5 <= seconds < 2.5 for _, seconds in done), done
    assert time.monotonic() - started < 2.5


def test_a_client_that_sends_its_body_slowly_holds_only_its_own_thread(server: Server) -> None:
    """A create whose body arrives in two parts a second apart: meanwhile every other client is
    answered at full speed, and the create is then answered as if it had come at once."""
    body = json.dumps(workflow_body(name="slow-body")).encode()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as slow:
        head = (
            f"POST {WF} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        slow.sendall(head.encode() + body[:10])
        time.sleep(0.2)  # the request is in the server, its body incomplete
        others = hundred_gets(server.url)
        assert others < 1.0, others
        time.sleep(0.8)
        slow.sendall(body[10:])
        answer = slow.recv(65536)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]


def test_a_request_that_waits_gives_its_turn_to_the_next() -> None:
    """`turns.waiting()` inside a turn lets another thread take one; outside a turn it is a no-op."""
    events: list[str] = []
    inside = threading.Event()

    def slow_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        events.append(f"start {environ['who']}")
        if environ["who"] == "a":
            inside.set()
            with turns.waiting():
                time.sleep(0.3)
        events.append(f"end {environ['who']}")
        start_response("200 OK", [])
        return [b""]

    app = turns.Turns(slow_app)
    a = threading.Thread(target=app, args=({"who": "a"}, lambda *_: None))
    a.start()
    inside.wait(5)
    app({"who": "b"}, lambda *_: None)  # runs while `a` waits, not after it
    a.join(5)
    assert events == ["start a", "start b", "end b", "end a"]
    with turns.waiting():  # no turn held: nothing to give away, nothing raised
        pass


def test_the_access_log_writes_every_line_in_order_and_the_rest_on_close() -> None:
    stream = io.StringIO()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2")])
        return [b"{}"]

    logged = AccessLog(app, lambda: stream, flush_every=60)  # the writer never wakes on its own here

    def call(number: int) -> None:
        logged({"REQUEST_METHOD": "GET", "PATH_INFO": f"/n/{number}", "REMOTE_ADDR": "127.0.0.1"}, lambda *_: None)

    for number in range(50):
        call(number)
    assert stream.getvalue() == "", "lines are written by the writer, not by the request"
    logged.close()
    lines = stream.getvalue().splitlines()
    assert [line.split('"')[1] for line in lines] == [f"GET /n/{n}" for n in range(50)]
    assert all(line.endswith("ms") and " 200 2 " in line for line in lines)
    call(50)  # after close (a request finishing as the server stops): written at once
    assert stream.getvalue().splitlines()[-1].split('"')[1] == "GET /n/50"


def test_the_access_log_shows_a_line_soon_after_its_request() -> None:
    stream = io.StringIO()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    logged = AccessLog(app, lambda: stream, flush_every=0.05)
    try:
        logged({"REQUEST_METHOD": "DELETE", "PATH_INFO": "/x"}, lambda *_: None)
        deadline = time.monotonic() + 2
        while not stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert '"DELETE /x" 204 - ' in stream.getvalue()
    finally:
        logged.close()


def raw_exchange(url: str, data: bytes) -> bytes:
    """Sends `data` as is and reads until the server closes (it must, within 5 s). A server that
    answers before the rest of a long head arrives closes on it, which may end in a reset."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            conn.sendall(data)
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                received += chunk
    return received


HEAD = f"GET {WF} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
REFUSED_BY_THE_SERVER = {
    "a head over every server's limit": ((HEAD + "X-Big: " + "a" * 600_000 + "\r\n\r\n").encode(), 431),
    "a request line that is not one": (b"\x00\x01GARBAGE\r\n\r\n", 400),
    "a length that is not a number": (
        f"POST {WF} HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n".encode(),
        400,
    ),
}


@pytest.mark.parametrize("case", REFUSED_BY_THE_SERVER)
def test_what_the_server_refuses_before_the_app_is_a_4xx_and_closes(server: Server, case: str) -> None:
    """Refused by the HTTP server itself, before the app sees the request: a 4xx, the connection
    closed, never a hang; on waitress (the default) a JSON `detail` like every error of the API.
    granian answers these with an empty body (hyper's; it has no setting for it)."""
    data, status = REFUSED_BY_THE_SERVER[case]
    answer = raw_exchange(server.url, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == str(status).encode(), answer[:300]
    assert b"connection: close" in head.lower()
    if server.name == "waitress":
        assert b"content-type: application/json" in head.lower()
        detail = json.loads(body)["detail"]
        assert isinstance(detail, str) and detail, body
    assert hundred_gets(server.url) < 2.0  # and the server goes on answering
