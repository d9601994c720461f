"""Proxy mode over HTTP on loopback: the mock forwarding to an upstream (the correct mock, faulty
variants, a dead or hanging one), every exchange checked, the answer passed on byte for byte,
violations in the header, the journal and the access log, and the recording replayed offline."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response as WerkzeugResponse

from mock_server import cli, create_app
from mock_server.devtools.chaos import Chaos
from mock_server.proxy import VIOLATIONS_HEADER
from mock_server.proxy.recorder import Recorder
from mock_server.proxy.steps import Proxy
from mock_server.proxy.upstream import BUFFER_LIMIT, Upstream
from mock_server.server import Server
from mock_server.state import seed
from tests.faults import VARIANTS, serve, serve_correct, serve_variant
from tests.faults.catalog import CONTRACT

from .processes import MockProcess
from .test_operations import persona_body, workflow_body

TOKEN = "upstream-secret-token"  # the upstream's: must never show in the proxy's journal or log
ADMIN = "proxy-admin"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
API = "/api/v3/workspaces/demo"
PE, WF = f"{API}/personas/", f"{API}/workflows/"
# Added or set per hop (the upstream's server, the proxy's server, the proxy itself): not the upstream app's answer.
PER_HOP = {"date", "server", "via", "connection", "keep-alive", VIOLATIONS_HEADER.lower()}


# -- servers --------------------------------------------------------------------------------
@dataclass
class Seen:
    """One request as the upstream app received it, and its answer as the app gave it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    remote_port: str
    status: str = ""
    answer_headers: list[tuple[str, str]] = field(default_factory=list)
    answer: bytes = b""


class Capture:
    """WSGI middleware around an upstream app: what crossed the wire at the upstream, both ways."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.seen: list[Seen] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        seen = Seen(environ["REQUEST_METHOD"], environ["REQUEST_URI"], headers, body, environ["REMOTE_PORT"])

        def capture(status: str, answer_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.status, seen.answer_headers = status, answer_headers
            return start_response(status, answer_headers, exc_info)

        if "HTTP_X_TEST_HANG" in environ:  # a slow upstream, bounded: longer than the proxy waits
            time.sleep(float(environ["HTTP_X_TEST_HANG"]))
        chunks = list(self.app(environ, capture))
        seen.answer = b"".join(chunks)
        self.seen.append(seen)
        return chunks


def captured(build: Callable[..., Flask] | None = None) -> tuple[Callable[..., Flask], list[Capture]]:
    """A factory for `tests.faults.serve` (the correct mock, or `build`) whose app is captured."""
    captures: list[Capture] = []

    def factory(store: Any, tokens: Any) -> Flask:
        app = build(store, tokens) if build else create_app(store=store, tokens=tokens, contract=CONTRACT)
        capture = Capture(app.wsgi_app)
        app.wsgi_app = capture  # type: ignore[method-assign]
        captures.append(capture)
        return app

    return factory, captures


@contextlib.contextmanager
def proxying(
    upstream: str,
    *,
    timeout: float = 1.0,
    threads: int = 8,
    log: bool = False,
    recorder: Recorder | None = None,
    chaos: Chaos | None = None,
    buffer_limit: int = BUFFER_LIMIT,
    kind: str = "auto",
) -> Iterator[Client]:
    """The mock as a proxy to `upstream`, served in this process; yields a client of it. On the way
    out the proxy stops as the CLI stops it (the recording written, the summary in `client.summary`)."""
    proxy = Proxy(Upstream(upstream, timeout, threads, buffer_limit), recorder)
    app = create_app(tokens=(ADMIN,), contract=CONTRACT, proxy=proxy, chaos=chaos)
    server = Server(app, "127.0.0.1", 0, threads=threads, access_log=log, kind=kind, raw_target=True)
    if recorder is not None:
        recorder.start()
    server.start_background()
    client = Client(server.url, proxy)
    try:
        yield client
    finally:
        client.session.close()
        server.stop()
        client.summary = proxy.close()


@dataclass
class Client:
    url: str
    proxy: Proxy
    session: requests.Session = field(default_factory=requests.Session)
    summary: str = ""

    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
        headers = {**(AUTH if auth else {}), **kwargs.pop("headers", {})}
        return self.session.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def journal(self, **query: str) -> list[dict[str, Any]]:
        r = requests.get(f"{self.url}/__admin/requests", params=query, headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        return r.json()["requests"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def without_per_hop(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in PER_HOP}


# -- the correct mock as upstream -----------------------------------------------------------
def twelve_operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(operationId, method, path, requests kwargs): every operation of the contract once."""
    return [
        ("listPersonas", "GET", f"{PE}?page=1&page_size=2", {}),
        ("getPersona", "GET", f"{PE}1", {}),
        ("createPersona", "POST", PE, {"json": persona_body()}),
        ("updatePersona", "PUT", f"{PE}{{persona}}", {"json": persona_body(fullName="Renamed")}),
        ("deletePersona", "DELETE", f"{PE}{{persona}}", {}),
        ("listWorkflows", "GET", WF, {}),
        ("getWorkflow", "GET", f"{WF}1", {}),
        ("createWorkflow", "POST", WF, {"json": workflow_body()}),
        ("updateWorkflow", "PUT", f"{WF}{{workflow}}", {"json": workflow_body(enabled=False)}),
        ("runWorkflow", "POST", f"{WF}{{workflow}}/run", {}),
        ("getWorkflowToken", "GET", f"{WF}{{workflow}}/token", {}),
        ("deleteWorkflow", "DELETE", f"{WF}{{workflow}}", {}),
    ]


def test_every_operation_passes_through_unchanged_and_conforms() -> None:
    assert {op for op, *_ in twelve_operations()} == set(CONTRACT.operations)
    factory, captures = captured()
    with serve(factory, raw_target=True, token=TOKEN) as upstream, proxying(upstream) as client:
        capture = captures[0]
        created: dict[str, int] = {}
        for operation, method, path, kwargs in twelve_operations():
            path = path.format(**created)
            through = client.call(method, path, **kwargs)
            seen = capture.seen[-1]
            # the request reached the upstream as the client sent it, Host set for the upstream
            assert (seen.method, seen.target) == (method, path), operation
            assert seen.headers["host"] == upstream.removeprefix("http://")
            assert seen.headers["authorization"] == AUTH["Authorization"]
            assert seen.body == (through.request.body or b""), operation
            # the answer came back as the upstream app gave it: status, headers, bytes
            assert f"{through.status_code} {through.reason}" == seen.status, operation
            assert without_per_hop(through.headers) == without_per_hop(dict(seen.answer_headers)), operation
            assert through.content == seen.answer, operation
            assert through.headers[VIOLATIONS_HEADER] == "0", (operation, client.journal()[-1]["violations"])
            if method == "GET":
                direct = requests.get(upstream + path, headers=AUTH, timeout=10)
                assert (direct.status_code, direct.content) == (through.status_code, through.content), operation
            if operation in ("createPersona", "createWorkflow"):
                assert through.headers["Location"] == f"{upstream}{path}{through.json()['id']}"
                created["persona" if operation == "createPersona" else "workflow"] = through.json()["id"]
        head, get = client.call("HEAD", f"{WF}1"), client.call("GET", f"{WF}1")
        assert (head.content, head.headers["Content-Length"]) == (b"", get.headers["Content-Length"])
        journal = client.journal()
        assert len(journal) == 14 and all(e["violations"] == [] for e in journal)
        assert client.journal(violations="true") == []
        token = client.call("GET", f"{WF}1/token").json()["token"]
        assert token not in json.dumps(client.journal()), "a webhook token is journaled in clear"
        assert client.journal()[-1]["responseBody"] == {"token": "[redacted]"}
    assert "No violations." in client.summary


def test_keep_alive_and_8_concurrent_clients_get_their_own_answers() -> None:
    factory, captures = captured()
    with serve(factory, raw_target=True, token=TOKEN, threads=8) as upstream, proxying(upstream, threads=8) as client:
        failures: list[str] = []

        def work(n: int) -> None:
            session = requests.Session()
            try:
                for i in range(8):
                    name = f"client-{n}-{i}"
                    created = session.post(client.url + PE, json=persona_body(name=name), headers=AUTH, timeout=10)
                    read = session.get(f"{client.url}{PE}{created.json()['id']}", headers=AUTH, timeout=10)
                    if (created.status_code, read.json()["name"], read.headers[VIOLATIONS_HEADER]) != (201, name, "0"):
                        failures.append(f"{name}: {created.status_code} {read.text}")
            finally:
                session.close()

        clients = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in clients:
            t.start()
        for t in clients:
            t.join(timeout=60)
        assert not failures
        seen = captures[0].seen
        assert len(seen) == 128
        assert len({s.remote_port for s in seen}) <= 8 + 2, "connections to the upstream are not reused"
        assert client.journal(violations="true") == []


def test_large_bodies_pass_byte_for_byte() -> None:
    huge = {"name": "huge", "fullName": "Huge", "searchFilters": {"b": "y" * 3_000_000}}
    big = {"workspaces": {"demo": {"personas": [huge]}}}
    factory, captures = captured()
    with serve(factory, raw_target=True, token=TOKEN, seed=big) as upstream:
        direct = requests.get(f"{upstream}{PE}1", headers=AUTH, timeout=10)
        assert direct.status_code == 200 and len(direct.content) > 3_000_000
        for limit in (BUFFER_LIMIT, 64 * 1024):  # read whole and checked, or streamed through
            with proxying(upstream, buffer_limit=limit) as client:
                through = client.call("GET", f"{PE}1")
                assert through.content == direct.content and through.headers[VIOLATIONS_HEADER] == "0"
        with proxying(upstream) as client:
            body = json.dumps(persona_body(name="one-mib", searchFilters={"b": ""})).encode()
            body = body.replace(b'"b": ""', b'"b": "' + b"z" * (1024 * 1024 - len(body)) + b'"')
            assert len(body) == 1024 * 1024
            created = client.call("POST", PE, data=body, headers={"Content-Type": "application/json"})
            assert created.status_code == 201 and created.headers[VIOLATIONS_HEADER] == "0"
            assert captures[0].seen[-1].body == body
            assert client.call("GET", created.headers["Location"].removeprefix(upstream)).json() == created.json()
            streamed = body.replace(b"one-mib", b"chunked")  # sent chunked: no Content-Length
            chunks = (streamed[i : i + 65536] for i in range(0, len(streamed), 65536))
            created = client.call("POST", PE, data=chunks, headers={"Content-Type": "application/json"})
            assert created.status_code == 201 and captures[0].seen[-1].body == streamed


def test_upstream_path_prefix_kept_and_hop_by_hop_headers_dropped() -> None:
    def mounted(store: Any, tokens: Any) -> Flask:
        app = create_app(store=store, tokens=tokens, contract=CONTRACT)
        app.wsgi_app = DispatcherMiddleware(WerkzeugResponse("no", 404), {"/backend": app.wsgi_app})  # type: ignore[method-assign]
        return app

    factory, captures = captured(mounted)
    with serve(factory, raw_target=True, token=TOKEN) as upstream, proxying(upstream + "/backend/") as client:
        hop_by_hop = {"Connection": "keep-alive, X-Hop", "X-Hop": "1", "TE": "trailers", "X-End": "2"}
        r = client.call("GET", f"{PE}1?x=%2F", headers=hop_by_hop)
        assert r.status_code == 200 and r.headers[VIOLATIONS_HEADER] == "0"
        seen = captures[0].seen[-1]
        assert seen.target == f"/backend{PE}1?x=%2F"
        assert "x-hop" not in seen.headers and "te" not in seen.headers and seen.headers["x-end"] == "2"


# -- requests that break the contract: reported, and still forwarded ------------------------
AT_LEAST_1 = "Ensure this value is greater than or equal to 1."
NO_TOKEN = "request.header.Authorization: missing (the operation needs a bearer token)"
NOT_IN_CONTRACT = "is not in the contract"
PATH_HAS = "(the path has DELETE, GET, PUT)"
UNSUPPORTED = 'Unsupported media type "application/x-www-form-urlencoded" in request.'


def test_bad_requests_are_forwarded_and_reported() -> None:
    factory, captures = captured()
    with serve(factory, raw_target=True, token=TOKEN) as upstream, proxying(upstream) as client:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        cases = [
            (client.call("POST", PE, json={"name": "x"}), 400, ["request.body.fullName: This field is required."]),
            (client.call("GET", f"{PE}?page_size=0"), 400, [f"request.query.page_size: {AT_LEAST_1}"]),
            (client.call("GET", PE, auth=False), 401, [NO_TOKEN]),
            (client.call("GET", f"{PE}abc"), 404, ["request.path.persona_id: A valid integer is required."]),
            (client.call("PATCH", f"{PE}1", json={}), 405, [f"request: PATCH {PE}1 {NOT_IN_CONTRACT} {PATH_HAS}"]),
            (client.call("GET", f"{API}/nothing/"), 404, [f"request: GET {API}/nothing/ {NOT_IN_CONTRACT}"]),
            (client.call("POST", PE, data="name=x", headers=form), 415, [f"request.body: {UNSUPPORTED}"]),
        ]
        assert len(captures[0].seen) == len(cases), "a request that breaks the contract was not forwarded"
        for (response, status, violations), entry in zip(cases, client.journal(), strict=True):
            assert response.status_code == status and entry["status"] == status
            assert entry["violations"] == violations
            assert response.headers[VIOLATIONS_HEADER] == str(len(violations))
        assert len(client.journal(violations="true")) == len(cases) and client.journal(violations="false") == []
    assert "(not in the contract): 2 of 2 violated the contract" in client.summary


# -- faulty upstreams -----------------------------------------------------------------------
FAULTS = {
    "create_answers_200": (
        ("POST", PE, {"json": persona_body()}),
        ["response.status: 200 is not documented for createPersona (201, 400, 401, 403, 404, 413, 415)"],
    ),
    "json_as_text_plain": (
        ("GET", f"{PE}1", {}),
        ["response.header.Content-Type: 'text/plain; charset=utf-8', documented: application/json"],
    ),
    "updated_at_missing": (("GET", f"{PE}1", {}), ["response.body.updatedAt: This field is required."]),
    "no_www_authenticate": (
        ("GET", PE, {"auth": False}),
        [
            "request.header.Authorization: missing (the operation needs a bearer token)",
            "response.header.WWW-Authenticate: required, missing",
        ],
    ),
    "ids_as_strings_in_lists": (
        ("GET", PE, {}),
        [f"response.body.results: [{i}].id: A valid integer is required." for i in range(3)],
    ),
}


@pytest.mark.parametrize("variant", sorted(FAULTS))
def test_a_faulty_upstream_is_passed_through_and_reported(variant: str, capsys: pytest.CaptureFixture[str]) -> None:
    (method, path, kwargs), violations = FAULTS[variant]
    assert variant in VARIANTS
    factory, captures = captured(VARIANTS[variant].build)
    with serve(factory, raw_target=True, token=TOKEN) as upstream, proxying(upstream, log=True) as client:
        r = client.call(method, path, headers={"Origin": "http://localhost:5173"}, **kwargs)
        assert r.content == captures[0].seen[-1].answer, "the answer was not passed through unchanged"
        assert r.headers[VIOLATIONS_HEADER] == str(len(violations))
        assert VIOLATIONS_HEADER in r.headers["Access-Control-Expose-Headers"]
        assert client.journal(violations="true")[-1]["violations"] == violations
    log = capsys.readouterr().err
    line = next(x for x in log.splitlines() if f'"{method} {path}"' in x)
    assert line.endswith("violations: " + "; ".join(violations))
    if "content-length" in {name.lower() for name in r.headers}:  # the size passed through is logged
        assert f" {r.headers['Content-Length']} " in line.split('"')[-1]
    assert TOKEN not in log
    assert violations[-1] in client.summary


def test_an_answer_that_is_not_json_is_passed_through_and_reported() -> None:
    def html_page(store: Any, tokens: Any) -> Flask:
        app = create_app(store=store, tokens=tokens, contract=CONTRACT)
        inner = app.wsgi_app

        def gateway_page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if environ["PATH_INFO"].endswith("/1"):
                start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "19")])
                return [b"<html>oops</html>\r\n"]
            return inner(environ, start_response)

        app.wsgi_app = gateway_page  # type: ignore[method-assign]
        return app

    with serve(html_page, raw_target=True, token=TOKEN) as upstream, proxying(upstream) as client:
        r = client.call("GET", f"{PE}1")
        assert (r.status_code, r.content) == (200, b"<html>oops</html>\r\n")
        assert client.journal()[-1]["violations"] == ["response.body: not JSON (Expecting value)"]


# -- bad upstreams --------------------------------------------------------------------------
def test_an_unreachable_upstream_is_a_502_naming_it_and_the_proxy_keeps_serving() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with proxying(dead) as client:
        for _ in range(2):
            r = client.call("GET", f"{PE}1")
            assert r.status_code == 502 and r.headers["Content-Type"] == "application/json"
            assert dead in r.json()["detail"] and "Connection refused" in r.json()["detail"]
        assert [e["status"] for e in client.journal()] == [502, 502]
        assert requests.get(client.url + "/openapi.json", timeout=5).status_code == 200
    assert "2 upstream failures" in client.summary


@pytest.mark.parametrize("kind", ["auto", "granian"])  # auto: waitress in proxy mode (the target as sent)
def test_a_hanging_upstream_is_a_504_in_time_while_other_clients_are_served(kind: str) -> None:
    factory, _ = captured()
    with serve(factory, raw_target=True, token=TOKEN) as upstream, proxying(upstream, timeout=1, kind=kind) as client:
        outcome: dict[str, Any] = {}

        def hang() -> None:
            started = time.monotonic()
            r = requests.get(client.url + f"{PE}1", headers={**AUTH, "X-Test-Hang": "1.6"}, timeout=10)
            outcome.update(status=r.status_code, body=r.json(), seconds=time.monotonic() - started)

        waiting = threading.Thread(target=hang)
        waiting.start()
        time.sleep(0.1)
        served = [client.call("GET", f"{PE}{i}").status_code for i in (1, 2, 3)]
        assert served == [200, 200, 200] and waiting.is_alive()
        waiting.join(timeout=10)
        assert outcome["status"] == 504 and 1.0 <= outcome["seconds"] < 1.5, outcome
        assert upstream in outcome["body"]["detail"] and "within 1 s" in outcome["body"]["detail"]
        assert client.journal(status="504")[0]["path"] == f"{PE}1"


# -- Prefer and chaos in front of the upstream ----------------------------------------------
def test_prefer_and_fail_rate_answer_in_front_of_the_upstream() -> None:
    factory, captures = captured()
    with serve(factory, raw_target=True, token=TOKEN) as upstream:
        with proxying(upstream) as client:
            forced = client.call("GET", f"{PE}1", headers={"Prefer": "code=500"})
            assert forced.status_code == 500 and captures[0].seen == []
            delayed = client.call("GET", f"{PE}1", headers={"Prefer": "delay=50"})
            assert delayed.status_code == 200 and delayed.headers["Preference-Applied"] == "delay=50"
            assert "prefer" not in captures[0].seen[-1].headers, "an applied Prefer was forwarded"
        with proxying(upstream, chaos=Chaos(fail_rate=1.0, seed=1)) as client:
            failed = client.call("POST", PE, json=persona_body(name="never-stored"))
            assert failed.status_code == 503 and len(captures[0].seen) == 1


# -- record, then replay --------------------------------------------------------------------
@pytest.mark.parametrize("secrets", [False, True], ids=["secrets-left-out", "record-secrets"])
def test_a_recording_replays_the_same_reads_offline(tmp_path: Path, secrets: bool) -> None:
    recording = tmp_path / "recording.json"
    with serve_correct(token=TOKEN) as upstream:
        with proxying(upstream, recorder=Recorder(CONTRACT, recording, secrets)) as client:
            client.call("GET", PE)
            for pid in (1, 2):
                client.call("GET", f"{PE}{pid}")
            new = client.call("POST", PE, json=persona_body()).json()["id"]
            client.call("PUT", f"{PE}{new}", json=persona_body(fullName="Renamed"))
            client.call("DELETE", f"{PE}3")
            client.call("GET", WF)
            token = client.call("GET", f"{WF}1/token").json()["token"]
            client.call("GET", f"{API.replace('demo', 'sandbox')}/workflows/")
        data = json.loads(recording.read_text())
        assert set(data["workspaces"]) == {"demo", "sandbox"}
        assert ("webhookToken" in recording.read_text()) is secrets and (token in recording.read_text()) is secrets
        reads = [
            PE,
            f"{PE}1",
            f"{PE}2",
            f"{PE}{new}",
            f"{PE}3",
            WF,
            f"{WF}1",
            f"{API.replace('demo', 'sandbox')}/workflows/",
        ]
        expected = {path: requests.get(upstream + path, headers=AUTH, timeout=10) for path in reads}
        replay = create_app(store=seed.load(CONTRACT, recording), tokens=(TOKEN,), contract=CONTRACT).test_client()
        for path, real in expected.items():
            offline = replay.get(path, headers=AUTH)
            assert offline.status_code == real.status_code, path
            mine, theirs = offline.get_json(), real.json()
            if "results" in theirs:  # the links name the server asked; the page is the same
                mine, theirs = (dict(page, next=None, previous=None) for page in (mine, theirs))
            assert mine == theirs, path
        assert (replay.get(f"{WF}1/token", headers=AUTH).get_json()["token"] == token) is secrets
        continued = Recorder(CONTRACT, recording, secrets)
        continued.load()
        assert continued.document() == data, "a recording is not continued where it stopped"


def test_a_record_that_is_not_valid_seed_data_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recording = tmp_path / "recording.json"
    with (
        serve_variant("naive_timestamps", token=TOKEN) as upstream,
        proxying(upstream, recorder=Recorder(CONTRACT, recording)) as client,
    ):
        client.call("GET", f"{PE}1")
        client.call("GET", WF, params={"page_size": 1})
    data = json.loads(recording.read_text())
    assert data["workspaces"]["demo"] == {}
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(m.startswith("recording: left out workspaces.demo.personas id 1: createdAt:") for m in warned), warned
    assert any("workspaces.demo.workflows id 1" in m for m in warned), warned
    seed.load(CONTRACT, recording)  # still a valid seed


# -- the command line -----------------------------------------------------------------------
def test_the_cli_logs_violations_keeps_credentials_out_and_prints_a_summary_on_stop(tmp_path: Path) -> None:
    recording = tmp_path / "recording.json"
    with serve_variant("updated_at_missing", token=TOKEN) as upstream:
        args = ["--port", "0", "--proxy", upstream, "--proxy-timeout", "1", "--record", str(recording)]
        mock = MockProcess.start(*args, "--token", ADMIN, "--threads", "4")
        try:
            banner = mock.banner()
            assert (
                f"Proxying to: {upstream} (timeout 1 s)" in banner.text and f"Recording:   {recording}" in banner.text
            )
            detail = requests.get(f"{banner.url}{PE}1", headers=AUTH, timeout=10)
            assert detail.status_code == 200 and detail.headers[VIOLATIONS_HEADER] == "1"
            token = requests.get(f"{banner.url}{WF}1/token", headers=AUTH, timeout=10).json()["token"]
            assert requests.get(f"{banner.url}{WF}", headers=AUTH, timeout=10).headers[VIOLATIONS_HEADER] == "0"
            admin = {"Authorization": f"Bearer {ADMIN}"}
            journal = requests.get(f"{banner.url}/__admin/requests", headers=admin, timeout=10).text
            assert requests.get(f"{banner.url}/__admin/requests", headers=AUTH, timeout=10).status_code == 401
            assert requests.get(f"{banner.url}/__admin/state", headers=admin, timeout=10).status_code == 409
        finally:
            code = mock.stop()
    assert code == 0, mock.stderr_text
    log = mock.stderr_text
    assert f'"GET {PE}1" 200 ' in log and log.count("violations: ") == 1
    assert "violations: response.body.updatedAt: This field is required." in log
    assert "Proxy summary" in log and "getPersona: 1 of 1 violated the contract" in log
    assert "1x response.body.updatedAt: This field is required." in log
    everything = log + "\n".join(mock.stdout) + journal + recording.read_text()
    assert TOKEN not in everything and token not in everything, "a credential was logged, journaled or recorded"
    assert len(json.loads(recording.read_text())["workspaces"]["demo"]["workflows"]) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--record", "r.json"], "--record needs --proxy"),
        (["--proxy-timeout", "3"], "--proxy-timeout needs --proxy"),
        (["--proxy", "http://127.0.0.1:9", "--seed", "s.json"], "--seed does not go with --proxy"),
        (["--proxy", "http://127.0.0.1:9", "--validate-responses"], "--validate-responses does not go with --proxy"),
        (["--proxy", "http://127.0.0.1:9", "--record-secrets"], "--record-secrets needs --record"),
        (["--proxy", "ftp://example.com"], "expected an http:// or https:// URL"),
        (["--proxy", "https://user:pw@example.com"], "credentials in the URL are not supported"),
        (["--proxy", "http://127.0.0.1:9", "--proxy-timeout", "0"], "expected seconds above 0"),
    ],
)
def test_proxy_flags_given_wrong_are_usage_errors(argv: list[str], message: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_a_record_file_that_is_not_a_recording_is_refused_at_start(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "seed.yaml"
    bad.write_text("workspaces: {demo: {personas: [{name: no-id, fullName: No Id}]}}\n")
    assert cli.main(["--proxy", "http://127.0.0.1:9", "--record", str(bad), "--port", "0"]) == 2
    assert "not a recording (a record without id)" in capsys.readouterr().err
