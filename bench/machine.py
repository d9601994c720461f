"""What the numbers were measured on: the machine, the OS and every tool's version."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shutil
import subprocess
from typing import Any

from . import load, prism

PACKAGES = ("flask", "waitress", "werkzeug", "jsonschema-rs", "schemathesis", "hypothesis")


def describe() -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": _os_name(),
        "python": platform.python_version(),
        "node": _output(["node", "--version"]),
        "prism": prism.version(),
        "load_generator": load.tool(),
        "packages": {name: _version(name) for name in PACKAGES},
        "load_average": load_average(),
    }


def load_average() -> str:
    """Other work on the machine skews every number: shown at the start and end of a run."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        return platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        return f"{platform.system()} {platform.release()}"


def _output(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
