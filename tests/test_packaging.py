"""The wheel alone is enough: installed into a fresh venv, the mock finds the spec and serves it.

Slow (it builds a wheel and a venv) but part of every default run: a packaging mistake, such as
`openapi.yaml` left out of the wheel, only shows up this way.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from .processes import MockProcess, clean_env

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import importlib.util, json, sysconfig
import api_spec, contract_tests, mock_server
print(json.dumps({
    "spec": str(api_spec.spec_path()),
    "purelib": sysconfig.get_paths()["purelib"],
    "modules": [m.__file__ for m in (api_spec, contract_tests, mock_server)],
    "operations": len([1 for item in api_spec.load_spec()["paths"].values() for m in item if m != "parameters"]),
    # the suite's tools come with the [contract] extra only: a plain install has the mock, not them
    "contract_tools": [n for n in ("schemathesis", "hypothesis", "pytest", "requests") if importlib.util.find_spec(n)],
}))
"""


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_serves_the_mock_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, REPO)
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"api_spec/openapi.yaml", "mock_server/state/data/seed.json", "contract_tests/__init__.py"} <= names
    assert zipfile.ZipFile(wheel).read("api_spec/openapi.yaml") == (REPO / "openapi.yaml").read_bytes()

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)  # no --system-site-packages: only what the wheel pulls in
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = json.loads(run(python, "-c", PROBE, cwd=elsewhere))
    purelib = Path(found["purelib"])
    assert Path(found["spec"]) == purelib / "api_spec" / "openapi.yaml"
    for module in found["modules"]:
        assert Path(module).is_relative_to(purelib) and not Path(module).is_relative_to(REPO), module
    assert found["operations"] == 12
    assert found["contract_tools"] == [], "a plain install pulls in the contract suite's tools"

    mock = MockProcess.start("--port", "0", python=python, cwd=elsewhere)
    try:
        banner = mock.banner()
        r = requests.get(
            f"{banner.url}/api/v3/workspaces/demo/personas/",
            headers={"Authorization": f"Bearer {banner.tokens[0]}"},
            timeout=10,
        )
        assert r.status_code == 200
        assert "sre-responder" in [p["name"] for p in r.json()["results"]]
    finally:
        code = mock.stop(signal.SIGTERM)
    assert code == 0, mock.stderr_text
