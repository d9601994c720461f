"""A bound on the time Hypothesis spends minimizing failures, for a fast verdict on a broken target.

Hypothesis gives up shrinking one failing test only after five minutes; against a broken
deployment that is many times what finding its failures took, and a CI gate that takes that
long gets a timeout and is ignored. Hypothesis has no public setting for this limit, so the
module constant its engine reads when shrinking starts is set before each test: the profile's
per-test limit, or what is left of the run's budget (every failing test's time is charged to
it). Hypothesis' warning that it stopped shrinking after "five minutes" is dropped, since here
the stop is deliberate and much sooner.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from hypothesis import reporting
from hypothesis.internal.conjecture import engine

_SLOW_SHRINK_WARNING = "working to shrink a failing test case"


class ShrinkBudget:
    """Seconds of shrinking allowed per failing test and over the whole run."""

    def __init__(self, per_test: float, total: float) -> None:
        if not hasattr(engine, "MAX_SHRINKING_SECONDS"):  # a Hypothesis that moved its limit
            raise RuntimeError("hypothesis.internal.conjecture.engine.MAX_SHRINKING_SECONDS is gone")
        self.per_test = per_test
        self.left = total

    @contextlib.contextmanager
    def around_test(self) -> Iterator[None]:
        default = engine.MAX_SHRINKING_SECONDS
        engine.MAX_SHRINKING_SECONDS = max(0.0, min(self.per_test, self.left))  # type: ignore[assignment]
        started = time.monotonic()
        previous = reporting.current_reporter()

        def reporter(value: object) -> None:
            if _SLOW_SHRINK_WARNING not in str(value):
                previous(value)

        try:
            with reporting.with_reporter(reporter):
                yield
        except BaseException:
            self.left -= time.monotonic() - started
            raise
        finally:
            engine.MAX_SHRINKING_SECONDS = default
