"""What one contract-suite run costs as a new interpreter and as a call in the same process.

The project's tests run the suite against every faulty variant; this measures the two ways of
doing it side by side, in turns (subprocess, in-process, subprocess, ...), on the same variants
with the same options as `tests/test_suite_catches_faults.py`:

    python -m bench.suite_runs                       # six variants of different families, 2 rounds
    python -m bench.suite_runs --rounds 3 count_off_by_one updated_at_frozen

CPU is this process's and its children's (the variant is served in this process, so the
server's share is in both columns); wall time is per run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable

from tests.faults import serve_variant
from tests.faults.runner import SuiteRun, run_suite, run_suite_here

DEFAULT_VARIANTS = (
    "count_off_by_one",
    "updated_at_frozen",
    "token_rotates_on_update",
    "duplicate_persona_names",
    "threshold_clamped",
    "cross_workspace_read",
)
OPTIONS = ("--other-workspace", "sandbox", "--fail-fast", "--no-shrink", "--seed", "1", "--max-examples", "3")
TOKEN = "bench-token"


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(runner: Callable[..., SuiteRun], variant: str) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit code) of one run against `variant`."""
    with serve_variant(variant, token=TOKEN) as url:
        cpu, wall = _cpu(), time.monotonic()
        run = runner(url, *OPTIONS, token=TOKEN)
        return _cpu() - cpu, time.monotonic() - wall, run.code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.suite_runs", description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=list(DEFAULT_VARIANTS))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    results: dict[str, list[tuple[float, float]]] = {"subprocess": [], "in-process": []}
    runners = {"subprocess": run_suite, "in-process": run_suite_here}
    for round_ in range(args.rounds):
        for variant in args.variants:
            for mode in ("subprocess", "in-process") if round_ % 2 == 0 else ("in-process", "subprocess"):
                cpu, wall, code = measure(runners[mode], variant)
                if code != 1:
                    raise SystemExit(f"{variant} was not caught ({mode}, exit {code})")
                results[mode].append((cpu, wall))
                print(f"{variant:32} {mode:11} cpu {cpu:5.1f} s  wall {wall:5.1f} s", flush=True)
    print()
    for mode, samples in results.items():
        cpus, walls = [c for c, _ in samples], [w for _, w in samples]
        print(f"{mode:11} median cpu {statistics.median(cpus):.2f} s, median wall {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
