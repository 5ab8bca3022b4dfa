#!/usr/bin/env bash
# P3u: the command line against `wasmtime run` 48.0.8 on the same loops:
# 1M fd_writes of 16 bytes (to /dev/null) and 1M clock_time_gets. Per-call
# cost is (loop run - empty run) / 1M, so start-up cancels out. Medians of
# interleaved repetitions.
#
# Needs `wasmtime` 48.0.8 on PATH (cargo install wasmtime-cli --version
# 48.0.8 --locked: about 25 minutes here; a bench-time tool, never CI) and
# wabt's `wat2wasm` (apt-get install wabt).
# Usage: app/benches/cli_vs_wasmtime.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-7}
cargo build --release -p wasmscope
wasmscope=target/release/wasmscope
command -v wasmtime >/dev/null || { echo "wasmtime not found on PATH" >&2; exit 1; }
wasmtime --version

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
module() { # NAME BODY
    cat >"$work/$1.wat" <<EOF
(module
  (import "wasi_snapshot_preview1" "fd_write" (func \$fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func \$clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "0123456789abcdef")
  (func (export "_start") (local \$i i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (loop \$again
      $2
      (local.set \$i (i32.add (local.get \$i) (i32.const 1)))
      (br_if \$again (i32.lt_u (local.get \$i) (i32.const 1000000))))))
EOF
    # Both tools get the same binary module.
    wat2wasm "$work/$1.wat" -o "$work/$1.wasm"
}
module empty "(nop)"
module write "(drop (call \$fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"
module clock "(drop (call \$clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))"

now() { date +%s%N; }
# time_of TOOL... : nanoseconds for one run, output discarded
time_of() {
    local started
    started=$(now)
    if ! "$@" >/dev/null 2>&1; then
        echo "failed: $*" >&2
        kill "$$"
    fi
    echo $(($(now) - started))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A samples
tools=(wasmtime wasmscope wasmscope-traced)
run_tool() { # TOOL MODULE
    case $1 in
        wasmtime) time_of wasmtime run "$2" ;;
        wasmscope) time_of "$wasmscope" run "$2" ;;
        wasmscope-traced) time_of "$wasmscope" run --trace json --trace-file /dev/null "$2" ;;
    esac
}
# Warm both tools' compiled-module caches first.
for m in empty write clock; do for t in "${tools[@]}"; do run_tool "$t" "$work/$m.wasm" >/dev/null; done; done
for _ in $(seq "$repeats"); do
    for m in empty write clock; do
        for t in "${tools[@]}"; do
            samples[$t.$m]+="$(run_tool "$t" "$work/$m.wasm") "
        done
    done
done

printf '\n%-18s %14s %14s %14s\n' "tool" "start-up ms" "fd_write ns" "clock ns"
for t in "${tools[@]}"; do
    e=$(tr ' ' '\n' <<<"${samples[$t.empty]}" | grep . | median)
    w=$(tr ' ' '\n' <<<"${samples[$t.write]}" | grep . | median)
    c=$(tr ' ' '\n' <<<"${samples[$t.clock]}" | grep . | median)
    awk -v t="$t" -v e="$e" -v w="$w" -v c="$c" \
        'BEGIN { printf "%-18s %14.1f %14.1f %14.1f\n", t, e / 1e6, (w - e) / 1e6, (c - e) / 1e6 }'
done
