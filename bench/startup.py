"""Start-up (launch to first 200 on a list) and resident memory, each server fresh every time,
with its default data, in turns (A B C A B C ...)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import load, procs
from .targets import Target


def measure(
    targets: Sequence[Target],
    repeats: int,
    load_seconds: float,
    runs_dir: Path,
    progress: Callable[[str], None],
    force_python: bool = False,
) -> dict[str, Any]:
    samples: dict[str, list[dict[str, float]]] = {t.key: [] for t in targets}
    for n in range(repeats):
        for target in targets:
            running = procs.start_local(target.key, target.command, runs_dir / f"startup-{target.key}.log")
            try:
                idle = running.rss_mb()
                load.run(running.url, load.Plan("mixed"), 16, load_seconds, force_python)
                loaded = running.rss_mb()
            finally:
                running.stop()
            samples[target.key].append({"startup_s": running.startup_s, "rss_idle_mb": idle, "rss_load_mb": loaded})
            progress(
                f"startup {target.key:13} run {n + 1}/{repeats}: first 200 after {running.startup_s:.2f} s, "
                f"RSS {idle:.0f} MB idle, {loaded:.0f} MB after {load_seconds:g} s of mixed load"
            )
    return {
        "repeats": repeats,
        "load_seconds": load_seconds,
        "targets": {t.key: t.label for t in targets},
        "results": {
            key: {
                "startup_s": statistics.median(s["startup_s"] for s in runs),
                "startup_min_s": min(s["startup_s"] for s in runs),
                "startup_max_s": max(s["startup_s"] for s in runs),
                "rss_idle_mb": statistics.median(s["rss_idle_mb"] for s in runs),
                "rss_load_mb": statistics.median(s["rss_load_mb"] for s in runs),
                "runs": runs,
            }
            for key, runs in samples.items()
        },
    }
