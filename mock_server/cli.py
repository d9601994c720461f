"""`python -m mock_server` / `wp-mock`: start the mock on localhost (or, with `--proxy URL`, a
proxy to a real deployment that checks every exchange against the contract)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import api_spec

from . import __version__
from .api.auth import DEFAULT_TOKEN, TokenPolicy
from .app import create_app
from .devtools import chaos, journal
from .proxy import VIOLATIONS_HEADER, upstream
from .proxy.recorder import Recorder
from .proxy.steps import Proxy
from .server import DEFAULT_SERVER, SERVERS, Server
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
    p.add_argument(
        "--threads",
        type=_checked(_positive),
        default=8,
        metavar="N",
        help="requests the app runs at once; a delayed or proxied one holds one while it waits (default: %(default)s)",
    )
    p.add_argument(
        "--server",
        choices=SERVERS,
        default=DEFAULT_SERVER,
        help="the HTTP server: waitress, granian (Rust; faster, header names in lower case), or auto: "
        "granian where it loads, else waitress (default: %(default)s)",
    )
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
    proxy = p.add_argument_group(
        "proxy mode", "forward the API to a real deployment and check every exchange against the contract"
    )
    proxy.add_argument(
        "--proxy",
        type=_checked(upstream.parse_url),
        metavar="URL",
        help="forward every /api/ request to URL (which may carry a path prefix) instead of serving data",
    )
    proxy.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="with --proxy: keep what the upstream returned in FILE, in the seed format (continued if it exists)",
    )
    proxy.add_argument("--record-secrets", action="store_true", help="with --record: keep webhook tokens too")
    proxy.add_argument(
        "--proxy-timeout",
        type=_checked(_seconds),
        metavar="S",
        help=f"with --proxy: seconds to wait for the upstream before answering 504 (default: {PROXY_TIMEOUT:g})",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


PROXY_TIMEOUT = 30.0
# Flags that shape the mock's own data or answers: in proxy mode the upstream has both.
_NOT_WITH_PROXY = {
    "seed": "--seed",
    "no_seed": "--no-seed",
    "state_file": "--state-file",
    "workspace": "--workspace",
    "validate_responses": "--validate-responses",
}


def _check_modes(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Flags of one mode given in the other are a usage error (exit 2), not silently ignored."""
    if args.proxy is None:
        for flag in ("record", "record_secrets", "proxy_timeout"):
            if getattr(args, flag):
                p.error(f"--{flag.replace('_', '-')} needs --proxy")
        return
    if args.record_secrets and args.record is None:
        p.error("--record-secrets needs --record")
    for name, flag in _NOT_WITH_PROXY.items():
        if getattr(args, name):
            p.error(f"{flag} does not go with --proxy: the upstream holds the data and gives the answers")


def _checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A flag parser whose ValueError becomes argparse's usage error."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ValueError(f"expected seconds above 0 and at most 3600, not {text!r}")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"expected a whole number >= 1, not {text!r}")
    return int(text)


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
    proxy: Proxy | None = None,
    server: str | None = None,
) -> str:
    contract = api_spec.contract()
    lines = [
        f"Workflows & Personas API mock {__version__}" + (" (proxy mode)" if proxy else ""),
        f"  Listening on {url}",
        f"  Base URL:    {url}{contract.api_prefix}{{{contract.scope_param}}}/",
    ]
    if server is not None:
        lines.append(f"  Server:      {server}")
    if proxy is None:
        lines += [f"  Token:       Authorization: Bearer {t}" for t in tokens]
        for name in store.workspace_names():
            counts = ", ".join(f"{store.count(name, kind)} {kind}" for kind in api_spec.KINDS)
            lines.append(f"  Workspace:   {name} ({counts})")
    else:
        lines.append(
            f"  Proxying to: {proxy.upstream.url} (timeout {proxy.upstream.timeout:g} s); every exchange checked "
            f"against the contract, violations counted in {VIOLATIONS_HEADER}"
        )
        if proxy.recorder is not None:
            kept = "kept" if proxy.recorder.secrets else "left out (--record-secrets keeps them)"
            lines.append(f"  Recording:   {proxy.recorder.path} (webhook tokens {kept})")
        lines += [f"  Admin token: Authorization: Bearer {t} (the API's tokens are the upstream's)" for t in tokens]
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


def run() -> None:
    """The command (`python -m mock_server`, `wp-mock`): `main`, then the process ends without
    finalizing the interpreter, as granian's own worker processes do. By then everything is
    written (state file, recording, access log, summary); but granian's threads may still be
    winding down, and finalizing the interpreter under them aborted the process after a load
    (SIGABRT, "panic in a function that cannot unwind": 8 of 8 stops after 3 s of wrk at 64
    connections, 0 of 8 this way; tests/test_cli.py)."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    _check_modes(p, args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    tokens = args.token or [DEFAULT_TOKEN]
    contract = api_spec.contract()
    if args.proxy is not None:
        return _serve_proxy(args, tokens)
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
    server = _server(app, args)
    if server is None:
        return 2
    shown_tokens = [t.split(":", 1)[0] for t in tokens]
    text = banner(
        server.url,
        shown_tokens,
        store,
        state_file=args.state_file,
        turbulence=turbulence,
        server=server.description,
    )
    server.serve_forever(
        on_start=lambda: print(text, flush=True), on_stop=state_file.close if state_file is not None else None
    )
    return 0


def _server(app: Any, args: argparse.Namespace, *, raw_target: bool = False) -> Server | None:
    """The server bound as the flags say, or None after one line on why it cannot be."""
    try:
        return Server(
            app, args.host, args.port, args.threads, access_log=not args.quiet, kind=args.server, raw_target=raw_target
        )
    except RuntimeError as exc:  # --server granian where it does not load
        print(f"mock_server: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"mock_server: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
    return None


def _serve_proxy(args: argparse.Namespace, tokens: list[str]) -> int:
    """Proxy mode: the same server, admin API and journal, with the upstream answering the API."""
    contract = api_spec.contract()
    try:
        TokenPolicy.parse(tokens)
    except ValueError as exc:
        print(f"mock_server: {exc}", file=sys.stderr)
        return 2
    recorder = None
    if args.record is not None:
        recorder = Recorder(contract, args.record, args.record_secrets)
        try:
            recorder.load()
        except seed.SeedError as exc:
            print(f"mock_server: --record: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"mock_server: --record: cannot read {args.record}: {exc.strerror}", file=sys.stderr)
            return 2
        directory = args.record.parent if str(args.record.parent) else Path(".")
        if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
            print(f"mock_server: --record: cannot write in {directory}", file=sys.stderr)
            return 2
    timeout = args.proxy_timeout or PROXY_TIMEOUT
    proxy = Proxy(upstream.Upstream(args.proxy, timeout, connections=args.threads), recorder)
    turbulence = chaos.Chaos(args.latency, args.fail_rate, args.chaos_seed)
    app = create_app(tokens=tokens, contract=contract, chaos=turbulence, journal_size=args.journal_size, proxy=proxy)
    server = _server(app, args, raw_target=True)
    if server is None:
        return 2
    if recorder is not None:
        recorder.start()
    shown_tokens = [t.split(":", 1)[0] for t in tokens]
    text = banner(
        server.url, shown_tokens, app.runtime.store, turbulence=turbulence, proxy=proxy, server=server.description
    )

    def stop() -> None:
        print(proxy.close(), file=sys.stderr, flush=True)

    server.serve_forever(on_start=lambda: print(text, flush=True), on_stop=stop)
    return 0
