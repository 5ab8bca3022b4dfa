//! Modules that cannot run say why, in words, and nothing panics.

use runtime_worker::inspect::load;
use runtime_worker::{Entry, Mount, Phase, RunOutcome, RunRequest, SandboxProfile, TrapKind};

fn run_wat(wat: &str, profile: SandboxProfile) -> RunOutcome {
    let module = load::load("test.wat", wat.as_bytes()).expect("loads");
    let events = crate::support::runtime().start(RunRequest::new(module, profile, Entry::Start)).wait();
    crate::support::Report { events }.outcome().clone()
}

fn failure(outcome: RunOutcome) -> (Phase, String) {
    match outcome {
        RunOutcome::Failed { stage, message } => (stage, message),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_component_that_is_not_a_command_says_so() {
    let (stage, message) = failure(run_wat("(component)", SandboxProfile::default()));
    assert_eq!(stage, Phase::Instantiate);
    assert!(message.contains("does not export `wasi:cli/run`"), "{message}");
}

#[test]
fn imports_no_host_provides_are_listed() {
    let wat = r#"(module
        (import "env" "log" (func (param i32)))
        (import "wasi_snapshot_preview1" "fd_wrte" (func (param i32 i32 i32 i32) (result i32)))
        (func (export "_start")))"#;
    let (stage, message) = failure(run_wat(wat, SandboxProfile::default()));
    assert_eq!(stage, Phase::Instantiate);
    assert!(message.contains("`env::log`") && message.contains("`wasi_snapshot_preview1::fd_wrte`"), "{message}");
}

/// A command component importing `import`, declared with one function.
fn command_importing(import: &str, function: &str) -> String {
    format!(
        r#"(component
            (import "{import}" (instance (export "{function}" (func (result (list string))))))
            (core module $m (func (export "run") (result i32) i32.const 0))
            (core instance $i (instantiate $m))
            (func $run (result (result)) (canon lift (core func $i "run")))
            (instance $r (export "run" (func $run)))
            (export "wasi:cli/run@0.2.0" (instance $r)))"#
    )
}

#[test]
fn a_component_import_is_named_not_the_linkers_text() {
    let cases = [
        (
            "example:db/connector@1.0.0",
            "query",
            "imports `example:db/connector@1.0.0`, which Wasmscope does not provide",
        ),
        (
            "wasi:cli/environment@0.4.0",
            "get-arguments",
            "imports `wasi:cli/environment@0.4.0`: Wasmscope (wasmtime 48) implements these interfaces for WASI \
             0.2 and 0.3 only",
        ),
        (
            "wasi:cli/environment@0.2.0",
            "get-nope",
            "imports `get-nope` from `wasi:cli/environment@0.2.0`, but WASI 0.2 as wasmtime 48 implements it \
             has no such function",
        ),
    ];
    for (import, function, expected) in cases {
        let (stage, message) = failure(run_wat(&command_importing(import, function), SandboxProfile::default()));
        assert_eq!(stage, Phase::Instantiate);
        assert!(message.contains(expected), "{import}: {message}");
        assert!(!message.contains("matching implementation was not found"), "{message}");
    }
}

#[test]
fn preview0_modules_get_a_hint() {
    let wat = r#"(module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (func (export "_start")))"#;
    let (_, message) = failure(run_wat(wat, SandboxProfile::default()));
    assert!(message.contains("wasi_unstable") && message.contains("wasm32-wasip1"), "{message}");
}

#[test]
fn a_wrong_import_signature_is_a_link_error() {
    let wat = r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
        (func (export "_start")))"#;
    let (stage, message) = failure(run_wat(wat, SandboxProfile::default()));
    assert_eq!(stage, Phase::Instantiate);
    assert!(message.contains("fd_write"), "{message}");
}

#[test]
fn a_missing_mount_directory_is_named() {
    let profile =
        SandboxProfile { mounts: vec![Mount::read_only("/definitely/not/here", "/data")], ..SandboxProfile::default() };
    let (_, message) = failure(run_wat("(module (func (export \"_start\")))", profile));
    assert_eq!(message, "mount `/data`: host directory `/definitely/not/here` does not exist");
}

#[test]
fn a_disabled_proposal_is_named_at_compile_time() {
    let (stage, message) =
        failure(run_wat("(module (memory 1 (pagesize 1)) (func (export \"_start\")))", SandboxProfile::default()));
    assert_eq!(stage, Phase::Compile);
    assert!(message.contains("custom page sizes") || message.contains("custom-page-sizes"), "{message}");
}

#[test]
fn calling_wasi_without_an_exported_memory_traps_with_a_reason() {
    let wat = r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
        (func (export "_start") (drop (call $y))))"#;
    match run_wat(wat, SandboxProfile::default()) {
        RunOutcome::Trapped(trap) => {
            assert_eq!(trap.kind, TrapKind::Host);
            assert!(trap.message.contains("exports no `memory`"), "{}", trap.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_trap_in_the_start_function_is_a_trap() {
    let wat = "(module (func $boom unreachable) (start $boom) (func (export \"_start\")))";
    assert!(matches!(run_wat(wat, SandboxProfile::default()), RunOutcome::Trapped(_)));
}
