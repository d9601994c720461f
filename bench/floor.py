"""The floor: a bare Flask app answering the benchmarked routes from a dict, with no spec, no
validation, no auth and no access log. Served like the mock (its `Server`, same threads) and
serialised like it (orjson), it is the most this stack can do; the mock's distance to it is
the cost of its checks and state."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Flask, Response, request

API = "/api/v3/workspaces/<workspace>/<any(workflows, personas):kind>/"


def create_floor_app(seed: dict[str, Any]) -> Flask:
    """`seed` has the mock's seed shape; records get ids and timestamps, nothing is checked."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ids = {"workflows": itertools.count(1), "personas": itertools.count(1)}
    # workspace -> kind -> (records by id, records in id order)
    data: dict[str, dict[str, tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]]] = {}
    for ws, content in seed["workspaces"].items():
        data[ws] = {kind: ({}, []) for kind in ids}
        for kind in ids:
            for record in (content or {}).get(kind, []):
                _add(data[ws][kind], {**record, "id": next(ids[kind]), "createdAt": now, "updatedAt": now})

    app = Flask(__name__)

    @app.get(API)
    def list_records(workspace: str, kind: str) -> Response:
        ordered = data[workspace][kind][1]
        page = int(request.args.get("page", 1))
        size = int(request.args.get("page_size", 20))
        base = request.base_url
        body = {
            "count": len(ordered),
            "next": f"{base}?page={page + 1}&page_size={size}" if page * size < len(ordered) else None,
            "previous": f"{base}?page={page - 1}&page_size={size}" if page > 1 else None,
            "results": ordered[(page - 1) * size : page * size],
        }
        return _json(200, body)

    @app.get(API + "<int:rid>")
    def get_record(workspace: str, kind: str, rid: int) -> Response:
        return _json(200, data[workspace][kind][0][rid])

    @app.post(API)
    def create_record(workspace: str, kind: str) -> Response:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        record = {**request.get_json(), "id": next(ids[kind]), "createdAt": stamp, "updatedAt": stamp}
        _add(data[workspace][kind], record)
        return _json(201, record, {"Location": f"{request.base_url}{record['id']}"})

    return app


def _add(collection: tuple[dict[int, dict[str, Any]], list[dict[str, Any]]], record: dict[str, Any]) -> None:
    collection[0][record["id"]] = record
    collection[1].append(record)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, headers=headers, mimetype="application/json")
