#!/usr/bin/env bash
# Records what the reference runtime, the wasmtime 48.0.8 CLI, does with the
# WASI 0.3 and wasi:http samples, so Wasmscope's runs can be compared with it.
# Writes expected/<sample>.json for p3_tour, async_greeter, http_fetch,
# http_hello and http_hello_p3.
#
# Needs: wasmtime 48.0.8 (on PATH or in ~/.cargo/bin; see tools/install.sh),
# python3 (it drives the runs and serves files over HTTP) and curl.
#
# Each file is {"sample", "wasmtime", "cwd", "notes", "cases": [...]}.
#   commands: each case is {"name", "wasmtime_args", "stdout", "stderr", "exit_code"};
#             wasmtime_args are the exact arguments after `wasmtime`, run from
#             this folder (samples/components).
#   http_hello, http_hello_p3 (wasmtime serve): the file also has
#             "wasmtime_args" for the serve command; each case is {"name",
#             "method", "path", "body", "status", "response_body"}, sent with curl.
# Whatever depends on the machine or the moment (ports, times, durations) is
# replaced by a {PLACEHOLDER}; each file's "notes" says which.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

wasmtime=$(command -v wasmtime || echo "$HOME/.cargo/bin/wasmtime")
version=$("$wasmtime" --version)
case "$version" in
    "wasmtime 48.0.8"*) ;;
    *) echo "record-expected.sh: need wasmtime 48.0.8, found: $version" >&2; exit 1 ;;
esac
command -v curl >/dev/null || { echo "record-expected.sh: curl not found" >&2; exit 1; }
mkdir -p expected

exec python3 - "$wasmtime" "$version" <<'PY'
import json, os, re, signal, socket, subprocess, sys, tempfile, time

WASMTIME, VERSION = sys.argv[1], sys.argv[2]
# wasmtime appends a Rust backtrace to its errors when these are set; the
# recorded stderr should not depend on the caller's environment.
for var in ("RUST_BACKTRACE", "RUST_LIB_BACKTRACE", "WASMTIME_BACKTRACE_DETAILS", "RUST_LOG"):
    os.environ.pop(var, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"record-expected.sh: {what} did not start listening on port {port}")


def run(args, subst):
    """Runs `wasmtime ARGS`; returns the case with placeholders put back in."""
    p = subprocess.run([WASMTIME, *args], capture_output=True, text=True, timeout=300)

    def clean(text: str) -> str:
        for value, placeholder in subst:
            text = re.sub(value, placeholder, text) if isinstance(value, re.Pattern) else text.replace(value, placeholder)
        return text

    return {
        "stdout": clean(p.stdout),
        "stderr": clean(p.stderr),
        "exit_code": p.returncode,
    }


def command_case(name, args, subst=(), shown_args=None):
    case = {"name": name, "wasmtime_args": shown_args or args}
    case.update(run(args, subst))
    print(f"  {name}: exit {case['exit_code']}", file=sys.stderr)
    return case


def write(sample, notes, cases, **extra):
    doc = {"sample": f"{sample}.wasm", "wasmtime": VERSION, "cwd": "samples/components", "notes": notes}
    doc.update(extra)
    doc["cases"] = cases
    with open(f"expected/{sample}.json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote expected/{sample}.json ({len(cases)} cases)", file=sys.stderr)


# ---------------------------------------------------------------- p3_tour
print("== p3_tour", file=sys.stderr)
P3 = ["-W", "component-model-async=y", "-S", "p3=y"]
p3_subst = [
    (re.compile(r"wall clock: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s since 1970\)"),
     "wall clock: {WALL_CLOCK_UTC} ({UNIX_SECONDS} s since 1970)"),
    (re.compile(r"waited \d+\.\d ms"), "waited {WAITED_MS} ms"),
]
write(
    "p3_tour",
    "Placeholders: {WALL_CLOCK_UTC} is the wall clock as YYYY-MM-DD HH:MM:SS UTC and "
    "{UNIX_SECONDS} the same instant in seconds since 1970 (wasi:clocks/system-clock.now); "
    "{WAITED_MS} is how long the 20 ms wasi:clocks/monotonic-clock.wait-for really took, "
    "in ms with one decimal (20.0 or a little more). Everything else is exact.",
    [
        command_case("data mounted, GREETING set",
                     P3 + ["--dir", "../data::/data", "--env", "GREETING=hi", "p3_tour.wasm", "a", "b"], p3_subst),
        command_case("data mounted, no GREETING, no arguments",
                     P3 + ["--dir", "../data::/data", "p3_tour.wasm"], p3_subst),
        command_case("no mount: cannot open hello.txt, exit 1",
                     P3 + ["--env", "GREETING=hi", "p3_tour.wasm", "a", "b"], p3_subst),
        command_case("a mount without hello.txt: no-entry, exit 1",
                     P3 + ["--dir", "src::/data", "p3_tour.wasm"], p3_subst),
        command_case("WASI 0.3 switched off (-S p3=n): the 0.3 imports are missing",
                     ["-S", "p3=n", "--dir", "../data::/data", "p3_tour.wasm"], p3_subst),
    ],
)

# ---------------------------------------------------------------- async_greeter
print("== async_greeter", file=sys.stderr)
write(
    "async_greeter",
    "Every function of async_greeter.wasm is an `async func`, called with wasmtime run's "
    "--invoke; a result is printed as a WAVE value (`()` for none). Everything is exact. "
    "The last case awaits `wait-for` of an hour: wasmtime's -W timeout=1s ends it while it "
    "awaits, after about 1 s (exit 134, its code for a trap).",
    [
        command_case("greet: an async export returns its value",
                     P3 + ["--invoke", 'greet("ada")', "async_greeter.wasm"]),
        command_case("greet-all: three names greeted at once",
                     P3 + ["--invoke", 'greet-all(["ada", "grace", "linus"])', "async_greeter.wasm"]),
        command_case("greet-all: no names",
                     P3 + ["--invoke", "greet-all([])", "async_greeter.wasm"]),
        command_case("sleep: returns nothing",
                     P3 + ["--invoke", "sleep(20)", "async_greeter.wasm"]),
        command_case("an argument of the wrong type: exit 1",
                     P3 + ["--invoke", "greet(42)", "async_greeter.wasm"]),
        command_case("an unknown function: exit 1",
                     P3 + ["--invoke", "wave()", "async_greeter.wasm"]),
        command_case("not a command: run without --invoke, exit 1",
                     P3 + ["async_greeter.wasm"]),
        command_case("WASI 0.3 switched off (-S p3=n): the 0.3 imports are missing",
                     ["-S", "p3=n", "--invoke", 'greet("ada")', "async_greeter.wasm"]),
        command_case("an hour's sleep under -W timeout=1s: ended after 1 s",
                     ["-W", "component-model-async=y,timeout=1s", "-S", "p3=y", "--invoke", "sleep(3600000)",
                      "async_greeter.wasm"]),
    ],
)

# ---------------------------------------------------------------- http_fetch
print("== http_fetch", file=sys.stderr)
port = free_port()
server = subprocess.Popen(
    [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", "../data", str(port)],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
closed_port = free_port()  # nothing listens there
try:
    wait_for_port(port, "python3 -m http.server")
    url = f"http://127.0.0.1:{port}"
    closed = f"http://127.0.0.1:{closed_port}/"
    subst = [(url, "http://127.0.0.1:{PORT}"), (closed, "http://127.0.0.1:{CLOSED_PORT}/")]

    def shown(args):
        return [a.replace(url, "http://127.0.0.1:{PORT}").replace(closed, "http://127.0.0.1:{CLOSED_PORT}/") for a in args]

    cases = []
    for name, args in [
        ("GET a file, HTTP and network granted", ["-S", "http", "-S", "inherit-network", "http_fetch.wasm", f"{url}/hello.txt"]),
        ("GET / (a directory listing), HTTP and network granted", ["-S", "http", "-S", "inherit-network", "http_fetch.wasm", f"{url}/"]),
        ("GET a missing file: status 404, still exit 0", ["-S", "http", "-S", "inherit-network", "http_fetch.wasm", f"{url}/nope.txt"]),
        ("HTTP granted, network not", ["-S", "http", "http_fetch.wasm", f"{url}/hello.txt"]),
        ("no HTTP, no network: the import is missing", ["http_fetch.wasm", f"{url}/hello.txt"]),
        ("connection refused: exit 1", ["-S", "http", "-S", "inherit-network", "http_fetch.wasm", closed]),
        ("not a URL: exit 1", ["-S", "http", "-S", "inherit-network", "http_fetch.wasm", "ftp://example.invalid/"]),
    ]:
        cases.append(command_case(name, args, subst, shown(args)))
finally:
    server.terminate()
    server.wait()
write(
    "http_fetch",
    "The server is `python3 -m http.server --bind 127.0.0.1 --directory ../data {PORT}` "
    "(so hello.txt is samples/data/hello.txt); {PORT} is the free port it used and "
    "{CLOSED_PORT} a free port nothing listened on. Its response headers are "
    "Server, Date, Content-type, Content-Length (and Last-Modified for a file), so the "
    "header count is exact; the directory-listing and error HTML come from Python's "
    "http.server and may differ with another Python version (the listing also depends on what "
    "../data holds; today only hello.txt). Note the case 'HTTP granted, "
    "network not': wasmtime 48.0.8's outgoing handler does not consult the wasi:sockets "
    "grants (-S inherit-network), so -S http alone is enough to reach the network.",
    cases,
)

# ---------------------------------------------------------------- served samples
def serve_cases(sample, serve_args, requests):
    """Starts `wasmtime serve` with serve_args + --addr + the sample and sends
    each (name, method, path, body) with curl; returns the cases."""
    port = free_port()
    args = serve_args + ["--addr", f"127.0.0.1:{port}", f"{sample}.wasm"]
    serve_log = tempfile.TemporaryFile()
    serve = subprocess.Popen([WASMTIME, *args], stdout=serve_log, stderr=serve_log)
    cases = []
    try:
        wait_for_port(port, "wasmtime serve")
        for name, method, path, body in requests:
            cmd = ["curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", method,
                   "-H", "user-agent: wasmscope-record", f"http://127.0.0.1:{port}{path}"]
            if body is not None:
                cmd[1:1] = ["--data-binary", body, "-H", "content-type: text/plain"]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
            response_body, _, status = out.rpartition("\n")
            response_body = re.sub(r"answered after \d+\.\d s", "answered after {SECONDS} s", response_body)
            cases.append({"name": name, "method": method, "path": path, "body": body,
                          "status": int(status), "response_body": response_body})
            print(f"  {name}: {status}", file=sys.stderr)
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
    return cases, serve_args + ["--addr", "127.0.0.1:{PORT}", f"{sample}.wasm"]


CURL_NOTE = (
    "requested with curl from samples/components: `curl -s -X METHOD "
    "-H 'user-agent: wasmscope-record' [--data-binary BODY -H 'content-type: text/plain'] "
    "http://127.0.0.1:{PORT}PATH`. {PORT} is the free port it used. The /echo header count "
    "is what the component sees of what curl sent: user-agent and accept (+ "
    "content-length and content-type for a POST); wasmtime passes `host` on as the "
    "request's authority, not as a header. {SECONDS} in /slow is the measured wait, 2.0 or a little more. For /trap "
    "the component traps and wasmtime itself answers; its error goes to serve's stderr."
)

# ---------------------------------------------------------------- http_hello
print("== http_hello", file=sys.stderr)
cases, shown = serve_cases("http_hello", ["serve", "-S", "cli"], [
    ("root", "GET", "/", None),
    ("echo with a query", "GET", "/echo?name=wasm&x=1", None),
    ("echo a POST body", "POST", "/echo", "hello, echo"),
    ("slow: about 2 s", "GET", "/slow", None),
    ("unknown path: 404", "GET", "/nope", None),
    ("trap: the host answers 500", "GET", "/trap", None),
])
write(
    "http_hello",
    "Served by `wasmtime serve -S cli --addr 127.0.0.1:{PORT} http_hello.wasm` (wasmtime_args "
    "below; -S cli because componentize-py's CPython also imports wasi:cli, wasi:filesystem, "
    "... which serve does not provide by default), " + CURL_NOTE,
    cases,
    wasmtime_args=shown,
)

# ---------------------------------------------------------------- http_hello_p3
print("== http_hello_p3", file=sys.stderr)
cases, shown = serve_cases("http_hello_p3", ["serve", "-W", "component-model-async=y", "-S", "p3=y,cli"], [
    ("root", "GET", "/", None),
    ("echo with a query", "GET", "/echo?name=wasm&x=1", None),
    ("echo a POST body", "POST", "/echo", "hello, echo"),
    ("count: five lines streamed 100 ms apart", "GET", "/count", None),
    ("slow: about 2 s", "GET", "/slow", None),
    ("unknown path: 404", "GET", "/nope", None),
    ("trap: the host answers 500", "GET", "/trap", None),
])
write(
    "http_hello_p3",
    "Served by `wasmtime serve -W component-model-async=y -S p3=y,cli --addr 127.0.0.1:{PORT} "
    "http_hello_p3.wasm` (wasmtime_args below; a wasi:http/service@0.3.0 handler, so WASI 0.3 "
    "and the component-model-async features; -S cli because componentize-py's CPython also "
    "imports the WASI 0.2 wasi:cli, wasi:filesystem, ...), " + CURL_NOTE + " /count's body is "
    "written to the response's stream<u8> after `handle` returned, 100 ms between lines; curl "
    "sees the whole body.",
    cases,
    wasmtime_args=shown,
)
PY
