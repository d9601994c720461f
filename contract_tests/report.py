"""What a run found: failures by check and operation, and a table of cases per operation.

Hypothesis replays a failing example many times while it shrinks it; a failure is keyed by
(check, operation) and the last record wins, which is the minimal example it settled on.
Each run has its own report, held by the run's plugin object (`plugin.ContractSuite`).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FailureRecord:
    check: str
    operation: str
    message: str
    curl: str = ""


class PropertyFailure(AssertionError):
    """A domain property that does not hold; carries the check name and a reproduction."""

    def __init__(self, check: str, operation: str, message: str, curl: str = "") -> None:
        super().__init__(f"[{check}] {operation}: {message}" + (f"\n\nReproduce with:\n\n    {curl}" if curl else ""))
        self.record = FailureRecord(check, operation, message, curl)


@dataclass
class Report:
    seed: int = 0
    profile: str = "quick"
    started: float = field(default_factory=time.monotonic)
    cases: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # property examples by check
    failures: dict[tuple[str, str], FailureRecord] = field(default_factory=dict)
    not_run: dict[str, str] = field(default_factory=dict)
    cleanup_problems: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run ended early (the target stopped answering)

    def count(self, operation: str, n: int = 1) -> None:
        self.cases[operation] += n

    def count_example(self, check: str) -> None:
        self.examples[check] += 1

    @property
    def total_cases(self) -> int:
        """Test cases run: Schemathesis' per operation plus the properties' examples."""
        return sum(self.cases.values()) + sum(self.examples.values())

    def fail(self, record: FailureRecord) -> None:
        self.failures[(record.check, record.operation)] = record

    @property
    def passed(self) -> bool:
        return not self.failures and self.stopped is None

    @property
    def checks_failed(self) -> list[str]:
        return sorted({check for check, _ in self.failures})

    def table(self) -> str:
        """Cases and failing checks per operation, as aligned text."""
        operations = sorted(set(self.cases) | {op for _, op in self.failures})
        rows = [("operation", "cases", "result")]
        for op in operations:
            failed = sorted(check for check, o in self.failures if o == op)
            rows.append((op, str(self.cases.get(op, 0)), "FAIL: " + ", ".join(failed) if failed else "ok"))
        for check in sorted(self.examples):
            failed = sorted(op for c, op in self.failures if c == check)
            result = "FAIL: " + ", ".join(failed) if failed else "ok"
            rows.append((f"property {check}", str(self.examples[check]), result))
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]}" for r in rows]
        lines.insert(1, "-" * max(len(line) for line in lines))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "profile": self.profile,
            "passed": self.passed,
            "duration_s": round(time.monotonic() - self.started, 2),
            "cases": self.total_cases,
            "operations": dict(sorted(self.cases.items())),
            "property_examples": dict(sorted(self.examples.items())),
            "checks_failed": self.checks_failed,
            "failures": [asdict(f) for f in self.failures.values()],
            "not_run": self.not_run,
            "cleanup_problems": self.cleanup_problems,
            "stopped": self.stopped,
        }

    def write_json(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")
