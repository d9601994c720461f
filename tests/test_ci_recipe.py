"""The CI recipe of the README ("Gate a release in CI") runs as written.

`docs/ci/github-actions.yml` and `docs/ci/gitlab-ci.yml` are shown verbatim in the README. The
slow tests take the install line and the suite line out of each job, install into a fresh venv
from this checkout (in place of the git URL) and run the suite line in a shell against the real
mock (exit 0, both reports written) and, with options that only shorten it, against a faulty
variant (exit 1, failures recorded).
The same venv shows that a plain `pip install` of the project brings none of the suite's tools.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .faults import serve_correct, serve_variant
from .processes import clean_env

REPO = Path(__file__).resolve().parent.parent
CI = REPO / "docs" / "ci"
GIT_URL = "git+https://github.com/OWNER/REPO@main"
CONTRACT_ONLY = ("schemathesis", "hypothesis", "pytest", "requests")
TOKEN = "ci-recipe-token"
FAULT = "count_off_by_one"
MISSING_EXTRA = "pip install 'workflows-personas-toolkit[contract]'"


@dataclass(frozen=True)
class Recipe:
    file: Path
    install: str
    suite: str

    @classmethod
    def from_lines(cls, file: Path, lines: list[str]) -> Recipe:
        installs = [line for line in lines if line.startswith("pip install ")]
        suites = [line for line in lines if line.startswith("wp-contract ")]
        assert len(installs) == 1 and len(suites) == 1 and len(lines) == 2, f"{file.name}: {lines}"
        return cls(file, installs[0], suites[0])

    def option(self, name: str) -> str:
        words = shlex.split(self.suite)
        return words[words.index(name) + 1]


def github() -> tuple[Recipe, dict]:
    doc = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    (job,) = doc["jobs"].values()
    return Recipe.from_lines(CI / "github-actions.yml", [s["run"] for s in job["steps"] if "run" in s]), job


def gitlab() -> tuple[Recipe, dict]:
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    (job,) = doc.values()
    return Recipe.from_lines(CI / "gitlab-ci.yml", job["script"]), job


# ---- the recipe as text: cheap --------------------------------------------------------------


def test_the_readme_shows_each_ci_file_verbatim() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Gate a release in CI", 1)[1].split("\n## ", 1)[0]
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        assert f"```yaml\n{(CI / name).read_text(encoding='utf-8')}```\n" in section, name


@pytest.mark.parametrize("load", [github, gitlab], ids=["github", "gitlab"])
def test_each_job_installs_the_extra_from_git_and_keeps_the_token_off_the_command_line(load) -> None:
    recipe, _ = load()
    assert recipe.install == f'pip install "workflows-personas-toolkit[contract] @ {GIT_URL}"'
    words = shlex.split(recipe.suite)
    assert recipe.option("--base-url") == "$WP_BASE_URL" and recipe.option("--workspace") == "$WP_WORKSPACE"
    assert recipe.option("--profile") == "quick"
    assert recipe.option("--junit-xml") == "contract-junit.xml"
    assert recipe.option("--report-json") == "contract-report.json"
    assert "--token" not in words and "WP_API_TOKEN" not in recipe.suite


def test_github_job_takes_the_token_from_secrets_and_publishes_the_reports_always() -> None:
    recipe, job = github()
    (step,) = [s for s in job["steps"] if s.get("run") == recipe.suite]
    assert step["env"] == {
        "WP_BASE_URL": "${{ vars.WP_BASE_URL }}",
        "WP_WORKSPACE": "${{ vars.WP_WORKSPACE }}",
        "WP_API_TOKEN": "${{ secrets.WP_API_TOKEN }}",
    }
    assert not any("continue-on-error" in s for s in job["steps"])  # a non-zero exit fails the job
    by_action = {s["uses"].split("@")[0]: s for s in job["steps"] if "uses" in s}
    upload, junit = by_action["actions/upload-artifact"], by_action["mikepenz/action-junit-report"]
    assert upload["if"] == "always()" and junit["if"] == "always()"
    assert set(upload["with"]["path"].split()) == {recipe.option("--junit-xml"), recipe.option("--report-json")}
    assert junit["with"]["report_paths"] == recipe.option("--junit-xml")


def test_gitlab_job_publishes_the_reports_always() -> None:
    recipe, job = gitlab()
    assert "allow_failure" not in job  # a non-zero exit fails the job
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == recipe.option("--junit-xml")
    assert set(artifacts["paths"]) == {recipe.option("--junit-xml"), recipe.option("--report-json")}


# ---- the recipe run: slow -------------------------------------------------------------------


@dataclass(frozen=True)
class Venv:
    path: Path
    plain_packages: set[str]  # what `pip install <project>` alone installed
    without_extra: dict[str, subprocess.CompletedProcess[str]]  # the suite started without the extra


def shell(venv: Path, line: str, cwd: Path, timeout: float, **env: str) -> subprocess.CompletedProcess[str]:
    """`line` as a CI runner's bash runs it, with the venv's bin first on PATH."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line],
        cwd=cwd,
        env=shell_env(venv, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shell_env(venv: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if not k.startswith("WP_")}
    ours = {str(REPO / ".venv" / "bin"), str(Path(sys.executable).parent)}
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p not in ours]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    env.setdefault("PIP_NO_INPUT", "1")
    return {**env, **extra}


def checked(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """One fresh venv: the plain project first (checked), then the recipe's install line as written."""
    root = tmp_path_factory.mktemp("ci-recipe")
    path = root / "venv"
    checked(subprocess.run([sys.executable, "-m", "venv", path], capture_output=True, text=True, timeout=120))
    scratch = root / "scratch"
    scratch.mkdir()
    env = shell_env(path, {})
    assert Path(shutil.which("pip", path=env["PATH"]) or "") == path / "bin" / "pip"

    def sh(line: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return shell(path, line, scratch, timeout)

    checked(sh(f"pip install --quiet {shlex.quote(str(REPO))}"))
    listed = json.loads(checked(sh("pip list --format=json")))
    plain = {re.sub(r"[-_.]+", "-", p["name"]).lower() for p in listed}
    down = "--base-url http://127.0.0.1:9 --workspace demo"
    without_extra = {cmd: sh(f"{cmd} {down}", timeout=60) for cmd in ("wp-contract", "python -m contract_tests")}

    (install,) = {github()[0].install, gitlab()[0].install}
    assert GIT_URL in install
    checked(sh(install.replace(GIT_URL, REPO.as_uri())))
    return Venv(path, plain, without_extra)


@pytest.mark.slow
def test_a_plain_install_brings_the_mock_but_none_of_the_suites_tools(venv: Venv) -> None:
    assert {"flask", "waitress", "orjson", "pyyaml", "jsonschema-rs"} <= venv.plain_packages
    assert not venv.plain_packages & set(CONTRACT_ONLY)


def run_suite(
    venv: Venv, recipe: Recipe, base_url: str, cwd: Path, extra: str = ""
) -> tuple[subprocess.CompletedProcess, ET.Element]:
    done = shell(
        venv.path, recipe.suite + extra, cwd, 300, WP_BASE_URL=base_url, WP_WORKSPACE="demo", WP_API_TOKEN=TOKEN
    )
    junit, report = cwd / recipe.option("--junit-xml"), cwd / recipe.option("--report-json")
    output = f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert junit.is_file() and report.is_file(), output
    assert TOKEN not in done.stdout + done.stderr + junit.read_text() + report.read_text()
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors")}
    assert totals["tests"] > 0, output
    return done, root


@pytest.mark.slow
def test_the_github_suite_line_passes_the_real_mock(venv: Venv, tmp_path: Path) -> None:
    recipe, _ = github()
    with serve_correct(token=TOKEN) as base_url:
        done, junit = run_suite(venv, recipe, base_url, tmp_path)
    output = f"{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert done.returncode == 0, output
    assert not list(junit.iter("failure")) and not list(junit.iter("error")), output
    assert json.loads((tmp_path / recipe.option("--report-json")).read_text())["passed"] is True


@pytest.mark.slow
def test_the_gitlab_suite_line_fails_a_faulty_implementation(venv: Venv, tmp_path: Path) -> None:
    recipe, _ = gitlab()
    with serve_variant(FAULT, token=TOKEN) as base_url:
        # for time only (the line as written runs against the real mock above): 3 examples per
        # operation and property, as the project's variant catches run, and a stop at the first failure
        done, junit = run_suite(venv, recipe, base_url, tmp_path, extra=" --max-examples 3 --no-shrink --fail-fast")
    output = f"{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert done.returncode == 1, output
    assert list(junit.iter("failure")), output
    report = json.loads((tmp_path / recipe.option("--report-json")).read_text())
    assert report["passed"] is False and report["failures"], report


@pytest.mark.slow
@pytest.mark.parametrize("command", ["wp-contract", "python -m contract_tests"])
def test_the_suite_without_the_extra_says_what_to_install_in_one_line(venv: Venv, command: str) -> None:
    done = venv.without_extra[command]
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and MISSING_EXTRA in done.stderr, done.stderr
