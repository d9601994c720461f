"""The contract model: what the mock and the suite read instead of the YAML."""

from __future__ import annotations

import pytest

from api_spec import KINDS, PERSONAS, WORKFLOWS, Contract, Document, Validators, as_text, coerce, contract, load_spec


def test_every_operation_of_the_document_is_modelled_once() -> None:
    document = load_spec()
    ids = [op["operationId"] for item in document["paths"].values() for m, op in item.items() if m != "parameters"]
    assert sorted(contract().operations) == sorted(ids)
    assert len(ids) == len(set(ids))


def test_the_kinds_are_the_ones_the_toolkit_is_written_for() -> None:
    assert set(contract().kinds) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_crud_roles_on_its_own_paths(kind: str) -> None:
    k = contract().kind(kind)
    assert {"list", "create", "get", "update", "delete"} <= set(k.operations)
    assert k.op("list").paginated and k.op("list").method == "GET"
    assert k.op("create").path == k.collection_path and k.op("create").method == "POST"
    for role in ("get", "update", "delete"):
        assert k.op(role).path == k.collection_path + "{" + k.id_param + "}"
        assert k.op(role).id_param == k.id_param
    assert k.input.examples, "the spec documents a create example"
    validator = Validators(contract()).of(k.input.schema)
    assert all(validator.is_valid(example) for example in k.input.examples)


def test_workflow_actions_are_roles_of_their_kind() -> None:
    workflows = contract().kind(WORKFLOWS)
    assert workflows.op("run").method == "POST" and workflows.op("run").path.endswith("/run")
    assert workflows.op("token").method == "GET" and workflows.op("token").path.endswith("/token")
    assert not contract().kind(PERSONAS).has("run")


def test_every_operation_is_scoped_by_the_workspace_under_one_prefix() -> None:
    c = contract()
    assert c.scope_param == "workspace_name"
    assert all(op.path.startswith(c.api_prefix) and c.scope_param in op.path_params for op in c)


def test_responses_carry_their_schemas_headers_and_examples() -> None:
    create = contract().kind(PERSONAS).op("create")
    assert create.documents(201) and not create.documents(299)
    assert create.response(201).headers["Location"].schema["format"] == "uri"
    assert create.response(401).headers["WWW-Authenticate"].schema["type"] == "string"
    assert create.result_fields and create.result_fields[0] == "id"
    assert contract().kind(PERSONAS).op("delete").result_fields is None


def test_references_unescape_json_pointer_tokens_and_merge_siblings() -> None:
    doc = Document({"a/b": {"c~d": {"type": "string"}}, "x": {"$ref": "#/a~1b/c~0d", "maxLength": 3}})
    assert doc.pointer("#/a~1b/c~0d") == {"type": "string"}
    assert doc.resolve(doc.raw["x"]) == {"type": "string", "maxLength": 3}


def test_properties_merge_all_of_branches() -> None:
    doc = Document(
        {
            "components": {"schemas": {"A": {"properties": {"a": {}}, "required": ["a"]}}},
            "s": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"b": {"default": 1}}}]},
        }
    )
    assert set(doc.properties(doc.raw["s"])) == {"a", "b"}
    assert doc.required(doc.raw["s"]) == {"a"}
    assert doc.defaults(doc.raw["s"]) == {"b": 1}


def test_a_discriminated_one_of_names_the_branch_a_value_picks() -> None:
    c = contract()
    trigger = c.field(c.kind(WORKFLOWS).input.schema, "trigger")
    picked = c.document.branch(trigger, {"type": "schedule"})
    assert picked is not None and picked.present and picked.index is not None
    assert "schedule" in picked.schema["properties"]
    unknown = c.document.branch(trigger, {"type": "nope"})
    assert unknown is not None and unknown.index is None and "schedule" in unknown.choices
    untagged = c.document.branch(trigger, {})
    assert untagged is not None and not untagged.present
    assert c.document.branch({"type": "string"}, "x") is None


@pytest.mark.parametrize(
    ("text", "schema", "value"),
    [
        ("12", {"type": "integer"}, 12),
        ("-3", {"type": "integer"}, -3),
        ("1.5", {"type": "integer"}, "1.5"),
        ("1" * 41, {"type": "integer"}, "1" * 41),
        ("1.5", {"type": "number"}, 1.5),
        ("2", {"type": "number"}, 2),
        ("true", {"type": "boolean"}, True),
        ("True", {"type": "boolean"}, "True"),
        ("7", {"type": ["integer", "null"]}, 7),
        ("x", {}, "x"),
    ],
)
def test_parameters_are_read_from_their_text_by_type(text: str, schema: dict, value: object) -> None:
    assert coerce(text, schema) == value and type(coerce(text, schema)) is type(value)


def test_wire_text_of_scalars_and_of_what_has_none() -> None:
    assert [as_text(v) for v in (True, 3, 1.5, "a")] == ["true", "3", "1.5", "a"]
    assert as_text([1]) is None and as_text({"a": 1}) is None


def test_the_contract_is_built_once_per_process() -> None:
    assert contract() is contract()
    assert isinstance(Contract(load_spec()).operations, dict)
