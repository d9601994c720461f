"""Load generation: `wrk` (C, epoll; Lua profiles in load.lua) when it is installed, else a small
threaded Python client, which is enough to keep the smoke mode honest but is itself the
bottleneck, so its numbers are labelled and never compared with wrk's."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .procs import BASE_PATH, TOKEN

PROFILES = ("list", "detail", "create", "mixed")
PAGE_SIZE = 20
LUA = Path(__file__).with_name("load.lua")
CREATE_BODY = json.dumps(
    {
        "name": "Nightly check",
        "description": "bench",
        "enabled": True,
        "trigger": {"type": "schedule", "schedule": "0 2 * * *"},
        "actions": [{"type": "run_codebundle", "parameters": {"codebundle": "k8s-health"}}],
    },
    separators=(",", ":"),
)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connection errors, timeouts and answers >= 400
    tool: str

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def tool() -> str:
    """The generator this machine will use."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return "python"
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (out.stdout + out.stderr).split("Copyright")[0].strip() or "wrk"


@dataclass(frozen=True)
class Plan:
    """What to ask: a profile, the workflow id its detail reads and the page its list reads."""

    profile: str
    detail_id: int = 1
    page: int = 1

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}")


def run(url: str, plan: Plan, connections: int, seconds: float, force_python: bool = False) -> LoadResult:
    if shutil.which("wrk") and not force_python:
        return _wrk(url, plan, connections, seconds)
    return _python(url, plan, connections, seconds)


def _wrk(url: str, plan: Plan, connections: int, seconds: float) -> LoadResult:
    # One wrk thread: on a 2-core machine the other core is left to the server.
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        plan.profile,
        BASE_PATH,
        TOKEN,
        str(plan.detail_id),
        str(plan.page),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    r = json.loads(line.removeprefix("BENCH_RESULT "))
    secs = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return LoadResult(
        r["requests"],
        secs,
        r["requests"] / secs,
        r["p50_us"] / 1000,
        r["p99_us"] / 1000,
        r["max_us"] / 1000,
        errors,
        "wrk",
    )


def _requests(plan: Plan) -> list[tuple[str, str, str | None]]:
    """The same sequences as load.lua."""
    base = BASE_PATH + "/workflows/"
    list_ = ("GET", f"{base}?page={plan.page}&page_size={PAGE_SIZE}", None)
    detail = ("GET", f"{base}{plan.detail_id}", None)
    create = ("POST", base, CREATE_BODY)
    return {
        "list": [list_],
        "detail": [detail],
        "create": [create],
        "mixed": [detail, list_, detail, create, list_, detail, list_, detail, create, list_],
    }[plan.profile]


def _python(url: str, plan: Plan, connections: int, seconds: float) -> LoadResult:
    parts = urlsplit(url)
    sequence = _requests(plan)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        i = slot
        while time.perf_counter() < deadline:
            method, path, body = sequence[i % len(sequence)]
            i += 1
            headers = {"Authorization": f"Bearer {TOKEN}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            sent = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            latencies[slot].append(time.perf_counter() - sent)
            errors[slot] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - start
    flat = sorted(x for per in latencies for x in per)
    if not flat:
        raise RuntimeError(f"no request completed against {url}")
    return LoadResult(
        len(flat),
        elapsed,
        len(flat) / elapsed,
        _pct(flat, 50) * 1000,
        _pct(flat, 99) * 1000,
        flat[-1] * 1000,
        sum(errors),
        "python",
    )


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]
