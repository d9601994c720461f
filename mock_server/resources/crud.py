"""The list / get / create / replace / delete behaviour that personas and workflows share."""

from __future__ import annotations

from flask import request, url_for

from .. import pagination
from ..routing import Call, Reply


def list_page(call: Call, kind: str) -> Reply:
    page, size = call.params["page"], call.params["page_size"]
    count = call.store.count(call.workspace, kind)
    offset = pagination.offset_of(page, size, count)
    count, results = call.store.page(call.workspace, kind, offset, size)
    query = request.args.items(multi=True)
    base_url = pagination.base_url(request.scheme, request.host, request.root_path, request.path)
    return Reply(200, pagination.page_body(base_url, query, page, size, count, results))


def get(call: Call, kind: str, id_param: str) -> Reply:
    return Reply(200, call.store.get(call.workspace, kind, call.params[id_param]))


def create(call: Call, kind: str, detail_endpoint: str, id_param: str) -> Reply:
    record = call.store.create(call.workspace, kind, call.body())
    location = url_for(detail_endpoint, workspace_name=call.workspace, _external=True, **{id_param: record["id"]})
    return Reply(201, record, {"Location": location})


def replace(call: Call, kind: str, id_param: str) -> Reply:
    rid = call.params[id_param]
    call.store.get(call.workspace, kind, rid)  # 404 comes before any body error, as in DRF
    return Reply(200, call.store.replace(call.workspace, kind, rid, call.body()))


def delete(call: Call, kind: str, id_param: str) -> Reply:
    call.store.delete(call.workspace, kind, call.params[id_param])
    return Reply(204)
