"""A stateful, spec-driven mock of the Workflows & Personas API (v3)."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
