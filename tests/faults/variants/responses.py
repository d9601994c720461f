"""Status codes, content types, headers and response shapes that break the spec."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response, request

from mock_server.errors import ValidationFailed, json_response
from mock_server.store import WORKFLOWS, NotFoundError, Record, Store

from .. import kit
from ..catalog import CREATING, mock, variant


@variant(
    "create answers 200 instead of 201",
    "status_code_conformance",
    *CREATING,
    "workspace_isolation",
)
def create_answers_200(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def to_200(response: Response) -> None:
        if response.status_code == 201:
            response.status_code = 200

    kit.on_response(app, kit.CREATE, to_200)
    return app


@variant(
    "delete answers 200 with the deleted resource as its body instead of 204",
    "status_code_conformance",
    "delete_is_final",
)
def delete_answers_200_with_body(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def wrapper(view: kit.View) -> kit.View:
        def delete(**raw: str) -> Response:
            path = kit.typed_path(raw)
            try:
                gone = store.get(path["workspace_name"], kit.kind_of(path), kit.id_of(path)) if path else None
            except NotFoundError:
                gone = None
            response = view(**raw)
            return json_response(200, gone) if response.status_code == 204 and gone else response

        return delete

    kit.wrap_views(app, kit.DELETE, wrapper)
    return app


@variant("successful JSON responses are labelled text/plain", "content_type_conformance")
def json_as_text_plain(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def relabel(response: Response) -> None:
        if response.is_json and response.status_code < 300:
            response.headers["Content-Type"] = "text/plain; charset=utf-8"

    kit.on_response(app, None, relabel)
    return app


@variant(
    "the persona detail (get, create, update) lacks the required updatedAt",
    "response_schema_conformance",
    "update_persists",
)
def updated_at_missing(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)
    kit.rewrite_json(app, {"getPersona", "createPersona", "updatePersona"}, _without("updatedAt"))
    return app


def _without(key: str) -> Callable[[Any], Any]:
    def drop(body: Any) -> Any:
        body.pop(key, None)
        return body

    return drop


@variant(
    "list results carry their id as a string",
    "response_schema_conformance",
    "create_read_back",
    "update_persists",
    "pagination_walk",
)
def ids_as_strings_in_lists(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def stringify(page: Any) -> Any:
        for item in page["results"]:
            item["id"] = str(item["id"])
        return page

    kit.rewrite_json(app, kit.LIST, stringify)
    return app


@variant(
    "fields of a resource whose value is null are left out of responses (avatarUrl, filterScope, lastRunAt)",
    "response_schema_conformance",
    "create_read_back",
)
def nulls_omitted(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def compact(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if v is not None}

    def strip(body: Any) -> Any:
        if isinstance(body, dict) and "results" in body:
            return {**body, "results": [compact(item) for item in body["results"]]}
        return compact(body) if isinstance(body, dict) else body

    kit.rewrite_json(app, kit.LIST | kit.DETAIL | kit.CREATE | kit.UPDATE, strip)
    return app


@variant("a run answers status 'completed', outside the documented enum", "response_schema_conformance", "run_result")
def run_status_outside_enum(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def relabel(run: Any) -> Any:
        return {**run, "status": "completed"}

    kit.rewrite_json(app, {"runWorkflow"}, relabel)
    return app


class _AsciiOnly(Store):
    def create(self, workspace: str, kind: str, data: Record) -> Record:
        _encode_ascii(data)
        return super().create(workspace, kind, data)

    def replace(self, workspace: str, kind: str, rid: int, data: Record) -> Record:
        _encode_ascii(data)
        return super().replace(workspace, kind, rid, data)


def _encode_ascii(data: Record) -> None:
    for value in data.values():
        if isinstance(value, str):
            value.encode("ascii")  # UnicodeEncodeError: the mock answers 500


@variant(
    "a name or description with a non-ASCII character is a 500 (encoding bug) on create and update",
    "not_a_server_error",
    "positive_data_acceptance",
    *CREATING,
)
def server_error_on_non_ascii(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _AsciiOnly)


@variant(
    "a page whose end lies past 2**31 - 1 items is a 500 (32-bit offset overflow) instead of 404",
    "not_a_server_error",
    "pagination_walk",
)
def server_error_on_huge_page(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def wrapper(view: kit.View) -> kit.View:
        def overflowing(**raw: str) -> Response:
            kit.shared_checks(raw)
            page, size = request.args.get("page", "1"), request.args.get("page_size", "20")
            if page.isdigit() and size.isdigit() and 1 <= int(size) <= 100 and int(page) * int(size) > 2**31 - 1:
                raise OverflowError("page offset does not fit in 32 bits")
            return view(**raw)

        return overflowing

    kit.wrap_views(app, kit.LIST, wrapper)
    return app


@variant("a 401 has no WWW-Authenticate header", "response_headers_conformance", "auth_required")
def no_www_authenticate(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def strip(response: Response) -> None:
        if response.status_code == 401:
            response.headers.pop("WWW-Authenticate", None)

    kit.on_response(app, None, strip)
    return app


@variant("a 405 (method not allowed) has no Allow header", "unsupported_method")
def no_allow_on_405(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def strip(response: Response) -> None:
        if response.status_code == 405:
            response.headers.pop("Allow", None)

    kit.on_response(app, None, strip)
    return app


class _RefusesDisabledRuns(Store):
    def run_workflow(self, workspace: str, rid: int) -> Record:
        if not self.get(workspace, WORKFLOWS, rid)["enabled"]:
            raise ValidationFailed({"non_field_errors": ["Workflow is disabled."]})
        return super().run_workflow(workspace, rid)


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
)
def naive_timestamps(store: Store, tokens: Sequence[str]) -> Flask:
    app = mock(store, tokens)

    def naive(record: Any) -> Any:
        if not isinstance(record, dict):
            return record
        return {k: v.removesuffix("Z") if k in TIMESTAMPS and isinstance(v, str) else v for k, v in record.items()}

    def rewrite(body: Any) -> Any:
        if isinstance(body, dict) and "results" in body:
            return {**body, "results": [naive(item) for item in body["results"]]}
        return naive(body)

    kit.rewrite_json(app, None, rewrite)
    return app
