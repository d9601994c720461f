"""Status codes, content types, headers and response shapes that break the spec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, Response

from api_spec import PERSONAS
from mock_server.api.errors import ValidationFailed
from mock_server.api.pipeline import Call, Handler, Reply
from mock_server.state.store import NotFoundError, Record, Store

from .. import kit
from ..catalog import CREATING, mock, variant


@variant(
    "create answers 200 instead of 201",
    "status_code_conformance",
    *CREATING,
    "workspace_isolation",
)
@kit.bending(kit.on_response, kit.CREATE)
def create_answers_200(response: Response) -> None:
    if response.status_code == 201:
        response.status_code = 200


@variant(
    "delete answers 200 with the deleted resource as its body instead of 204",
    "status_code_conformance",
    "delete_is_final",
)
@kit.bending(kit.around, kit.DELETE)
def delete_answers_200_with_body(delete: Handler, call: Call) -> Reply:
    try:
        gone = call.store.get(call.workspace, kit.kind_of(call), kit.id_of(call))
    except NotFoundError:
        gone = None
    reply = delete(call)
    return Reply(200, gone) if reply.status == 204 and gone else reply


@variant("successful JSON responses are labelled text/plain", "content_type_conformance")
@kit.bending(kit.on_response, None)
def json_as_text_plain(response: Response) -> None:
    if response.is_json and response.status_code < 300:
        response.headers["Content-Type"] = "text/plain; charset=utf-8"


@variant(
    "the persona detail (get, create, update) lacks the required updatedAt",
    "response_schema_conformance",
    "update_persists",
)
@kit.bending(kit.rewrite_json, {kit.op(PERSONAS, "get"), kit.op(PERSONAS, "create"), kit.op(PERSONAS, "update")})
def updated_at_missing(body: Any) -> Any:
    body.pop("updatedAt", None)
    return body


@variant(
    "list results carry their id as a string",
    "response_schema_conformance",
    "create_read_back",
    "update_persists",
    "pagination_walk",
)
@kit.bending(kit.rewrite_json, kit.LIST)
def ids_as_strings_in_lists(page: Any) -> Any:
    for item in page["results"]:
        item["id"] = str(item["id"])
    return page


@variant(
    "fields of a resource whose value is null are left out of responses (avatarUrl, filterScope, lastRunAt)",
    "response_schema_conformance",
    "create_read_back",
)
@kit.bending(kit.rewrite_json, kit.LIST | kit.DETAIL | kit.CREATE | kit.UPDATE)
def nulls_omitted(body: Any) -> Any:
    if isinstance(body, dict) and "results" in body:
        return {**body, "results": [_compact(item) for item in body["results"]]}
    return _compact(body) if isinstance(body, dict) else body


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


@variant("a run answers status 'completed', outside the documented enum", "response_schema_conformance", "run_result")
@kit.bending(kit.rewrite_json, {kit.RUN})
def run_status_outside_enum(run: Any) -> Any:
    return {**run, "status": "completed"}


def _ascii_only(kind: str, data: Record) -> Record:
    for value in data.values():
        if isinstance(value, str):
            value.encode("ascii")  # UnicodeEncodeError: the mock answers 500
    return data


@variant(
    "a name or description with a non-ASCII character is a 500 (encoding bug) on create and update",
    "not_a_server_error",
    "positive_data_acceptance",
    *CREATING,
)
def server_error_on_non_ascii(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, kit.rewriting_writes(_ascii_only))


@variant(
    "a page whose end lies past 2**31 - 1 items is a 500 (32-bit offset overflow) instead of 404",
    "not_a_server_error",
    "pagination_walk",
    "limits_honoured",  # it asks for the last page number
)
@kit.bending(kit.around, kit.LIST)
def server_error_on_huge_page(page: Handler, call: Call) -> Reply:
    number, size = call.request.args.get("page", "1"), call.request.args.get("page_size", "20")
    if number.isdigit() and size.isdigit() and 1 <= int(size) <= 100 and int(number) * int(size) > 2**31 - 1:
        raise OverflowError("page offset does not fit in 32 bits")
    return page(call)


@variant("a 401 has no WWW-Authenticate header", "response_headers_conformance", "auth_required")
@kit.bending(kit.on_response, None)
def no_www_authenticate(response: Response) -> None:
    if response.status_code == 401:
        response.headers.pop("WWW-Authenticate", None)


@variant("a 405 (method not allowed) has no Allow header", "unsupported_method")
@kit.bending(kit.on_response, None)
def no_allow_on_405(response: Response) -> None:
    if response.status_code == 405:
        response.headers.pop("Allow", None)


class _RefusesDisabledRuns(kit.StoreWrapper):
    def run(self, workspace: str, kind: str, rid: int) -> Record:
        if not self.get(workspace, kind, rid)["enabled"]:
            raise ValidationFailed({"non_field_errors": ["Workflow is disabled."]})
        return super().run(workspace, kind, rid)


@variant(
    "running a disabled workflow is a 400 (enabled only gates triggers; a run on demand must work)",
    "status_code_conformance",
    "run_result",
)
def run_disabled_refused(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _RefusesDisabledRuns)


TIMESTAMPS = ("createdAt", "updatedAt", "lastRunAt", "startedAt", "finishedAt")


@variant(
    "timestamps are answered without a time zone (2026-01-05T09:00:00.000000), not RFC 3339 UTC",
    "response_schema_conformance",
    "timestamps_ordered",
)
@kit.bending(kit.rewrite_json, None)
def naive_timestamps(body: Any) -> Any:
    if isinstance(body, dict) and "results" in body:
        return {**body, "results": [_naive(item) for item in body["results"]]}
    return _naive(body)


def _naive(record: Any) -> Any:
    if not isinstance(record, dict):
        return record
    return {k: v.removesuffix("Z") if k in TIMESTAMPS and isinstance(v, str) else v for k, v in record.items()}
