"""The `Prefer` request header, in Prism's syntax: shape the next response without a restart.

    Prefer: code=500                      the spec's 500 for this operation (or a DRF-shaped one)
    Prefer: code=404, example=invalidPage  a named example of that status
    Prefer: example=documented            the first status that has this named example
    Prefer: delay=1500                    answer 1.5 s later (at most 30 s)

Security comes first, as in Prism: a missing or unknown token is still `401`, a token not
allowed on the workspace still `403`. After that a `code` or `example` preference answers
the documented response at once: the workspace and the id need not exist, the query and
the body are not validated, and nothing is stored. `delay` alone delays the normal answer.
Unknown preferences are ignored (RFC 7240); an invalid value of a known one is `400`.
Applied preferences are echoed in `Preference-Applied`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Response

from .. import turns
from ..api import errors
from . import examples

if TYPE_CHECKING:
    from api_spec import Operation

    from ..api.pipeline import Call

MAX_DELAY_MS = 30_000
APPLIED_HEADER = "Preference-Applied"

# token [BWS "=" BWS (token / quoted-string)], then ";"-parameters (ignored)
_PREFERENCE = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,;\s]*))?\s*(?:;[^,]*)?')


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    delay_ms: int | None = None

    @property
    def forces_response(self) -> bool:
        return self.code is not None or self.example is not None

    def applied(self) -> str:
        parts = [f"code={self.code}"] if self.code is not None else []
        if self.example is not None:
            parts.append(f'example="{self.example}"' if not _is_token(self.example) else f"example={self.example}")
        if self.delay_ms is not None:
            parts.append(f"delay={self.delay_ms}")
        return ", ".join(parts)


def parse(headers: list[str]) -> Preferences:
    """The known preferences of one or more `Prefer` headers; the first of a repeated one wins."""
    values: dict[str, str] = {}
    for header in headers:
        for item in _split(header):
            match = _PREFERENCE.fullmatch(item)
            if match is None:
                raise errors.ParseError(f"Invalid Prefer header: cannot parse {item.strip()!r}.")
            name, value = match.group(1).lower(), match.group(2) or ""
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            values.setdefault(name, value)
    return Preferences(
        code=_code(values["code"]) if "code" in values else None,
        example=_example(values["example"]) if "example" in values else None,
        delay_ms=_delay(values["delay"]) if "delay" in values else None,
    )


def apply(call: Call) -> Response | None:
    """The pipeline's `Prefer` step (after authentication): waits `delay`, then answers a `code` or
    `example` at once; None when the request has no `Prefer` header or only a delay."""
    header = call.request.environ.get("HTTP_PREFER")  # repeated headers arrive joined by commas
    if header is None or call.request.method == "OPTIONS" or call.operation is None:
        return None
    try:
        prefs = parse([header])
    except errors.ParseError:
        call.off_spec = True
        raise
    if prefs.delay_ms:
        with turns.waiting():
            time.sleep(prefs.delay_ms / 1000)
    forced = _forced(call, call.operation, prefs) if prefs.forces_response else None
    call.applied = prefs.applied()
    return forced


def echo_applied(call: Call, response: Response) -> Response:
    """What was applied, in `Preference-Applied`, on whatever answered."""
    if call.applied:
        response.headers[APPLIED_HEADER] = call.applied
    return response


def _forced(call: Call, op: Operation, prefs: Preferences) -> Response:
    contract = call.runtime.contract
    try:
        status = prefs.code if prefs.code is not None else examples.status_with_example(op, str(prefs.example))
        if op.documents(status):
            answer = examples.documented(contract, op, status, prefs.example, call.request.host_url)
            if not answer.has_body:
                return errors.empty_response(status, answer.headers)
            return errors.json_response(status, answer.body, answer.headers)
        if prefs.example is not None:
            raise examples.UnknownExample(f"{op.operation_id} does not document status {status}.")
    except examples.UnknownExample as exc:
        call.off_spec = True
        raise errors.ParseError(f"Invalid Prefer header: {exc}") from None
    call.off_spec = True
    if status in (204, 205, 304):
        return errors.empty_response(status)
    return errors.render(errors.error_for(status))


def _split(header: str) -> list[str]:
    """Comma-separated items, commas inside quoted strings kept."""
    return [item for item in re.findall(r'(?:"(?:[^"\\]|\\.)*"|[^,"])+', header) if item.strip()]


def _code(value: str) -> int:
    if not value.isdigit() or not 200 <= int(value) <= 599:
        raise errors.ParseError(f"Invalid Prefer header: code must be an HTTP status from 200 to 599, not {value!r}.")
    return int(value)


def _delay(value: str) -> int:
    if not value.isdigit() or int(value) > MAX_DELAY_MS:
        raise errors.ParseError(
            f"Invalid Prefer header: delay must be a whole number of milliseconds from 0 to {MAX_DELAY_MS}, "
            f"not {value!r}."
        )
    return int(value)


def _example(value: str) -> str:
    if not value:
        raise errors.ParseError("Invalid Prefer header: example needs a name.")
    return value


def _is_token(value: str) -> bool:
    return re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", value) is not None
