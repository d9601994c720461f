"""Parameters as they travel: text on the wire, typed by their schema when read.

The mock reads a request's path and query this way, and the suite judges a case as the
server will read it with the very same function.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
MAX_INTEGER_DIGITS = 40  # longer digit strings stay text (and fail an integer schema)
MAX_NUMBER_CHARS = 100


def coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    """The value of a string parameter, by its schema's type; the string itself if it fits none."""
    types = schema.get("type", "string")
    for kind in [types] if isinstance(types, str) else types:
        if kind == "integer" and _INTEGER.fullmatch(raw) and len(raw) <= MAX_INTEGER_DIGITS:
            return int(raw)
        if kind == "number" and _NUMBER.fullmatch(raw) and len(raw) <= MAX_NUMBER_CHARS:
            return float(raw) if any(c in raw for c in ".eE") else int(raw)
        if kind == "boolean" and raw in ("true", "false"):
            return raw == "true"
        if kind == "string":
            return raw
    return raw


def as_text(value: Any) -> str | None:
    """The text a client library sends for a scalar parameter value; None for a list or object,
    whose form on the wire a scalar parameter does not define."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None
