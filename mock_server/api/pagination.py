"""DRF page-number pagination: `page` and `page_size` in, `{count, next, previous, results}` out.

The parameter names are DRF's; `resources` checks that every paginated operation of the
contract declares both.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from werkzeug.sansio.utils import get_current_url

from .errors import NotFound

PAGE = "page"
PAGE_SIZE = "page_size"


def offset_of(page: int, page_size: int, count: int) -> int:
    """Index of a page's first item; 404 past the end (page 1 of an empty list exists)."""
    offset = (page - 1) * page_size
    if page > 1 and offset >= count:
        raise NotFound("Invalid page.")
    return offset


@functools.lru_cache(maxsize=1024)
def base_url(scheme: str, host: str, root_path: str, path: str) -> str:
    """Werkzeug's `Request.base_url` of these parts, remembered: building it (quoting, IRI
    conversion) is a noticeable part of a list request (measured, see bench/FINDINGS.md), and
    a client asks for the same list again."""
    return get_current_url(scheme, host, root_path, path)


def page_body(
    base_url: str, query: Iterable[tuple[str, str]], page: int, page_size: int, count: int, results: list[Any]
) -> dict[str, Any]:
    """`next` and `previous` are the request's URL (`base_url` and its `query` pairs) at another
    page; page 1 drops the parameter, as DRF does. The other parameters keep their order."""
    last = max(1, -(-count // page_size))
    kept = urlencode([(k, v) for k, v in query if k != PAGE])
    return {
        "count": count,
        "next": _at_page(base_url, kept, page + 1) if page < last else None,
        "previous": _at_page(base_url, kept, page - 1) if page > 1 else None,
        "results": results,
    }


def _at_page(base_url: str, kept: str, page: int) -> str:
    query = "&".join(q for q in (kept, f"{PAGE}={page}" if page > 1 else "") if q)
    return f"{base_url}?{query}" if query else base_url
