//! `wasmscope run` on a trap in a C program built with `-g`: each frame
//! names its source line the way `wasmtime run` prints it with
//! `WASMTIME_BACKTRACE_DETAILS=1`.

use super::cli_run::{samples, text, wasmscope};

/// What `wasmtime run` 48.0.8 printed for the sample: its backtrace's frame
/// lines, recorded from the workspace's folder with
///
/// ```sh
/// WASMTIME_BACKTRACE_DETAILS=1 wasmtime run samples/real/divide_by_zero.wasm 2>&1 >/dev/null \
///   | sed -n '/error while executing at wasm backtrace:/,/wasm trap:/p' | sed '1d;$d' \
///   > samples/real/divide_by_zero.wasmtime.txt
/// ```
fn wasmtime_backtrace() -> String {
    std::fs::read_to_string(samples().join("real/divide_by_zero.wasmtime.txt")).expect("the recorded backtrace")
}

#[test]
fn a_trap_prints_file_line_and_column_per_frame_as_wasmtime_does() {
    let out = wasmscope(&["run", "samples/real/divide_by_zero.wasm"]);
    assert_eq!(out.status.code(), Some(134));
    assert_eq!(text(&out.stdout), "splitting 100 between 0 people\n");
    let stderr = text(&out.stderr);
    let (head, frames) = stderr.split_once("wasm backtrace:\n").unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(head, "error: wasm trap: integer divide by zero\n");
    assert!(frames.contains("    0:    0x29c - share\n                    at ./divide_by_zero.c:7:18\n"), "{frames}");
    // wasmtime writes `<unknown>!` (the module's name, which it has not)
    // before a function without debug info; Wasmscope the function alone.
    assert_eq!(frames, wasmtime_backtrace().replace("<unknown>!", ""));
}
