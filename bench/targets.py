"""The servers compared, each a command line, and the seed files they start from."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mock_server.state import seed

from . import prism

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    argv: Callable[[int, Path | None], list[str]]  # (port, seed file) -> command line
    family: str  # "mock", "floor" or "prism": what it can be asked and how its memory compares

    def command(self, port: int, seed_file: Path | None = None) -> list[str]:
        return self.argv(port, seed_file)


def _mock(*extra: str) -> Callable[[int, Path | None], list[str]]:
    def argv(port: int, seed_file: Path | None) -> list[str]:
        seeded = ["--seed", str(seed_file)] if seed_file else []
        return [sys.executable, "-m", "mock_server", "--port", str(port), *seeded, *extra]

    return argv


def _bench_serve(kind: str) -> Callable[[int, Path | None], list[str]]:
    def argv(port: int, seed_file: Path | None) -> list[str]:
        seeded = ["--seed", str(seed_file)] if seed_file else []
        return [sys.executable, "-m", "bench.serve", kind, "--port", str(port), *seeded]

    return argv


def _prism(*extra: str) -> Callable[[int, Path | None], list[str]]:
    def argv(port: int, _seed: Path | None) -> list[str]:
        return [str(prism.BIN), "mock", str(SPEC), "--host", "127.0.0.1", "--port", str(port), *extra]

    return argv


MOCK = Target("mock", "mock --server granian (access log on)", _mock("--server", "granian"), "mock")
MOCK_QUIET = Target(
    "mock-quiet", "mock --server granian --quiet (no access log)", _mock("--server", "granian", "--quiet"), "mock"
)
# The server the mock ships with (see mock_server/server.py, DEFAULT_SERVER).
MOCK_WAITRESS = Target("mock-waitress", "mock, as shipped: waitress (access log on)", _mock(), "mock")
UNVALIDATED = Target("unvalidated", "mock, request validation off (no log)", _bench_serve("unvalidated"), "mock")
FLOOR = Target("floor", "bare Flask floor (no log)", _bench_serve("floor"), "floor")
PRISM = Target("prism", "Prism, default logging", _prism(), "prism")
PRISM_SILENT = Target("prism-silent", "Prism, logging off (-v silent)", _prism("--verboseLevel", "silent"), "prism")

ALL = (MOCK, MOCK_QUIET, MOCK_WAITRESS, UNVALIDATED, FLOOR, PRISM, PRISM_SILENT)
BY_KEY = {t.key: t for t in ALL}


def write_seed(path: Path, workflows: int) -> Path:
    """A seed with the bundled personas and `workflows` workflows in `demo` (the bundled ones,
    repeated with numbered names), in the mock's seed format."""
    bundled = json.loads(seed.BUNDLED.read_text(encoding="utf-8"))
    demo = bundled["workspaces"]["demo"]
    samples = demo["workflows"]
    records = [
        {**samples[i % len(samples)], "name": f"{samples[i % len(samples)]['name']} #{i + 1}"} for i in range(workflows)
    ]
    data = {"workspaces": {"demo": {"personas": demo["personas"], "workflows": records}, "sandbox": {}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
