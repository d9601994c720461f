"""`python -m mock_server` / `wp-mock`: start the mock on localhost."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import api_spec

from . import __version__
from .api.auth import DEFAULT_TOKEN, TokenPolicy
from .app import create_app
from .devtools import chaos, journal
from .server import Server
from .state import persistence, seed
from .state.store import Store


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
    p.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep the state in PATH across restarts: loaded at start if it exists, written atomically on change",
    )
    p.add_argument(
        "--latency",
        type=_checked(chaos.parse_latency),
        default=(0, 0),
        metavar="MS|MIN-MAX",
        help="add this latency (ms, or a random one in MIN-MAX) to every API response",
    )
    p.add_argument(
        "--fail-rate",
        type=_checked(chaos.parse_fail_rate),
        default=0.0,
        metavar="P",
        help="answer this fraction (0..1) of API requests with 503, changing nothing",
    )
    p.add_argument("--chaos-seed", type=int, metavar="N", help="seed of --latency and --fail-rate, to replay a run")
    p.add_argument(
        "--journal-size",
        type=_checked(_non_negative),
        default=journal.DEFAULT_SIZE,
        metavar="N",
        help="how many requests the admin API's journal keeps (default: %(default)s)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A flag parser whose ValueError becomes argparse's usage error."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"expected a whole number >= 0, not {text!r}")
    return int(text)


def banner(
    url: str,
    tokens: list[str],
    store: Store,
    *,
    state_file: Path | None = None,
    turbulence: chaos.Chaos | None = None,
) -> str:
    contract = api_spec.contract()
    lines = [
        f"Workflows & Personas API mock {__version__}",
        f"  Listening on {url}",
        f"  Base URL:    {url}{contract.api_prefix}{{{contract.scope_param}}}/",
    ]
    lines += [f"  Token:       Authorization: Bearer {t}" for t in tokens]
    for name in store.workspace_names():
        counts = ", ".join(f"{store.count(name, kind)} {kind}" for kind in api_spec.KINDS)
        lines.append(f"  Workspace:   {name} ({counts})")
    lines += [
        f"  Docs:        {url}/docs/",
        f"  Spec:        {url}/openapi.json  {url}/openapi.yaml",
        f"  Admin API:   {url}/__admin/{{reset,state,requests}}  (described at {url}/__admin/openapi.yaml)",
    ]
    if state_file is not None:
        lines.append(f"  State file:  {state_file}")
    if turbulence is not None and turbulence.active:
        lines.append(f"  Chaos:       {turbulence.describe()} (replay with --chaos-seed {turbulence.seed})")
    lines.append("  Stop with Ctrl-C.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    tokens = args.token or [DEFAULT_TOKEN]
    contract = api_spec.contract()
    try:
        TokenPolicy.parse(tokens)
        store = seed.load(contract, args.seed, empty=args.no_seed)
    except (ValueError, seed.SeedError) as exc:
        print(f"mock_server: {exc}", file=sys.stderr)
        return 2
    for name in args.workspace:
        if not seed.is_workspace_name(contract, name):
            print(f"mock_server: --workspace {name!r}: {seed.WORKSPACE_NAME_RULE}", file=sys.stderr)
            return 2
        store.add_workspace(name)

    def starting_data() -> Store:
        """What `POST /__admin/reset` restores: the seed plus the --workspace ones."""
        fresh = seed.load(contract, args.seed, empty=args.no_seed)
        for name in args.workspace:
            fresh.add_workspace(name)
        return fresh

    try:
        saved = persistence.load(contract, args.state_file) if args.state_file else None
    except seed.SeedError as exc:
        print(f"mock_server: --state-file: {exc}", file=sys.stderr)
        return 2
    if saved is not None:
        store = saved
        for name in args.workspace:
            store.add_workspace(name)
    turbulence = chaos.Chaos(args.latency, args.fail_rate, args.chaos_seed)
    app = create_app(
        store=store,
        tokens=tokens,
        contract=contract,
        validate_responses=args.validate_responses,
        reset_to=starting_data,
        chaos=turbulence,
        journal_size=args.journal_size,
    )
    state_file = persistence.StateFile(args.state_file, contract, store) if args.state_file else None
    try:
        if state_file is not None:
            state_file.start()
    except OSError as exc:
        print(f"mock_server: --state-file: cannot write {args.state_file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        server = Server(app, args.host, args.port, args.threads, access_log=not args.quiet)
    except OSError as exc:
        print(f"mock_server: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    shown_tokens = [t.split(":", 1)[0] for t in tokens]
    text = banner(server.url, shown_tokens, store, state_file=args.state_file, turbulence=turbulence)
    server.serve_forever(
        on_start=lambda: print(text, flush=True), on_stop=state_file.close if state_file is not None else None
    )
    return 0
