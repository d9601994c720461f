"""Webhook tokens that are not stable per workflow, not unique, or not gone with it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence

from flask import Flask

from api_spec import WORKFLOWS
from mock_server.state.store import NotFoundError, Record, Store

from .. import kit
from ..catalog import mock, variant


class _FreshTokenEachCall(kit.StoreWrapper):
    def secret(self, workspace: str, kind: str, rid: int) -> str:
        super().secret(workspace, kind, rid)
        return secrets.token_urlsafe(32)


@variant("the webhook token is a new one on every call", "webhook_token_stable")
def token_changes_every_call(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _FreshTokenEachCall)


class _TokenPerWorkspace(kit.StoreWrapper):
    def secret(self, workspace: str, kind: str, rid: int) -> str:
        super().secret(workspace, kind, rid)
        digest = hashlib.sha256(f"webhook:{workspace}".encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@variant("every workflow of a workspace has the same webhook token", "webhook_token_stable")
def token_shared_by_all_workflows(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenPerWorkspace)


class _RotatesTokenOnUpdate(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            record = super().replace(workspace, kind, rid, data)
            if kind == WORKFLOWS:
                kit.write(self, workspace, kind, record, secret=secrets.token_urlsafe(32))
            return record


@variant("updating a workflow gives it a new webhook token", "webhook_token_stable")
def token_rotates_on_update(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RotatesTokenOnUpdate)


class _TokenOnlyForWebhooks(kit.StoreWrapper):
    def secret(self, workspace: str, kind: str, rid: int) -> str:
        if self.get(workspace, kind, rid)["trigger"]["type"] != "webhook":
            raise NotFoundError(f"token/{rid}")
        return super().secret(workspace, kind, rid)


@variant(
    "only workflows with a webhook trigger have a token; the others answer 404",
    "webhook_token_stable",
    "ensure_resource_availability",
)
def token_only_for_webhook_triggers(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenOnlyForWebhooks)
