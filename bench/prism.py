"""Stoplight Prism, installed with the machine's npm into bench/.node/ (git-ignored) on first use."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@stoplight/prism-cli"
VERSION_RANGE = "^5"
NODE_DIR = Path(__file__).resolve().parent / ".node"
BIN = NODE_DIR / "node_modules" / ".bin" / "prism"


def ensure() -> Path:
    """The prism executable, installing it if needed; RuntimeError if node/npm are missing."""
    if BIN.exists():
        return BIN
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError("Prism needs node and npm on PATH")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
            str(NODE_DIR),
            f"{PACKAGE}@{VERSION_RANGE}",
        ],
        check=True,
        timeout=600,
    )
    return BIN


def version() -> str:
    manifest = NODE_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"]) if manifest.exists() else "not installed"
