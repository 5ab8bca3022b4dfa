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

/// `wasmscope run -k`: under each call, the guest's frames (strace's
/// `-k`), with file:line:column where the module has DWARF; `--trace json
/// -k` puts them in each object's `stack`. Without `-k`, neither.
#[test]
fn k_shows_the_guests_stack_under_each_call() {
    let out = wasmscope(&["run", "-k", "samples/real/divide_by_zero.wasm"]);
    assert_eq!(out.status.code(), Some(134));
    let trace = text(&out.stderr);
    let (_, after_write) = trace.split_once("fd_write(fd=1, data=31 \"splitting").unwrap_or_else(|| panic!("{trace}"));
    let frames: Vec<&str> = after_write.lines().skip(1).take_while(|line| line.starts_with(" > ")).collect();
    assert_eq!(frames[0], " > __wasi_fd_write at ././libc-bottom-half/sources/__wasilibc_real.c:383:19", "{trace}");
    assert!(frames.contains(&" > __main_argc_argv at ./divide_by_zero.c:17:5"), "{trace}");
    assert!(frames.contains(&" > __main_void @ 0x27de"), "a frame without DWARF gives its offset: {trace}");

    let json = wasmscope(&["run", "--trace", "json", "-k", "samples/real/divide_by_zero.wasm"]);
    let write = text(&json.stderr)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|call| call["func"] == "fd_write")
        .expect("the write");
    let main = write["stack"].as_array().unwrap().iter().find(|f| f["function"] == "__main_argc_argv").unwrap().clone();
    assert_eq!(main["file"], "./divide_by_zero.c");
    assert_eq!((main["line"].as_u64(), main["column"].as_u64()), (Some(17), Some(5)));

    let plain = wasmscope(&["run", "--trace", "json", "samples/real/divide_by_zero.wasm"]);
    assert!(!text(&plain.stderr).contains("\"stack\""));
    // `-c` alone prints no trace to put stacks under: said, not ignored.
    let summary = wasmscope(&["run", "-c", "-k", "samples/real/divide_by_zero.wasm"]);
    assert_eq!(summary.status.code(), Some(126));
    assert!(text(&summary.stderr).contains("add `--trace text`"), "{}", text(&summary.stderr));
    let help = text(&wasmscope(&["run", "--help"]).stdout);
    assert!(help.contains("-k, --stack-trace"), "{help}");
    // A component's calls have none, and the trace says so once.
    let component = wasmscope(&["run", "-k", "samples/components/hello_component.wasm"]);
    // It runs (and exits 1: no folder is granted for the file it reads).
    assert_eq!(component.status.code(), Some(1), "{}", text(&component.stderr));
    let stderr = text(&component.stderr);
    assert!(stderr.starts_with("wasmscope: -k: a component's host calls carry no stack"), "{stderr}");
    assert!(!stderr.contains("\n > "), "{stderr}");
}
