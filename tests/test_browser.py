"""In a real headless Chromium: the docs page, and a frontend on another origin using the API."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mock_server.devtools.docs import ADMIN_TITLE

from .browser import launch
from .conftest import API, SPEC, TOKEN, serve

TIMEOUT_MS = 30_000

FRONTEND = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>frontend</title></head><body>
<script>
async function crud(base, token) {
  const api = base + "/api/v3/workspaces/demo/personas/";
  const auth = {"Authorization": "Bearer " + token};
  const json = {...auth, "Content-Type": "application/json"};
  const out = {origin: location.origin};
  let r = await fetch(api, {method: "POST", headers: json,
    body: JSON.stringify({name: "from-browser", fullName: "From Browser"})});
  out.create = {status: r.status, location: r.headers.get("Location"), body: await r.json()};
  const id = out.create.body.id;
  r = await fetch(api + "?page_size=100", {headers: auth});
  out.list = {status: r.status, names: (await r.json()).results.map(p => p.name)};
  r = await fetch(api + id, {method: "PUT", headers: json,
    body: JSON.stringify({name: "from-browser", fullName: "Renamed In Browser"})});
  out.update = {status: r.status, body: await r.json()};
  r = await fetch(api + id, {method: "DELETE", headers: auth});
  out.remove = {status: r.status};
  r = await fetch(api + id, {headers: auth});
  out.after = {status: r.status, body: await r.json()};
  r = await fetch(api, {headers: {...auth, "Prefer": "code=500"}});
  out.forced = {status: r.status, applied: r.headers.get("Preference-Applied")};
  r = await fetch(api);
  out.anonymous = {status: r.status, challenge: r.headers.get("WWW-Authenticate"), body: await r.json()};
  try {
    await fetch(api, {headers: {...auth, "X-Not-Allowed": "1"}});
    out.disallowedHeaderBlocked = false;
  } catch (e) {
    out.disallowedHeaderBlocked = true;
  }
  return out;
}
</script></body></html>
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@contextlib.contextmanager
def frontend_origin() -> Iterator[str]:
    """A second loopback server (another port, so another origin) serving the frontend page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FRONTEND.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def offline_page(browser: Any, allowed: str, *, block: bool = True) -> tuple[Any, list[str]]:
    """A fresh page; the URLs it requested outside `allowed` are listed (and blocked, unless
    `block=False`: Playwright's request interception also switches off the browser's CORS
    checks, so the cross-origin test only watches)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.set_default_timeout(TIMEOUT_MS)
    elsewhere: list[str] = []

    def gate(route: Any) -> None:
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    if block:
        page.route("**/*", gate)
    else:
        page.on("request", lambda request: None if request.url.startswith(allowed) else elsewhere.append(request.url))
    return page, elsewhere


def test_the_docs_page_renders_every_operation_and_try_it_out_works(browser: Any) -> None:
    with serve(tokens=("dev-token",)) as mock:
        page, elsewhere = offline_page(browser, mock.url)
        page.goto(f"{mock.url}/docs")
        page.wait_for_function(f"document.querySelectorAll('.opblock').length >= {len(SPEC.operations)}")
        shown = page.locator(".opblock-summary-operation-id").all_inner_texts()
        assert sorted(shown) == sorted(SPEC.operations)

        block = page.locator("#operations-Personas-listPersonas")
        block.locator(".opblock-summary").click()
        block.get_by_role("button", name="Try it out").click()
        block.locator("input[placeholder='workspace_name']").fill("demo")
        block.get_by_role("button", name="Execute").click()
        status = block.locator(".live-responses-table .response .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip().startswith("200")
        assert "sre-responder" in block.locator(".live-responses-table .microlight").first.inner_text()
        assert f"{mock.url}{API}/demo/personas/" in block.locator(".request-url").inner_text()

        page.locator(".topbar select").select_option(label=ADMIN_TITLE)
        page.wait_for_selector("#operations-Journal-listRequests")
        assert page.locator(".opblock").count() == 5
        assert elsewhere == [], "the docs reached beyond the mock"
        page.close()


def test_the_docs_take_a_custom_token_in_the_authorize_dialog(browser: Any) -> None:
    with serve() as mock:  # only TOKEN is accepted: nothing is pre-authorized
        page, elsewhere = offline_page(browser, mock.url)
        page.goto(f"{mock.url}/docs/")
        page.locator("button.authorize").first.click()
        page.locator(".modal-ux input").first.fill(TOKEN)
        page.locator(".modal-ux .auth-btn-wrapper button.authorize").click()
        page.locator(".modal-ux button.btn-done").click()

        block = page.locator("#operations-Workflows-getWorkflow")
        block.locator(".opblock-summary").click()
        block.get_by_role("button", name="Try it out").click()
        block.locator("input[placeholder='workspace_name']").fill("demo")
        block.locator("input[placeholder='workflow_id']").fill("1")
        block.get_by_role("button", name="Execute").click()
        status = block.locator(".live-responses-table .response .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip().startswith("200")
        assert elsewhere == []
        page.close()


def test_a_page_on_another_origin_creates_lists_updates_and_deletes(browser: Any) -> None:
    with serve() as mock, frontend_origin() as origin:
        assert origin != mock.url
        mock.request("DELETE", "/__admin/requests")
        page, elsewhere = offline_page(browser, "http://127.0.0.1:", block=False)
        page.goto(f"{origin}/")
        out = page.evaluate("([base, token]) => crud(base, token)", [mock.url, TOKEN])

        assert out["origin"] == origin
        created = out["create"]
        assert created["status"] == 201 and created["body"]["name"] == "from-browser"
        assert created["location"] == f"{mock.url}{API}/demo/personas/{created['body']['id']}"
        assert out["list"]["status"] == 200 and "from-browser" in out["list"]["names"]
        assert out["update"]["status"] == 200 and out["update"]["body"]["fullName"] == "Renamed In Browser"
        assert out["remove"]["status"] == 204
        assert out["after"] == {"status": 404, "body": {"detail": "Not found."}}
        assert out["forced"] == {"status": 500, "applied": "code=500"}
        anonymous = out["anonymous"]
        assert anonymous["status"] == 401 and anonymous["challenge"].startswith("Bearer")
        assert "detail" in anonymous["body"]
        assert out["disallowedHeaderBlocked"] is True  # the browser really enforces CORS here

        journal = mock.get("/__admin/requests").json()["requests"]
        methods = [(e["method"], e["status"]) for e in journal]
        assert ("OPTIONS", 204) in methods  # real preflights reached the mock
        calls = [m for m in methods if m[0] != "OPTIONS"]
        assert calls[:4] == [("POST", 201), ("GET", 200), ("PUT", 200), ("DELETE", 204)]
        assert "from-browser" not in [p["name"] for p in mock.get(f"{API}/demo/personas/").json()["results"]]
        assert elsewhere == []
        page.close()
