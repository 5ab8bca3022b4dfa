"""async_greeter: a WASI 0.3 component whose exports are `async func`s.

It is not a command: it exports the interface `wasmscope:samples/greeter`
(see wit/async-greeter.wit) and imports, of WASI 0.3, only
`wasi:clocks/monotonic-clock`, whose `wait-for` is an async import:

  * `greet(name)` awaits a 5 ms `wait-for`, then returns `Hello, NAME!`.
  * `greet-all(names)` greets every name at once: one task per name, each
    awaiting its own 5 ms `wait-for`, so the call takes about 5 ms whatever
    the number of names (the waits overlap).
  * `sleep(ms)` awaits `wait-for` of `ms` milliseconds and returns nothing.
    `sleep(3600000)` waits an hour: a guest that is awaiting, to be stopped.

componentize-py's CPython also imports the WASI 0.2 interfaces that its libc
uses (wasi:cli, wasi:filesystem, ...), so a host must link 0.2 and 0.3; the
app itself calls only the 0.3 clock.
"""

import asyncio

from wit_world import exports
from wit_world.imports import monotonic_clock

NANOS_PER_MS = 1_000_000
GREETING_WAIT_MS = 5


class Greeter(exports.Greeter):
    async def greet(self, name: str) -> str:
        await monotonic_clock.wait_for(GREETING_WAIT_MS * NANOS_PER_MS)
        return f"Hello, {name}!"

    async def greet_all(self, names: list[str]) -> list[str]:
        return list(await asyncio.gather(*(self.greet(name) for name in names)))

    async def sleep(self, ms: int) -> None:
        await monotonic_clock.wait_for(ms * NANOS_PER_MS)
