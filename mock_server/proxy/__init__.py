"""Proxy mode (`--proxy URL`): the API forwarded to a real deployment, every exchange checked
against the contract, and what the upstream answered optionally recorded as seed data.

    upstream.py   the forwarding client: pooled keep-alive connections, timeouts, hop-by-hop headers
    exchange.py   one request and its answer checked against the compiled spec: violation strings
    recorder.py   successful reads and writes kept per workspace, kind and id, written as a seed file
    summary.py    the tally of exchanges and violations, printed when the proxy stops
    steps.py      the pipeline steps of proxy mode (declared in `api.pipeline.PROXY_STEPS`) and the
                  `Proxy` they share

Nothing is imported here, so the constants below cost the modules that name them nothing.
"""

VIOLATIONS_HEADER = "X-Contract-Violations"  # on every proxied answer: how many violations the exchange had
VIOLATIONS_ENVIRON = "mock_server.violations"  # the WSGI environ key the access log reads them from
