"""Tools from outside Python for the generated-client and Spectral tests, set up once.

The npm packages come from `tests/clients/package-lock.json` (`npm ci`, exact versions) into
`tests/clients/node_modules/`; generated code is cached in `tests/clients/.cache/`, one folder per
generator named by a hash of everything that shapes it (spec, lockfile, versions, client code), so
a warm run only executes the clients. Both folders are git-ignored. File locks make pytest-xdist
workers wait for one another instead of installing or generating into the same place twice.

A missing runtime (node and npm, java, a Python generator) skips the test, except under CI
(`CI=true`), where it fails: a CI run must never pass without having run these.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Container, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

from .browser import in_ci

ROOT = Path(__file__).resolve().parent.parent
SPEC_FILE = ROOT / "openapi.yaml"
CLIENTS = Path(__file__).resolve().with_name("clients")
NODE_MODULES = CLIENTS / "node_modules"
CACHE = CLIENTS / ".cache"
LOCKFILE = CLIENTS / "package-lock.json"
STAMP = NODE_MODULES / ".installed-from"  # the hash of what node_modules was installed from
NODE_AT_LEAST = (20, 19)  # the oldest Node.js that every package in the lockfile supports (@hey-api/openapi-ts)


def unavailable(reason: str) -> NoReturn:
    """Skips for want of a runtime, or fails under CI, where every generator must run."""
    if in_ci():
        pytest.fail(f"{reason}; under CI (CI=true) the generated-client and Spectral tests must run")
    pytest.skip(reason)


def require(program: str, hint: str) -> str:
    """The path of `program` on PATH, or unavailable."""
    path = shutil.which(program)
    if path is None:
        unavailable(f"no {program} on PATH ({hint})")
    return path


@contextlib.contextmanager
def file_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by every process on this machine (xdist workers included)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    ok: Container[int] = (0,),
) -> str:
    """Runs a tool, answering its stdout; any exit code not `ok` fails the test with everything
    the tool printed."""
    command = [str(arg) for arg in args]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{' '.join(command)} took more than {timeout}s:\n{exc.stdout}\n{exc.stderr}")
    if done.returncode not in ok:
        pytest.fail(f"{' '.join(command)} exited {done.returncode} in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def digest(*parts: bytes | str | Path) -> str:
    """A short hash of files (by content) and strings, in order."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.read_bytes() if isinstance(part, Path) else part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big") + data)
    return sha.hexdigest()[:16]


def npm_bin() -> Path:
    """`node_modules/.bin` installed with `npm ci` from the lockfile; reinstalled only when the
    lockfile or node changed since the last install (the stamp in node_modules says)."""
    node = require("node", f"Node.js {'.'.join(map(str, NODE_AT_LEAST))} or newer, with npm")
    npm = require("npm", "it comes with Node.js; Debian: apt-get install npm")
    node_version = run([node, "--version"], cwd=CLIENTS).strip()
    if tuple(int(part) for part in re.findall(r"\d+", node_version)[:2]) < NODE_AT_LEAST:
        unavailable(
            f"node {node_version} is older than {'.'.join(map(str, NODE_AT_LEAST))}, which @hey-api/openapi-ts needs"
        )
    wanted = digest(LOCKFILE, CLIENTS / "package.json", node_version)
    with file_lock("npm"):
        if not (STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted):
            # --ignore-scripts: the one install script in the tree (@scarf/scarf) only phones home.
            env = {**os.environ, "SCARF_ANALYTICS": "false", "DO_NOT_TRACK": "1"}
            run(
                [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                cwd=CLIENTS,
                timeout=600,
                env=env,
            )
            STAMP.write_text(wanted, encoding="utf-8")
    return NODE_MODULES / ".bin"


def cached(name: str, inputs: Sequence[bytes | str | Path], build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once for these inputs and that is reused until one changes.

    `build` works in a scratch folder that is renamed into place only when it succeeded, so an
    interrupted run never leaves a half-generated client behind to be reused.
    """
    key = digest(name, *inputs)
    target = CACHE / f"{name}-{key}"
    with file_lock(name):
        if target.is_dir():
            return target
        for stale in CACHE.glob(f"{name}-" + "?" * len(key)):
            shutil.rmtree(stale, ignore_errors=True)
        scratch = CACHE / f"tmp-{name}-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        try:
            build(scratch)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        scratch.rename(target)
    return target
