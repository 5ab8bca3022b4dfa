#!/usr/bin/env bash
# Rebuilds the WASI 0.2 component samples in this folder from src/. Users and CI
# do not need this: the .wasm files are committed. It installs nothing; it needs
#
#   apt:   clang lld wasi-libc libclang-rt-14-dev-wasm32   (Debian; clang 14 here)
#   cargo: a stable Rust toolchain; tools/componentize-p1 pins its crates in its
#          Cargo.lock: wit-component 0.254.2 (the version wasmtime 48.0.8 uses)
#          and wasi-preview1-component-adapter-provider 48.0.8
#   pip:   pip install componentize-py==0.25.1
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

for tool in clang cargo componentize-py; do
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
echo "== hello_component.wasm"
(cd tools/componentize-p1 && cargo build --release --locked --quiet)
p1=$CARGO_TARGET_DIR/release/componentize-p1
clang --target=wasm32-wasi -O2 -Wl,--strip-debug src/hello_component/hello.c -o "$tmp/hello_core.wasm"
"$p1" wrap "$tmp/hello_core.wasm" hello_component.wasm

# 2 and 3: Python components. componentize-py runs the app once at build time
# and its embedded CPython writes __pycache__ next to the sources it imports, so
# build from a copy to keep src/ clean.
python_component() { # NAME WORLD
    local name=$1 world=$2
    echo "== $name.wasm"
    cp -r "src/$name" "$tmp/$name"
    componentize-py -d "$tmp/$name/wit" -w "$world" componentize -p "$tmp/$name" app -o "$name.wasm"
}
python_component tcp_connect tcp-connect
python_component database_connector connector

ls -l ./*.wasm

if [ "${CHECK:-0}" = 1 ]; then
    wasmtime=$(command -v wasmtime || echo "$HOME/.cargo/bin/wasmtime")
    echo "== smoke test with $("$wasmtime" --version)"
    "$wasmtime" run --dir ../data::/data --env GREETING=hi hello_component.wasm one "two words"

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

    "$wasmtime" run --invoke 'execute-query("select name from users where score > 90")' database_connector.wasm
fi
