"""http_fetch: a WASI 0.2 command component that sends one HTTP request.

Usage: http_fetch.wasm URL      (http:// or https://)

It builds an `outgoing-request` (wasi:http/types@0.2.0), hands it to
`wasi:http/outgoing-handler.handle`, waits on the returned future's pollable,
then prints the status, the number of response headers and the first 200 bytes
of the body. Any failure (bad URL, the host refusing the request, connection
refused, ...) is reported on stderr as `http_fetch: URL: ...` and the command
exits with status 1.
"""

import sys
from urllib.parse import urlsplit

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import outgoing_handler
from wit_world.imports.streams import StreamError_Closed
from wit_world.imports.wasi_http_types import (
    Fields,
    IncomingBody,
    Method_Get,
    OutgoingBody,
    OutgoingRequest,
    Scheme_Http,
    Scheme_Https,
)

PREVIEW_BYTES = 200


class FetchError(Exception):
    pass


def describe(code) -> str:
    """`ErrorCode_ConnectionRefused()` -> `connection-refused` (plus its payload, if any)."""
    name = type(code).__name__.removeprefix("ErrorCode_")
    out = ""
    for i, c in enumerate(name):
        if c.isupper() and i > 0 and not (name[i - 1].isupper() and (i + 1 == len(name) or name[i + 1].isupper())):
            out += "-"
        out += c.lower()
    value = getattr(code, "value", None)
    return f"{out} ({value})" if value is not None else out


def fetch(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError("expected an http:// or https:// URL")

    request = OutgoingRequest(Fields.from_list([("user-agent", b"wasmscope-http-fetch/1")]))
    request.set_method(Method_Get())
    request.set_scheme(Scheme_Http() if parts.scheme == "http" else Scheme_Https())
    request.set_authority(parts.netloc)
    request.set_path_with_query(parts.path + ("?" + parts.query if parts.query else "") or "/")
    OutgoingBody.finish(request.body(), None)  # a GET has an empty body

    try:
        future = outgoing_handler.handle(request, None)
    except Err as e:
        raise FetchError(f"request refused: {describe(e.value)}") from None

    with future.subscribe() as pollable:
        pollable.block()
    outcome = future.get()
    # option<result<result<incoming-response, error-code>>>: the outer result
    # is only err if get() was called twice.
    if outcome is None or isinstance(outcome, Err):
        raise FetchError("no response")
    if isinstance(outcome.value, Err):
        raise FetchError(describe(outcome.value.value))
    response = outcome.value.value

    headers = response.headers().entries()
    print(f"status: {response.status()}")
    print(f"headers: {len(headers)}")

    body = response.consume()
    data = bytearray()
    with body.stream() as stream:
        while len(data) < PREVIEW_BYTES:
            try:
                data += stream.blocking_read(PREVIEW_BYTES - len(data))
            except Err as e:
                if isinstance(e.value, StreamError_Closed):
                    break
                raise FetchError(f"reading the body failed: {e.value}") from None
    IncomingBody.finish(body)
    text = bytes(data[:PREVIEW_BYTES]).decode("utf-8", "replace")
    print(f"body (first {len(data)} bytes):")
    print(text, end="" if text.endswith("\n") else "\n")


class Run(exports.Run):
    def run(self) -> None:
        args = sys.argv[1:]
        if len(args) != 1:
            print("usage: http_fetch.wasm URL   e.g. http://127.0.0.1:8000/", file=sys.stderr)
            sys.exit(2)
        try:
            fetch(args[0])
        except FetchError as error:
            print(f"http_fetch: {args[0]}: {error}", file=sys.stderr)
            sys.exit(1)
