"""http_hello: a wasi:http/proxy@0.2.0 handler (componentize-py 0.25.1).

`wasmtime serve` creates one instance per request and calls the exported
`wasi:http/incoming-handler.handle(request, response-out)`.

  GET  /            200, a short greeting
  GET  /echo?...    200, the method, path (with query), header count and body
  POST /echo        (same)
  any  /slow        waits 2 s on a wasi:clocks/monotonic-clock pollable, then 200
  any  /trap        raises an exception: componentize-py turns it into a trap,
                    so the host answers with its own error (500)
  anything else     404

The code is synchronous on purpose: it uses the blocking helpers of
wasi:io/streams (`blocking-read`, `blocking-write-and-flush`) and
`pollable.block`, so each WASI call in a trace maps to one line here.
"""

from componentize_py_types import Ok, Err
from wit_world import exports
from wit_world.imports import monotonic_clock
from wit_world.imports.streams import StreamError_Closed
from wit_world.imports.types import (
    Fields,
    IncomingBody,
    IncomingRequest,
    Method_Get,
    Method_Other,
    Method_Post,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

MAX_ECHO = 64 * 1024  # bytes of request body echoed back


def method_name(method) -> str:
    if isinstance(method, Method_Other):
        return method.value
    return type(method).__name__.removeprefix("Method_").upper()


def read_body(request: IncomingRequest) -> bytes:
    body = request.consume()
    data = bytearray()
    with body.stream() as stream:
        while len(data) < MAX_ECHO:
            try:
                data += stream.blocking_read(4096)
            except Err as e:
                if isinstance(e.value, StreamError_Closed):
                    break
                raise
    IncomingBody.finish(body)
    return bytes(data[:MAX_ECHO])


def respond(response_out: ResponseOutparam, status: int, text: str) -> None:
    data = text.encode()
    headers = Fields.from_list([("content-type", b"text/plain; charset=utf-8")])
    response = OutgoingResponse(headers)
    response.set_status_code(status)
    body = response.body()
    ResponseOutparam.set(response_out, Ok(response))
    with body.write() as stream:
        # blocking-write-and-flush takes at most 4096 bytes at a time.
        for i in range(0, len(data), 4096):
            stream.blocking_write_and_flush(data[i : i + 4096])
    OutgoingBody.finish(body, None)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        method = request.method()
        target = request.path_with_query() or "/"
        path = target.split("?", 1)[0]

        if path == "/" and isinstance(method, Method_Get):
            respond(response_out, 200, "Hello from http_hello, a wasi:http/proxy@0.2.0 component!\n")
        elif path == "/echo" and isinstance(method, (Method_Get, Method_Post)):
            headers = request.headers().entries()
            body = read_body(request)
            respond(
                response_out,
                200,
                f"method: {method_name(method)}\n"
                f"path: {target}\n"
                f"headers: {len(headers)}\n"
                f"body ({len(body)} bytes): {body.decode('utf-8', 'replace')}\n",
            )
        elif path == "/slow":
            start = monotonic_clock.now()
            monotonic_clock.subscribe_duration(2_000_000_000).block()
            waited = (monotonic_clock.now() - start) / 1e9
            respond(response_out, 200, f"slow: answered after {waited:.1f} s\n")
        elif path == "/trap":
            # No response is set: the exception escapes `handle`, the
            # component traps, and wasmtime answers the client itself.
            raise RuntimeError("http_hello: /trap asked for a trap")
        else:
            respond(response_out, 404, f"not found: {method_name(method)} {target}\n")
