"""Plain Schemathesis (`st run openapi.yaml`) with the shipped `schemathesis.toml`.

The config claims to encode only what the contract documents. These tests hold it to that:
the correct mock passes, the same budget without the config's two allowances reports exactly
the false failures they exist for, and faults in the areas they touch are still reported.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from api_spec import load_spec

from .faults import serve_variant
from .processes import MockProcess, clean_env

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "schemathesis.toml"
SPEC = ROOT / "openapi.yaml"
TOKEN = "plain-st-token"
# The 7 + 2 false failures come from the examples and coverage phases, which this budget
# already reaches in full (test_without_the_allowances_...); more examples only add time.
BUDGET = ("--seed", "1", "--max-examples", "5")
TIMEOUT = 240


def st_run(url: str, *args: str, cwd: Path, spec: Path | str = "openapi.yaml", config_file: Path | None = None) -> str:
    """`st run <spec> --url <url> ...` in `cwd`: its exit code and output, as one text.

    The config is found from `cwd` unless named. No example database: a run must not replay
    what an earlier one (say, against a faulty variant) stored where it runs.
    """
    config = ["--config-file", str(config_file)] if config_file else []
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            *config,
            "run",
            str(spec),
            "--url",
            url,
            *BUDGET,
            "--generation-database",
            "none",
            *args,
        ],
        cwd=cwd,
        env={**clean_env(), "WP_API_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return f"exit code {proc.returncode}\n{proc.stdout}{proc.stderr}"


def failures(out: str) -> dict[str, str]:
    """Each reported failure section (an operation, or `Stateful tests`) and its text."""
    found: dict[str, str] = {}
    section = re.search(r"^=+ FAILURES =+$(.*?)^=+ [A-Z]+ =+$", out, re.M | re.S)
    if section:
        parts = re.split(r"^_+ (.+?) _+$", section.group(1), flags=re.M)
        found = dict(zip(parts[1::2], parts[2::2], strict=True))
    return found


def labels(operation_ids: list[str]) -> set[str]:
    """`METHOD /path` of operationIds, as Schemathesis names them in its report."""
    by_id = {
        op["operationId"]: f"{method.upper()} {path}"
        for path, item in load_spec()["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    return {by_id[op_id] for op_id in operation_ids}


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


@pytest.fixture
def mock() -> Iterator[str]:
    """The real mock (`python -m mock_server`), answering 500 to any response breaking the spec."""
    process = MockProcess.start("--port", "0", "--token", TOKEN, "--quiet", "--validate-responses")
    try:
        yield process.banner().url
    finally:
        process.stop()


def state(url: str) -> dict:
    """Every workspace's records, from the mock's admin API (not part of the contract)."""
    response = requests.get(f"{url}/__admin/state", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    response.raise_for_status()
    return response.json()["workspaces"]


@pytest.mark.slow
def test_plain_st_run_passes_on_the_correct_mock(mock: str) -> None:
    """From the checkout root, `st run openapi.yaml --url URL` finds the config and reports nothing."""
    before = state(mock)
    out = st_run(mock, cwd=ROOT)

    assert out.startswith("exit code 0\n"), out[-4000:]
    assert re.search(rf"Configuration:\s+{re.escape(str(CONFIG))}\n", out), out[:2000]
    assert not failures(out), out[-4000:]
    counts = re.search(r"(\d+) generated, (\d+) passed(?:, \d+ skipped)?\n", out)
    assert counts, out[-2000:]
    assert int(counts[1]) == int(counts[2]) >= 500, counts[0]
    # The pinned workspace took every write; the seeded `demo` data is left as it was.
    after = state(mock)
    assert after["demo"] == before["demo"]
    assert after["sandbox"]["personas"] and after["sandbox"]["workflows"]


@pytest.mark.slow
def test_without_the_allowances_the_same_budget_reports_the_false_failures(
    mock: str, config: dict, tmp_path: Path
) -> None:
    """The token and the pinned workspace alone: the examples and coverage phases of this budget
    report exactly the operations the `[[operations]]` entries relax, and for their reason.

    Shows the entries are needed, and that the passing run above met the cases they cover.
    """
    pinned = config["parameters"]["path.workspace_name"]
    bare = tmp_path / "bare.toml"
    bare.write_text(
        f'[auth.openapi.bearerAuth]\nbearer = "${{WP_API_TOKEN}}"\n[parameters]\n"path.workspace_name" = "{pinned}"\n',
        encoding="utf-8",
    )
    out = st_run(mock, "--phases", "examples,coverage", cwd=tmp_path, spec=SPEC, config_file=bare)

    allow_400 = labels(
        [op for entry in config["operations"] if "checks" in entry for op in entry["include-operation-id"]]
    )
    unpinned = labels(
        [op for entry in config["operations"] if "phases" in entry for op in entry["include-operation-id"]]
    )
    found = failures(out)
    assert set(found) == allow_400 | unpinned, out[-4000:]
    for label, text in found.items():
        duplicate = "ST202 Schema-valid request rejected" in text and "already exists" in text
        pin = "ST201 Schema-violating request accepted" in text and "parameter `workspace_name` in path" in text
        assert duplicate or pin, f"{label}:\n{text}"
        assert label in (allow_400 if duplicate else unpinned), f"{label}:\n{text}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variant", "operations", "code", "label"),
    [
        # negative_data_rejection still judges the collection paths
        ("string_booleans_coerced", ["createWorkflow"], "ST201", "POST /api/v3/workspaces/{workspace_name}/workflows/"),
        # the documented 400 on persona writes does not excuse a 500 there
        ("server_error_on_non_ascii", ["createPersona"], "ST101", "POST /api/v3/workspaces/{workspace_name}/personas/"),
        # an item path keeps every other check, here ignored_auth
        (
            "auth_ignored_on_run",
            ["createWorkflow", "runWorkflow"],
            "ST401",
            "POST /api/v3/workspaces/{workspace_name}/workflows/{workflow_id}/run",
        ),
    ],
)
def test_the_config_still_reports_a_faulty_mock(
    variant: str, operations: list[str], code: str, label: str, tmp_path: Path
) -> None:
    """A faulty variant of the mock fails the same plain run, by the check its fault breaks.

    Only the operations the fault shows on, and no stateful phase (it needs the links of
    unselected operations), to keep it fast; run elsewhere, so failure files stay out of
    the checkout.
    """
    selected = [arg for op_id in operations for arg in ("--include-operation-id", op_id)]
    with serve_variant(variant, token=TOKEN) as url:
        out = st_run(
            url, *selected, "--phases", "examples,coverage,fuzzing", cwd=tmp_path, spec=SPEC, config_file=CONFIG
        )

    assert out.startswith("exit code 1\n"), out[-4000:]
    found = failures(out)
    assert label in found and f"- {code} " in found[label], out[-4000:]


def test_the_readme_shows_the_shipped_config() -> None:
    """The README's copy of the config says what the file does (its comments aside)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Plain Schemathesis", 1)[1].split("\n## ", 1)[0]
    shown = re.search(r"```toml\n(.*?)```", section, re.S)
    assert shown, "no toml block in the README's Plain Schemathesis section"
    assert tomllib.loads(shown[1]) == tomllib.loads(CONFIG.read_text(encoding="utf-8"))
