"""http_hello_p3: a wasi:http/service@0.3.0 handler (componentize-py 0.25.1).

The WASI 0.3 counterpart of http_hello. It exports `wasi:http/handler@0.3.0`,
whose `handle: async func(request) -> result<response, error-code>`; the host
creates one instance per request and calls it. Bodies are `stream<u8>`s: the
request's is read with `request.consume-body`, and the response's is the
readable end of a stream the handler keeps writing to *after* `handle` has
returned the response (a task spawned on the call, see `answer`).

  GET  /            200, a short greeting
  GET  /echo?...    200, the method, path (with query), header count and body
  POST /echo        (same)
  GET  /count       200, `1` to `5`, one line every 100 ms, streamed as written
  any  /slow        awaits a 2 s wasi:clocks/monotonic-clock.wait-for, then 200
  any  /trap        raises an exception: the component traps, the host answers 500
  anything else     404
"""

import componentize_py_async_support
import wit_world
from componentize_py_async_support.streams import ByteStreamWriter
from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports import monotonic_clock
from wit_world.imports.wasi_http_types import (
    Fields,
    Method_Get,
    Method_Other,
    Method_Post,
    Request,
    Response,
)

MAX_ECHO = 64 * 1024  # bytes of request body echoed back
TEXT = [("content-type", b"text/plain; charset=utf-8")]


def method_name(method) -> str:
    if isinstance(method, Method_Other):
        return method.value
    return type(method).__name__.removeprefix("Method_").upper()


def no_trailers():
    """The readable end of a `future<result<option<trailers>, error-code>>`
    whose writer is dropped at once, so it resolves to its default: no trailers."""
    return wit_world.result_option_wasi_http_types_fields_wasi_http_types_error_code_future(lambda: Ok(None))[1]


def body_done():
    """The `future<result<_, error-code>>` that `consume-body` reports to."""
    return wit_world.result_unit_wasi_http_types_error_code_future(lambda: Ok(None))[1]


async def read_body(request: Request) -> bytes:
    stream, _trailers = Request.consume_body(request, body_done())
    data = bytearray()
    with stream:
        while not stream.writer_dropped and len(data) < MAX_ECHO:
            data += await stream.read(4096)
    return bytes(data[:MAX_ECHO])


def answer(status: int, write_body) -> Response:
    """A response whose body `write_body(writer)` writes once `handle` has
    returned it (the host reads the body only then)."""
    writer, reader = wit_world.byte_stream()
    response, _sent = Response.new(Fields.from_list(TEXT), reader, no_trailers())
    response.set_status_code(status)

    async def write() -> None:
        with writer:
            await write_body(writer)

    componentize_py_async_support.spawn(write())
    return response


def text(status: int, body: str) -> Response:
    async def write_body(writer: ByteStreamWriter) -> None:
        await writer.write_all(body.encode())

    return answer(status, write_body)


async def count_slowly(writer: ByteStreamWriter) -> None:
    for n in range(1, 6):
        await writer.write_all(f"{n}\n".encode())
        if n < 5:
            await monotonic_clock.wait_for(100_000_000)  # 100 ms


class Handler(exports.Handler):
    async def handle(self, request: Request) -> Response:
        method = request.get_method()
        target = request.get_path_with_query() or "/"
        path = target.split("?", 1)[0]

        if path == "/" and isinstance(method, Method_Get):
            return text(200, "Hello from http_hello_p3, a wasi:http/service@0.3.0 component!\n")
        if path == "/echo" and isinstance(method, (Method_Get, Method_Post)):
            headers = request.get_headers().copy_all()
            body = await read_body(request)
            return text(
                200,
                f"method: {method_name(method)}\n"
                f"path: {target}\n"
                f"headers: {len(headers)}\n"
                f"body ({len(body)} bytes): {body.decode('utf-8', 'replace')}\n",
            )
        if path == "/count" and isinstance(method, Method_Get):
            return answer(200, count_slowly)
        if path == "/slow":
            start = monotonic_clock.now()
            await monotonic_clock.wait_for(2_000_000_000)
            waited = (monotonic_clock.now() - start) / 1e9
            return text(200, f"slow: answered after {waited:.1f} s\n")
        if path == "/trap":
            # No response: the exception escapes `handle`, the component
            # traps, and the host answers the client itself.
            raise RuntimeError("http_hello_p3: /trap asked for a trap")
        return text(404, f"not found: {method_name(method)} {target}\n")
