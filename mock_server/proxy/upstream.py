"""The forwarding client of proxy mode: one urllib3 connection pool to the upstream, shared by
every worker thread of the server.

- Keep-alive: connections are pooled, as many as the server has threads, so concurrent requests
  each hold a connection of their own and consecutive ones reuse it; urllib3 drops a pooled
  connection the upstream has closed before reusing it.
- Nothing is retried and no redirect is followed: a write reaches the upstream once (or not at
  all), and a 3xx is the upstream's answer, passed on as it is.
- Hop-by-hop headers (RFC 9110, 7.6.1) are dropped both ways, `Host` names the upstream, the
  path prefix of `--proxy` is kept, and the request target goes out as the client wrote it.
- Bodies are untouched: the request's bytes go out as read, the answer's bytes come back
  undecoded (a gzip answer stays gzip, with its `Content-Encoding`). An answer up to
  `buffer_limit` bytes is read whole, so it can be checked, journaled and recorded; a longer one
  is streamed through as it arrives and its body is not checked.

urllib3 is imported when an `Upstream` is made: the mock alone does not pay its import at start-up.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

if TYPE_CHECKING:
    import urllib3

BUFFER_LIMIT = 16 * 1024 * 1024  # answers up to this size are read whole (checked); longer ones stream
STREAM_CHUNK = 64 * 1024
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Set by the client library for this hop, from the body sent (urllib3) or answered by the proxy's own server.
_NOT_FORWARDED = frozenset({"host", "content-length", "expect"})


class UpstreamError(Exception):
    """The upstream gave no (complete) answer; the message says why, without the request."""


class Unreachable(UpstreamError):
    """Refused, unresolvable, unreachable, or the connection broke: a 502."""


class TimedOut(UpstreamError):
    """No answer within the timeout: a 504."""


def parse_url(text: str) -> str:
    """The upstream URL as `--proxy` takes it (http or https, a host, maybe a path prefix), without
    a trailing slash; ValueError naming what is wrong."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL with a host, not {text!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("credentials in the URL are not supported (the client's Authorization header is passed on)")
    if parts.query or parts.fragment:
        raise ValueError(f"the upstream URL takes no query or fragment: {text!r}")
    try:
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError:
        raise ValueError(f"invalid port in {text!r}") from None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def end_to_end(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers without the hop-by-hop ones, including those the `Connection` header names."""
    headers = list(headers)
    named = {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }
    return [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP and name.lower() not in named]


@dataclass
class Answer:
    """What the upstream answered: status, end-to-end headers, and the body (or its stream)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes | None  # None: longer than the buffer limit, streamed (`stream`), not checked
    stream: Iterator[bytes] | None = None
    _json: tuple[bool, Any] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def content(self) -> bytes | None:
        """The body as the server meant it: gzip or deflate undone; None when streamed, or encoded
        some other way (not checked)."""
        if self.body is None:
            return None
        encoding = (self.header("Content-Encoding") or "identity").strip().lower()
        try:
            if encoding == "identity":
                return self.body
            if encoding in ("gzip", "x-gzip"):
                return zlib.decompress(self.body, 16 + zlib.MAX_WBITS)
            if encoding == "deflate":
                try:
                    return zlib.decompress(self.body)
                except zlib.error:
                    return zlib.decompress(self.body, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
        except zlib.error:
            return None
        return None

    def json(self) -> tuple[bool, Any]:
        """(True, the document) when the body is JSON, else (False, why not); parsed once."""
        if self._json is None:
            content = self.content()
            if content is None:
                self._json = (False, "not read")
            elif not content.strip():
                self._json = (False, "empty")
            else:
                try:
                    self._json = (True, orjson.loads(content))
                except orjson.JSONDecodeError:  # or what orjson refuses and json takes (integers past 64 bits)
                    try:
                        self._json = (True, json.loads(content))
                    except (ValueError, RecursionError) as exc:
                        self._json = (False, str(exc).split(":", 1)[0])
        return self._json


class Upstream:
    """The upstream at `url`: `send` forwards one request and returns its `Answer`."""

    def __init__(self, url: str, timeout: float, connections: int, buffer_limit: int = BUFFER_LIMIT) -> None:
        import urllib3
        from urllib3.util import SKIP_HEADER, Retry, Timeout

        self._headers = urllib3.HTTPHeaderDict
        self._skip = SKIP_HEADER
        self.url = parse_url(url)
        parts = urlsplit(self.url)
        self.prefix = parts.path
        self.host = parts.netloc
        self.timeout = timeout
        self.buffer_limit = buffer_limit
        self._manager = urllib3.PoolManager(
            num_pools=1,
            maxsize=max(connections, 1),
            block=False,  # a burst beyond the pool opens extra connections rather than waiting
            timeout=Timeout(connect=timeout, read=timeout),
            retries=Retry(total=0, redirect=False, raise_on_redirect=False),
        )
        self._pool = self._manager.connection_from_url(self.url)

    def send(self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> Answer:
        """Forwards `method target` (path and query, as the client sent them); UpstreamError if no answer."""
        outgoing = self._headers()
        for name, value in end_to_end(headers):
            if name.lower() not in _NOT_FORWARDED:
                outgoing.add(name, value)
        outgoing["Host"] = self.host
        for name in ("User-Agent", "Accept-Encoding"):  # urllib3 would add its own: the client sent none
            if name not in outgoing:
                outgoing[name] = self._skip
        try:
            response = self._pool.urlopen(
                method,
                self.prefix + target,
                body=body,
                headers=outgoing,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
            )
            head = response.read(self.buffer_limit + 1, decode_content=False)
        except Exception as exc:
            raise self._failure(exc) from None
        answer = Answer(response.status, response.reason or "", end_to_end(response.headers.iteritems()), None)
        if len(head) <= self.buffer_limit:
            response.release_conn()
            answer.body = head
        else:
            answer.stream = self._rest(response, head)
        return answer

    def close(self) -> None:
        self._manager.clear()

    def _rest(self, response: urllib3.BaseHTTPResponse, head: bytes) -> Iterator[bytes]:
        complete = False
        try:
            yield head
            yield from response.stream(STREAM_CHUNK, decode_content=False)
            complete = True
        finally:
            if not complete:  # the client went away, or the upstream broke off: the connection is spent
                response.close()
            response.release_conn()

    def _failure(self, exc: Exception) -> UpstreamError:
        from urllib3.exceptions import (
            ConnectTimeoutError,
            HTTPError,
            MaxRetryError,
            NewConnectionError,
            ReadTimeoutError,
        )

        reason = exc.reason if isinstance(exc, MaxRetryError) and exc.reason is not None else exc
        if isinstance(reason, NewConnectionError):  # before ConnectTimeoutError: it is a subclass of it
            return Unreachable(f"cannot connect ({_tail(reason)})")
        if isinstance(reason, ConnectTimeoutError):
            return TimedOut(f"no connection within {self.timeout:g} s")
        if isinstance(reason, ReadTimeoutError | TimeoutError):
            return TimedOut(f"no answer within {self.timeout:g} s")
        if isinstance(reason, HTTPError | OSError):
            return Unreachable(f"the connection broke ({_tail(reason)})")
        raise exc


def _tail(exc: BaseException) -> str:
    """The informative end of urllib3's message (`...: [Errno 111] Connection refused`), or of the
    error it wraps (`ProtocolError("Connection aborted.", RemoteDisconnected(...))`)."""
    if exc.args and isinstance(exc.args[-1], BaseException):
        return _tail(exc.args[-1])
    return str(exc).rsplit(": ", 1)[-1].strip() or type(exc).__name__
