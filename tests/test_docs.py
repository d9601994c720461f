"""The served spec and the docs page over HTTP (the browser tests render the page itself)."""

from __future__ import annotations

import copy
import re

import requests
import yaml
from openapi_spec_validator import validate

from mock_server.devtools.admin import load_admin_spec

from .conftest import SPEC, LiveMock


def without_servers(document: dict) -> dict:
    out = copy.deepcopy(document)
    out.pop("servers", None)
    return out


def test_the_spec_is_served_as_json_and_yaml_with_this_mock_as_server(shared_mock: LiveMock) -> None:
    as_json = requests.get(f"{shared_mock.url}/openapi.json", timeout=10)
    as_yaml = requests.get(f"{shared_mock.url}/openapi.yaml", timeout=10)
    assert as_json.status_code == 200 and as_json.headers["Content-Type"] == "application/json"
    assert as_yaml.status_code == 200 and as_yaml.headers["Content-Type"].startswith("application/yaml")
    document = as_json.json()
    assert yaml.safe_load(as_yaml.text) == document
    assert document["servers"] == [{"url": shared_mock.url, "description": "This mock"}]
    assert without_servers(document) == without_servers(dict(SPEC.document.raw))
    validate(document)


def test_the_served_server_is_the_address_the_request_came_to(shared_mock: LiveMock) -> None:
    port = shared_mock.url.rsplit(":", 1)[1]
    r = requests.get(f"{shared_mock.url}/openapi.json", headers={"Host": f"localhost:{port}"}, timeout=10)
    assert r.json()["servers"][0]["url"] == f"http://localhost:{port}"


def test_the_admin_spec_is_served_too(shared_mock: LiveMock) -> None:
    document = requests.get(f"{shared_mock.url}/__admin/openapi.json", timeout=10).json()
    assert document["servers"] == [{"url": shared_mock.url, "description": "This mock"}]
    assert without_servers(document) == without_servers(load_admin_spec())
    as_yaml = requests.get(f"{shared_mock.url}/__admin/openapi.yaml", timeout=10).text
    assert yaml.safe_load(as_yaml) == document


def test_the_spec_can_be_fetched_from_another_origin(shared_mock: LiveMock) -> None:
    r = requests.get(f"{shared_mock.url}/openapi.json", headers={"Origin": "http://localhost:3000"}, timeout=10)
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:3000")


def test_the_docs_page_and_every_asset_it_loads_come_from_the_mock(shared_mock: LiveMock) -> None:
    r = requests.get(f"{shared_mock.url}/docs", timeout=10)
    assert r.status_code == 200 and r.url == f"{shared_mock.url}/docs/"
    assert r.headers["Content-Type"].startswith("text/html")
    page = r.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page loads something from elsewhere"
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", page)
    assert {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} <= set(assets)
    for asset in assets:
        got = requests.get(f"{shared_mock.url}/docs/{asset}", timeout=10)
        assert got.status_code == 200 and len(got.content) > 0, asset
    assert "../openapi.json" in page
    assert requests.get(f"{shared_mock.url}/docs/nothing.js", timeout=10).status_code == 404


def test_the_docs_are_pre_authorized_only_with_the_development_token(shared_mock: LiveMock) -> None:
    page = requests.get(f"{shared_mock.url}/docs/", timeout=10).text
    assert '"token": null' in page and "test-token" not in page
    from .conftest import serve

    with serve(tokens=("dev-token",)) as live:
        page = requests.get(f"{live.url}/docs/", timeout=10).text
        assert '"token": "dev-token"' in page and '"scheme": "bearerAuth"' in page


def test_the_docs_and_the_spec_are_not_in_the_journal_and_need_no_token(shared_mock: LiveMock) -> None:
    shared_mock.request("DELETE", "/__admin/requests")
    for path in ("/docs/", "/openapi.json", "/openapi.yaml", "/__admin/openapi.json"):
        assert requests.get(f"{shared_mock.url}{path}", timeout=10).status_code == 200
    assert shared_mock.get("/__admin/requests").json()["count"] == 0
