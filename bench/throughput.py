"""Throughput and latency of every server, cell by cell (profile x concurrency), with the servers
taking turns (A B C ... A B C ...) so that drift in the machine hits all of them alike."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import load, procs
from .targets import Target

Progress = Callable[[str], None]


def measure(
    targets: Sequence[Target],
    profiles: Sequence[str],
    connections: Sequence[int],
    seconds: float,
    rounds: int,
    seed_file: Path,
    runs_dir: Path,
    progress: Progress,
    force_python: bool = False,
) -> dict[str, Any]:
    cells: list[dict[str, Any]] = []
    rss: dict[str, float] = {}
    running: dict[str, procs.Running] = {}
    try:
        for target in targets:
            running[target.key] = procs.start_local(
                target.key, partial(target.command, seed_file=seed_file), runs_dir / f"{target.key}.log"
            )
        for target in targets:  # warm-up: first requests pay for imports, JIT and caches
            load.run(running[target.key].url, load.Plan("mixed"), 4, 1, force_python)
        for profile in profiles:
            for conns in connections:
                runs: dict[str, list[dict[str, Any]]] = {t.key: [] for t in targets}
                for round_no in range(rounds):
                    for target in targets:
                        result = load.run(running[target.key].url, load.Plan(profile), conns, seconds, force_python)
                        runs[target.key].append(result.as_dict())
                        progress(
                            f"load {profile:6} c={conns:<3} round {round_no + 1}/{rounds} {target.key:13} "
                            f"{result.rps:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  "
                            f"errors {result.errors}"
                        )
                cells += [_cell(key, profile, conns, key_runs) for key, key_runs in runs.items()]
        rss = {key: r.rss_mb() for key, r in running.items()}
    finally:
        procs.stop_each(running.values())
    return {
        "seconds": seconds,
        "rounds": rounds,
        "profiles": list(profiles),
        "connections": list(connections),
        "targets": {t.key: t.label for t in targets},
        "tool": "python" if force_python else load.tool(),
        "cells": cells,
        "rss_after_mb": rss,
    }


def _cell(key: str, profile: str, conns: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One server in one cell: the mean of its rounds, and the spread of their throughput."""
    return {
        "target": key,
        "profile": profile,
        "connections": conns,
        "rps": statistics.fmean(r["rps"] for r in runs),
        "rps_min": min(r["rps"] for r in runs),
        "rps_max": max(r["rps"] for r in runs),
        "p50_ms": statistics.fmean(r["p50_ms"] for r in runs),
        "p99_ms": statistics.fmean(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "runs": runs,
    }
