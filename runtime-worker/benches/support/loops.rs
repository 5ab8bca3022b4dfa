//! The loops P3 (in-process, `engine` bench) and P3u (command line,
//! `wasmscope`'s `process` bench) time: the same modules for both.

/// WASI calls each loop makes.
pub const CALLS: u32 = 1_000_000;

/// `fd_write` of 16 bytes to stdout.
pub const WRITE: &str = "(drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))";

/// `clock_time_get` of the monotonic clock.
pub const CLOCK: &str = "(drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))";

/// Nothing: the loop's own cost, and the tool's start-up.
#[allow(dead_code)]
pub const EMPTY: &str = "(nop)";

/// A command whose `_start` runs `body` `CALLS` times.
pub fn loop_module(body: &str) -> String {
    format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 64) "0123456789abcdef")
            (func (export "_start") (local $i i32)
                (i32.store (i32.const 0) (i32.const 64))
                (i32.store (i32.const 4) (i32.const 16))
                (loop $again
                    {body}
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $again (i32.lt_u (local.get $i) (i32.const {CALLS}))))))"#
    )
}
