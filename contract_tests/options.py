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

TOKEN_ENV = "WP_API_TOKEN"
SECRET_READS = frozenset({"getWorkflowToken"})  # GETs that answer a secret
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

    @property
    def hypothesis_phases(self) -> list[Any]:
        """Hypothesis phases for the suite's own properties and stateful runs."""
        import hypothesis

        phases = [hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink]
        return phases[:2] if self.no_shrink else phases

    @property
    def exact_counts(self) -> bool:
        """Whether checks may assume that nobody else writes to the workspace."""
        return not self.shared_workspace

    def selects(self, operation_id: str, method: str, path: str) -> bool:
        names = {operation_id, f"{method.upper()} {path}"}
        if self.read_only and method.upper() != "GET":
            return False
        if self.read_only and operation_id in SECRET_READS and not names & set(self.include):
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
