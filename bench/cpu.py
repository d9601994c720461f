"""CPU time per request inside the WSGI app, no server and no network: the part of a request
the mock's own design decides, measured with `time.thread_time` (this thread's CPU only), which
other work on the machine disturbs far less than a wall-clock rate. The apps take turns, round
after round, and each keeps its best round.

Besides the mock as shipped and the floor, the mock is measured with one of its per-request
features taken out at a time (its steps removed from the built app's pipeline, nothing else
changed), so the table says what each costs."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .floor import create_floor_app
from .procs import BASE_PATH, TOKEN

# The mock is imported where it is measured, not here: `bench.versions` runs `_run` in processes
# whose `mock_server` is another commit's, of another layout.

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Progress = Callable[[str], None]


def features() -> dict[str, set[Callable[..., Any]]]:
    """Steps of the app's pipeline (`mock_server.api.pipeline`), by feature."""
    from mock_server.api import pipeline
    from mock_server.devtools import journal, prefer

    return {
        "journal": {journal.record},
        "Prefer": {prefer.apply, prefer.echo_applied},
        "CORS": {pipeline.preflight, pipeline.allow_origin},
    }


def measure(seed_file: Path, requests: int, rounds: int, progress: Progress) -> dict[str, Any]:
    import api_spec
    from mock_server.devtools.accesslog import AccessLog

    data = json.loads(seed_file.read_text(encoding="utf-8"))
    spec = api_spec.contract()
    template = dict(data["workspaces"]["demo"]["workflows"][0])
    devnull = open("/dev/null" if sys.platform != "win32" else "nul", "w", buffering=1)  # noqa: SIM115
    try:
        apps: dict[str, tuple[str, WSGIApp]] = {
            "floor": ("bare Flask floor", create_floor_app(data)),
            "mock": ("mock, as shipped (access log on)", AccessLog(_mock(spec, seed_file), lambda: devnull)),
            "mock-quiet": ("mock --quiet (no access log)", _mock(spec, seed_file)),
            "unvalidated": ("mock, request validation off (no log)", _mock(spec, seed_file, validate=False)),
        }
        for feature, hooks in features().items():
            apps[f"no-{feature}"] = (f"mock --quiet without {feature}", _mock(spec, seed_file, drop=hooks))
        results: dict[str, dict[str, float]] = {key: {} for key in apps}
        for profile in ("list", "detail", "create"):
            best = {key: float("inf") for key in apps}
            for _key, (_, app) in apps.items():  # warm-up: caches, first-call costs
                _run(app, profile, template, max(requests // 10, 1))
            for _ in range(rounds):
                for key, (_, app) in apps.items():
                    best[key] = min(best[key], _run(app, profile, template, requests))
            for key in apps:
                results[key][profile] = best[key]
            progress("cpu " + profile + ": " + ", ".join(f"{k} {v:.0f} us" for k, v in best.items()))
    finally:
        devnull.close()
    return {
        "requests": requests,
        "rounds": rounds,
        "labels": {key: label for key, (label, _) in apps.items()},
        "us_per_request": results,
    }


def _mock(spec: Any, seed_file: Path, validate: bool = True, drop: Iterable[Callable[..., Any]] = ()) -> WSGIApp:
    from mock_server import create_app
    from mock_server.state import seed

    app = create_app(store=seed.load(spec, seed_file), contract=spec, validate_requests=validate)
    dropped = set(drop)
    runtime = app.runtime
    runtime.steps = tuple(step for step in runtime.steps if step not in dropped)
    runtime.finish = tuple(step for step in runtime.finish if step not in dropped)
    return app


_numbers = iter(range(1, 10**9))


def _run(app: WSGIApp, profile: str, template: dict[str, Any], n: int) -> float:
    """Mean CPU µs per request over `n` requests of `profile`; every answer must be a 2xx."""
    status: list[str] = []

    def start_response(code: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
        status.append(code)

    environs = [_environ(profile, template) for _ in range(n)]
    started = time.thread_time()
    for environ in environs:
        result = app(environ, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    spent = time.thread_time() - started
    bad = [code for code in status if not code.startswith("2")]
    if bad:
        raise RuntimeError(f"cpu {profile}: {len(bad)} answers were not 2xx (first: {bad[0]})")
    return spent / n * 1e6


def _environ(profile: str, template: dict[str, Any]) -> dict[str, Any]:
    path, query, body = f"{BASE_PATH}/workflows/", "", b""
    if profile == "list":
        query = "page=1&page_size=20"
    elif profile == "detail":
        path += "1"
    else:
        body = json.dumps({**template, "name": f"cpu bench {next(_numbers)}"}).encode()
    method = "POST" if body else "GET"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ
