"""Webhook tokens that are not stable per workflow, not unique, or not gone with it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence

from flask import Flask

from mock_server.store import WORKFLOWS, NotFoundError, Record, Store

from ..catalog import mock, variant


class _FreshTokenEachCall(Store):
    def webhook_token(self, workspace: str, rid: int) -> str:
        super().webhook_token(workspace, rid)
        return secrets.token_urlsafe(32)


@variant("the webhook token is a new one on every call", "webhook_token_stable")
def token_changes_every_call(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _FreshTokenEachCall)


class _TokenPerWorkspace(Store):
    def webhook_token(self, workspace: str, rid: int) -> str:
        super().webhook_token(workspace, rid)
        digest = hashlib.sha256(f"webhook:{workspace}".encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@variant("every workflow of a workspace has the same webhook token", "webhook_token_stable")
def token_shared_by_all_workflows(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenPerWorkspace)


class _RotatesTokenOnUpdate(Store):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self._lock:
            record = super().replace(workspace, kind, rid, data)
            if kind == WORKFLOWS:
                self._workspace(workspace).webhook_tokens[rid] = secrets.token_urlsafe(32)
            return record


@variant("updating a workflow gives it a new webhook token", "webhook_token_stable")
def token_rotates_on_update(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RotatesTokenOnUpdate)


class _TokenOnlyForWebhooks(Store):
    def webhook_token(self, workspace: str, rid: int) -> str:
        if self.get(workspace, WORKFLOWS, rid)["trigger"]["type"] != "webhook":
            raise NotFoundError(f"token/{rid}")
        return super().webhook_token(workspace, rid)


@variant(
    "only workflows with a webhook trigger have a token; the others answer 404",
    "webhook_token_stable",
    "ensure_resource_availability",
)
def token_only_for_webhook_triggers(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _TokenOnlyForWebhooks)
