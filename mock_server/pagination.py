"""DRF page-number pagination: `page` and `page_size` in, `{count, next, previous, results}` out."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import NotFound


def offset_of(page: int, page_size: int, count: int) -> int:
    """Index of a page's first item; 404 past the end (page 1 of an empty list exists)."""
    offset = (page - 1) * page_size
    if page > 1 and offset >= count:
        raise NotFound("Invalid page.")
    return offset


def page_body(url: str, page: int, page_size: int, count: int, results: list[Any]) -> dict[str, Any]:
    last = max(1, -(-count // page_size))
    return {
        "count": count,
        "next": _with_page(url, page + 1) if page < last else None,
        "previous": _with_page(url, page - 1) if page > 1 else None,
        "results": results,
    }


def _with_page(url: str, page: int) -> str:
    """The same URL at another page; page 1 drops the parameter, as DRF does."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    if page > 1:
        query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))
