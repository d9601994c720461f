"""Resources reachable through a workspace they do not belong to."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from mock_server.api.pipeline import Call, Reply
from mock_server.state.store import NotFoundError, Store

from .. import kit
from ..catalog import mock, variant


def _owner(store: Store | kit.StoreWrapper, kind: str, rid: int) -> str | None:
    """The workspace that holds this resource, whichever it is."""
    for name in store.workspace_names():
        try:
            store.get(name, kind, rid)
        except NotFoundError:
            continue
        return name
    return None


def _elsewhere(call: Call) -> tuple[str, str, int]:
    """Where the resource the call names really is (workspace, kind, id); 404 when nowhere."""
    kind, rid = kit.kind_of(call), kit.id_of(call)
    owner = _owner(call.store, kind, rid)
    if owner is None:
        raise NotFoundError(f"{kind}/{rid}")
    return owner, kind, rid


@variant("a resource of another workspace can be read by its id", "workspace_isolation")
@kit.bending(kit.on_missing, kit.DETAIL)
def cross_workspace_read(call: Call) -> Reply:
    return Reply(200, call.store.get(*_elsewhere(call)))


@variant("a resource of another workspace can be replaced by its id", "workspace_isolation")
@kit.bending(kit.on_missing, kit.UPDATE)
def cross_workspace_update(call: Call) -> Reply:
    return Reply(200, call.store.replace(*_elsewhere(call), call.body()))


class _DeletesAnywhere(kit.StoreWrapper):
    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self.lock:
            try:
                super().delete(workspace, kind, rid)
            except NotFoundError:
                owner = _owner(self.inner, kind, rid)
                if owner is None:
                    raise
                super().delete(owner, kind, rid)


@variant("a resource of another workspace can be deleted by its id", "workspace_isolation")
def cross_workspace_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _DeletesAnywhere)
