"""Spectral's OpenAPI ruleset (`spectral:oas`, configured in .spectral.yaml) has nothing to say
about openapi.yaml: 0 errors, 0 warnings. A broken copy linted in the same run shows the rules
are live and the ruleset is the one meant (its one switched-off rule stays off).

Spectral comes from tests/clients/package-lock.json like the client generators; without node
and npm this skips, except under CI (CI=true), where it fails (tests/toolchain.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .toolchain import ROOT, SPEC_FILE, npm_bin, run

pytestmark = pytest.mark.slow  # installs and runs npm tools: started first under xdist

RULESET = ROOT / ".spectral.yaml"
ERROR, WARNING = 0, 1  # Spectral's severities (then 2 info, 3 hint)


def broken_copy(folder: Path) -> Path:
    """The spec with one error and two warnings that `spectral:oas` knows by name."""
    doc: dict[str, Any] = copy.deepcopy(yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8")))
    doc["info"].pop("contact")  # info-contact (warning)
    personas = doc["paths"]["/api/v3/workspaces/{workspace_name}/personas/"]
    personas["post"]["operationId"] = personas["get"]["operationId"]  # operation-operationId-unique (error)
    personas["get"]["tags"] = ["Undeclared"]  # operation-tag-defined (warning)
    path = folder / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_spectral_oas_ruleset_finds_no_error_and_no_warning(tmp_path: Path) -> None:
    broken = broken_copy(tmp_path)
    # Exit 1 means "results at error severity": expected, the broken copy has one.
    printed = run(
        [npm_bin() / "spectral", "lint", SPEC_FILE, broken, "--ruleset", RULESET, "--format", "json", "--quiet"],
        cwd=ROOT,
        ok=(0, 1),
        timeout=120,
    )
    results = json.loads(printed)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_source.setdefault(str(Path(result["source"]).resolve()), []).append(result)

    findings = [
        f"{r['code']} ({'error' if r['severity'] == ERROR else 'warning'}) at {'.'.join(map(str, r['path']))}: "
        f"{r['message']}"
        for r in by_source.get(str(SPEC_FILE.resolve()), [])
        if r["severity"] in (ERROR, WARNING)
    ]
    assert not findings, "Spectral (spectral:oas) on openapi.yaml:\n" + "\n".join(findings)

    caught = {(r["code"], r["severity"]) for r in by_source[str(broken.resolve())]}
    assert {
        ("operation-operationId-unique", ERROR),
        ("info-contact", WARNING),
        ("operation-tag-defined", WARNING),
    } <= caught, caught
    assert not any(code == "path-keys-no-trailing-slash" for code, _ in caught), "the rule .spectral.yaml turns off"
