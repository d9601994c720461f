"""A stateful, spec-driven mock of the Workflows & Personas API (v3).

Layers: `api/` serves the contract over HTTP (one pipeline, its steps and handlers), `state/`
holds the data with no HTTP in it, `devtools/` adds what developers use beside the API (admin
API, journal, `Prefer`, chaos, docs, access log), `proxy/` forwards the API to a real deployment
instead and checks every exchange (`--proxy`); `app.py` wires them into one Flask app around one
`Runtime`, and `cli.py` / `server.py` run it.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
