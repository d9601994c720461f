"""Clients generated from openapi.yaml by four widely used generators, each performing all twelve
operations against the real mock: the contract is only as good as what generators make of it.

- openapi-typescript + openapi-fetch (types only; `tsc --strict` checks the spec's own examples),
- @hey-api/openapi-ts (a TypeScript SDK with its own fetch client),
- openapi-python-client (attrs models, httpx),
- OpenAPI Generator's `python` generator (pydantic models, urllib3), from the PyPI jar wrapper.

Every client runs the same scenario on a fresh mock (the `demo` workspace): a page of each list,
create from the spec's examples, read, replace, run, webhook token, delete, then read a 404. The
TypeScript programs print what they saw as JSON; the Python clients are called in this process.
`check_scenario` holds every client to the same answers, read from the spec and the mock.
Generation is cached (tests/toolchain.py), so only the first run pays for it.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import API, TOKEN, LiveMock
from .toolchain import CLIENTS, LOCKFILE, SPEC_FILE, cached, npm_bin, require, run, unavailable

pytestmark = pytest.mark.slow  # installs and runs generators: started first under xdist

DOC = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
SCHEMAS = DOC["components"]["schemas"]
EXAMPLES = DOC["components"]["examples"]
WORKFLOW_EXAMPLE = EXAMPLES["WorkflowInputScheduled"]["value"]  # the spec's own create example
PERSONA_EXAMPLE = EXAMPLES["PersonaInputCostWatcher"]["value"]  # renamed per client: its name is seeded
WORKSPACE = "demo"
OPERATIONS = {op["operationId"] for item in DOC["paths"].values() for op in item.values() if isinstance(op, dict)}

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "ES2022",
        # CommonJS output: hey-api imports its own files without extensions, which node16
        # resolution allows in a CommonJS package (tests/clients/package.json has no "type").
        "module": "node16",
        "moduleResolution": "node16",
        "lib": ["ES2022", "DOM"],
        "types": ["node"],
        "outDir": "out",
        "noEmitOnError": True,
        "skipLibCheck": True,
    },
    "files": ["main.ts"],
}


# ----------------------------------------------------------------------------- the one scenario
def expected_first_pages(mock: LiveMock) -> dict[str, dict[str, Any]]:
    """The pages the clients will read first, straight from the fresh mock."""
    return {
        "workflows": mock.get(f"{API}/{WORKSPACE}/workflows/?page=1&page_size=2").json(),
        "personas": mock.get(f"{API}/{WORKSPACE}/personas/").json(),
    }


def check_scenario(seen: dict[str, Any], pages: dict[str, dict[str, Any]], persona_name: str) -> None:
    """What every client must have seen, whatever its language: statuses, parsed fields, and the
    free-form objects of the spec's examples stored and read back as sent."""
    assert set(seen) == OPERATIONS, f"operations not performed: {OPERATIONS - set(seen)}"
    workflows, personas = pages["workflows"], pages["personas"]

    listed = seen["listWorkflows"]
    assert listed["status"] == 200
    assert (listed["count"], listed["next"]) == (workflows["count"], workflows["next"]) and listed["next"]
    assert listed["ids"] == [w["id"] for w in workflows["results"]] and len(listed["ids"]) == 2
    assert set(listed["keys"]) == set(SCHEMAS["Workflow"]["properties"]), "a workflow page's results are workflows"
    assert listed["triggerType"] == workflows["results"][0]["trigger"]["type"]

    created = seen["createWorkflow"]
    workflow_id = created["id"]
    assert created["status"] == 201 and isinstance(workflow_id, int)
    assert created["location"].endswith(f"{API}/{WORKSPACE}/workflows/{workflow_id}")
    assert (
        created["parameters"]
        == WORKFLOW_EXAMPLE["actions"][0]["parameters"]
        == {"codebundle": "k8s-namespace-healthcheck"}
    )
    got = seen["getWorkflow"]
    assert (got["status"], got["id"], got["name"]) == (200, workflow_id, WORKFLOW_EXAMPLE["name"])
    assert got["parameters"] == WORKFLOW_EXAMPLE["actions"][0]["parameters"]
    assert got["schedule"] == WORKFLOW_EXAMPLE["trigger"]["schedule"]
    updated = seen["updateWorkflow"]
    assert updated == {
        "status": 200,
        "name": "Nightly check",
        "enabled": False,
        "triggerType": "manual",
        "description": "",  # PUT is a full replacement: the left-out description is back to its default
    }
    ran = seen["runWorkflow"]
    assert (ran["status"], ran["workflowId"], ran["actionTypes"]) == (200, workflow_id, ["notify"])
    assert ran["runStatus"] in SCHEMAS["WorkflowRun"]["properties"]["status"]["enum"]
    token = seen["getWorkflowToken"]
    assert token["status"] == 200 and re.fullmatch(r"[A-Za-z0-9_-]{32,}", token["token"])
    assert seen["deleteWorkflow"] == {"status": 204, "after": 404, "detail": "Not found."}

    people = seen["listPersonas"]
    assert (people["status"], people["count"], people["next"]) == (200, personas["count"], None)
    assert people["names"] == [p["name"] for p in personas["results"]]
    assert set(people["keys"]) == set(SCHEMAS["PersonaSummary"]["properties"]), "persona pages list summaries"
    assert "runConfig" not in people["keys"]
    assert people["fullName"] == personas["results"][0]["fullName"]

    new = seen["createPersona"]
    assert (new["status"], new["name"]) == (201, persona_name) and isinstance(new["id"], int)
    assert new["searchFilters"] == PERSONA_EXAMPLE["searchFilters"] == {"accounts": ["prod"]}
    persona = seen["getPersona"]
    assert (persona["status"], persona["name"], persona["searchFilters"]) == (200, persona_name, {"accounts": ["prod"]})
    assert persona["runConfidenceThreshold"] == PERSONA_EXAMPLE["runConfidenceThreshold"]
    replaced = seen["updatePersona"]
    defaults = SCHEMAS["PersonaInput"]["properties"]
    assert replaced == {
        "status": 200,
        "fullName": "Renamed Watcher",
        "filterConfidenceThreshold": defaults["filterConfidenceThreshold"]["default"],
        "searchFilters": defaults["searchFilters"]["default"],
    }
    assert seen["deletePersona"] == {"status": 204, "after": 404, "detail": "Not found."}


# ------------------------------------------------------------------------------- TypeScript
def examples_ts(import_line: str, workflow_type: str, persona_type: str) -> str:
    """The spec's create examples as typed TypeScript constants: `tsc --strict` then checks them
    against the generated input types (free-form `parameters` and `searchFilters` included)."""
    return (
        f"{import_line}\n"
        f"export const workflowExample: {workflow_type} = {json.dumps(WORKFLOW_EXAMPLE, indent=4)};\n"
        f"export const personaExample: {persona_type} = {json.dumps(PERSONA_EXAMPLE, indent=4)};\n"
    )


def build_typescript(name: str, program: Path, generate: Callable[[Path, Path], None], examples: str) -> Path:
    """Generates, writes the program and its examples, compiles with `tsc --strict`; cached."""
    bin_dir = npm_bin()
    tsconfig = json.dumps(TSCONFIG, indent=2)

    def build(out: Path) -> None:
        generate(bin_dir, out)
        (out / "main.ts").write_text(program.read_text(encoding="utf-8"), encoding="utf-8")
        (out / "examples.ts").write_text(examples, encoding="utf-8")
        (out / "tsconfig.json").write_text(tsconfig, encoding="utf-8")
        run([bin_dir / "tsc", "--strict", "-p", out / "tsconfig.json"], cwd=out)

    return cached(name, [SPEC_FILE, LOCKFILE, program, tsconfig, examples], build)


def run_node(build: Path, mock: LiveMock) -> dict[str, Any]:
    """Runs a compiled client against the mock; what it printed, parsed."""
    node = require("node", "Node.js with npm")
    out = run([node, build / "out" / "main.js", mock.url, TOKEN], cwd=build, timeout=60)
    return json.loads(out)


@pytest.fixture(scope="session")
def openapi_fetch_build() -> Path:
    program = CLIENTS / "openapi_fetch_client.ts"

    def generate(bin_dir: Path, out: Path) -> None:
        # --default-non-nullable false: otherwise every field with a `default` is required in bodies.
        run(
            [bin_dir / "openapi-typescript", SPEC_FILE, "--default-non-nullable", "false", "-o", out / "schema.ts"],
            cwd=out,
        )

    examples = examples_ts(
        'import type { components } from "./schema";',
        'components["schemas"]["WorkflowInput"]',
        'components["schemas"]["PersonaInput"]',
    )
    return build_typescript("openapi-fetch", program, generate, examples)


@pytest.fixture(scope="session")
def hey_api_build() -> Path:
    program = CLIENTS / "hey_api_client.ts"

    def generate(bin_dir: Path, out: Path) -> None:
        run(
            [
                bin_dir / "openapi-ts",
                "-i",
                SPEC_FILE,
                "-o",
                out / "generated",
                "-c",
                "@hey-api/client-fetch",
                "--no-log-file",
                "--silent",
            ],
            cwd=out,
        )

    examples = examples_ts(
        'import type { PersonaInput, WorkflowInput } from "./generated/types.gen";', "WorkflowInput", "PersonaInput"
    )
    return build_typescript("hey-api", program, generate, examples)


def test_openapi_typescript_with_openapi_fetch(openapi_fetch_build: Path, mock: LiveMock) -> None:
    pages = expected_first_pages(mock)
    check_scenario(run_node(openapi_fetch_build, mock), pages, "ts-fetch-watcher")
    schema = (openapi_fetch_build / "schema.ts").read_text(encoding="utf-8")
    # A free-form object without `additionalProperties: true` comes out as an object that takes no key.
    assert not re.findall(r"\w\??: Record<string, never>", schema), "a free-form object typed as an empty one"


def test_hey_api_openapi_ts_sdk(hey_api_build: Path, mock: LiveMock) -> None:
    pages = expected_first_pages(mock)
    check_scenario(run_node(hey_api_build, mock), pages, "hey-api-watcher")


# ----------------------------------------------------------------------------------- Python
def generator_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        unavailable(f"{package} is not installed (pip install -e '.[test]')")


@contextlib.contextmanager
def importable(folder: Path, package: str) -> Iterator[None]:
    """`package` (generated into `folder`) importable for the session, forgotten afterwards."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[module]


OPC_CONFIG = "package_name_override: wp_opc_client\npost_hooks: []\n"  # no ruff run on the output: faster


@pytest.fixture(scope="session")
def openapi_python_client() -> Iterator[str]:
    """openapi-python-client's package for the spec; generating it must print no warning (a
    warning means a part of the spec it could not read and left out)."""
    version = generator_version("openapi-python-client")

    def build(out: Path) -> None:
        (out / "config.yaml").write_text(OPC_CONFIG, encoding="utf-8")
        printed = run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                SPEC_FILE,
                "--meta",
                "none",
                "--output-path",
                out / "wp_opc_client",
                "--config",
                out / "config.yaml",
            ],
            cwd=out,
        )
        assert "warning" not in printed.lower(), printed

    folder = cached("openapi-python-client", [SPEC_FILE, version, OPC_CONFIG], build)
    with importable(folder, "wp_opc_client"):
        yield "wp_opc_client"


OPENAPI_GENERATOR_ARGS = [
    "generate",
    "-g",
    "python",
    "--package-name",
    "wp_ogen_client",
    "--global-property",
    "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
    "--additional-properties",
    "generateSourceCodeOnly=true",
]


@pytest.fixture(scope="session")
def openapi_generator_python() -> Iterator[str]:
    """OpenAPI Generator's `python` client, generated by the jar that the PyPI package bundles."""
    version = generator_version("openapi-generator-cli")
    java = require("java", "Debian: apt-get install default-jre-headless")
    jar = Path(importlib.util.find_spec("openapi_generator_cli").origin).with_name("openapi-generator.jar")

    def build(out: Path) -> None:
        run([java, "-jar", jar, *OPENAPI_GENERATOR_ARGS, "-i", SPEC_FILE, "-o", out], cwd=out)

    folder = cached("openapi-generator", [SPEC_FILE, version, " ".join(OPENAPI_GENERATOR_ARGS)], build)
    with importable(folder, "wp_ogen_client"):
        yield "wp_ogen_client"


def keys_of(model: Any) -> list[str]:
    """The JSON fields an attrs model (openapi-python-client) was parsed from."""
    return list(model.to_dict())


def fields_of(model: Any) -> list[str]:
    """The JSON fields a pydantic model (OpenAPI Generator) was parsed from; its `to_dict` leaves
    out read-only fields, being made for request bodies."""
    fields = type(model).model_fields
    return [fields[name].alias or name for name in model.model_fields_set]


def test_openapi_python_client(openapi_python_client: str, mock: LiveMock) -> None:
    from wp_opc_client import AuthenticatedClient
    from wp_opc_client.api.personas import create_persona, delete_persona, get_persona, list_personas, update_persona
    from wp_opc_client.api.workflows import (
        create_workflow,
        delete_workflow,
        get_workflow,
        get_workflow_token,
        list_workflows,
        run_workflow,
        update_workflow,
    )
    from wp_opc_client.models import (
        Error,
        ManualTrigger,
        PaginatedPersonaList,
        PaginatedWorkflowList,
        Persona,
        PersonaInput,
        PersonaSummary,
        ScheduleTrigger,
        WebhookToken,
        Workflow,
        WorkflowInput,
        WorkflowRun,
    )

    pages = expected_first_pages(mock)
    client = AuthenticatedClient(base_url=mock.url, token=TOKEN)
    seen: dict[str, Any] = {}

    answer = list_workflows.sync_detailed(WORKSPACE, client=client, page=1, page_size=2)
    page = answer.parsed
    assert isinstance(page, PaginatedWorkflowList) and all(isinstance(w, Workflow) for w in page.results)
    first = page.results[0]
    seen["listWorkflows"] = {
        "status": int(answer.status_code),
        "count": page.count,
        "next": page.next_,
        "ids": [w.id for w in page.results],
        "keys": keys_of(first),
        "triggerType": first.trigger.type_,
    }

    body = WorkflowInput.from_dict(copy.deepcopy(WORKFLOW_EXAMPLE))
    answer = create_workflow.sync_detailed(WORKSPACE, client=client, body=body)
    workflow = answer.parsed
    assert isinstance(workflow, Workflow)
    seen["createWorkflow"] = {
        "status": int(answer.status_code),
        "id": workflow.id,
        "location": answer.headers["Location"],
        "parameters": workflow.actions[0].parameters.to_dict(),
    }
    item = {"workspace_name": WORKSPACE, "workflow_id": workflow.id, "client": client}

    answer = get_workflow.sync_detailed(**item)
    got = answer.parsed
    assert isinstance(got, Workflow) and isinstance(got.trigger, ScheduleTrigger)
    seen["getWorkflow"] = {
        "status": int(answer.status_code),
        "id": got.id,
        "name": got.name,
        "parameters": got.actions[0].parameters.to_dict(),
        "schedule": got.trigger.schedule,
    }

    body = WorkflowInput.from_dict(
        {"name": "Nightly check", "enabled": False, "trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}
    )
    answer = update_workflow.sync_detailed(**item, body=body)
    updated = answer.parsed
    assert isinstance(updated, Workflow) and isinstance(updated.trigger, ManualTrigger)
    seen["updateWorkflow"] = {
        "status": int(answer.status_code),
        "name": updated.name,
        "enabled": updated.enabled,
        "triggerType": updated.trigger.type_,
        "description": updated.description,
    }

    answer = run_workflow.sync_detailed(**item)
    result = answer.parsed
    assert isinstance(result, WorkflowRun)
    seen["runWorkflow"] = {
        "status": int(answer.status_code),
        "workflowId": result.workflow_id,
        "runStatus": str(result.status),
        "actionTypes": [a.type_ for a in result.actions],
    }

    answer = get_workflow_token.sync_detailed(**item)
    assert isinstance(answer.parsed, WebhookToken)
    seen["getWorkflowToken"] = {"status": int(answer.status_code), "token": answer.parsed.token}

    deleted = delete_workflow.sync_detailed(**item)
    gone = get_workflow.sync_detailed(**item)
    assert isinstance(gone.parsed, Error)
    seen["deleteWorkflow"] = {
        "status": int(deleted.status_code),
        "after": int(gone.status_code),
        "detail": gone.parsed.detail,
    }

    answer = list_personas.sync_detailed(WORKSPACE, client=client)  # KeyError: 'enabled' while the lists used allOf
    people = answer.parsed
    assert isinstance(people, PaginatedPersonaList)
    assert all(isinstance(p, PersonaSummary) and not isinstance(p, Persona) for p in people.results)
    seen["listPersonas"] = {
        "status": int(answer.status_code),
        "count": people.count,
        "next": people.next_,
        "names": [p.name for p in people.results],
        "keys": keys_of(people.results[0]),
        "fullName": people.results[0].full_name,
    }

    body = PersonaInput.from_dict({**copy.deepcopy(PERSONA_EXAMPLE), "name": "opc-watcher"})
    answer = create_persona.sync_detailed(WORKSPACE, client=client, body=body)
    new = answer.parsed
    assert isinstance(new, Persona)
    seen["createPersona"] = {
        "status": int(answer.status_code),
        "id": new.id,
        "name": new.name,
        "searchFilters": new.search_filters.to_dict(),
    }
    person = {"workspace_name": WORKSPACE, "persona_id": new.id, "client": client}

    answer = get_persona.sync_detailed(**person)
    persona = answer.parsed
    assert isinstance(persona, Persona)
    seen["getPersona"] = {
        "status": int(answer.status_code),
        "name": persona.name,
        "searchFilters": persona.search_filters.to_dict(),
        "runConfidenceThreshold": persona.run_confidence_threshold,
    }

    answer = update_persona.sync_detailed(**person, body=PersonaInput(name="opc-watcher", full_name="Renamed Watcher"))
    replaced = answer.parsed
    assert isinstance(replaced, Persona)
    seen["updatePersona"] = {
        "status": int(answer.status_code),
        "fullName": replaced.full_name,
        "filterConfidenceThreshold": replaced.filter_confidence_threshold,
        "searchFilters": replaced.search_filters.to_dict(),
    }

    removed = delete_persona.sync_detailed(**person)
    after = get_persona.sync_detailed(**person)
    assert isinstance(after.parsed, Error)
    seen["deletePersona"] = {
        "status": int(removed.status_code),
        "after": int(after.status_code),
        "detail": after.parsed.detail,
    }

    check_scenario(seen, pages, "opc-watcher")


def test_openapi_generator_python(openapi_generator_python: str, mock: LiveMock) -> None:
    from wp_ogen_client import (
        ApiClient,
        Configuration,
        PaginatedPersonaList,
        PaginatedWorkflowList,
        Persona,
        PersonaInput,
        PersonasApi,
        PersonaSummary,
        ScheduleTrigger,
        Workflow,
        WorkflowInput,
        WorkflowRun,
        WorkflowsApi,
    )
    from wp_ogen_client.exceptions import NotFoundException

    pages = expected_first_pages(mock)
    seen: dict[str, Any] = {}
    with ApiClient(Configuration(host=mock.url, access_token=TOKEN)) as api:
        workflows, personas = WorkflowsApi(api), PersonasApi(api)

        answer = workflows.list_workflows_with_http_info(WORKSPACE, page=1, page_size=2)
        page = answer.data
        assert isinstance(page, PaginatedWorkflowList) and all(isinstance(w, Workflow) for w in page.results)
        first = page.results[0]
        seen["listWorkflows"] = {
            "status": answer.status_code,
            "count": page.count,
            "next": page.next,
            "ids": [w.id for w in page.results],
            "keys": fields_of(first),
            "triggerType": first.trigger.actual_instance.type,
        }

        body = WorkflowInput.from_dict(copy.deepcopy(WORKFLOW_EXAMPLE))
        answer = workflows.create_workflow_with_http_info(WORKSPACE, body)
        workflow = answer.data
        assert isinstance(workflow, Workflow)
        seen["createWorkflow"] = {
            "status": answer.status_code,
            "id": workflow.id,
            "location": answer.headers["Location"],
            "parameters": workflow.actions[0].parameters,
        }
        item = (WORKSPACE, workflow.id)

        answer = workflows.get_workflow_with_http_info(*item)
        got = answer.data
        trigger = got.trigger.actual_instance
        assert isinstance(trigger, ScheduleTrigger)
        seen["getWorkflow"] = {
            "status": answer.status_code,
            "id": got.id,
            "name": got.name,
            "parameters": got.actions[0].parameters,
            "schedule": trigger.schedule,
        }

        body = WorkflowInput.from_dict(
            {"name": "Nightly check", "enabled": False, "trigger": {"type": "manual"}, "actions": [{"type": "notify"}]}
        )
        answer = workflows.update_workflow_with_http_info(*item, body)
        updated = answer.data
        seen["updateWorkflow"] = {
            "status": answer.status_code,
            "name": updated.name,
            "enabled": updated.enabled,
            "triggerType": updated.trigger.actual_instance.type,
            "description": updated.description,
        }

        answer = workflows.run_workflow_with_http_info(*item)
        result = answer.data
        assert isinstance(result, WorkflowRun)
        seen["runWorkflow"] = {
            "status": answer.status_code,
            "workflowId": result.workflow_id,
            "runStatus": result.status,
            "actionTypes": [a.type for a in result.actions],
        }

        answer = workflows.get_workflow_token_with_http_info(*item)
        seen["getWorkflowToken"] = {"status": answer.status_code, "token": answer.data.token}

        deleted = workflows.delete_workflow_with_http_info(*item)
        with pytest.raises(NotFoundException) as gone:
            workflows.get_workflow(*item)
        seen["deleteWorkflow"] = {
            "status": deleted.status_code,
            "after": gone.value.status,
            "detail": json.loads(gone.value.body)["detail"],
        }

        answer = personas.list_personas_with_http_info(WORKSPACE)
        people = answer.data
        assert isinstance(people, PaginatedPersonaList)
        assert all(isinstance(p, PersonaSummary) for p in people.results)
        seen["listPersonas"] = {
            "status": answer.status_code,
            "count": people.count,
            "next": people.next,
            "names": [p.name for p in people.results],
            "keys": fields_of(people.results[0]),
            "fullName": people.results[0].full_name,
        }

        body = PersonaInput.from_dict({**copy.deepcopy(PERSONA_EXAMPLE), "name": "ogen-watcher"})
        answer = personas.create_persona_with_http_info(WORKSPACE, body)
        new = answer.data
        assert isinstance(new, Persona)
        seen["createPersona"] = {
            "status": answer.status_code,
            "id": new.id,
            "name": new.name,
            "searchFilters": new.search_filters,
        }
        person = (WORKSPACE, new.id)

        answer = personas.get_persona_with_http_info(*person)
        persona = answer.data
        seen["getPersona"] = {
            "status": answer.status_code,
            "name": persona.name,
            "searchFilters": persona.search_filters,
            "runConfidenceThreshold": persona.run_confidence_threshold,
        }

        body = PersonaInput(name="ogen-watcher", full_name="Renamed Watcher")
        answer = personas.update_persona_with_http_info(*person, body)
        replaced = answer.data
        seen["updatePersona"] = {
            "status": answer.status_code,
            "fullName": replaced.full_name,
            "filterConfidenceThreshold": replaced.filter_confidence_threshold,
            "searchFilters": replaced.search_filters,
        }

        removed = personas.delete_persona_with_http_info(*person)
        with pytest.raises(NotFoundException) as after:
            personas.get_persona(*person)
        seen["deletePersona"] = {
            "status": removed.status_code,
            "after": after.value.status,
            "detail": json.loads(after.value.body)["detail"],
        }

    check_scenario(seen, pages, "ogen-watcher")
