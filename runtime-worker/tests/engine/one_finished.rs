//! "A run's last event is exactly one `Finished`, even if the worker panics"
//! (ARCHITECTURE.md, Invariants), read the only way that can see a second one:
//! `RunHandle::wait` stops at the first `Finished`, so here the channel is
//! drained until it disconnects, which it does once the worker has let go
//! of its sender at the end of the job. Every batch must also carry the run's
//! id, which is what lets a caller tell runs apart.
//!
//! One run per way a run ends: it exits, traps, is stopped, times out,
//! cannot start, meets a panic inside the worker, and a component exits.

use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use runtime_worker::{
    Entry, EventBatch, Limits, Mount, RunHandle, RunOutcome, RunRequest, SandboxProfile, TrapKind, WorkerEvent,
};

use crate::support::{runtime, sample, start};

/// How long a run here may take at most, compiling included.
const GENEROUS: Duration = Duration::from_secs(60);

/// Every batch of the run, until the channel disconnects. `on_batch` may act
/// on the run as the batches arrive (stop it, say).
fn drain(handle: &RunHandle, mut on_batch: impl FnMut(&EventBatch)) -> Vec<EventBatch> {
    let mut batches = Vec::new();
    loop {
        match handle.events().recv_timeout(GENEROUS) {
            Ok(batch) => {
                on_batch(&batch);
                batches.push(batch);
            }
            Err(RecvTimeoutError::Disconnected) => return batches,
            Err(RecvTimeoutError::Timeout) => {
                panic!("the channel was still open after {GENEROUS:?}; batches so far: {batches:#?}")
            }
        }
    }
}

/// The invariant itself; returns the run's one outcome.
fn exactly_one_finished_last(handle: &RunHandle, batches: Vec<EventBatch>) -> RunOutcome {
    assert!(!batches.is_empty(), "run {} reported nothing at all", handle.id);
    for batch in &batches {
        assert_eq!(batch.run, handle.id, "a batch of run {} arrived on run {}'s channel", batch.run, handle.id);
    }
    let mut events: Vec<WorkerEvent> = batches.into_iter().flat_map(|b| b.events).collect();
    let finished = events.iter().filter(|e| matches!(e, WorkerEvent::Finished(_))).count();
    assert_eq!(finished, 1, "{finished} Finished events in {events:#?}");
    match events.pop() {
        Some(WorkerEvent::Finished(outcome)) => outcome,
        last => panic!("the last event is {last:?}, not Finished"),
    }
}

/// Runs to the end, nobody intervening.
fn outcome_of(handle: RunHandle) -> RunOutcome {
    let batches = drain(&handle, |_| {});
    exactly_one_finished_last(&handle, batches)
}

fn load_wat(name: &str, wat: &str) -> runtime_worker::LoadedModule {
    runtime_worker::inspect::load::load(name, wat.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn a_run_that_exits() {
    let outcome = outcome_of(start("hello.wat", SandboxProfile::default(), Entry::Start));
    assert_eq!(outcome, RunOutcome::Exited { code: 0 });
}

#[test]
fn a_run_that_traps() {
    let outcome = outcome_of(start("trap.wat", SandboxProfile::default(), Entry::Start));
    assert!(matches!(&outcome, RunOutcome::Trapped(trap) if trap.kind == TrapKind::Unreachable), "{outcome:?}");
}

#[test]
fn a_run_stopped_while_it_computes() {
    let handle = start("loop_forever.wat", SandboxProfile::default(), Entry::Start);
    let mut stopped = false;
    let batches = drain(&handle, |batch| {
        // Stop once the guest has printed, so that it is surely running.
        if !stopped && batch.events.iter().any(|e| matches!(e, WorkerEvent::Output { .. })) {
            handle.stop();
            stopped = true;
        }
    });
    assert!(stopped, "the guest never printed");
    assert_eq!(exactly_one_finished_last(&handle, batches), RunOutcome::Stopped);
}

#[test]
fn a_run_stopped_twice_while_it_sleeps_still_finishes_once() {
    let handle = start("sleep.wat", SandboxProfile::default(), Entry::Start);
    let mut stops = 0;
    let batches = drain(&handle, |batch| {
        if stops == 0 && batch.events.iter().any(|e| matches!(e, WorkerEvent::Output { .. })) {
            handle.stop();
            handle.stop();
            stops = 2;
        }
    });
    assert_eq!(stops, 2, "the guest never printed");
    assert_eq!(exactly_one_finished_last(&handle, batches), RunOutcome::Stopped);
}

#[test]
fn a_run_that_times_out() {
    let limits = Limits { timeout: Some(Duration::from_millis(300)), ..Limits::default() };
    let outcome = outcome_of(start("sleep.wat", SandboxProfile { limits, ..SandboxProfile::default() }, Entry::Start));
    assert_eq!(outcome, RunOutcome::TimedOut);
}

#[test]
fn a_run_that_cannot_start() {
    let module = load_wat("unknown-import.wat", r#"(module (import "nowhere" "f" (func)) (func (export "_start")))"#);
    let outcome = outcome_of(runtime().start(RunRequest::new(module, SandboxProfile::default(), Entry::Start)));
    assert!(matches!(outcome, RunOutcome::Failed { .. }), "{outcome:?}");
}

#[test]
fn a_run_whose_host_function_panics() {
    let module = load_wat(
        "host-panic.wat",
        r#"(module (import "wasmscope_fault" "panic" (func $panic))
             (memory (export "memory") 1)
             (func (export "_start") (call $panic)))"#,
    );
    let outcome = outcome_of(runtime().start(RunRequest::new(module, SandboxProfile::default(), Entry::Start)));
    assert!(
        matches!(&outcome, RunOutcome::Failed { message, .. } if message.contains("fault injection")),
        "{outcome:?}"
    );
}

#[test]
fn a_component_that_exits() {
    let data = crate::support::data_copy();
    let profile = SandboxProfile { mounts: vec![Mount::read_only(data.path(), ".")], ..SandboxProfile::default() };
    let handle = runtime().start(RunRequest::new(sample("components/hello_component.wasm"), profile, Entry::Start));
    assert_eq!(outcome_of(handle), RunOutcome::Exited { code: 0 });
}
