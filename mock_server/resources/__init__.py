"""One module per resource of the API, each a set of handlers keyed by operationId."""

from __future__ import annotations

from ..routing import Handlers
from . import personas, workflows

ALL: tuple[Handlers, ...] = (workflows.handlers, personas.handlers)
