"""Deletes that are not final, or that take more than the deleted resource with them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, Response

from mock_server.store import PERSONAS, WORKFLOWS, NotFoundError, Record, Store

from .. import kit
from ..catalog import mock, variant


class _TokenOutlivesWorkflow(Store):
    def delete(self, workspace: str, kind: str, rid: int) -> None:
        token = self._workspace(workspace).webhook_tokens.get(rid) if kind == WORKFLOWS else None
        super().delete(workspace, kind, rid)
        if token is not None:
            self._workspace(workspace).webhook_tokens[rid] = token

    def webhook_token(self, workspace: str, rid: int) -> str:
        with self._lock:
            try:
                return self._workspace(workspace).webhook_tokens[rid]
            except KeyError:
                raise NotFoundError(f"token/{rid}") from None


@variant(
    "a deleted workflow's webhook token is still served",
    "delete_is_final",
    "webhook_token_stable",
    "use_after_free",
)
def token_survives_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenOutlivesWorkflow)


class _SoftDelete(Store):
    """Marks instead of removing; only the list does not look at the mark."""

    def _gone(self) -> set[tuple[str, str, int]]:
        return kit.extra(self, "gone", set)

    def get(self, workspace: str, kind: str, rid: int) -> Record:
        if (workspace, kind, rid) in self._gone():
            raise NotFoundError(f"{kind}/{rid}")
        return super().get(workspace, kind, rid)

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            record = self.get(workspace, kind, rid)
            self._gone().add((workspace, kind, rid))
            if kind == PERSONAS:
                self._workspace(workspace).persona_names.pop(record["name"], None)


@variant(
    "a deleted resource is 404 on its own but stays in the list and its count",
    "delete_is_final",
    "pagination_walk",
)
def delete_leaves_item_listed(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _SoftDelete)


class _Graveyard(Store):
    """Remembers what was deleted, so an update can bring it back."""

    def _graveyard(self) -> dict[tuple[str, str, int], tuple[Record, str | None]]:
        return kit.extra(self, "graveyard", dict)

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            record = self.get(workspace, kind, rid)
            token = self._workspace(workspace).webhook_tokens.get(rid) if kind == WORKFLOWS else None
            super().delete(workspace, kind, rid)
            self._graveyard()[(workspace, kind, rid)] = (record, token)

    def revive(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            buried = self._graveyard().pop((workspace, kind, rid), None)
            if buried is None:
                return
            record, token = buried
            ws = self._workspace(workspace)
            ws.collection(kind).add(record)
            if token is not None:
                ws.webhook_tokens[rid] = token
            else:
                ws.persona_names.setdefault(record["name"], rid)


@variant("PUT on a deleted id brings the resource back (upsert) and answers 200", "delete_is_final", "use_after_free")
def put_recreates_deleted(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens, _Graveyard)
    graveyard: _Graveyard = app.extensions["mock.store"]

    def wrapper(view: kit.View) -> kit.View:
        def upsert(**raw: str) -> Response:
            path = kit.typed_path(raw)
            if path is not None:
                graveyard.revive(path["workspace_name"], kit.kind_of(path), kit.id_of(path))
            return view(**raw)

        return upsert

    kit.wrap_views(app, kit.UPDATE, wrapper)
    return app


@variant(
    "deleting a missing (or already deleted) resource answers 204 instead of 404", "delete_is_final", "use_after_free"
)
@kit.bending(kit.on_missing, kit.DELETE)
def delete_is_idempotent(_path: dict[str, Any]) -> Response:
    return Response(status=204)


class _ReusesIds(Store):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self._lock:
            newest = max((ws.collection(kind).order[-1:] or [0])[0] for ws in self._workspaces.values())
            record = super().create(workspace, kind, data)
            return kit.move_id(self, workspace, kind, record["id"], newest + 1)


@variant(
    "a new resource takes the highest id in use + 1, so the id of a deleted newest resource comes back",
    "delete_is_final",
    "use_after_free",
)
def ids_reused(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _ReusesIds)


class _DeletesNeighbour(Store):
    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            order = self._workspace(workspace).collection(kind).order
            after = [other for other in order if other > rid][:1]
            super().delete(workspace, kind, rid)
            for other in after:
                super().delete(workspace, kind, other)


@variant(
    "deleting a resource also deletes the next one in id order (off-by-one range delete)",
    "ensure_resource_availability",
    "webhook_token_stable",
    "create_read_back",
    "update_persists",
    "pagination_walk",
)
def delete_removes_neighbour(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _DeletesNeighbour)
