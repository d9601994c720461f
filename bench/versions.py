"""`python -m bench.versions REV [REV ...]`: the mock of other commits beside this checkout's,
CPU per request inside the app (the cpu section's measurement), in one run, in turns.

Each commit is checked out in a temporary git worktree; each round runs one fresh process per
commit, taking turns (A B A B ...), whose `mock_server` and `api_spec` are that commit's while
the measuring code is this checkout's, so every version is measured the same way. Each app
keeps its best round. For the before/after tables of bench/FINDINGS.md."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .targets import ROOT

PROFILES = ("list", "detail", "create")
# Runs in the child: this checkout's `bench`, the commit's `mock_server` (see `_tree`).
ROUND = """
import inspect, json, logging, os, sys
import mock_server
assert mock_server.__file__.startswith(os.getcwd()), (mock_server.__file__, os.getcwd())  # not an installed copy
from pathlib import Path
from bench import cpu
from bench.floor import create_floor_app
from mock_server import create_app
try:  # the layout since issue 12: api/, state/, devtools/ on the api_spec model
    import api_spec
    from mock_server.devtools.accesslog import AccessLog
    from mock_server.state import seed
    spec = api_spec.contract()
    def mock():
        return create_app(store=seed.load(spec, seed_file), contract=spec)
except ImportError:  # before: flat modules and the mock's own Spec
    from mock_server import seed
    from mock_server.accesslog import AccessLog
    from mock_server.spec import Spec
    spec = Spec.load()
    def mock():
        return create_app(store=seed.load(spec, seed_file), spec=spec)
requests, seed_file = int(sys.argv[1]), Path(sys.argv[2])
devnull = open("/dev/null", "w", buffering=1)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=devnull)  # older access logs
data = json.loads(seed_file.read_text(encoding="utf-8"))
template = dict(data["workspaces"]["demo"]["workflows"][0])
if "stream" in inspect.signature(AccessLog).parameters:
    logged = AccessLog(mock(), lambda: devnull)
else:  # before the access log wrote its own lines
    logged = AccessLog(mock())
apps = {"floor": create_floor_app(data), "mock": logged, "mock-quiet": mock()}
out = {}
for profile in PROFILES:
    for app in apps.values():
        cpu._run(app, profile, template, max(requests // 10, 1))
    out[profile] = {key: cpu._run(app, profile, template, requests) for key, app in apps.items()}
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.versions", description=__doc__.split("\n\n")[0])
    p.add_argument("revs", nargs="+", help="commits to compare with the checkout (e.g. a tag or a hash)")
    p.add_argument("--requests", type=int, default=2000, help="requests per app, profile and round")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    from .targets import write_seed

    with tempfile.TemporaryDirectory(prefix="bench-versions-") as tmp:
        seed_file = write_seed(Path(tmp) / "seed-100.json", 100)
        trees = {"checkout": _tree(Path(tmp) / "checkout", ROOT)}
        try:
            for rev in args.revs:
                worktree = Path(tmp) / f"rev-{len(trees)}"
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), rev], check=True)
                trees[rev] = _tree(Path(tmp) / f"path-{len(trees)}", worktree)
            best: dict[str, dict[str, dict[str, float]]] = {}
            for round_no in range(args.rounds):
                for name, path in trees.items():
                    result = _round(path, args.requests, seed_file)
                    for profile, apps in result.items():
                        for app, us in apps.items():
                            cell = best.setdefault(name, {}).setdefault(profile, {})
                            cell[app] = min(us, cell.get(app, float("inf")))
                    print(f"round {round_no + 1}/{args.rounds} {name}: {json.dumps(result)}", flush=True)
        finally:
            for rev_tree in Path(tmp).glob("rev-*"):
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(rev_tree)], check=False)
    print(_table(best, args.requests, args.rounds))
    return 0


def _tree(path: Path, source: Path) -> Path:
    """A directory for PYTHONPATH: the commit's packages and spec, this checkout's `bench`."""
    path.mkdir(parents=True)
    for name in ("mock_server", "api_spec", "openapi.yaml"):
        if (source / name).exists():
            (path / name).symlink_to(source / name)
    (path / "bench").symlink_to(ROOT / "bench")
    return path


def _round(path: Path, requests: int, seed_file: Path) -> dict[str, Any]:
    code = ROUND.replace("PROFILES", repr(PROFILES))
    done = subprocess.run(
        [sys.executable, "-c", code, str(requests), str(seed_file)],
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
        cwd=path,  # `-c` puts the working directory first on sys.path: it must be the tree's
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{path}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(best: dict[str, dict[str, dict[str, float]]], requests: int, rounds: int) -> str:
    rows = [
        f"CPU µs per request in the app, best of {rounds} rounds of {requests:,} (lower is better)",
        "",
        "| version | app | list | detail | create |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, profiles in best.items():
        for app in ("floor", "mock", "mock-quiet"):
            cells = " | ".join(f"{profiles[p][app]:.0f}" for p in PROFILES)
            rows.append(f"| {name} | {app} | {cells} |")
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
