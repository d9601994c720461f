"""Proxy mode's own cost: the latency a proxy adds per request, against asking the upstream directly.

One upstream (the mock itself, `--quiet`, on its own port, 100 workflows) is asked directly, through
`python -m mock_server --proxy` (as shipped: access log on, every exchange checked) and through
Prism's proxy (`prism proxy openapi.yaml UPSTREAM`, which validates too), at one and at 16
connections, the routes taking turns within each cell. What a proxy adds is its p50 minus the
direct p50 of the same cell; the proxies' own answers are checked to carry no violation first.
"""

from __future__ import annotations

import http.client
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mock_server.proxy import VIOLATIONS_HEADER

from . import load, prism, procs
from .targets import SPEC, write_seed

PROFILES = ("detail", "list")
CONNECTIONS = (1, 16)
DIRECT = "direct"


def _routes(upstream: str, with_prism: bool) -> dict[str, tuple[str, Callable[[int], list[str]]]]:
    """key -> (label, command on a port) of each proxy in front of `upstream`."""
    routes: dict[str, tuple[str, Callable[[int], list[str]]]] = {
        "mock-proxy": (
            "mock --proxy (as shipped: access log on)",
            lambda port: [sys.executable, "-m", "mock_server", "--port", str(port), "--proxy", upstream],
        ),
    }
    if with_prism:
        base = [str(prism.BIN), "proxy", str(SPEC), upstream, "--host", "127.0.0.1"]
        routes["prism-proxy"] = ("Prism proxy, default logging", lambda port: [*base, "--port", str(port)])
        routes["prism-proxy-silent"] = (
            "Prism proxy, logging off (-v silent)",
            lambda port: [*base, "--port", str(port), "--verboseLevel", "silent"],
        )
    return routes


def measure(
    seconds: float,
    rounds: int,
    runs_dir: Path,
    progress: Callable[[str], None],
    with_prism: bool = True,
    connections: Sequence[int] = CONNECTIONS,
    profiles: Sequence[str] = PROFILES,
    force_python: bool = False,
) -> dict[str, Any]:
    seed_file = write_seed(runs_dir / "seed-100.json", 100)
    running: dict[str, procs.Running] = {}
    try:
        mock = [sys.executable, "-m", "mock_server", "--seed", str(seed_file), "--quiet"]
        upstream = procs.start_local(DIRECT, lambda port: [*mock, "--port", str(port)], runs_dir / "proxy-upstream.log")
        running[DIRECT] = upstream
        routes = _routes(upstream.url, with_prism)
        for key, (_, command) in routes.items():
            running[key] = procs.start_local(key, command, runs_dir / f"proxy-{key}.log")
            progress(f"proxy {key:18} ready after {running[key].startup_s:.2f} s")
        violations = _violations(running["mock-proxy"].url)
        samples: dict[tuple[str, str, int], list[load.LoadResult]] = {}
        for profile in profiles:
            for conns in connections:
                for _ in range(rounds):
                    for key, server in running.items():
                        result = load.run(server.url, load.Plan(profile), conns, seconds, force_python)
                        samples.setdefault((key, profile, conns), []).append(result)
                        progress(
                            f"proxy {key:18} {profile:6} c={conns:<3} p50 {result.p50_ms:6.2f} ms  "
                            f"p99 {result.p99_ms:6.2f} ms  {result.rps:7.0f} req/s  errors {result.errors}"
                        )
    finally:
        procs.stop_each(running.values())
    labels = {DIRECT: "the upstream, asked directly (mock --quiet)", **{k: label for k, (label, _) in routes.items()}}
    return {
        "seconds": seconds,
        "rounds": rounds,
        "tool": samples and next(iter(samples.values()))[0].tool,
        "targets": labels,
        "connections": list(connections),
        "profiles": list(profiles),
        "violations_header_on_a_conforming_answer": violations,
        "cells": [
            {
                "target": key,
                "profile": profile,
                "connections": conns,
                "p50_ms": statistics.fmean(r.p50_ms for r in runs),
                "p99_ms": statistics.fmean(r.p99_ms for r in runs),
                "rps": statistics.fmean(r.rps for r in runs),
                "errors": sum(r.errors for r in runs),
            }
            for (key, profile, conns), runs in samples.items()
        ],
    }


def _violations(url: str) -> str | None:
    """The violations header on a conforming detail through the mock's proxy (expected: "0")."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", f"{procs.BASE_PATH}/workflows/1", headers={"Authorization": f"Bearer {procs.TOKEN}"})
        response = conn.getresponse()
        response.read()
        return response.getheader(VIOLATIONS_HEADER)
    finally:
        conn.close()
