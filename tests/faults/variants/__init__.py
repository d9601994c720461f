"""Every faulty variant, registered in `VARIANTS` by importing its module.

The mistakes are the ones an independent team writing this API could make, from blatant (a
wrong status code) to subtle (one field not persisted, an off-by-one count).
"""

from ..catalog import CHECKS, CONTRACT, VARIANTS, Variant
from . import (  # noqa: F401  (imported to register their variants)
    auth,
    isolation,
    lifecycle,
    limits,
    pagination,
    persistence,
    relations,
    responses,
    runs,
    slow_verdicts,
    tokens,
    uniqueness,
    validation,
)

__all__ = ["CHECKS", "CONTRACT", "VARIANTS", "Variant"]
