"""`python -m mock_server` / `wp-mock`: start the mock on localhost."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__, seed
from .app import create_app
from .auth import DEFAULT_TOKEN, TokenPolicy
from .server import Server
from .spec import Spec
from .store import PERSONAS, WORKFLOWS, Store


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m mock_server",
        description="A stateful mock of the Workflows & Personas API (v3), driven by openapi.yaml.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=4010, help="port; 0 picks a free one (default: %(default)s)")
    p.add_argument(
        "--token",
        action="append",
        metavar="TOKEN[:WS,...]",
        help=f"an accepted bearer token, optionally limited to workspaces; repeatable (default: {DEFAULT_TOKEN})",
    )
    data = p.add_mutually_exclusive_group()
    data.add_argument("--seed", type=Path, metavar="FILE", help="JSON or YAML starting data (default: demo data)")
    data.add_argument("--no-seed", action="store_true", help="start with empty 'demo' and 'sandbox' workspaces")
    p.add_argument("--workspace", action="append", default=[], metavar="NAME", help="add an empty workspace")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default: %(default)s)")
    p.add_argument("--validate-responses", action="store_true", help="answer 500 when a response breaks the spec")
    p.add_argument("--quiet", action="store_true", help="no access log")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def banner(url: str, tokens: list[str], store: Store) -> str:
    lines = [
        f"Workflows & Personas API mock {__version__}",
        f"  Listening on {url}",
        f"  Base URL:    {url}/api/v3/workspaces/{{workspace_name}}/",
    ]
    lines += [f"  Token:       Authorization: Bearer {t}" for t in tokens]
    for name in store.workspace_names():
        personas, workflows = store.count(name, PERSONAS), store.count(name, WORKFLOWS)
        lines.append(f"  Workspace:   {name} ({personas} personas, {workflows} workflows)")
    lines.append("  Stop with Ctrl-C.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.quiet:
        logging.getLogger("mock_server.access").setLevel(logging.WARNING)
    tokens = args.token or [DEFAULT_TOKEN]
    spec = Spec.load()
    try:
        TokenPolicy.parse(tokens)
        store = seed.load(spec, args.seed, empty=args.no_seed)
    except (ValueError, seed.SeedError) as exc:
        print(f"mock_server: {exc}", file=sys.stderr)
        return 2
    for name in args.workspace:
        if not seed.is_workspace_name(spec, name):
            print(f"mock_server: --workspace {name!r}: {seed.WORKSPACE_NAME_RULE}", file=sys.stderr)
            return 2
        store.add_workspace(name)
    app = create_app(store=store, tokens=tokens, spec=spec, validate_responses=args.validate_responses)
    try:
        server = Server(app, args.host, args.port, args.threads, access_log=not args.quiet)
    except OSError as exc:
        print(f"mock_server: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(banner(server.url, [t.split(":", 1)[0] for t in tokens], store), flush=True)
    server.serve_forever()
    return 0
