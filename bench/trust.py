"""Trust in the contract suite's verdict: no false alarm on the correct mock over many random
seeds (the soak), and a fast verdict on every broken target (verdict times).

The soak runs the suite as a CI gate does (`python -m contract_tests`, no `--fail-fast`)
against a fresh mock process as shipped, once per random seed; any run that does not exit 0 is
a false alarm, kept with its seed so it can be replayed. The verdict times run the quick
profile the same way against every faulty variant of `tests/faults` and against two outages
(every answer a 500; a server that stops answering after 100 requests), each served in this
process, and record each exit code and wall time.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib
import random
import statistics
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import procs, suite
from .targets import MOCK

SOAK_PLAN = "quick=100,thorough=20"
VERDICT_LIMIT_S = 90.0  # the bound a CI gate may rely on, on this project's 2-core machine
SILENT_AFTER = 100  # requests the "stops answering" outage answers first
Progress = Callable[[str], None]


def parse_plan(text: str) -> dict[str, int]:
    """`quick=100,thorough=20` -> {"quick": 100, "thorough": 20}."""
    plan: dict[str, int] = {}
    for part in filter(None, text.split(",")):
        profile, _, count = part.partition("=")
        plan[profile.strip()] = int(count)
    return plan


def _parallel(jobs: int, work: Sequence[Callable[[], dict[str, Any]]]) -> list[dict[str, Any]]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda job: job(), work))


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)} if values else {}


# -- the soak ---------------------------------------------------------------------------------
def soak(
    plan: dict[str, int],
    jobs: int,
    runs_dir: Path,
    progress: Progress,
    *,
    cap: int | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Per profile: that many runs against the correct mock, each with a fresh random seed."""
    rng = rng or random.SystemRandom()
    results: dict[str, Any] = {"jobs": jobs}
    lock = threading.Lock()
    for profile, count in plan.items():
        budget = suite.budget(profile, cap=cap)
        seeds = [rng.randrange(2**31) for _ in range(count)]

        def one(seed: int, budget: suite.Budget = budget) -> dict[str, Any]:
            name = f"soak-{budget.profile}-{seed}"
            running = procs.start_local(name, MOCK.command, runs_dir / f"{name}.log")
            try:
                outcome = suite.run_suite(running.url, procs.TOKEN, budget, runs_dir / f"{name}.json", seed=seed)
            finally:
                running.stop()
            with lock:
                progress(f"soak {budget.profile} seed {seed}: exit {outcome.exit_code} in {outcome.wall_s:.1f} s")
            return {"seed": seed, **_outcome(outcome)}

        runs = _parallel(jobs, [lambda seed=seed: one(seed) for seed in seeds])
        results[profile] = summarize_soak(runs, budget.capped)
        progress(f"soak {profile}: false alarms {results[profile]['false_alarms']}/{count}")
    return results


def summarize_soak(runs: list[dict[str, Any]], capped: bool = False) -> dict[str, Any]:
    alarms = [r for r in runs if r["exit_code"] != 0]
    return {
        "runs": len(runs),
        "capped": capped,
        "false_alarms": len(alarms),
        "alarms": alarms,  # each with its seed, to replay: --seed N
        "wall_s": _spread([r["wall_s"] for r in runs]),
        "seeds": [r["seed"] for r in runs],
    }


# -- verdict times ----------------------------------------------------------------------------
def verdicts(
    names: Sequence[str] | None, jobs: int, runs_dir: Path, progress: Progress, *, cap: int | None = None
) -> dict[str, Any]:
    """The quick profile, as a CI gate runs it, against each variant and outage in turn."""
    faults = importlib.import_module("tests.faults")
    outages = importlib.import_module("tests.faults.outages")
    budget = suite.budget("quick", cap=cap)
    token = faults.DEFAULT_TOKEN
    lock = threading.Lock()

    def one(name: str, serving: Callable[[], contextlib.AbstractContextManager[str]]) -> dict[str, Any]:
        with serving() as url:
            outcome = suite.run_suite(url, token, budget, runs_dir / f"verdict-{name}.json")
        with lock:
            progress(f"verdict {name:36} exit {outcome.exit_code} in {outcome.wall_s:.1f} s")
        return {"target": name, **_outcome(outcome)}

    @contextlib.contextmanager
    def silent() -> Iterator[str]:
        factory = outages.GoesSilent(after=SILENT_AFTER)
        try:
            with faults.serve(factory, token=token) as url:
                yield url
        finally:
            factory.release()

    work: list[Callable[[], dict[str, Any]]] = [
        lambda: one("(every answer 500)", lambda: faults.serve(outages.all_errors, token=token)),
        lambda: one(f"(stops answering after {SILENT_AFTER})", silent),
    ]
    for name in names or sorted(faults.VARIANTS):
        work.append(lambda name=name: one(name, lambda: faults.serve_variant(name, token=token)))
    return summarize_verdicts(_parallel(jobs, work), jobs, budget.capped)


def summarize_verdicts(runs: list[dict[str, Any]], jobs: int, capped: bool = False) -> dict[str, Any]:
    slowest = max(runs, key=lambda r: r["wall_s"]) if runs else None
    return {
        "jobs": jobs,
        "capped": capped,
        "limit_s": VERDICT_LIMIT_S,
        "targets": len(runs),
        "not_caught": [r["target"] for r in runs if r["exit_code"] == 0],
        "over_limit": [r["target"] for r in runs if r["wall_s"] > VERDICT_LIMIT_S],
        "slowest": slowest,
        "wall_s": _spread([r["wall_s"] for r in runs]),
        "runs": sorted(runs, key=lambda r: -r["wall_s"]),
    }


def _outcome(outcome: suite.Outcome) -> dict[str, Any]:
    return {
        "exit_code": outcome.exit_code,
        "wall_s": round(outcome.wall_s, 2),
        "cases": outcome.cases,
        "checks_failed": list(outcome.checks_failed),
        "output_tail": outcome.output_tail if outcome.exit_code != 0 else "",
    }
