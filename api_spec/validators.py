"""JSON Schema validators for the contract's schemas, compiled by jsonschema-rs.

Every validator resolves `#/components/...` in one registry holding the document's components
(a copy of them inside each validator costs the mock much memory: bench/FINDINGS.md), and checks
formats, as the mock and the suite both need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from .model import Contract

DOCUMENT_URI = "urn:workflows-personas-api:openapi"  # the document's name in the registry


class Validators:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._registry = jsonschema_rs.Registry([(DOCUMENT_URI, {"components": dict(contract.document.components)})])

    def of(self, schema: Mapping[str, Any] | bool) -> jsonschema_rs.Validator:
        """A validator of a schema of this document (local refs resolved in the registry)."""
        if isinstance(schema, bool):
            return jsonschema_rs.validator_for(schema)
        return jsonschema_rs.Draft202012Validator(_anchored(schema), validate_formats=True, registry=self._registry)

    def schema_at(self, schema_path: list[Any]) -> Any:
        """The (resolved) schema node a validator's error points at, by its path in the document."""
        return self.contract.resolve(self.contract.document.pointer("#/" + "/".join(map(str, schema_path))))


def _anchored(node: Any) -> Any:
    """The schema with its local refs (`#/...`) made absolute, pointing into the registry."""
    if isinstance(node, Mapping):
        return {
            k: DOCUMENT_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _anchored(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_anchored(item) for item in node]
    return node
