"""Lists whose pages, links, counts or order break the pagination contract."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask

from mock_server.api.errors import NotFound, ValidationFailed
from mock_server.api.pipeline import Call, Handler, Reply
from mock_server.state.store import Record, Store

from .. import kit
from ..catalog import mock, variant


class _CountsOneMore(kit.StoreWrapper):
    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        count, results = super().page(workspace, kind, offset, limit)
        return count + 1, results


@variant("a list's count is one more than the items it has", "pagination_walk")
def count_off_by_one(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _CountsOneMore)


@variant("next is null on every page after the first, even when more pages follow", "pagination_walk")
@kit.bending(kit.rewrite_json, kit.LIST)
def next_missing_on_middle_pages(page: Any) -> Any:
    return {**page, "next": None} if kit.query_page() >= 2 else page


@variant(
    "previous links drop page_size, so walking back serves pages of the default size",
    "pagination_walk",
)
@kit.bending(kit.rewrite_json, kit.LIST)
def previous_drops_page_size(page: Any) -> Any:
    if page.get("previous"):
        parts = urlsplit(page["previous"])
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page_size"]
        page = {**page, "previous": urlunsplit(parts._replace(query=urlencode(query)))}
    return page


_VALID_PAGE_SIZE = re.compile(r"(?:^|&)page_size=(?:[1-9]|[1-9][0-9]|100)(?=&|$)")


@variant("a valid page_size is ignored: every page holds the default 20 items", "pagination_walk")
@kit.bending(kit.rewrite_requests)
def page_size_ignored(environ: kit.Environ) -> None:
    if environ["REQUEST_METHOD"] == "GET" and kit.COLLECTIONS.fullmatch(environ.get("PATH_INFO", "")):
        environ["QUERY_STRING"] = _VALID_PAGE_SIZE.sub("", environ.get("QUERY_STRING", "")).lstrip("&")


@variant("a page past the end answers 200 with no results instead of 404", "pagination_walk")
@kit.bending(kit.around, kit.LIST)
def page_past_end_200(page: Handler, call: Call) -> Reply:
    try:
        return page(call)
    except NotFound as exc:
        if exc.body != {"detail": "Invalid page."}:
            raise
        count = call.store.count(call.workspace, kit.kind_of(call))
        return Reply(200, {"count": count, "next": None, "previous": None, "results": []})


class _NewestFirst(kit.StoreWrapper):
    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        with self.lock:
            ids = self.inner.ids(workspace, kind)
            return len(ids), [self.inner.get(workspace, kind, rid) for rid in ids[::-1][offset : offset + limit]]


@variant("lists are ordered newest first (id descending) instead of by id ascending", "pagination_walk")
def list_newest_first(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _NewestFirst)


class _OverlappingPages(kit.StoreWrapper):
    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        return super().page(workspace, kind, max(0, offset - 1), limit)


@variant(
    "every page after the first starts one item early, repeating the previous page's last item",
    "pagination_walk",
)
def page_boundary_overlap(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _OverlappingPages)


class _StaleCache(kit.StoreWrapper):
    TTL_S = 30.0

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.cache: dict[tuple[str, str, int, int], tuple[float, tuple[int, list[Record]]]] = {}

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        cache = self.cache
        key = (workspace, kind, offset, limit)
        hit = cache.get(key)
        if hit is None or time.monotonic() - hit[0] > self.TTL_S:
            hit = (time.monotonic(), super().page(workspace, kind, offset, limit))
            cache[key] = hit
        return hit[1]


@variant(
    "list pages are served from a 30 s cache that writes do not invalidate: a write is not visible to the next list",
    "create_read_back",
    "update_persists",
    "delete_is_final",
    "pagination_walk",
)
def stale_list_cache(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _StaleCache)


class _ListsEveryWorkspace(kit.StoreWrapper):
    def _everything(self, kind: str) -> list[Record]:
        records = [r for ws in self.inner.workspace_names() for r in kit.everything(self.inner, ws, kind)]
        return sorted(records, key=lambda r: r["id"])

    def count(self, workspace: str, kind: str) -> int:
        with self.lock:
            super().count(workspace, kind)  # 404 for an unknown workspace
            return len(self._everything(kind))

    def page(self, workspace: str, kind: str, offset: int, limit: int) -> tuple[int, list[Record]]:
        with self.lock:
            super().count(workspace, kind)
            everything = self._everything(kind)
            return len(everything), everything[offset : offset + limit]


@variant(
    "lists ignore the workspace: they show the resources of every workspace",
    "workspace_isolation",
    "pagination_walk",
)
def list_includes_other_workspaces(store: Store, tokens: Sequence[str]) -> Flask:
    return mock(store, tokens, _ListsEveryWorkspace)


@variant(
    "page_size=100, the documented maximum, is refused with a 400 (off-by-one bound)",
    "positive_data_acceptance",
    "pagination_walk",
    "create_read_back",  # it walks the list with page_size=100
)
@kit.bending(kit.around, kit.LIST)
def page_size_100_rejected(page: Handler, call: Call) -> Reply:
    if call.request.args.get("page_size") == "100":
        raise ValidationFailed({"page_size": ["Ensure this value is less than or equal to 99."]})
    return page(call)


@variant(
    "next and previous are relative URLs (a path and query) instead of absolute ones",
    "pagination_walk",
    "response_schema_conformance",
)
@kit.bending(kit.rewrite_json, kit.LIST)
def relative_next_links(page: Any) -> Any:
    return {**page, "next": _relative(page.get("next")), "previous": _relative(page.get("previous"))}


def _relative(url: str | None) -> str | None:
    return urlunsplit(urlsplit(url)._replace(scheme="", netloc="")) if url else url


@variant(
    "page 1 of an empty list is a 404 'Invalid page.' instead of 200 with no results",
    "pagination_walk",
    "create_read_back",
    "workspace_isolation",  # it lists the other, empty, workspace
)
@kit.bending(kit.around, kit.LIST)
def empty_first_page_404(page: Handler, call: Call) -> Reply:
    reply = page(call)
    if reply.status == 200 and reply.body["count"] == 0:
        raise NotFound("Invalid page.")
    return reply
