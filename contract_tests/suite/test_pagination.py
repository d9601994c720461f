"""Lists, page by page: walking `next` yields every item once in id order, `count` matches,
`previous` walks back, every `page_size` of the documented span is honoured, and a page past
the end is 404. Read-only, it walks what the workspace holds."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.api import KINDS, PAGE, PAGE_SIZE
from contract_tests.checks import PAGINATION_WALK
from contract_tests.probe import Probe
from contract_tests.strategies import created_counts, page_sizes
from contract_tests.target import page_budget


@PAGINATION_WALK.property(kinds=KINDS)
def test_pagination_walk(p: Probe, data: st.DataObject) -> None:
    read_only, exact = p.options.read_only, p.options.exact_counts
    p.needs("list") if read_only else p.needs("list", "create", "delete")
    ws, kind = p.ws, p.kind
    created: list[int] = []
    if not read_only:
        for _ in range(data.draw(created_counts(), label="items to create")):
            created.append(p.create_drawn(data)["id"])
    page_size = data.draw(page_sizes(kind), label=PAGE_SIZE)
    url: str | None = p.target.base_url + ws.path(kind) + f"?{PAGE_SIZE}={page_size}"
    pages: list[dict[str, Any]] = []
    while url is not None:
        response = p.call("GET", url)
        p.expect(response, 200, at="list")
        page = p.json(response, at="list")
        pages.append(page)
        if len(page["results"]) > page_size:
            raise p.fail(f"page_size={page_size} but a page has {len(page['results'])} items", at="list")
        budget = page_budget(pages[0].get("count"), page_size, shared=not exact)
        if budget is None:
            raise p.fail(f"page 1 has no count: count={pages[0].get('count')!r}", at="list")
        if len(pages) >= budget and page["next"] is not None:
            raise p.fail(
                f"`next` does not end: {len(pages)} pages of {page_size} walked, page 1 announced "
                f"count={pages[0]['count']}",
                at="list",
            )
        url = page["next"]
    seen = [item["id"] for page in pages for item in page["results"]]
    if pages[0]["previous"] is not None:
        raise p.fail(f"page 1 has previous={pages[0]['previous']!r}", at="list")
    if seen != sorted(set(seen)):
        raise p.fail(f"walking `next` does not give ascending unique ids: {seen}", at="list")
    missing = [rid for rid in created if rid not in seen]
    if missing:
        raise p.fail(f"created ids {missing} were not found walking `next`", at="list")
    if exact:
        for i, page in enumerate(pages):
            if page["count"] != len(seen):
                raise p.fail(
                    f"count={page['count']} on page {i + 1}, but walking `next` yielded {len(seen)} items", at="list"
                )
            if i < len(pages) - 1 and len(page["results"]) != page_size:
                raise p.fail(
                    f"page {i + 1} of {len(pages)} has {len(page['results'])} items, page_size={page_size}", at="list"
                )
        back: list[int] = []
        url = pages[-1]["previous"]
        for _ in range(len(pages)):
            if url is None:
                break
            response = p.call("GET", url)
            p.expect(response, 200, at="list")
            back = [item["id"] for item in p.json(response, at="list")["results"]] + back
            url = response.json()["previous"]
        if back + [item["id"] for item in pages[-1]["results"]] != seen:
            raise p.fail("walking `previous` back from the last page does not give the same items", at="list")
    past = len(pages) + 1 if exact else len(pages) + 50
    response = p.call("GET", p.target.base_url + ws.path(kind) + f"?{PAGE_SIZE}={page_size}&{PAGE}={past}")
    p.expect(response, 404, at="list")
    for rid in created:
        ws.delete(kind, rid)
