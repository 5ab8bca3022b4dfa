#!/usr/bin/env bash
# Rebuilds the component samples in this folder from src/ (WASI 0.2, plus the
# WASI 0.3 p3_tour and async_greeter, and the wasi:http ones, 0.2 and 0.3). Users and CI do not need this: the
# .wasm files are committed. It installs nothing (tools/install.sh does); it needs
#
#   apt:   clang lld wasi-libc libclang-rt-14-dev-wasm32   (Debian; clang 14 here)
#   cargo: a stable Rust toolchain; tools/componentize-p1 pins its crates in its
#          Cargo.lock: wit-component 0.254.2 (the version wasmtime 48.0.8 uses)
#          and wasi-preview1-component-adapter-provider 48.0.8
#   pip:   pip install componentize-py==0.25.1
#   for CHECK=1 only: cargo install --locked wasmtime-cli --version 48.0.8, and curl
#
# `./build.sh` rebuilds all of them; `./build.sh NAME...` (e.g. `./build.sh p3_tour
# http_hello`) only the named ones.
#
# The helper tool builds in $CARGO_TARGET_DIR (default /tmp/components-tools-target),
# not in the Wasmscope workspace. CHECK=1 ./build.sh also runs each sample under
# `wasmtime` (the wasmtime 48.0.8 CLI on PATH or in ~/.cargo/bin) as a smoke test.
#
# componentize-py's output is not byte-for-byte reproducible: it snapshots the
# Python heap after running the app once at build time, and CPython seeds its
# string hashing randomly, so each build differs a little (size too) while
# behaving the same.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

componentize_py_version=0.25.1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/components-tools-target}"

all="hello_component tcp_connect database_connector p3_tour http_hello http_fetch async_greeter http_hello_p3"
for name in "$@"; do
    case " $all " in
        *" $name "*) ;;
        *) echo "build.sh: unknown sample $name (one of: $all)" >&2; exit 1 ;;
    esac
done
wanted() { [ -z "$selected" ] || [[ " $selected " == *" $1 "* ]]; }
selected="$*"

tools="componentize-py"
wanted hello_component && tools="clang cargo $tools"
for tool in $tools; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (see the top of this file)" >&2; exit 1; }
done
have=$(componentize-py --version | awk '{print $2}')
if [ "$have" != "$componentize_py_version" ]; then
    echo "build.sh: componentize-py $have found; need: pip install componentize-py==$componentize_py_version" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. hello_component.wasm: C -> WASI preview1 core module -> command component.
if wanted hello_component; then
    echo "== hello_component.wasm"
    (cd tools/componentize-p1 && cargo build --release --locked --quiet)
    p1=$CARGO_TARGET_DIR/release/componentize-p1
    clang --target=wasm32-wasi -O2 -Wl,--strip-debug src/hello_component/hello.c -o "$tmp/hello_core.wasm"
    "$p1" wrap "$tmp/hello_core.wasm" hello_component.wasm
fi

# 2-8: Python components. componentize-py runs the app once at build time
# and its embedded CPython writes __pycache__ next to the sources it imports, so
# build from a copy to keep src/ clean.
python_component() { # NAME WORLD
    local name=$1 world=$2
    wanted "$name" || return 0
    echo "== $name.wasm"
    cp -r "src/$name" "$tmp/$name"
    componentize-py -d "$tmp/$name/wit" -w "$world" componentize -p "$tmp/$name" app -o "$name.wasm"
}
python_component tcp_connect tcp-connect
python_component database_connector connector
# WASI 0.3 command: its world includes wasi:cli/command@0.3.0 (WIT copied from
# wasmtime-wasi 48.0.8); componentize-py generates async bindings for it.
python_component p3_tour p3-tour
# wasi:http/proxy@0.2.0 handler, and a 0.2.0 command importing outgoing-handler.
python_component http_hello http-hello
python_component http_fetch http-fetch
# WASI 0.3, not a command: an interface of `async func`s (greet, greet-all,
# sleep) that await the 0.3 monotonic clock's `wait-for`.
python_component async_greeter async-greeter
# wasi:http/service@0.3.0 handler (WIT copied from wasmtime-wasi-http 48.0.8).
python_component http_hello_p3 http-hello-p3

ls -l ./*.wasm

if [ "${CHECK:-0}" = 1 ]; then
    wasmtime=$(command -v wasmtime || echo "$HOME/.cargo/bin/wasmtime")
    echo "== smoke test with $("$wasmtime" --version)"
fi
if [ "${CHECK:-0}" = 1 ] && wanted hello_component; then
    "$wasmtime" run --dir ../data::/data --env GREETING=hi hello_component.wasm one "two words"
fi
if [ "${CHECK:-0}" = 1 ] && wanted tcp_connect; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 - "$port" <<'PY' &
import socket, sys
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
s.settimeout(120)
c, _ = s.accept()
print("server got", c.recv(1024), flush=True)
c.sendall(b"hello from the host\n")
c.close()
PY
    server=$!
    sleep 0.5
    "$wasmtime" run -S inherit-network=y tcp_connect.wasm "127.0.0.1:$port"
    wait "$server"
fi
if [ "${CHECK:-0}" = 1 ] && wanted database_connector; then
    "$wasmtime" run --invoke 'execute-query("select name from users where score > 90")' database_connector.wasm
fi
if [ "${CHECK:-0}" = 1 ] && wanted p3_tour; then
    "$wasmtime" run -W component-model-async=y -S p3=y --dir ../data::/data --env GREETING=hi p3_tour.wasm a b
fi
if [ "${CHECK:-0}" = 1 ] && wanted async_greeter; then
    for call in 'greet("ada")' 'greet-all(["ada", "grace", "linus"])' 'sleep(20)'; do
        "$wasmtime" run -W component-model-async=y -S p3=y --invoke "$call" async_greeter.wasm
    done
fi
if [ "${CHECK:-0}" = 1 ] && wanted http_hello_p3; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$wasmtime" serve -W component-model-async=y -S p3=y,cli --addr "127.0.0.1:$port" http_hello_p3.wasm &
    serve=$!
    for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done
    curl -s "http://127.0.0.1:$port/"
    curl -s -d 'hi there' "http://127.0.0.1:$port/echo?x=1"
    curl -sN "http://127.0.0.1:$port/count"
    kill "$serve"
fi
if [ "${CHECK:-0}" = 1 ] && { wanted http_hello || wanted http_fetch; }; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # -S cli: componentize-py's CPython also imports wasi:cli, filesystem, ...
    "$wasmtime" serve -S cli --addr "127.0.0.1:$port" http_hello.wasm &
    serve=$!
    for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done
    curl -s "http://127.0.0.1:$port/"
    curl -s -d 'hi there' "http://127.0.0.1:$port/echo?x=1"
    # http_fetch fetches from the component above, served by wasmtime.
    "$wasmtime" run -S http -S inherit-network http_fetch.wasm "http://127.0.0.1:$port/"
    kill "$serve"
fi
