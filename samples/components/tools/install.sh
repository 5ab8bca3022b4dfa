#!/usr/bin/env bash
# Installs exactly the toolchains that ../build.sh (and, for CHECK=1 and
# ../record-expected.sh, the reference runtime) need, at the pinned versions.
# Run it as root on Debian (bookworm) with a stable Rust toolchain (rustup) and
# Python >= 3.10 with pip already present. It needs access to the Debian
# archive, PyPI and crates.io, nothing else.
set -euo pipefail

# C -> wasm32-wasi for hello_component.wasm: Debian's clang 14, its wasm32
# compiler-rt builtins, the lld linker and wasi-libc (sysroot /usr/share/wasi-sysroot).
apt-get update
apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32

# The Python samples (tcp_connect, database_connector, p3_tour, http_hello,
# http_fetch). componentize-py bundles its own CPython, wit-bindgen and
# wit-component; 0.25.1 is the version the samples were built and tested with.
pip install componentize-py==0.25.1

# Not needed to build, only to check: the wasmtime CLI the samples are tested
# against (CHECK=1 ../build.sh, ../record-expected.sh). It compiles for 25-40
# minutes on 2 cores; the target dir keeps it out of any workspace.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/wasmtime-cli-target}" \
    cargo install --locked wasmtime-cli --version 48.0.8
# record-expected.sh also uses curl and python3 (for a local HTTP server).
apt-get install -y curl

# tools/componentize-p1 (wit-component 0.254.2 + the wasmtime 48.0.8 preview1
# adapter) needs no install step: build.sh builds it from its Cargo.lock.
