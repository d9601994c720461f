"""The proxy's tally: requests, upstream failures and violations by operation, for the summary
printed when the proxy stops (the journal forgets; a day's drift should not be lost with it)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

NOT_IN_CONTRACT = "(not in the contract)"
SHOWN = 5  # distinct violations listed per operation


@dataclass
class _Operation:
    requests: int = 0
    violating: int = 0
    violations: Counter[str] = field(default_factory=Counter)


class Tally:
    """Thread-safe counts of what passed through the proxy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_operation: dict[str, _Operation] = {}
        self.upstream_failures = 0

    def add(self, operation: str | None, violations: list[str], upstream_failed: bool = False) -> None:
        """One request: the operation it routed to (None: not in the contract) and its violations."""
        with self._lock:
            entry = self._by_operation.setdefault(operation or NOT_IN_CONTRACT, _Operation())
            entry.requests += 1
            if violations:
                entry.violating += 1
                entry.violations.update(violations)
            self.upstream_failures += upstream_failed

    def render(self, upstream: str) -> str:
        with self._lock:
            entries = {n: (e.requests, e.violating, e.violations.most_common()) for n, e in self._by_operation.items()}
            failures = self.upstream_failures
        requests = sum(r for r, _, _ in entries.values())
        violating = sum(v for _, v, _ in entries.values())
        lines = [
            f"Proxy summary ({upstream}): {requests} request{'' if requests == 1 else 's'}, "
            f"{violating} with contract violations, {failures} upstream failure{'' if failures == 1 else 's'} "
            "(502/504)"
        ]
        for name, (count, bad, violations) in sorted(entries.items(), key=lambda kv: (-kv[1][1], kv[0])):
            if not bad:
                continue
            lines.append(f"  {name}: {bad} of {count} violated the contract")
            lines += [f"    {n}x {text}" for text, n in violations[:SHOWN]]
            if len(violations) > SHOWN:
                more = len(violations) - SHOWN
                lines.append(f"    ... and {more} more kinds (GET /__admin/requests?violations=true)")
        if not violating:
            lines.append("  No violations.")
        return "\n".join(lines)
