"""Deliberately faulty variants of the mock, to prove that the contract suite catches each one.

They live in the tests only: every variant is built at test time from the real mock through its
public seam (`mock_server.runtime`): a wrapper around its store, another token policy, a wrapped
handler or pipeline step, or middleware around its WSGI app.
"""

from .harness import DEFAULT_TOKEN, serve, serve_correct, serve_variant
from .variants import CHECKS, VARIANTS, Variant

__all__ = ["CHECKS", "DEFAULT_TOKEN", "VARIANTS", "Variant", "serve", "serve_correct", "serve_variant"]
