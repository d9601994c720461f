"""Persona names that are not unique within a workspace, or stay taken too long."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from flask import Flask

from api_spec import PERSONAS
from mock_server.state import seed
from mock_server.state.kinds import RULES
from mock_server.state.store import ConflictError, Record, Store

from .. import kit
from ..catalog import CONTRACT, mock, variant

TAKEN = RULES[PERSONAS].duplicate_message


def _without_unique_names(store: Store) -> Store:
    """A store whose personas have no unique-name rule (no index either), holding `store`'s state."""
    rules = {**RULES, PERSONAS: dataclasses.replace(RULES[PERSONAS], unique=None)}
    lenient = seed.new_store(CONTRACT, rules=rules)
    lenient.replace_with(store)
    return lenient


class _NamesByScan(kit.StoreWrapper):
    """Finds a taken name by scanning the records, as a query without a unique index would,
    over a store that has no unique-name rule of its own."""

    def __init__(self, inner: Store) -> None:
        super().__init__(_without_unique_names(inner))

    def _holder(self, workspace: str, name: str, own_id: int | None) -> int | None:
        records = kit.everything(self.inner, workspace, PERSONAS)
        return next((r["id"] for r in records if r["name"] == name and r["id"] != own_id), None)


@variant("a persona whose name is already taken in the workspace is accepted", "persona_name_unique")
def duplicate_persona_names(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _without_unique_names)


class _NameCheckOnCreateOnly(_NamesByScan):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            if kind == PERSONAS and self._holder(workspace, data["name"], None) is not None:
                raise ConflictError("name", TAKEN)
            return super().create(workspace, kind, data)


@variant(
    "persona names are unique on create only: an update may rename a persona to a taken name",
    "persona_name_unique",
)
def rename_into_duplicate(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _NameCheckOnCreateOnly)


class _RetiresNames(kit.StoreWrapper):
    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.retired: set[tuple[str, str]] = set()

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            record = self.get(workspace, kind, rid)
            super().delete(workspace, kind, rid)
            if kind == PERSONAS:
                self.retired.add((workspace, record["name"]))

    def _check(self, workspace: str, kind: str, data: Record) -> None:
        if kind == PERSONAS and (workspace, data["name"]) in self.retired:
            raise ConflictError("name", TAKEN)

    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            self._check(workspace, kind, data)
            return super().create(workspace, kind, data)

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            self._check(workspace, kind, data)
            return super().replace(workspace, kind, rid, data)


@variant(
    "the name of a deleted persona stays taken: creating a persona with it is a 400",
    "positive_data_acceptance",
    "persona_name_unique",
    "delete_is_final",
)
def name_reserved_after_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RetiresNames)
