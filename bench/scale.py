"""Latency against the amount of stored data: the same mock holding 10, 10 000 or 100 000
workflows (loaded through a generated seed file), one connection, the sizes taking turns.
Paging is O(page) if the first and the last page cost the same at every size."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import load, procs
from .targets import MOCK, Target, write_seed

OPERATIONS = ("list_first", "list_last", "detail", "create")  # create last: it adds records


def _plan(operation: str, size: int) -> load.Plan:
    last_page = max(1, -(-size // load.PAGE_SIZE))
    return {
        "list_first": load.Plan("list"),
        "list_last": load.Plan("list", page=last_page),
        "detail": load.Plan("detail", detail_id=max(1, size // 2)),
        "create": load.Plan("create"),
    }[operation]


def measure(
    sizes: Sequence[int],
    seconds: float,
    rounds: int,
    runs_dir: Path,
    progress: Callable[[str], None],
    target: Target = MOCK,
    force_python: bool = False,
) -> dict[str, Any]:
    running: dict[int, procs.Running] = {}
    facts: dict[int, dict[str, Any]] = {}
    samples: dict[int, dict[str, list[dict[str, Any]]]] = {n: {op: [] for op in OPERATIONS} for n in sizes}
    try:
        for size in sizes:
            seed_file = write_seed(runs_dir / f"seed-{size}.json", size)
            running[size] = procs.start_local(
                f"{target.key}-{size}",
                partial(target.command, seed_file=seed_file),
                runs_dir / f"scale-{size}.log",
                timeout=600,
            )
            facts[size] = {"load_s": running[size].startup_s, "rss_loaded_mb": running[size].rss_mb()}
            progress(
                f"scale {size:>7} workflows: ready after {facts[size]['load_s']:.1f} s, "
                f"RSS {facts[size]['rss_loaded_mb']:.0f} MB"
            )
        for operation in OPERATIONS:
            for _ in range(rounds):
                for size in sizes:
                    result = load.run(running[size].url, _plan(operation, size), 1, seconds, force_python)
                    samples[size][operation].append(result.as_dict())
                    progress(
                        f"scale {size:>7} {operation:10} p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                        f"errors {result.errors}"
                    )
        for size in sizes:
            facts[size]["rss_after_mb"] = running[size].rss_mb()
    finally:
        procs.stop_each(running.values())
    return {
        "seconds": seconds,
        "rounds": rounds,
        "target": target.key,
        "sizes": {
            str(size): {
                **facts[size],
                "operations": {
                    op: {
                        "p50_ms": statistics.fmean(r["p50_ms"] for r in runs),
                        "p99_ms": statistics.fmean(r["p99_ms"] for r in runs),
                        "rps": statistics.fmean(r["rps"] for r in runs),
                        "errors": sum(r["errors"] for r in runs),
                    }
                    for op, runs in samples[size].items()
                },
            }
            for size in sizes
        },
    }
