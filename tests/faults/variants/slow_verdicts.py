"""Faults against which the quick profile once took many minutes to reach its verdict.

A walk that trusted `next` for thousands of pages, and minimizing a failure that every
generated non-ASCII body trips: the suite must judge both within seconds now.
"""

from __future__ import annotations

import io
import json
import re

from .. import kit
from ..catalog import variant

_PAGE = re.compile(r"(?:^|&)page=[^&]*")


@variant("`page` is ignored: every page is page 1, so `next` never ends", "pagination_walk")
@kit.bending(kit.rewrite_requests)
def page_ignored(environ: kit.Environ) -> None:
    if environ["REQUEST_METHOD"] == "GET" and kit.COLLECTIONS.fullmatch(environ.get("PATH_INFO", "")):
        environ["QUERY_STRING"] = _PAGE.sub("", environ.get("QUERY_STRING", "")).lstrip("&")


@variant(
    "a body with non-ASCII text answers 500",
    "not_a_server_error",
    "create_read_back",
    "update_persists",
    "delete_is_final",
    "pagination_walk",
    "persona_name_unique",
    "webhook_token_stable",
    "run_result",
)
@kit.bending(kit.rewrite_requests)
def non_ascii_body_500(environ: kit.Environ) -> None:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length:
        return
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        text = json.dumps(json.loads(body), ensure_ascii=False)  # "\u00e9" escapes count too
    except ValueError:
        return
    if not text.isascii():
        raise RuntimeError("non-ASCII text in the body")  # the server answers 500
