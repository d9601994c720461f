"""The store as a seed document that re-imports exactly (the format is described in `seed`).

Used by the admin API's export, by the state file and by reset. Records show the fields of
their kind's detail schema, in its order, plus the secret of a kind that has one (a workflow's
`webhookToken`); `nextIds` keeps the id counters, so `seed.build_store(contract, export(contract,
store))` is the same state again.
"""

from __future__ import annotations

from typing import Any

from api_spec import Contract

from . import seed
from .kinds import RULES
from .store import Store


def export(contract: Contract, store: Store) -> dict[str, Any]:
    state = store.snapshot()
    fields = seed.field_order(contract)
    return {
        "version": seed.FORMAT_VERSION,
        "nextIds": state["nextIds"],
        "workspaces": {
            name: {
                kind: [_ordered(record, fields[kind], RULES[kind].secret) for record in records]
                for kind, records in content.items()
            }
            for name, content in state["workspaces"].items()
        },
    }


def summary(store: Store) -> dict[str, Any]:
    """How many records each workspace holds (what reset and import answer)."""
    state = store.snapshot()
    return {
        "workspaces": {
            name: {kind: len(records) for kind, records in content.items()}
            for name, content in state["workspaces"].items()
        }
    }


def _ordered(record: dict[str, Any], fields: tuple[str, ...], secret: str | None) -> dict[str, Any]:
    out = {k: record[k] for k in fields if k in record}
    if secret is not None:
        out[secret] = record[secret]
    return out
