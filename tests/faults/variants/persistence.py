"""Writes that do not store exactly what was sent, or mishandle the server-set fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask

from api_spec import PERSONAS, WORKFLOWS
from mock_server.api.pipeline import Call, Handler, Reply
from mock_server.state.store import ConflictError, NotFoundError, Record, Store

from .. import kit
from ..catalog import mock, variant


class _KeepsStopWords(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        if kind == PERSONAS:
            data = {**data, "filterStopWords": self.get(workspace, kind, rid)["filterStopWords"]}
        return super().replace(workspace, kind, rid, data)


@variant("a persona update does not persist filterStopWords (the old list stays)", "update_persists")
def update_drops_filter_stop_words(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _KeepsStopWords)


class _EchoesEnabled(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        if kind != WORKFLOWS:
            return super().replace(workspace, kind, rid, data)
        record = super().replace(workspace, kind, rid, {**data, "enabled": self.get(workspace, kind, rid)["enabled"]})
        return {**record, "enabled": data["enabled"]}


@variant(
    "a workflow update answers the enabled it was sent but stores the old value (only a re-read shows it)",
    "update_persists",
)
def update_echoes_enabled_without_storing(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _EchoesEnabled)


@variant(
    "PUT merges like PATCH: an optional field left out keeps its old value instead of its default",
    "update_persists",
)
@kit.bending(kit.around, kit.UPDATE)
def put_merges_like_patch(update: Handler, call: Call) -> Reply:
    kind, rid, sent = kit.kind_of(call), kit.id_of(call), call.json()
    try:
        old = call.store.get(call.workspace, kind, rid)
    except NotFoundError:
        old = None
    reply = update(call)
    if reply.status != 200 or old is None or not isinstance(sent, dict) or call.operation is None:
        return reply
    assert call.operation.body is not None
    merged = {**call.body(), **{k: old[k] for k in call.operation.body.defaults if k not in sent}}
    return Reply(200, call.store.replace(call.workspace, kind, rid, merged))


class _CreatedAtMoves(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            record = super().replace(workspace, kind, rid, data)
            record = {**record, "createdAt": record["updatedAt"]}
            kit.write(self, workspace, kind, record)
            return record


@variant("an update resets createdAt to the time of the update", "update_persists")
def created_at_moves_on_update(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _CreatedAtMoves)


class _UpdatedAtFrozen(kit.StoreWrapper):
    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        with self.lock:
            before = self.get(workspace, kind, rid)["updatedAt"]
            record = {**super().replace(workspace, kind, rid, data), "updatedAt": before}
            kit.write(self, workspace, kind, record)
            return record


@variant("an update leaves updatedAt where it was", "update_persists")
def updated_at_frozen(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _UpdatedAtFrozen)


def _bare_actions(kind: str, data: Record) -> Record:
    if kind != WORKFLOWS:
        return data
    return {**data, "actions": [{"type": action["type"]} for action in data["actions"]]}


@variant(
    "the parameters of workflow actions are not stored (create and update)",
    "create_read_back",
    "update_persists",
)
def action_parameters_dropped(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_bare_actions))


def _rounded(kind: str, data: Record) -> Record:
    if kind != PERSONAS:
        return data
    keys = ("filterConfidenceThreshold", "runConfidenceThreshold")
    return {**data, **{k: round(data[k], 1) for k in keys}}


@variant(
    "persona confidence thresholds are stored rounded to one decimal (0.75 reads back 0.8)",
    "create_read_back",
    "update_persists",
)
def threshold_rounded(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_rounded))


def _cut_description(kind: str, data: Record) -> Record:
    return {**data, "description": data["description"][:255]}


@variant(
    "descriptions are stored cut to 255 characters (the contract allows 2000)",
    "create_read_back",
    "update_persists",
)
def description_truncated(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_cut_description))


def _trimmed(kind: str, data: Record) -> Record:
    key = "name" if kind == WORKFLOWS else "fullName"
    return {**data, key: data[key].strip()}


@variant(
    "workflow names and persona fullNames are stored with surrounding whitespace trimmed",
    "create_read_back",
    "update_persists",
)
def names_trimmed(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_trimmed))


@variant(
    "a read-only id sent in a create body becomes the new resource's id (when free)",
    "create_read_back",
)
@kit.bending(kit.around, kit.CREATE)
def read_only_id_honoured(create: Handler, call: Call) -> Reply:
    sent = call.json()
    wanted = sent.get("id") if isinstance(sent, dict) else None
    if type(wanted) is not int or wanted < 1:
        return create(call)
    try:
        record = call.store.restore(call.workspace, kit.kind_of(call), {**call.body(), "id": wanted})
    except ConflictError as exc:
        if exc.field != "id":
            raise
        return create(call)  # the id is taken: a new one, as the real mock gives
    return Reply(201, record, {"Location": f"{call.request.base_url}{record['id']}"})


def _shouting(kind: str, data: Record) -> Record:
    if kind != PERSONAS:
        return data
    return {**data, "filterIssueSelectionStrategy": data["filterIssueSelectionStrategy"].upper()}


@variant(
    "filterIssueSelectionStrategy is stored and answered in upper case (MOST_SEVERE), outside the enum",
    "response_schema_conformance",
    "create_read_back",
    "update_persists",
)
def strategy_uppercased(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_shouting))


@variant(
    "a workflow sent without `enabled` is stored disabled (the documented default is true)",
    "create_read_back",
    "update_persists",
)
@kit.bending(kit.rewrite_json_bodies, {"POST", "PUT"}, kit.writes_of(WORKFLOWS))
def enabled_defaults_false(body: dict[str, Any]) -> None:
    body.setdefault("enabled", False)
