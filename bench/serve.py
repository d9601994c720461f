"""`python -m bench.serve floor|unvalidated --port N [--seed FILE]`: the two comparison servers,
on the mock's own server (`mock_server.server.Server`: granian unless `--server` says otherwise, same threads,
no access log)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import api_spec
from mock_server import cli, create_app
from mock_server.server import Server
from mock_server.state import seed

from .floor import create_floor_app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serve")
    p.add_argument("kind", choices=["floor", "unvalidated"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seed", type=Path, help="seed file (default: the mock's bundled demo data)")
    threads = cli.parser().get_default("threads")
    p.add_argument("--threads", type=int, default=threads, help="worker threads (default: the mock's, %(default)s)")
    # granian, as the mock's own rows (`--server granian`): what the floor is measured on
    p.add_argument("--server", choices=["granian", "waitress", "auto"], default="granian")
    args = p.parse_args(argv)
    if args.kind == "floor":
        app = create_floor_app(json.loads((args.seed or seed.BUNDLED).read_text(encoding="utf-8")))
    else:
        contract = api_spec.contract()
        app = create_app(store=seed.load(contract, args.seed), contract=contract, validate_requests=False)
    Server(app, "127.0.0.1", args.port, args.threads, access_log=False, kind=args.server).serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
