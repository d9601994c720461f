"""Locates and loads `openapi.yaml`, the one source of truth, for the mock and the suite.

An installed wheel carries the spec inside this package; a source checkout keeps it at the
repository root, so both places are looked at.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

_PACKAGED = Path(__file__).with_name("openapi.yaml")
_CHECKOUT = Path(__file__).resolve().parent.parent / "openapi.yaml"


def spec_path() -> Path:
    """Path of the `openapi.yaml` in use (packaged copy first, then the checkout's)."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("openapi.yaml is neither packaged nor at the repository root")


@functools.cache
def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The parsed spec; cached, so callers must not mutate it."""
    with open(path or spec_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)
