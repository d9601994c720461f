"""The contract itself: valid OpenAPI 3.1, faithful to the source document, examples that hold."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

import api_spec
from api_spec import load_spec, spec_path

SOURCE_DOCUMENT = Path(__file__).with_name("data") / "workflows-personas-api.txt"  # the API's documentation, verbatim
DOC = load_spec()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# The operationIds are part of the contract: generated clients and the suite name them.
OPERATION_IDS = {
    "List Workflows": "listWorkflows",
    "Get Workflow Detail": "getWorkflow",
    "Create Workflow": "createWorkflow",
    "Update Workflow": "updateWorkflow",
    "Delete Workflow": "deleteWorkflow",
    "Run Workflow": "runWorkflow",
    "Get Workflow Webhook Token": "getWorkflowToken",
    "List Personas": "listPersonas",
    "Get Persona Detail": "getPersona",
    "Create Persona": "createPersona",
    "Update Persona": "updatePersona",
    "Delete Persona": "deletePersona",
}


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOC["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method.upper(), item[method]


OPERATIONS = {op["operationId"]: (path, method, op) for path, method, op in operations()}


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def documented_operations() -> list[dict[str, Any]]:
    """Title, method, path and success status of every operation in the source document."""
    text = SOURCE_DOCUMENT.read_text(encoding="utf-8")
    found = []
    pattern = r"\n([^\n]+)\n\n[^\n]+\n\n\n\nMethod\s+(\w+)\s+Path\s+(\S+).*?Response (\d{3})"
    for title, method, path, status in re.findall(pattern, text, flags=re.DOTALL):
        found.append({"title": title.strip(), "method": method, "path": path, "status": status})
    return found


DOCUMENTED = documented_operations()


def test_the_spec_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"].startswith("3.1.")
    try:
        validate(DOC)
    except OpenAPIValidationError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"openapi.yaml is not valid OpenAPI: {exc}")


def test_a_broken_spec_is_caught_by_the_validator() -> None:
    """The validity check above can fail: a parameter that says not where it goes is refused."""
    broken = json.loads(json.dumps(DOC))
    broken["paths"]["/api/v3/workspaces/{workspace_name}/personas/"]["get"]["parameters"].append({"name": "x"})
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_source_document_lists_twelve_operations() -> None:
    assert len(DOCUMENTED) == 12, DOCUMENTED
    assert {d["title"] for d in DOCUMENTED} == set(OPERATION_IDS)


def test_exactly_the_documented_operations_with_their_paths_methods_and_success_codes() -> None:
    expected = {(OPERATION_IDS[d["title"]], d["method"], d["path"], d["status"]) for d in DOCUMENTED}
    actual = set()
    for operation_id, (path, method, op) in OPERATIONS.items():
        successes = [code for code in op["responses"] if str(code).startswith("2")]
        assert len(successes) == 1, f"{operation_id} has success codes {successes}"
        actual.add((operation_id, method, path, str(successes[0])))
    assert len(OPERATIONS) == len(list(operations())) == 12, "operationIds must be unique"
    assert actual == expected


def test_summaries_are_the_documented_titles() -> None:
    for title, operation_id in OPERATION_IDS.items():
        assert OPERATIONS[operation_id][2]["summary"] == title


def test_collection_paths_end_with_a_slash_and_item_paths_do_not() -> None:
    for path in DOC["paths"]:
        assert path.startswith("/api/v3/workspaces/{workspace_name}/")
        assert path.endswith("/") == path.endswith(("/workflows/", "/personas/")), path


def path_parameters(path: str, op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    params = [resolve(p) for p in [*DOC["paths"][path].get("parameters", []), *op.get("parameters", [])]]
    return {p["name"]: p for p in params if p["in"] == "path"}


def test_every_path_template_variable_is_a_declared_integer_or_name_parameter() -> None:
    for operation_id, (path, _, op) in OPERATIONS.items():
        declared = path_parameters(path, op)
        assert set(re.findall(r"{([^}]+)}", path)) == set(declared), operation_id
        for name, param in declared.items():
            schema = resolve(param["schema"])
            assert param["required"] is True
            assert schema["type"] == ("string" if name == "workspace_name" else "integer"), (operation_id, name)


def test_every_operation_needs_the_bearer_token_and_documents_401() -> None:
    scheme = DOC["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert DOC["security"] == [{"bearerAuth": []}]
    for operation_id, (_, _, op) in OPERATIONS.items():
        assert op.get("security", DOC["security"]) == [{"bearerAuth": []}], operation_id
        unauthorized = resolve(op["responses"]["401"])
        assert "WWW-Authenticate" in unauthorized["headers"], operation_id


def test_item_operations_document_404_and_body_operations_400_413_415() -> None:
    for operation_id, (path, _, op) in OPERATIONS.items():
        codes = set(map(str, op["responses"]))
        if path.endswith("}") or "}/" in path:
            assert "404" in codes, operation_id
        if "requestBody" in op:
            assert {"400", "413", "415"} <= codes, operation_id
            assert resolve(op["requestBody"])["required"] is True
            assert list(resolve(op["requestBody"])["content"]) == ["application/json"]
        for code in codes - {"204"}:
            content = resolve(op["responses"][code]).get("content", {})
            assert list(content) == ["application/json"], (operation_id, code)


def test_lists_take_page_and_page_size() -> None:
    for operation_id in ("listWorkflows", "listPersonas"):
        _, _, op = OPERATIONS[operation_id]
        query = {p["name"]: p for p in map(resolve, op.get("parameters", [])) if p["in"] == "query"}
        assert set(query) == {"page", "page_size"}
        assert resolve(query["page"]["schema"])["minimum"] == 1
        assert resolve(query["page_size"]["schema"])["maximum"] == 100


@pytest.mark.parametrize(
    ("create", "targets"),
    [
        ("createWorkflow", {"getWorkflow", "updateWorkflow", "deleteWorkflow", "runWorkflow", "getWorkflowToken"}),
        ("createPersona", {"getPersona", "updatePersona", "deletePersona"}),
    ],
)
def test_creates_link_to_the_operations_that_take_their_id(create: str, targets: set[str]) -> None:
    _, _, op = OPERATIONS[create]
    links = {name: resolve(link) for name, link in op["responses"]["201"]["links"].items()}
    assert {link["operationId"] for link in links.values()} == targets
    for name, link in links.items():
        target_path, _, target = OPERATIONS[link["operationId"]]
        id_param = next(p for p in path_parameters(target_path, target) if p != "workspace_name")
        assert link["parameters"] == {
            "workspace_name": "$request.path.workspace_name",
            id_param: "$response.body#/id",
        }, name


def test_the_documented_persona_example_is_in_the_spec() -> None:
    text = SOURCE_DOCUMENT.read_text(encoding="utf-8")
    documented, _ = json.JSONDecoder().raw_decode(text, text.index("{", text.index("\nJSON\n")))
    _, _, op = OPERATIONS["listPersonas"]
    examples = op["responses"]["200"]["content"]["application/json"]["examples"]
    assert documented in [resolve(example)["value"] for example in examples.values()]


def test_tags_group_the_operations() -> None:
    assert {tag["name"] for tag in DOC["tags"]} == {"Workflows", "Personas"}
    for operation_id, (_, _, op) in OPERATIONS.items():
        assert op["tags"] == ["Workflows" if "Workflow" in operation_id else "Personas"]
        assert op.get("description"), operation_id


# -- examples ----------------------------------------------------------------------------
def examples_with_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, Any, Any]]:
    """(location, example value, schema) for every example in the document.

    An object with a `schema` (media type, parameter, header) has its `example` / `examples`
    checked against that schema; a schema's own `example` / `examples` against itself.
    """
    if isinstance(node, dict):
        if isinstance(node.get("schema"), dict):
            if "example" in node:
                yield f"{where}/example", node["example"], node["schema"]
            for name, example in (node.get("examples") or {}).items():
                yield f"{where}/examples/{name}", resolve(example)["value"], node["schema"]
        elif "example" in node:
            yield f"{where}/example", node["example"], node
        if isinstance(node.get("examples"), list):
            for i, value in enumerate(node["examples"]):
                yield f"{where}/examples/{i}", value, node
        for key, child in node.items():
            yield from examples_with_schemas(child, f"{where}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from examples_with_schemas(child, f"{where}/{i}")


EXAMPLES = list(examples_with_schemas({"paths": DOC["paths"], "components": DOC["components"]}))


def validator(schema: Any) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": DOC["components"]},
        validate_formats=True,
    )


@pytest.mark.parametrize(("where", "value", "schema"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_validates_against_its_schema(where: str, value: Any, schema: Any) -> None:
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator(schema).iter_errors(value)]
    assert not errors, f"{where}: {errors}"


def test_examples_are_found_everywhere_they_are_written() -> None:
    """Every named example is used, and the walk sees request, response and schema examples."""
    used = {e[0] for e in EXAMPLES}
    assert len(EXAMPLES) >= 20
    assert any("/requestBody/" in w for w in used) and any("/responses/" in w for w in used)
    assert any(w.startswith("#/components/schemas/") for w in used)
    referenced = set(re.findall(r"#/components/examples/(\w+)", json.dumps(DOC["paths"])))
    assert referenced == set(DOC["components"]["examples"])


def test_a_wrong_example_would_be_caught() -> None:
    schema = {"$ref": "#/components/schemas/PersonaInput"}
    bad = {**DOC["components"]["examples"]["PersonaInputResponder"]["value"], "filterConfidenceThreshold": 7}
    assert not validator(schema).is_valid(bad)


def test_the_spec_in_use_is_the_packaged_copy_or_the_checkout_one() -> None:
    packaged = Path(api_spec.__file__).with_name("openapi.yaml")
    checkout = Path(__file__).resolve().parent.parent / "openapi.yaml"
    assert spec_path() == (packaged if packaged.is_file() else checkout)
