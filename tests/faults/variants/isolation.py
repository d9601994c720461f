"""Resources reachable through a workspace they do not belong to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, Response

from mock_server.errors import json_response
from mock_server.store import NotFoundError, Store

from .. import kit
from ..catalog import mock, variant


def _owner(store: Store, kind: str, rid: int) -> str | None:
    """The workspace that holds this resource, whichever it is."""
    for name in store.workspace_names():
        try:
            store.get(name, kind, rid)
        except NotFoundError:
            continue
        return name
    return None


def _elsewhere(path: dict[str, Any]) -> tuple[str, str, int]:
    """Where the resource the path names really is (workspace, kind, id); 404 when nowhere."""
    kind, rid = kit.kind_of(path), kit.id_of(path)
    owner = _owner(kit.store(), kind, rid)
    if owner is None:
        raise NotFoundError(f"{kind}/{rid}")
    return owner, kind, rid


@variant("a resource of another workspace can be read by its id", "workspace_isolation")
@kit.bending(kit.on_missing, kit.DETAIL)
def cross_workspace_read(path: dict[str, Any]) -> Response:
    return json_response(200, kit.store().get(*_elsewhere(path)))


@variant("a resource of another workspace can be replaced by its id", "workspace_isolation")
@kit.bending(kit.on_missing, kit.UPDATE)
def cross_workspace_update(path: dict[str, Any]) -> Response:
    return json_response(200, kit.store().replace(*_elsewhere(path), kit.validated_body()))


class _DeletesAnywhere(Store):
    def delete(self, workspace: str, kind: str, rid: int) -> None:
        with self._lock:
            try:
                super().delete(workspace, kind, rid)
            except NotFoundError:
                owner = _owner(self, kind, rid)
                if owner is None:
                    raise
                super().delete(owner, kind, rid)


@variant("a resource of another workspace can be deleted by its id", "workspace_isolation")
def cross_workspace_delete(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _DeletesAnywhere)
