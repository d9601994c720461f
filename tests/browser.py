"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright.

No browser is downloaded: Playwright launches the system's Chromium (`scripts/test` installs
Debian's package when it is missing and it can). Playwright starts every browser with a fresh,
temporary profile. Without a browser the tests skip locally but fail under CI (`CI=true`),
so a CI run can never pass without having run them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason}; browser tests must run in CI (scripts/test installs Debian's chromium as root)")
    pytest.skip(reason)


def launch() -> Iterator[Any]:
    """Yields a launched browser (for a fixture), closing it afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        unavailable("no chromium on PATH (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()
