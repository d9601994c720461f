"""The contract suite against every deliberately faulty variant of the mock (tests/faults).

Each run must end "does not conform" (exit 1) and the check that caught the variant must be one
of those the variant is meant to trip; the test's output states which check it was.

The runs stop at the first failure and use 3 examples per operation and property instead of the
quick profile's 6 to 12, so that the whole test command fits its time budget: a catch at this
smaller budget is the harder test. The quick profile as shipped, run as a CI gate runs it (no
`--fail-fast`), is measured against every variant by `python -m bench --sections verdicts`.

Each run is the CLI's `main` in this worker process, not a new interpreter: a fault caught early
is then found in about a third of the CPU time (Schemathesis, Hypothesis and pytest are imported
once per worker; bench/FINDINGS.md). `tests/test_contract_suite.py` runs the CLI as a process and
proves that two runs in one process are independent.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .faults import DEFAULT_TOKEN, VARIANTS, serve_variant
from .faults.runner import run_suite_here

EXAMPLES = 3  # per operation and property (see the module's docstring)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_suite_catches_variant(name: str, record_property: Callable[[str, object], None]) -> None:
    variant = VARIANTS[name]
    with serve_variant(name, token=DEFAULT_TOKEN) as url:
        run = run_suite_here(
            url,
            "--other-workspace",
            "sandbox",
            "--fail-fast",
            "--no-shrink",
            "--seed",
            "1",
            "--max-examples",
            str(EXAMPLES),
            token=DEFAULT_TOKEN,
        )
    assert run.code == 1, f"{name} ({variant.description}) was not caught:\n{run.output[-3000:]}"
    caught = set(run.caught)
    record_property("caught_by", ", ".join(sorted(caught)))  # in the JUnit report
    print(f"{name}: caught by {', '.join(sorted(caught))}")
    assert caught & set(variant.checks), (
        f"{name} was caught by {sorted(caught)}, not by the checks meant for it {variant.checks}:\n"
        + run.output[-3000:]
    )
