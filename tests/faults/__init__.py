"""Deliberately faulty variants of the mock, to prove that the contract suite catches each one.

They live in the tests only: every variant is built at test time from the real mock by
re-classing its store, wrapping its token policy, a view, or its WSGI app.
"""

from .harness import DEFAULT_TOKEN, serve, serve_correct, serve_variant
from .variants import CHECKS, VARIANTS, Variant

__all__ = ["CHECKS", "DEFAULT_TOKEN", "VARIANTS", "Variant", "serve", "serve_correct", "serve_variant"]
