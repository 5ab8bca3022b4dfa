//! Every `wasi_snapshot_preview1` function is interposed and traced: a guest
//! imports all 46 and calls each once, and each appears in the trace, in
//! order, decoded. This is also the test that catches a wasmtime-wasi update
//! that changes the generated functions the interposer delegates to.

use runtime_worker::inspect::load;
use runtime_worker::{Capability, Entry, Errno, Mount, RunOutcome, RunRequest, SandboxProfile, WasiFunc};

/// Each function's wasm parameter types (from the preview1 witx) and the
/// arguments the guest passes: descriptor 3 is the mount, 99 was never opened;
/// 1024.. is scratch space, 2048.. holds the names "x", "y", "z".
const SIGNATURES: &[(&str, &str, &str)] = &[
    ("args_get", "i32 i32", "1024 1280"),
    ("args_sizes_get", "i32 i32", "1024 1028"),
    ("environ_get", "i32 i32", "1024 1280"),
    ("environ_sizes_get", "i32 i32", "1024 1028"),
    ("clock_res_get", "i32 i32", "1 1024"),
    ("clock_time_get", "i32 i64 i32", "1 0 1024"),
    ("fd_advise", "i32 i64 i64 i32", "99 0 0 0"),
    ("fd_allocate", "i32 i64 i64", "99 0 0"),
    ("fd_close", "i32", "99"),
    ("fd_datasync", "i32", "99"),
    ("fd_fdstat_get", "i32 i32", "99 1024"),
    ("fd_fdstat_set_flags", "i32 i32", "99 0"),
    ("fd_fdstat_set_rights", "i32 i64 i64", "99 0 0"),
    ("fd_filestat_get", "i32 i32", "99 1024"),
    ("fd_filestat_set_size", "i32 i64", "99 0"),
    ("fd_filestat_set_times", "i32 i64 i64 i32", "99 0 0 0"),
    ("fd_pread", "i32 i32 i32 i64 i32", "99 1024 1 0 1280"),
    ("fd_prestat_get", "i32 i32", "3 1024"),
    ("fd_prestat_dir_name", "i32 i32 i32", "3 1024 5"),
    ("fd_pwrite", "i32 i32 i32 i64 i32", "99 1024 1 0 1280"),
    ("fd_read", "i32 i32 i32 i32", "99 1024 1 1280"),
    ("fd_readdir", "i32 i32 i32 i64 i32", "3 1024 128 0 1280"),
    ("fd_renumber", "i32 i32", "99 98"),
    ("fd_seek", "i32 i64 i32 i32", "99 0 0 1024"),
    ("fd_sync", "i32", "99"),
    ("fd_tell", "i32 i32", "99 1024"),
    ("fd_write", "i32 i32 i32 i32", "99 1024 1 1280"),
    ("path_create_directory", "i32 i32 i32", "3 2048 1"),
    ("path_filestat_get", "i32 i32 i32 i32 i32", "3 0 2048 1 1024"),
    ("path_filestat_set_times", "i32 i32 i32 i32 i64 i64 i32", "3 0 2048 1 0 0 0"),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", "3 0 2048 1 3 2049 1"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", "3 0 2048 1 0 2 0 0 1024"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", "3 2048 1 1024 64 1280"),
    ("path_remove_directory", "i32 i32 i32", "3 2048 1"),
    ("path_rename", "i32 i32 i32 i32 i32 i32", "3 2049 1 3 2050 1"),
    ("path_symlink", "i32 i32 i32 i32 i32", "2049 1 3 2050 1"),
    ("path_unlink_file", "i32 i32 i32", "3 2050 1"),
    ("poll_oneoff", "i32 i32 i32 i32", "1024 4096 0 1280"),
    ("proc_raise", "i32", "0"),
    ("sched_yield", "", ""),
    ("random_get", "i32 i32", "1024 16"),
    ("sock_accept", "i32 i32 i32", "99 0 1024"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", "99 1024 1 0 1280 1284"),
    ("sock_send", "i32 i32 i32 i32 i32", "99 1024 1 0 1280"),
    ("sock_shutdown", "i32 i32", "99 0"),
    ("proc_exit", "i32", "7"),
];

fn call(name: &str, params: &str, args: &str) -> String {
    let args: String = params
        .split_whitespace()
        .zip(args.split_whitespace())
        .map(|(ty, value)| format!(" ({ty}.const {value})"))
        .collect();
    let drop = if name == "proc_exit" { "" } else { "drop" };
    format!("(call ${name}{args}) {drop}\n")
}

fn all_functions_module() -> Vec<u8> {
    let mut wat = String::from("(module\n");
    for (name, params, _) in SIGNATURES {
        let result = if *name == "proc_exit" { "" } else { "(result i32)" };
        wat.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {params}) {result}))\n"
        ));
    }
    wat.push_str("(memory (export \"memory\") 1)\n(data (i32.const 2048) \"xyz\")\n(func (export \"_start\")\n");
    for (name, params, args) in SIGNATURES {
        wat.push_str(&call(name, params, args));
    }
    wat.push_str("))");
    wat::parse_str(&wat).expect("valid wat")
}

#[test]
fn every_preview1_function_is_traced_in_order() {
    assert_eq!(SIGNATURES.len(), WasiFunc::ALL.len());
    let dir = tempfile::tempdir().unwrap();
    let profile = SandboxProfile { mounts: vec![Mount::read_write(dir.path(), "/data")], ..SandboxProfile::default() };
    let module = load::load("all.wasm", &all_functions_module()).unwrap();
    let report = crate::support::Report {
        events: crate::support::runtime().start(RunRequest::new(module, profile, Entry::Start)).wait(),
    };

    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 7 });
    let traced: Vec<&str> = report.calls().map(|c| c.func.name()).collect();
    let expected: Vec<&str> = SIGNATURES.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(traced, expected);
    for call in report.calls() {
        // Every call can be described without panicking, in both forms.
        assert!(call.to_text().starts_with(call.func.name()));
        assert_eq!(call.to_json()["func"], call.func.name());
    }

    let by_name = |name| report.calls().find(|c| c.func.name() == name).unwrap();
    // Paths are text, whatever the call.
    assert_eq!(by_name("path_create_directory").path(), Some("x"));
    assert_eq!(by_name("path_open").path(), Some("x"));
    // A descriptor the guest never received is a denial, named by number.
    let guessed = by_name("fd_read");
    assert_eq!(guessed.errno, Some(Errno::BADF));
    assert_eq!(
        guessed.denial.as_ref().unwrap().reason,
        "fd 99 is not open: the guest holds no descriptor with that number"
    );
    // Sockets are a network capability, refused when the network is off.
    for name in ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"] {
        let denial = by_name(name).denial.as_ref().unwrap_or_else(|| panic!("{name} not denied"));
        assert_eq!(denial.capability, Capability::Network);
    }
    // The host, not the sandbox, refuses a hard link to a directory.
    assert_eq!(by_name("path_link").errno, Some(Errno::PERM));
    assert!(by_name("path_link").denial.is_none());
    assert_eq!(by_name("fd_prestat_dir_name").strings[0].as_ref(), "/data");
}
