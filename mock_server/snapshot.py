"""The store as a seed document that re-imports exactly (the format is described in `seed`).

Used by the admin API's export, by the state file and by reset. Records show the fields of
the spec's detail schema, in its order, plus a workflow's `webhookToken`; `nextIds` keeps the
id counters, so `seed.build_store(spec, export(spec, store))` is the same state again.
"""

from __future__ import annotations

from typing import Any

from . import seed
from .spec import Spec
from .store import WEBHOOK_TOKEN, WORKFLOWS, Store


def export(spec: Spec, store: Store) -> dict[str, Any]:
    state = store.snapshot()
    fields = {kind: spec.operation(op).result_fields or () for kind, op in seed.DETAIL_OPERATION.items()}
    return {
        "version": seed.FORMAT_VERSION,
        "nextIds": state["nextIds"],
        "workspaces": {
            name: {
                kind: [_ordered(record, fields[kind], kind == WORKFLOWS) for record in records]
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


def _ordered(record: dict[str, Any], fields: tuple[str, ...], with_token: bool) -> dict[str, Any]:
    out = {k: record[k] for k in fields if k in record}
    if with_token:
        out[WEBHOOK_TOKEN] = record[WEBHOOK_TOKEN]
    return out
