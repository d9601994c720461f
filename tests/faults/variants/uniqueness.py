"""Persona names that are not unique within a workspace, or stay taken too long."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from mock_server.store import PERSONAS, ConflictError, Record, Store, Workspace

from .. import kit
from ..catalog import mock, variant


class _NamesByScan(Store):
    """Finds a taken name by scanning the records, as a query without a unique index would, and
    keeps the store's own name index from tripping over the duplicates this allows."""

    def _holder(self, ws: Workspace, name: str, own_id: int | None) -> int | None:
        return next((r["id"] for r in ws.personas.records.values() if r["name"] == name and r["id"] != own_id), None)

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self._lock:
            if kind == PERSONAS:
                self._workspace(workspace).persona_names[self.get(workspace, kind, rid)["name"]] = rid
            return super().replace(workspace, kind, rid, data)


class _NoNameCheck(_NamesByScan):
    def _check_name_free(self, ws: Workspace, name: str, own_id: int | None) -> None:
        return None


@variant("a persona whose name is already taken in the workspace is accepted", "persona_name_unique")
def duplicate_persona_names(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _NoNameCheck)


class _NameCheckOnCreateOnly(_NamesByScan):
    def _check_name_free(self, ws: Workspace, name: str, own_id: int | None) -> None:
        if own_id is None and self._holder(ws, name, None) is not None:
            raise ConflictError("name", "persona with this name already exists.")


@variant(
    "persona names are unique on create only: an update may rename a persona to a taken name",
    "persona_name_unique",
)
def rename_into_duplicate(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _NameCheckOnCreateOnly)


class _RetiresNames(Store):
    def _retired(self) -> set[tuple[str, str]]:
        return kit.extra(self, "retired", set)

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            record = self.get(workspace, kind, rid)
            super().delete(workspace, kind, rid)
            if kind == PERSONAS:
                self._retired().add((workspace, record["name"]))

    def _check_name_free(self, ws: Workspace, name: str, own_id: int | None) -> None:
        if (ws.name, name) in self._retired():
            raise ConflictError("name", "persona with this name already exists.")
        super()._check_name_free(ws, name, own_id)


@variant(
    "the name of a deleted persona stays taken: creating a persona with it is a 400",
    "positive_data_acceptance",
    "persona_name_unique",
    "delete_is_final",
)
def name_reserved_after_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RetiresNames)
