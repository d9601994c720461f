"""The one reading of `openapi.yaml`: where it is, and the contract it describes.

Pure data (no Flask, no Schemathesis): the mock compiles its validators from this model, and the
contract suite builds its comparisons and generators on it, so nothing the spec says is written
again in Python.
"""

from .document import Branch, Document, load_spec, spec_path
from .domain import KINDS, PERSONAS, WORKFLOWS
from .model import Body, Contract, Header, Kind, Operation, Parameter, Response, contract
from .validators import Validators
from .wire import as_text, coerce

__all__ = [
    "KINDS",
    "PERSONAS",
    "WORKFLOWS",
    "Body",
    "Branch",
    "Contract",
    "Document",
    "Header",
    "Kind",
    "Operation",
    "Parameter",
    "Response",
    "Validators",
    "as_text",
    "coerce",
    "contract",
    "load_spec",
    "spec_path",
]
