//! Guests that run away: a flood of output, and faults inside the worker.
//! (Loops, sleeps, blocked stdin and memory bombs are in `stop.rs` and
//! `samples.rs`.) Each ends with the right outcome and bounded memory, and
//! the engine serves the next run.

use std::time::Duration;

use crate::support::Report;
use runtime_worker::boundary::profile::DEFAULT_OUTPUT_CAP;
use runtime_worker::inspect::load;
use runtime_worker::{Entry, Limits, Phase, RunOutcome, RunRequest, SandboxProfile, StdinSource, Stream, WorkerEvent};

fn run_wat(wat: &str, profile: SandboxProfile) -> Report {
    let module = load::load("guest.wat", wat.as_bytes()).unwrap();
    Report { events: crate::support::runtime().start(RunRequest::new(module, profile, Entry::Start)).wait() }
}

/// Writes `chunks` × 64 KiB to stdout.
fn flood(chunks: u32) -> String {
    format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 2)
            (func (export "_start") (local $i i32)
                (i32.store (i32.const 0) (i32.const 65536))
                (i32.store (i32.const 4) (i32.const 65536))
                (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
                (loop $more
                    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $more (i32.lt_u (local.get $i) (i32.const {chunks}))))))"#
    )
}

#[test]
fn a_gigabyte_of_stdout_is_capped_and_counted() {
    let report = run_wat(&flood(16 * 1024), SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    let kept: usize = report
        .events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Output { stream: Stream::Stdout, bytes } => Some(bytes.len()),
            _ => None,
        })
        .sum();
    assert_eq!(kept as u64, DEFAULT_OUTPUT_CAP);
    let dropped = report.events.iter().rev().find_map(|e| match e {
        WorkerEvent::OutputDropped { stream: Stream::Stdout, total } => Some(*total),
        _ => None,
    });
    assert_eq!(dropped, Some((1u64 << 30) - DEFAULT_OUTPUT_CAP));
}

#[test]
fn an_endless_flood_is_ended_by_the_timeout() {
    let limits = Limits { timeout: Some(Duration::from_millis(300)), ..Limits::default() };
    let report = run_wat(&flood(u32::MAX), SandboxProfile { limits, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::TimedOut);
}

#[test]
fn a_guest_blocked_on_stdin_is_ended_by_the_timeout() {
    let limits = Limits { timeout: Some(Duration::from_millis(300)), ..Limits::default() };
    let profile = SandboxProfile { stdin: StdinSource::Interactive, limits, ..SandboxProfile::default() };
    let report =
        crate::support::Report { events: crate::support::start("stdin_echo.wat", profile, Entry::Start).wait() };
    assert_eq!(report.outcome(), &RunOutcome::TimedOut);
}

#[test]
fn a_panic_in_a_host_function_is_reported_and_the_next_run_works() {
    let wat = r#"(module (import "wasmscope_fault" "panic" (func $panic))
        (memory (export "memory") 1)
        (func (export "_start") (call $panic)))"#;
    let report = run_wat(wat, SandboxProfile::default());
    match report.outcome() {
        RunOutcome::Failed { stage: Phase::Total, message } => {
            assert!(message.contains("internal error") && message.contains("fault injection"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let next = crate::support::run("hello.wat", SandboxProfile::default());
    assert_eq!(next.outcome(), &RunOutcome::Exited { code: 0 });
}
