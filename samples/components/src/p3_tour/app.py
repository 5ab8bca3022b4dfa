"""p3_tour: a WASI 0.3 command component (componentize-py 0.25.1).

It exports `wasi:cli/run@0.3.0` (an *async* function) and talks to the host
only through WASI 0.3 interfaces:

  * stdout/stderr: `wasi:cli/stdout.write-via-stream` / `stderr.write-via-stream`
    take the readable end of a `stream<u8>`; the component keeps the writable
    end and writes its text into it, then closes it and awaits the returned
    `future<result<_, error-code>>`.
  * args and env: `wasi:cli/environment`.
  * clocks: `wasi:clocks/system-clock.now` (wall clock, printed as UTC),
    `wasi:clocks/monotonic-clock.now` and the async `wait-for` (it sleeps 20 ms
    and reports how long that really took).
  * files: `wasi:filesystem/preopens.get-directories`, the async
    `descriptor.open-at`, and `descriptor.read-via-stream`, which hands back a
    `stream<u8>` of the file's bytes plus a future for the final status.

If `hello.txt` cannot be opened (no directory mounted at /data or ., or no such
file) it writes `p3_tour: cannot open hello.txt: ...` to stderr and `run`
returns `err`, so the command exits with status 1.

Python's own `print` would go through the WASI 0.2 interfaces that CPython's
libc uses, so this app never calls it.
"""

import wit_world
from wit_world import exports
from wit_world.imports import (
    environment,
    monotonic_clock,
    preopens,
    stderr,
    stdout,
    system_clock,
    wasi_filesystem_types as fs,
)
from componentize_py_types import Err

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class Output:
    """One `stream<u8>` handed to the host's stdout or stderr for the whole run."""

    def __init__(self, iface):
        self.writer, reader = wit_world.byte_stream()
        # The host starts draining `reader` right away; `done` resolves once the
        # writer is closed and everything has been written (or on error).
        self.done = iface.write_via_stream(reader)

    async def line(self, text: str = "") -> None:
        await self.writer.write_all((text + "\n").encode())

    async def close(self) -> None:
        self.writer.__exit__(None, None, None)  # drop the writable end
        await self.done.read()


def utc(seconds: int) -> str:
    """Formats Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (no time-zone data needed)."""
    days, rem = divmod(seconds, 86400)
    # Civil-from-days (Howard Hinnant's algorithm).
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += 1 if m <= 2 else 0
    return f"{y:04}-{m:02}-{d:02} {rem // 3600:02}:{rem % 3600 // 60:02}:{rem % 60:02} UTC"


def error_name(e) -> str:
    """`ErrorCode_NoEntry()` -> `no-entry`, like the WIT enum case."""
    name = type(e).__name__.removeprefix("ErrorCode_")
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


async def read_file(directory, name: str) -> bytes:
    """Opens `name` in `directory` and reads it through `read-via-stream`."""
    f = await directory.open_at(fs.PathFlags(0), name, fs.OpenFlags(0), fs.DescriptorFlags.READ)
    data = bytearray()
    stream, status = f.read_via_stream(0)
    with stream:
        while not stream.writer_dropped:
            data += await stream.read(4096)
    result = await status.read()
    if isinstance(result, Err):
        raise Err(result.value)
    return bytes(data)


class Run(exports.Run):
    async def run(self) -> None:
        out = Output(stdout)
        args = environment.get_arguments()
        await out.line("Hello from a WASI 0.3 component!")
        await out.line(f"args ({len(args)}): {args}")

        env = dict(environment.get_environment())
        if "GREETING" in env:
            await out.line(f"GREETING = {env['GREETING']}")
        else:
            await out.line("GREETING is not set")

        now = system_clock.now()
        await out.line(f"wall clock: {utc(now.seconds)} ({now.seconds} s since 1970)")

        start = monotonic_clock.now()
        await monotonic_clock.wait_for(20_000_000)  # 20 ms, an async import
        slept = monotonic_clock.now() - start
        await out.line(f"monotonic clock: asked to wait 20 ms, waited {slept / 1e6:.1f} ms")

        dirs = preopens.get_directories()
        names = [path for _, path in dirs]
        await out.line(f"preopened dirs: {names}")
        directory = next((d for d, path in dirs if path in ("/data", ".")), None)
        try:
            if directory is None:
                raise LookupError("no directory mounted at /data (try --dir samples/data::/data)")
            try:
                text = await read_file(directory, "hello.txt")
            except Err as e:
                raise LookupError(error_name(e.value)) from None
        except LookupError as e:
            await out.close()
            err = Output(stderr)
            await err.line(f"p3_tour: cannot open hello.txt: {e}")
            await err.close()
            raise Err(None)

        await out.line(f"hello.txt ({len(text)} bytes):")
        await out.line(text.decode("utf-8", "replace").rstrip("\n"))
        await out.close()
