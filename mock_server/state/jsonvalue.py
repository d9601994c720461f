"""Copies of JSON values (dicts, lists and scalars), for the state that must share nothing with
the requests it came from. `copy.deepcopy` does the same with a memo and a type dispatch per
node that JSON, with no cycles and no custom types, does not need; on a create request that
is most of the time (measured, see bench/FINDINGS.md)."""

from __future__ import annotations

from typing import Any


def copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy(item) for item in value]
    return value  # str, int, float, bool, None: immutable
