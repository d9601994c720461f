"""Bad input, over HTTP: always a clear 4xx JSON error, never a 5xx, and stored data untouched.

Each case asserts the status, the JSON error body and (through `snapshot()`, which reads every
record back through the API) that nothing stored changed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.api.validation import MAX_BODY_BYTES, MAX_DEPTH

from .conftest import API, SPEC, LiveMock
from .test_operations import persona_body, workflow_body

WF = f"{API}/demo/workflows/"
PE = f"{API}/demo/personas/"
JSON_TYPE = {"Content-Type": "application/json"}
INT64_MAX = 2**63 - 1

# (method, path, a valid body) for every operation that takes a body
BODY_TARGETS = [
    ("POST", WF, workflow_body()),
    ("PUT", f"{WF}1", workflow_body()),
    ("POST", PE, persona_body()),
    ("PUT", f"{PE}1", persona_body(name="sre-responder")),
]
BODY_IDS = ["createWorkflow", "updateWorkflow", "createPersona", "updatePersona"]

# (method, template) of every operation on one item; {id} is replaced by the id under test
ITEM_OPERATIONS = [
    ("GET", WF + "{id}"),
    ("PUT", WF + "{id}"),
    ("DELETE", WF + "{id}"),
    ("POST", WF + "{id}/run"),
    ("GET", WF + "{id}/token"),
    ("GET", PE + "{id}"),
    ("PUT", PE + "{id}"),
    ("DELETE", PE + "{id}"),
]

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROPERTY_SETTINGS = settings(SETTINGS, max_examples=80)


def error(r: Any, status: int) -> dict[str, Any]:
    """The JSON error body of a response that must have `status`."""
    assert r.status_code == status, f"{r.status_code} != {status}: {r.text[:300]}"
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert isinstance(body, dict) and body, body
    assert all(isinstance(k, str) for k in body)
    return body


def detail(r: Any, status: int) -> str:
    body = error(r, status)
    assert list(body) == ["detail"] and isinstance(body["detail"], str) and body["detail"]
    return body["detail"]


@contextlib.contextmanager
def unchanged(mock: LiveMock) -> Iterator[None]:
    before = mock.snapshot()
    yield
    assert mock.snapshot() == before, "stored data changed"


def canonical(value: Any) -> str:
    """JSON text that tells `1` from `1.0` and `True`, for read-back comparisons."""
    return json.dumps(value, sort_keys=True)


def send(mock: LiveMock, method: str, path: str, data: bytes, content_type: str | None = "application/json") -> Any:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return mock.request(method, path, data=data, headers=headers)


body_targets = pytest.mark.parametrize(("method", "path", "valid"), BODY_TARGETS, ids=BODY_IDS)


# -- malformed and non-JSON bodies -------------------------------------------------------
@body_targets
@pytest.mark.parametrize(
    "data",
    [b"{bad", b'{"name": "x",}', b"{'name': 'x'}", b'{"name": "x"} trailing', b'"unterminated', b"\xff\xfe\x00{"],
)
def test_malformed_json_is_400_parse_error(shared_mock: LiveMock, method: str, path: str, valid: Any, data: bytes):
    with unchanged(shared_mock):
        assert detail(send(shared_mock, method, path, data), 400).startswith("JSON parse error - ")


@body_targets
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/vnd.api+json",
        "application/jsonx",
        "json",
    ],
)
def test_a_content_type_other_than_json_is_415(
    shared_mock: LiveMock, method: str, path: str, valid: Any, content_type: str
):
    with unchanged(shared_mock):
        text = detail(send(shared_mock, method, path, json.dumps(valid).encode(), content_type), 415)
        assert content_type in text


@body_targets
def test_a_body_without_content_type_is_415(shared_mock: LiveMock, method: str, path: str, valid: Any):
    with unchanged(shared_mock):
        r = send(shared_mock, method, path, json.dumps(valid).encode(), content_type=None)
        assert detail(r, 415) == 'Unsupported media type "" in request.'


@body_targets
@pytest.mark.parametrize("content_type", ["application/json", None])
@pytest.mark.parametrize("data", [b"", b"   \r\n\t "])
def test_an_empty_body_is_400(
    shared_mock: LiveMock, method: str, path: str, valid: Any, content_type: str | None, data: bytes
):
    with unchanged(shared_mock):
        assert error(send(shared_mock, method, path, data, content_type), 400) == {
            "non_field_errors": ["No data provided."]
        }


@body_targets
@pytest.mark.parametrize("data", [b"[]", b"[{}]", b"1", b"-2.5", b'"text"', b"true", b"null"])
def test_a_body_that_is_not_an_object_is_400_non_field_errors(
    shared_mock: LiveMock, method: str, path: str, valid: Any, data: bytes
):
    with unchanged(shared_mock):
        body = error(send(shared_mock, method, path, data), 400)
        assert list(body) == ["non_field_errors"] and len(body["non_field_errors"]) == 1


# -- size, depth and numbers -------------------------------------------------------------
def padded(valid: dict[str, Any], size: int) -> bytes:
    """`valid` with a filler in its free-form part, exactly `size` bytes of JSON."""
    free = "searchFilters" if "fullName" in valid else "actions"
    body = json.loads(json.dumps(valid))

    def encode(filler: str) -> bytes:
        if free == "searchFilters":
            body["searchFilters"] = {"pad": filler}
        else:
            body["actions"][0]["parameters"] = {"pad": filler}
        return json.dumps(body).encode()

    data = encode("")
    data = encode("x" * (size - len(data)))
    assert len(data) == size
    return data


@body_targets
def test_a_body_over_1_mib_is_413(shared_mock: LiveMock, method: str, path: str, valid: Any):
    with unchanged(shared_mock):
        r = send(shared_mock, method, path, padded(valid, MAX_BODY_BYTES + 1))
        assert detail(r, 413) == "Request body is too large."
        r = send(shared_mock, method, path, b"[" * (8 * MAX_BODY_BYTES))
        assert detail(r, 413) == "Request body is too large."


def test_a_chunked_body_over_1_mib_is_413(shared_mock: LiveMock):
    """No Content-Length to go by: the size of what arrives counts."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "big", "fullName": "Big", "description": "'
        for _ in range(MAX_BODY_BYTES // 4096 + 1):
            yield b"x" * 4096
        yield b'"}'

    with unchanged(shared_mock):
        r = shared_mock.post(PE, data=chunks(), headers=JSON_TYPE)
        assert detail(r, 413) == "Request body is too large."


def test_a_body_of_exactly_1_mib_is_accepted(shared_mock: LiveMock):
    r = send(shared_mock, "POST", PE, padded(persona_body(name="one-mib"), MAX_BODY_BYTES))
    assert r.status_code == 201, r.text[:300]
    url = f"{PE}{r.json()['id']}"
    assert len(shared_mock.get(url).json()["searchFilters"]["pad"]) > MAX_BODY_BYTES - 1000
    assert shared_mock.delete(url).status_code == 204


def nested(levels: int, inner: str = "1") -> str:
    """`levels` levels of arrays and objects, alternating."""
    opening = "".join('{"a":' if i % 2 else "[" for i in range(levels))
    closing = "".join("}" if i % 2 else "]" for i in reversed(range(levels)))
    return opening + inner + closing


@body_targets
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 100, 100_000])
@pytest.mark.parametrize("where", ["top", "free-form"])
def test_deeply_nested_json_is_400(shared_mock: LiveMock, method: str, path: str, valid: Any, levels: int, where: str):
    if where == "top":
        data = nested(levels)
    else:  # inside a field that takes any object: the body's own level counts too
        field = "searchFilters" if "fullName" in valid else "trigger"
        data = json.dumps({**valid, field: "HOLE"}).replace('"HOLE"', '{"x":' + nested(levels - 2) + "}")
    with unchanged(shared_mock):
        assert detail(send(shared_mock, method, path, data.encode()), 400).startswith("JSON parse error - ")


def test_nesting_up_to_the_limit_is_accepted(shared_mock: LiveMock):
    filters = json.loads('{"x":' + nested(MAX_DEPTH - 2) + "}")
    r = send(shared_mock, "POST", PE, json.dumps(persona_body(name="deep", searchFilters=filters)).encode())
    assert r.status_code == 201, r.text[:300]
    url = f"{PE}{r.json()['id']}"
    assert shared_mock.get(url).json()["searchFilters"] == filters
    assert shared_mock.delete(url).status_code == 204


@body_targets
def test_non_finite_and_oversized_numbers_are_400(shared_mock: LiveMock, method: str, path: str, valid: Any):
    """Python's json would take them (NaN, inf, a 5000-digit int); the API is strict JSON."""
    field = "filterConfidenceThreshold" if "fullName" in valid else "enabled"
    free = "searchFilters" if "fullName" in valid else "trigger"
    with unchanged(shared_mock):
        for literal in ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "1" * 5001, "-" + "9" * 5001]:
            for data in (
                json.dumps({**valid, field: "HOLE"}).replace('"HOLE"', literal),
                json.dumps({**valid, free: {"n": "HOLE"}}).replace('"HOLE"', literal),
                json.dumps({**valid, "unknownField": ["HOLE"]}).replace('"HOLE"', literal),
            ):
                r = send(shared_mock, method, path, data.encode())
                assert detail(r, 400).startswith("JSON parse error - "), literal


def test_big_integers_within_the_parser_limit_are_checked_or_kept(shared_mock: LiveMock):
    big = 10**4000 + 7
    with unchanged(shared_mock):
        r = shared_mock.post(PE, json=persona_body(runConfig={"budget": {"maxRunsPerHour": big}}))
        assert error(r, 400) == {
            "runConfig": ["budget.maxRunsPerHour: Ensure this value is less than or equal to 100000."]
        }
        r = shared_mock.post(PE, json=persona_body(filterConfidenceThreshold=-big))
        assert error(r, 400) == {"filterConfidenceThreshold": ["Ensure this value is greater than or equal to 0."]}
    filters = {"n": big, "m": -big, "f": 1.5e308, "tiny": 5e-324}
    r = shared_mock.post(PE, json=persona_body(name="big-numbers", searchFilters=filters))
    assert r.status_code == 201
    url = f"{PE}{r.json()['id']}"
    assert canonical(shared_mock.get(url).json()["searchFilters"]) == canonical(filters)
    assert shared_mock.delete(url).status_code == 204


# -- ids and paths -----------------------------------------------------------------------
BAD_IDS = [
    "abc",
    "-1",
    "0",
    "-0",
    str(INT64_MAX + 1),
    "9" * 50,
    "1.0",
    "1e3",
    "%201",
    "1%20",
    "+1",
    "1_000",
    "0x10",
    "%EF%BC%91",  # FULLWIDTH DIGIT ONE
    "%D9%A1",  # ARABIC-INDIC DIGIT ONE
    "%00",
    "1%00",
    "null",
    "true",
    "[1]",
    "%F0%9F%8E%89",
]


@pytest.mark.parametrize(("method", "template"), ITEM_OPERATIONS)
def test_an_id_that_cannot_exist_is_404(shared_mock: LiveMock, method: str, template: str):
    """Before authentication even: like a URL that does not route. A valid body changes nothing."""
    kwargs = {"json": persona_body() if "/personas/" in template else workflow_body()} if method == "PUT" else {}
    with unchanged(shared_mock):
        for bad_id in BAD_IDS:
            r = shared_mock.request(method, template.format(id=bad_id), **kwargs)
            assert error(r, 404) == {"detail": "Not found."}, bad_id
            r = shared_mock.request(method, template.format(id=bad_id), token=None, **kwargs)
            assert error(r, 404) == {"detail": "Not found."}, bad_id
        assert detail(shared_mock.request(method, template.format(id=INT64_MAX), **kwargs), 404) == "Not found."


@pytest.mark.parametrize(
    "workspace", ["Demo", "de_mo", "-demo", "demo-", "de--mo", "%F0%9F%8E%89", "%00", "a" * 64, "d%C3%A9mo"]
)
def test_a_workspace_name_that_cannot_exist_is_404(shared_mock: LiveMock, workspace: str):
    with unchanged(shared_mock):
        assert detail(shared_mock.get(f"{API}/{workspace}/personas/"), 404) == "Not found."
        assert detail(shared_mock.post(f"{API}/{workspace}/workflows/", json=workflow_body()), 404) == "Not found."


@st.composite
def path_segments(draw: st.DrawFn) -> str:
    return draw(st.text(min_size=1, max_size=30) | st.from_regex(r"\A[-+ 0-9._e]{1,25}\Z"))


@SETTINGS
@given(segment=path_segments())
def test_any_id_segment_is_404_unless_it_is_an_existing_id(shared_mock: LiveMock, segment: str):
    encoded = quote(segment, safe="").replace(".", "%2E")  # no dot segments for the client to resolve
    known = {w["id"] for w in shared_mock.get(WF + "?page_size=100").json()["results"]}
    r = shared_mock.get(WF + encoded)
    canonical_id = re.fullmatch(r"[0-9]+", segment) and int(segment)
    if canonical_id and canonical_id in known:
        assert r.status_code == 200 and r.json()["id"] == canonical_id
    else:
        assert error(r, 404) == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{API}/demo/workflows"),
        ("POST", f"{API}/demo/workflows"),
        ("GET", f"{API}/demo/personas"),
        ("POST", f"{API}/demo/personas"),
        ("GET", f"{WF}1/"),
        ("PUT", f"{WF}1/"),
        ("DELETE", f"{WF}1/"),
        ("POST", f"{WF}1/run/"),
        ("GET", f"{WF}1/token/"),
        ("DELETE", f"{PE}1/"),
        ("GET", f"{API}/demo/workflows//"),
        ("GET", f"{API}/demo//workflows/"),
        ("GET", f"{API}/demo/"),
        ("GET", f"{API}/demo"),
        ("GET", f"{API}/"),
        ("GET", "/"),
        ("GET", "/api/v3/workspaces/demo/nothing/"),
        ("POST", f"{WF}1/runs"),
    ],
)
def test_paths_outside_the_spec_are_404_json_even_with_a_slash_more_or_less(
    shared_mock: LiveMock, method: str, path: str
):
    kwargs = {"json": workflow_body()} if method in ("POST", "PUT") else {}
    with unchanged(shared_mock):
        r = shared_mock.request(method, path, allow_redirects=False, **kwargs)
        assert error(r, 404) == {"detail": "Not found."}


# -- query parameters --------------------------------------------------------------------
@pytest.mark.parametrize("path", [WF, PE])
def test_unknown_query_parameters_are_ignored(shared_mock: LiveMock, path: str):
    plain = shared_mock.get(path + "?page_size=2").json()
    odd = shared_mock.get(path + "?page_size=2&foo=bar&foo=baz&x%5B%5D=1&%F0%9F%8E%89=%00&format=xml&ordering=-id")
    assert odd.status_code == 200
    assert odd.json()["results"] == plain["results"] and odd.json()["count"] == plain["count"]
    r = shared_mock.get(f"{path}1?expand=all&page=abc")
    assert r.status_code == 200 and r.json() == shared_mock.get(f"{path}1").json()


def test_unknown_query_parameters_do_not_stop_a_write(shared_mock: LiveMock):
    r = shared_mock.post(PE + "?dry_run=true&id=99", json=persona_body(name="with-query"))
    assert r.status_code == 201 and r.json()["id"] != 99
    assert shared_mock.get(f"{PE}{r.json()['id']}").status_code == 200
    assert shared_mock.delete(f"{PE}{r.json()['id']}?force=1").status_code == 204


@pytest.mark.parametrize("value", ["%F0%9F%8E%89", "%00", "%ED%A0%80", "1%00", "%D9%A1", "%EF%BC%91"])
def test_unicode_in_known_query_parameters_is_400(shared_mock: LiveMock, value: str):
    with unchanged(shared_mock):
        assert list(error(shared_mock.get(f"{WF}?page={value}"), 400)) == ["page"]
        assert list(error(shared_mock.get(f"{PE}?page_size={value}"), 400)) == ["page_size"]


# -- unicode in bodies -------------------------------------------------------------------
TRICKY = [
    "\ud800",  # a lone high surrogate
    "x\udfffy",  # a lone low surrogate
    "\udc00\ud800",  # surrogates in the wrong order
    "nul\x00inside",
    "emoji 🎉👩‍👩‍👧 and flags 🇫🇷",
    "مرحبا بالعالم",  # right to left
    "\u202eright-to-left override\u202c",
    "zero\u200bwidth\ufeff and bom",
    "line\u2028separator\u2029",
    "e\u0301 combining",
    "\U0010ffff max code point",
    '\\ backslash " quote / slash',
    "\x7f\x1b[31m control",
]


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["escaped", "utf8"])
def test_any_unicode_string_is_stored_and_read_back_identically(shared_mock: LiveMock, ensure_ascii: bool):
    mock = shared_mock
    before = mock.snapshot()
    for i, text in enumerate(TRICKY):
        if not ensure_ascii and any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            continue  # a lone surrogate has no UTF-8 form: only the \\u escape can carry it
        persona = persona_body(
            name=f"uni-{i}",
            fullName=f"P {text}",
            description=text,
            filterStopWords=[text],
            filterScope=text,
            searchFilters={text: [text, {text: text}]},
        )
        workflow = workflow_body(
            name=f"W {text}", description=text, actions=[{"type": "notify", "parameters": {text: text}}]
        )
        for collection, sent in ((PE, persona), (WF, workflow)):
            data = json.dumps(sent, ensure_ascii=ensure_ascii).encode("utf-8")
            r = send(mock, "POST", collection, data)
            assert r.status_code == 201, (text, r.text[:300])
            url = f"{collection}{r.json()['id']}"
            for got in (r.json(), mock.get(url).json()):
                for field, value in sent.items():
                    assert canonical(got[field]) == canonical(value), (field, text)
            assert mock.delete(url).status_code == 204
    assert mock.snapshot() == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": "\ud800"}, "name"),
        ({"name": "émile"}, "name"),
        ({"name": "🎉"}, "name"),
        ({"fullName": " \u2028 "}, "fullName"),
        ({"fullName": "\ud800" * 256}, "fullName"),
        ({"filterIssueSelectionStrategy": "\ud800"}, "filterIssueSelectionStrategy"),
        ({"filterCodebundleTaskTags": ["\ud800" * 101]}, "filterCodebundleTaskTags"),
    ],
)
def test_unicode_where_the_schema_forbids_it_is_a_field_error(shared_mock: LiveMock, override: dict, field: str):
    with unchanged(shared_mock):
        r = send(shared_mock, "POST", PE, json.dumps(persona_body(**override)).encode())
        assert list(error(r, 400)) == [field]


def test_unicode_lengths_count_code_points(shared_mock: LiveMock):
    """255 emoji or surrogates are 255 characters: within `fullName`'s limit."""
    for i, char in enumerate(["🎉", "\ud800", "é"]):
        r = send(shared_mock, "POST", PE, json.dumps(persona_body(name=f"len-{i}", fullName=char * 255)).encode())
        assert r.status_code == 201, r.text[:200]
        url = f"{PE}{r.json()['id']}"
        assert shared_mock.get(url).json()["fullName"] == char * 255
        assert shared_mock.delete(url).status_code == 204


# -- methods, HEAD -----------------------------------------------------------------------
def concrete(path: str) -> str:
    return re.sub(r"{\w+_id}", "1", path.replace("{workspace_name}", "demo"))


SPEC_PATHS = {
    concrete(path): {m.upper() for m in item if m != "parameters"} for path, item in SPEC.document.raw["paths"].items()
}


@pytest.mark.parametrize("path", sorted(SPEC_PATHS))
def test_a_method_the_spec_does_not_list_is_405_with_allow(shared_mock: LiveMock, path: str):
    documented = SPEC_PATHS[path]
    expected_allow = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
    wrong = {"GET", "POST", "PUT", "DELETE", "PATCH"} - documented
    assert wrong
    with unchanged(shared_mock):
        for method in sorted(wrong):
            r = shared_mock.request(method, path, json=workflow_body())
            assert error(r, 405) == {"detail": f'Method "{method}" not allowed.'}
            assert {m.strip() for m in r.headers["Allow"].split(",")} == expected_allow


@pytest.mark.parametrize("path", [WF, f"{WF}1", f"{WF}1/token", PE, f"{PE}1"])
def test_head_is_get_without_a_body(shared_mock: LiveMock, path: str):
    got = shared_mock.get(path)
    head = shared_mock.request("HEAD", path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"] == "application/json"
    assert head.headers["Content-Length"] == got.headers["Content-Length"]
    assert shared_mock.request("HEAD", path, token=None).status_code == 401
    assert shared_mock.request("HEAD", path.replace("/demo/", "/nowhere/")).status_code == 404


# -- properties --------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(ANY_CHARACTER, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHARACTER, max_size=10), inner, max_size=4),
    max_leaves=15,
)


@st.composite
def bodies(draw: st.DrawFn, valid: dict[str, Any]) -> Any:
    """Any JSON, or a valid body with one field (known or not) set to any JSON."""
    if draw(st.booleans()):
        return draw(JSON_VALUES)
    key = draw(st.sampled_from(sorted(valid)) | st.text(ANY_CHARACTER, max_size=10))
    return {**valid, key: draw(JSON_VALUES)}


def check_write(mock: LiveMock, method: str, path: str, data: bytes, baseline: list[Any]) -> None:
    """Never a 5xx; an error leaves the data as it was; a success reads back as answered."""
    r = send(mock, method, path, data)
    assert r.status_code < 500, r.text[:300]
    if r.status_code >= 400:
        error(r, r.status_code)
        assert mock.snapshot() == baseline[0], f"{r.status_code} changed stored data"
        return
    created = r.json()
    collection = path if method == "POST" else path.rsplit("/", 1)[0] + "/"
    assert mock.get(f"{collection}{created['id']}").json() == created
    if method == "POST":
        assert mock.delete(f"{collection}{created['id']}").status_code == 204
        assert mock.snapshot() == baseline[0]
    else:
        baseline[0] = mock.snapshot()


def test_any_json_body_never_fails_the_mock_or_changes_data_when_refused(mock: LiveMock):
    baseline = [mock.snapshot()]

    @PROPERTY_SETTINGS
    @given(target=st.sampled_from(BODY_TARGETS), data=st.data())
    def check(target: tuple[str, str, dict[str, Any]], data: st.DataObject) -> None:
        method, path, valid = target
        body = data.draw(bodies(valid))
        check_write(mock, method, path, json.dumps(body).encode(), baseline)

    check()


def test_any_bytes_never_fail_the_mock(mock: LiveMock):
    baseline = [mock.snapshot()]

    @PROPERTY_SETTINGS
    @given(target=st.sampled_from(BODY_TARGETS), data=st.data())
    def check(target: tuple[str, str, dict[str, Any]], data: st.DataObject) -> None:
        method, path, valid = target
        good = json.dumps(valid).encode()
        cut = st.builds(lambda n, junk: good[:n] + junk, st.integers(0, len(good)), st.binary(max_size=8))
        check_write(mock, method, path, data.draw(st.binary(max_size=200) | cut), baseline)

    check()


def test_any_unicode_text_where_the_schema_allows_it_reads_back_identically(shared_mock: LiveMock):
    mock = shared_mock
    baseline = mock.snapshot()
    counter = iter(range(10**6))

    @SETTINGS
    @given(
        full_name=st.text(ANY_CHARACTER, max_size=200),
        description=st.text(ANY_CHARACTER, max_size=300),
        filters=st.dictionaries(st.text(ANY_CHARACTER, max_size=20), st.text(ANY_CHARACTER, max_size=20), max_size=3),
    )
    def check(full_name: str, description: str, filters: dict[str, str]) -> None:
        sent = persona_body(
            name=f"p-{next(counter)}", fullName="A" + full_name, description=description, searchFilters=filters
        )
        r = send(mock, "POST", PE, json.dumps(sent).encode())
        assert r.status_code == 201, r.text[:300]
        got = mock.get(f"{PE}{r.json()['id']}").json()
        for field, value in sent.items():
            assert canonical(got[field]) == canonical(value), field
        listed = [p for p in mock.get(f"{PE}?page_size=100").json()["results"] if p["id"] == got["id"]]
        assert [p["fullName"] for p in listed] == [sent["fullName"]]
        assert mock.delete(f"{PE}{got['id']}").status_code == 204

    check()
    assert mock.snapshot() == baseline
