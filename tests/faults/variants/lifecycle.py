"""Deletes that are not final, or that take more than the deleted resource with them."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from api_spec import WORKFLOWS
from mock_server.api.pipeline import Call, Handler, Reply
from mock_server.state.store import ConflictError, NotFoundError, Record, Store

from .. import kit
from ..catalog import mock, variant


class _TokenOutlivesWorkflow(kit.StoreWrapper):
    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.kept: dict[tuple[str, int], str] = {}

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            try:
                token = self.inner.secret(workspace, kind, rid) if kind == WORKFLOWS else None
            except NotFoundError:
                token = None
            super().delete(workspace, kind, rid)
            if token is not None:
                self.kept[(workspace, rid)] = token

    def secret(self, workspace: str, kind: str, rid: int) -> str:
        with self.lock:
            try:
                return super().secret(workspace, kind, rid)
            except NotFoundError:
                if (workspace, rid) in self.kept:
                    return self.kept[(workspace, rid)]
                raise


@variant(
    "a deleted workflow's webhook token is still served",
    "delete_is_final",
    "webhook_token_stable",
    "use_after_free",
)
def token_survives_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenOutlivesWorkflow)


class _SoftDelete(kit.StoreWrapper):
    """Marks instead of removing; only the list does not look at the mark (it shows the deleted
    records where they were, and counts them)."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.gone: dict[tuple[str, str], dict[int, Record]] = {}

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            record = self.inner.get(workspace, kind, rid)
            super().delete(workspace, kind, rid)  # frees the name and the token, as the original did
            self.gone.setdefault((workspace, kind), {})[rid] = record

    def count(self, workspace: str, kind: str) -> int:
        with self.lock:
            return super().count(workspace, kind) + len(self.gone.get((workspace, kind), {}))

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        with self.lock:
            ghosts = self.gone.get((workspace, kind), {})
            listed = sorted([*kit.everything(self.inner, workspace, kind), *ghosts.values()], key=lambda r: r["id"])
            return len(listed), listed[offset : offset + limit]


@variant(
    "a deleted resource is 404 on its own but stays in the list and its count",
    "delete_is_final",
    "pagination_walk",
)
def delete_leaves_item_listed(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _SoftDelete)


class _Graveyard(kit.StoreWrapper):
    """Remembers what was deleted, so an update can bring it back."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.buried: dict[tuple[str, str, int], tuple[Record, str | None]] = {}

    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            record = self.inner.get(workspace, kind, rid)
            token = self.inner.secret(workspace, kind, rid) if kind == WORKFLOWS else None
            super().delete(workspace, kind, rid)
            self.buried[(workspace, kind, rid)] = (record, token)

    def revive(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            buried = self.buried.pop((workspace, kind, rid), None)
            if buried is None:
                return
            record, token = buried
            try:
                self.inner.restore(workspace, kind, record, token)
            except ConflictError:  # its name was taken meanwhile: it stays buried
                self.buried[(workspace, kind, rid)] = buried


@variant("PUT on a deleted id brings the resource back (upsert) and answers 200", "delete_is_final", "use_after_free")
def put_recreates_deleted(store: Store, tokens: Sequence[str]) -> Flask:
    graveyard = _Graveyard(store)
    app = mock(graveyard, tokens)

    def wrapper(update: Handler) -> Handler:
        def upsert(call: Call) -> Reply:
            graveyard.revive(call.workspace, kit.kind_of(call), kit.id_of(call))
            return update(call)

        return upsert

    kit.wrap_handlers(app, kit.UPDATE, wrapper)
    return app


@variant(
    "deleting a missing (or already deleted) resource answers 204 instead of 404", "delete_is_final", "use_after_free"
)
@kit.bending(kit.on_missing, kit.DELETE)
def delete_is_idempotent(_call: Call) -> Reply:
    return Reply(204)


class _ReusesIds(kit.StoreWrapper):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        with self.lock:
            newest = max((self.inner.ids(ws, kind)[-1:] or [0])[0] for ws in self.inner.workspace_names())
            return self.inner.restore(workspace, kind, {**data, "id": newest + 1})


@variant(
    "a new resource takes the highest id in use + 1, so the id of a deleted newest resource comes back",
    "delete_is_final",
    "use_after_free",
)
def ids_reused(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _ReusesIds)


class _DeletesNeighbour(kit.StoreWrapper):
    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            after = [other for other in self.inner.ids(workspace, kind) if other > rid][:1]
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
