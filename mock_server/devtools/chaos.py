"""Every-response turbulence: `--latency MS|MIN-MAX` and `--fail-rate P`, replayable by seed.

Only requests to the API's URL space are affected (not `/docs`, the served spec or the admin
API, and not CORS preflights). A failed request answers `503` with a DRF-shaped body before
anything else happens, so it changes no state. Two random streams, both seeded from
`--chaos-seed`, decide the latency and the failure of the n-th API request, so the same seed
with the same sequence of requests gives the same answers, and changing the latency does not
change which requests fail.
"""

from __future__ import annotations

import random
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Response

from .. import turns
from ..api import errors

if TYPE_CHECKING:
    from ..api.pipeline import Call

MAX_LATENCY_MS = 60_000


def parse_latency(text: str) -> tuple[int, int]:
    """`MS` or `MIN-MAX` milliseconds, as the `--latency` flag takes it."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if match is None:
        raise ValueError(f"latency must be MS or MIN-MAX in milliseconds, not {text!r}")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if low > high or high > MAX_LATENCY_MS:
        raise ValueError(f"latency must be 0 <= MIN <= MAX <= {MAX_LATENCY_MS} ms, not {text!r}")
    return low, high


def parse_fail_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fail rate must be a number from 0 to 1, not {text!r}")
    return rate


@dataclass
class Chaos:
    """The latency range (ms), the failure probability and the seed of both random streams."""

    latency_ms: tuple[int, int] = (0, 0)
    fail_rate: float = 0.0
    seed: int | None = None  # None: a random one (shown in the banner, to replay the run)

    def __post_init__(self) -> None:
        if self.seed is None:
            self.seed = secrets.randbelow(2**31)
        self._lock = threading.Lock()
        self._latency = random.Random(f"{self.seed}:latency")
        self._failure = random.Random(f"{self.seed}:failure")

    @property
    def active(self) -> bool:
        return self.latency_ms != (0, 0) or self.fail_rate > 0

    def draw(self) -> tuple[float, bool]:
        """The next request's latency in seconds and whether it fails."""
        with self._lock:
            low, high = self.latency_ms
            delay_ms = self._latency.randint(low, high) if high else 0
            fails = self._failure.random() < self.fail_rate
        return delay_ms / 1000, fails

    def describe(self) -> str:
        low, high = self.latency_ms
        latency = f"{low} ms" if low == high else f"{low}-{high} ms"
        return f"latency {latency}, fail rate {self.fail_rate:g}, seed {self.seed}"


def maybe_fail(call: Call) -> Response | None:
    """The pipeline's chaos step: the drawn latency, then a 503 when this request fails."""
    chaos = call.runtime.chaos
    if not chaos.active or call.request.method == "OPTIONS":
        return None
    delay, fails = chaos.draw()
    if delay:
        with turns.waiting():
            time.sleep(delay)
    if not fails:
        return None
    call.off_spec = True
    return errors.render(errors.ServiceUnavailable())
