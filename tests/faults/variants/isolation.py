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


@variant("a resource of another workspace can be read by its id", "workspace_isolation")
def cross_workspace_read(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def elsewhere(path: dict[str, Any]) -> Response:
        kind, rid = kit.kind_of(path), kit.id_of(path)
        owner = _owner(store, kind, rid)
        if owner is None:
            raise NotFoundError(f"{kind}/{rid}")
        return json_response(200, store.get(owner, kind, rid))

    kit.on_missing(app, kit.DETAIL, elsewhere)
    return app


@variant("a resource of another workspace can be replaced by its id", "workspace_isolation")
def cross_workspace_update(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def elsewhere(path: dict[str, Any]) -> Response:
        kind, rid = kit.kind_of(path), kit.id_of(path)
        owner = _owner(store, kind, rid)
        if owner is None:
            raise NotFoundError(f"{kind}/{rid}")
        return json_response(200, store.replace(owner, kind, rid, kit.validated_body()))

    kit.on_missing(app, kit.UPDATE, elsewhere)
    return app


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
