"""Documented limits not honoured across their whole span: fine at small values, wrong near the
maximum (a lower cap, a truncation) or at the minimum (a zero taken for "unset")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import Flask

from api_spec import PERSONAS, WORKFLOWS
from mock_server.state.store import Record, Store

from .. import kit
from ..catalog import mock, variant

_PAGE_SIZE = re.compile(r"(?<![^&])page_size=(\d+)")
CAP = 50


@variant(
    "page_size above 50 is served as 50 (a silent cap below the documented maximum of 100)",
    "limits_honoured",
)
@kit.bending(kit.rewrite_requests)
def page_size_capped_at_50(environ: kit.Environ) -> None:
    if environ["REQUEST_METHOD"] == "GET" and kit.COLLECTIONS.fullmatch(environ.get("PATH_INFO", "")):
        environ["QUERY_STRING"] = _PAGE_SIZE.sub(_capped, environ.get("QUERY_STRING", ""))


def _capped(match: re.Match[str]) -> str:
    size = int(match[1])
    return f"page_size={CAP}" if CAP < size <= 100 else match[0]  # (past 100 still the mock's 400)


def _first_20_actions(kind: str, data: Record) -> Record:
    return {**data, "actions": data["actions"][:20]} if kind == WORKFLOWS else data


@variant(
    "only a workflow's first 20 actions are stored (the contract allows 50)",
    "limits_honoured",
    "create_read_back",
    "update_persists",
)
def actions_truncated_at_20(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_first_20_actions))


def _lists_cut(kind: str, data: Record) -> Record:
    if kind != PERSONAS:
        return data
    cut = {**data, **{k: data[k][:CAP] for k in ("filterCodebundleTaskTags", "filterStopWords")}}
    config = data.get("runConfig")
    if isinstance(config, dict):
        cut["runConfig"] = {
            **config,
            **{k: v[:CAP] for k, v in config.items() if k in ("allow", "disallow") and isinstance(v, list)},
        }
    return cut


@variant(
    "persona string lists (task tags, stop words, runConfig allow and disallow) are stored cut to 50 items "
    "(the contract allows 100)",
    "limits_honoured",
    "create_read_back",
    "update_persists",
)
def string_lists_cut_at_50(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_lists_cut))


def _zero_is_unset(kind: str, data: Record) -> Record:
    if kind != PERSONAS:
        return data
    keys = ("filterConfidenceThreshold", "runConfidenceThreshold")
    return {**data, **{k: data[k] or 0.7 for k in keys}}  # `or`: 0 taken for "not given"


@variant(
    "a confidence threshold of 0 (the minimum) is stored as the default 0.7 (a falsy-zero bug)",
    "limits_honoured",
    "create_read_back",
    "update_persists",
)
def zero_threshold_defaulted(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_zero_is_unset))


WORKFLOW_WRITES = kit.writes_of(WORKFLOWS)


@variant(
    "a workflow of more than 50 actions is accepted, its actions past the 50th dropped, instead of a 400",
    "limits_honoured",
    "negative_data_rejection",
)
@kit.bending(kit.rewrite_json_bodies, {"POST", "PUT"}, WORKFLOW_WRITES)
def actions_past_50_dropped(body: dict[str, Any]) -> None:
    if isinstance(body.get("actions"), list):
        body["actions"] = body["actions"][:50]
