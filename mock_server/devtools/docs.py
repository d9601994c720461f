"""Interactive docs at `/docs/` and the spec at stable URLs, for people and frontend tooling.

    /docs/                                Swagger UI (assets from the flask-swagger-ui package,
                                          served here: nothing comes from a CDN)
    /openapi.json, /openapi.yaml          openapi.yaml, `servers` pointing at this mock
    /__admin/openapi.json, .yaml          the admin API's spec, likewise

The served specs name the URL the request came to as their only server, so "Try it out" and
generators (`openapi-typescript`, client generators) talk to the running mock. When the
default development token is accepted, the page is pre-authorized with it; otherwise the
Authorize button takes the token (Swagger UI keeps it across reloads).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import flask_swagger_ui
import yaml
from flask import Blueprint, Response, redirect, request, send_from_directory, url_for

from api_spec import Contract

from .. import runtime
from ..api.auth import DEFAULT_TOKEN

ASSETS = Path(flask_swagger_ui.__file__).with_name("dist")
API_TITLE = "Workflows & Personas API"
ADMIN_TITLE = "Mock admin API"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="stylesheet" href="index.css">
  <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="swagger-ui-standalone-preset.js"></script>
  <script>
    const settings = {settings};
    window.ui = SwaggerUIBundle({{
      urls: settings.urls,
      "urls.primaryName": settings.urls[0].name,
      dom_id: "#swagger-ui",
      deepLinking: true,
      displayOperationId: true,
      persistAuthorization: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: "StandaloneLayout",
      onComplete: () => {{
        if (settings.token) window.ui.preauthorizeApiKey(settings.scheme, settings.token);
      }},
    }});
  </script>
</body>
</html>
"""


def served(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with this mock (as the request reached it) as its only server."""
    out = copy.copy(document)
    out["servers"] = [{"url": request.url_root.rstrip("/"), "description": "This mock"}]
    return out


def blueprint(contract: Contract, admin_spec: dict[str, Any]) -> Blueprint:
    bp = Blueprint("mock_docs", __name__)
    document = contract.document.raw
    scheme = _bearer_scheme(document)

    def as_json(document: dict[str, Any]) -> Response:
        return Response(json.dumps(served(document), ensure_ascii=False), mimetype="application/json")

    def as_yaml(document: dict[str, Any]) -> Response:
        text = yaml.safe_dump(served(document), sort_keys=False, allow_unicode=True, width=100)
        return Response(text, mimetype="application/yaml")

    bp.add_url_rule("/openapi.json", "spec_json", lambda: as_json(dict(document)))
    bp.add_url_rule("/openapi.yaml", "spec_yaml", lambda: as_yaml(dict(document)))
    bp.add_url_rule("/__admin/openapi.json", "admin_spec_json", lambda: as_json(admin_spec))
    bp.add_url_rule("/__admin/openapi.yaml", "admin_spec_yaml", lambda: as_yaml(admin_spec))

    @bp.get("/docs")
    def to_page() -> Response:
        return redirect(url_for(".page"), 302)

    @bp.get("/docs/")
    def page() -> Response:
        policy = runtime.current().tokens
        settings = {
            "urls": [
                {"url": "../openapi.json", "name": API_TITLE},
                {"url": "../__admin/openapi.json", "name": ADMIN_TITLE},
            ],
            "scheme": scheme,
            "token": DEFAULT_TOKEN if DEFAULT_TOKEN in policy.tokens else None,
        }
        script_safe = json.dumps(settings).replace("<", "\\u003c")
        html = _PAGE.format(title=f"{API_TITLE} — docs", settings=script_safe)
        return Response(html, mimetype="text/html")

    @bp.get("/docs/<path:asset>")
    def asset(asset: str) -> Response:
        return send_from_directory(ASSETS, asset, max_age=3600)

    return bp


def _bearer_scheme(document: Any) -> str | None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            return name
    return None
