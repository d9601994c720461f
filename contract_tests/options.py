"""The suite's options, declared once and offered both as CLI flags and as pytest options.

The CLI spells them `--base-url`; under pytest they are `--wp-base-url`, so they cannot clash
with a team's own options when the plugin is folded into its pytest run.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis

from .api import Operation, is_secret

TOKEN_ENV = "WP_API_TOKEN"
PYTEST_PREFIX = "wp-"


@dataclass(frozen=True)
class Profile:
    """How deep a run goes. `quick` is the CI gate; `thorough` is for nightly runs."""

    name: str
    max_examples: int  # per operation, fuzzing phase
    stateful_examples: int  # stateful scenarios
    stateful_steps: int  # steps per scenario
    property_examples: int  # per domain property
    coverage: bool  # Schemathesis' boundary/coverage phase
    # Minimizing a failure may cost at most this long per failing test and over the whole run
    # (None: Hypothesis' own limits), so a broken target gets its verdict about as fast as it
    # was found. `--no-shrink` skips minimizing altogether.
    shrink_seconds: float | None = None
    shrink_budget: float | None = None

    @property
    def hypothesis_profile(self) -> str:
        """The Hypothesis settings profile of the suite's own properties."""
        return f"wp-contract-{self.name}"

    @property
    def sequences_profile(self) -> str:
        """The Hypothesis settings profile of the stateful sequences."""
        return f"wp-contract-{self.name}-sequences"


PROFILES = {
    "quick": Profile(
        "quick",
        max_examples=12,
        stateful_examples=12,
        stateful_steps=6,
        property_examples=6,
        coverage=True,
        shrink_seconds=5.0,
        shrink_budget=20.0,
    ),
    "thorough": Profile(
        "thorough", max_examples=80, stateful_examples=60, stateful_steps=10, property_examples=40, coverage=True
    ),
}


# Hypothesis' health checks judge the suite's own strategies, never the target, so one that fires
# is a failed run of a conforming target: a false alarm. The properties keep them on except
# `too_slow`: how fast bodies are drawn depends on the machine's load (a busy CI runner), not on
# the target. The body strategies neither filter (`filter_too_much`) nor overrun
# (`data_too_large`, measured: 100 examples of 8 workflow bodies each, 5 seeds), the smallest
# bodies are small (`large_base_example`), and the properties run outside pytest's fixtures
# (`function_scoped_fixture`). The stateful sequences suppress them all, as Schemathesis does for
# its state machines: a step whose links cannot be followed yet is filtered, as designed.
SUPPRESSED_HEALTH_CHECKS: tuple[hypothesis.HealthCheck, ...] = (hypothesis.HealthCheck.too_slow,)
SEQUENCE_HEALTH_CHECKS: tuple[hypothesis.HealthCheck, ...] = tuple(hypothesis.HealthCheck)

# One Hypothesis settings profile per suite profile, registered at import as Hypothesis
# recommends. A run reads its profile when it is configured and applies it to the suite's own
# tests only: loading it as the process-wide default (`settings.load_profile`) would also change
# every other Hypothesis test of a team's session that folds the plugin in.
for _profile in PROFILES.values():
    hypothesis.settings.register_profile(
        _profile.hypothesis_profile,
        max_examples=_profile.property_examples,
        deadline=None,
        database=None,
        suppress_health_check=SUPPRESSED_HEALTH_CHECKS,
        phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink),
    )
    hypothesis.settings.register_profile(
        _profile.sequences_profile,
        max_examples=_profile.stateful_examples,
        stateful_step_count=_profile.stateful_steps,
        deadline=None,
        database=None,
        suppress_health_check=SEQUENCE_HEALTH_CHECKS,
        phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink),
    )


@dataclass(frozen=True)
class Option:
    name: str
    help: str
    kwargs: dict[str, Any] = field(default_factory=dict)


OPTIONS: tuple[Option, ...] = (
    Option("base-url", "base URL of the implementation, e.g. http://127.0.0.1:4010", {"metavar": "URL"}),
    Option("token", f"bearer token (default: ${TOKEN_ENV}); never printed", {"metavar": "TOKEN"}),
    Option("workspace", "workspace to test in (dedicated to the suite unless --shared-workspace)", {"metavar": "NAME"}),
    Option("other-workspace", "a second workspace: enables the workspace-isolation checks", {"metavar": "NAME"}),
    Option("profile", "quick (CI gate) or thorough", {"choices": sorted(PROFILES), "default": "quick"}),
    Option(
        "max-examples", "examples per operation and property (overrides the profile)", {"type": int, "metavar": "N"}
    ),
    Option("seed", "random seed; printed on every run so a failure can be replayed", {"type": int, "metavar": "N"}),
    Option("read-only", "only safe GET requests (for production): no write at all", {"action": "store_true"}),
    Option(
        "shared-workspace",
        "others write to the workspace too: skip checks that need exact counts",
        {"action": "store_true"},
    ),
    Option(
        "include",
        "only these operations (operationId, or METHOD /path); repeatable",
        {"action": "append", "default": [], "metavar": "OPERATION"},
    ),
    Option(
        "exclude",
        "not these operations (operationId, or METHOD /path); repeatable",
        {"action": "append", "default": [], "metavar": "OPERATION"},
    ),
    Option(
        "no-shrink",
        "report a failing example as found, without minimizing it (a faster verdict)",
        {"action": "store_true"},
    ),
    Option("report-json", "write a JSON report (failures, per-operation table) to PATH", {"metavar": "PATH"}),
    Option("timeout", "seconds to wait for one response", {"type": float, "default": 10.0, "metavar": "S"}),
)


@dataclass(frozen=True)
class SuiteOptions:
    base_url: str
    token: str
    workspace: str
    other_workspace: str | None = None
    profile: Profile = PROFILES["quick"]
    max_examples: int | None = None
    seed: int = 0
    read_only: bool = False
    shared_workspace: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    report_json: str | None = None
    timeout: float = 10.0
    no_shrink: bool = False

    @property
    def examples(self) -> int:
        return self.max_examples or self.profile.max_examples

    @property
    def property_examples(self) -> int:
        return self.max_examples or self.profile.property_examples

    @property
    def stateful_examples(self) -> int:
        return self.max_examples or self.profile.stateful_examples

    def hypothesis_settings(self, *, sequences: bool = False) -> hypothesis.settings:
        """The Hypothesis settings of the suite's properties (or stateful sequences) in this run:
        the profile's, with `--max-examples` and `--no-shrink` applied."""
        profile = self.profile.sequences_profile if sequences else self.profile.hypothesis_profile
        base = hypothesis.settings.get_profile(profile)
        changes: dict[str, Any] = {}
        if self.max_examples:
            changes["max_examples"] = self.max_examples
        if self.no_shrink:
            changes["phases"] = [p for p in base.phases if p is not hypothesis.Phase.shrink]
        return hypothesis.settings(base, **changes) if changes else base

    @property
    def exact_counts(self) -> bool:
        """Whether checks may assume that nobody else writes to the workspace."""
        return not self.shared_workspace

    def selects(self, operation: Operation) -> bool:
        """Whether the run may call `operation` (by `--include`, `--exclude` and `--read-only`)."""
        names = {operation.operation_id, operation.label}
        if self.read_only and operation.method != "GET":
            return False
        if self.read_only and is_secret(operation) and not names & set(self.include):
            return False  # production secrets are read only when asked for by name
        if self.include and not names & set(self.include):
            return False
        return not names & set(self.exclude)


class UsageError(ValueError):
    """Options that cannot make a run; the message says what to fix."""


def build(get: Callable[[str], Any]) -> SuiteOptions:
    """SuiteOptions from a getter of option values by name (`base-url`, ...)."""
    base_url = (get("base-url") or "").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise UsageError("--base-url is required and must start with http:// or https://")
    token = get("token") or os.environ.get(TOKEN_ENV, "")
    if not token:
        raise UsageError(f"a token is required: --token or ${TOKEN_ENV}")
    workspace = get("workspace")
    if not workspace:
        raise UsageError("--workspace is required")
    other = get("other-workspace")
    if other == workspace:
        raise UsageError("--other-workspace must differ from --workspace")
    seed = get("seed")
    return SuiteOptions(
        base_url=base_url,
        token=token,
        workspace=workspace,
        other_workspace=other,
        profile=PROFILES[get("profile") or "quick"],
        max_examples=get("max-examples"),
        seed=seed if seed is not None else random.randrange(2**31),
        read_only=bool(get("read-only")),
        shared_workspace=bool(get("shared-workspace")),
        include=tuple(get("include") or ()),
        exclude=tuple(get("exclude") or ()),
        report_json=get("report-json"),
        no_shrink=bool(get("no-shrink")),
        timeout=get("timeout") or 10.0,
    )


def add_to_argparse(parser: argparse.ArgumentParser, options: Iterable[Option] = OPTIONS) -> None:
    for opt in options:
        parser.add_argument(f"--{opt.name}", help=opt.help, **opt.kwargs)
