"""A broken target gets its verdict fast: the quick profile, run as a CI gate runs it (no
`--fail-fast`, shrinking on), must end non-zero well within 90 s on each of these.

The slowest verdicts over every faulty variant are measured by `python -m bench --sections
verdicts` (docs/benchmarks.md); these tests keep the causes fixed: an endless `next`, a
failure that every example trips (minimizing it), a target that stops answering. (A server
whose every answer is 500 was judged fast before; the bench section measures it.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .faults import DEFAULT_TOKEN, serve, serve_variant
from .faults.outages import GoesSilent
from .faults.runner import run_suite

LIMIT = 90.0  # seconds: the bound for a verdict on this 2-core machine


def quick(url: str, cwd: Path) -> object:
    return run_suite(url, "--other-workspace", "sandbox", "--seed", "11", token=DEFAULT_TOKEN, cwd=cwd, timeout=LIMIT)


@pytest.mark.slow
def test_a_target_that_stops_answering_ends_the_run_with_one_line(tmp_path: Path) -> None:
    silent = GoesSilent(after=100)
    with serve(silent, token=DEFAULT_TOKEN) as url:
        try:
            run = quick(url, tmp_path)
        finally:
            silent.release()
    assert run.code == 2, run.output[-3000:]
    assert "the target stopped answering" in run.output, run.output[-3000:]
    assert run.output.count("stopped answering") <= 3, "one line, not one per case"
    assert run.report["stopped"] and not run.report["passed"]
    print(f"stopped answering after 100 requests: exit {run.code} in {run.seconds:.1f} s")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["page_ignored", "non_ascii_body_500"])
def test_failures_every_example_trips(name: str, tmp_path: Path) -> None:
    with serve_variant(name, token=DEFAULT_TOKEN) as url:
        run = quick(url, tmp_path)
    assert run.code == 1, run.output[-3000:]
    print(f"{name}: exit {run.code} in {run.seconds:.1f} s, caught by {run.report['checks_failed']}")
