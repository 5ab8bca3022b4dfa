//! Stop ends a run wherever the guest is: computing, sleeping in a host call,
//! waiting for stdin, or still compiling. The bounds here are loose (CI
//! machines are shared); the latency figures belong to the benchmarks.

use std::time::{Duration, Instant};

use crate::support::{Report, start};
use runtime_worker::inspect::load;
use runtime_worker::{
    Abrupt, Entry, Phase, RunOutcome, RunRequest, SandboxProfile, StdinSource, WasiFunc, WorkerEvent,
};

const LOOSE_BOUND: Duration = Duration::from_secs(2);

/// Starts `module`, waits until the guest has printed its first line, stops
/// it, and returns the report with the time Stop took.
fn stop_after_first_output(module: &str, profile: SandboxProfile) -> (Report, Duration) {
    stop_when_printed(start(module, profile, Entry::Start))
}

/// Waits until the run's guest has printed its first line, stops it, and
/// returns the report with the time Stop took.
fn stop_when_printed(handle: runtime_worker::RunHandle) -> (Report, Duration) {
    let mut events = Vec::new();
    'wait: loop {
        let batch = handle.events().recv_timeout(Duration::from_secs(30)).expect("the guest printed nothing");
        for event in batch.events {
            let printed = matches!(event, WorkerEvent::Output { .. });
            events.push(event);
            if printed {
                break 'wait;
            }
        }
    }
    let asked = Instant::now();
    handle.stop();
    events.extend(handle.wait());
    (Report { events }, asked.elapsed())
}

#[test]
fn stop_ends_a_guest_that_computes_forever() {
    let (report, took) = stop_after_first_output("loop_forever.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Stopped);
    assert!(took < LOOSE_BOUND, "stop took {took:?}");
    assert!(report.phase(Phase::Total).is_some());
}

#[test]
fn stop_ends_a_guest_sleeping_for_an_hour() {
    let (report, took) = stop_after_first_output("sleep.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Stopped);
    assert!(took < LOOSE_BOUND, "stop took {took:?}");
    // The poll never returned: it is the run's last call, unfinished, as
    // strace shows a call it was interrupted in.
    let last = report.calls().last().expect("calls were recorded");
    assert_eq!((last.func, last.abrupt), (WasiFunc::PollOneoff, Some(Abrupt::Unfinished)));
    assert_eq!(report.calls_to(WasiFunc::PollOneoff).len(), 1);
    assert!(last.results().is_empty() && last.errno.is_none());
}

#[test]
fn stop_ends_a_guest_blocked_on_stdin() {
    let profile = SandboxProfile { stdin: StdinSource::Interactive, ..SandboxProfile::default() };
    let handle = start("stdin_echo.wat", profile, Entry::Start);
    // Wait until the guest is inside fd_read (the worker flushes before it).
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    handle.stop();
    let report = Report { events: handle.wait() };
    assert_eq!(report.outcome(), &RunOutcome::Stopped);
    assert!(asked.elapsed() < LOOSE_BOUND, "stop took {:?}", asked.elapsed());
    let last = report.calls().last().expect("calls were recorded");
    assert_eq!((last.func, last.abrupt), (WasiFunc::FdRead, Some(Abrupt::Unfinished)));
}

#[test]
fn a_sleeping_guest_is_ended_by_the_timeout() {
    let limits = runtime_worker::Limits { timeout: Some(Duration::from_millis(300)), ..Default::default() };
    let report = crate::support::run("sleep.wat", SandboxProfile { limits, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::TimedOut);
    assert_eq!(report.stdout(), "sleeping for an hour\n");
    let last = report.calls().last().expect("calls were recorded");
    assert_eq!((last.func, last.abrupt), (WasiFunc::PollOneoff, Some(Abrupt::Unfinished)));
}

#[test]
fn a_run_that_records_no_calls_leaves_the_stopped_sleep_out() {
    let mut request = RunRequest::new(crate::support::sample("sleep.wat"), SandboxProfile::default(), Entry::Start);
    request.record_calls = false;
    let (report, _) = stop_when_printed(crate::support::runtime().start(request));
    assert_eq!(report.outcome(), &RunOutcome::Stopped);
    assert_eq!(report.stdout(), "sleeping for an hour\n");
    assert_eq!(report.calls().count(), 0);
}

/// A module big enough that compiling it takes a while: `count` functions,
/// each a long chain of arithmetic.
fn big_module(count: usize) -> Vec<u8> {
    let mut wat = String::from("(module (memory (export \"memory\") 1)\n");
    for i in 0..count {
        wat.push_str(&format!("(func $f{i} (param i32) (result i32) local.get 0\n"));
        for k in 0..200 {
            wat.push_str(&format!("i32.const {k} i32.add i32.const 3 i32.mul\n"));
        }
        wat.push_str(")\n");
    }
    wat.push_str("(func (export \"_start\")))");
    wat::parse_str(&wat).expect("valid wat")
}

#[test]
fn stop_cancels_a_compilation_in_progress() {
    // A fresh module (unique bytes) so that no cache can answer.
    let mut bytes = big_module(3000);
    bytes.extend_from_slice(&custom_section_with_nonce());
    let module = load::load("big.wasm", &bytes).expect("loads");
    let handle = crate::support::runtime().start(RunRequest::new(module, SandboxProfile::default(), Entry::Start));
    let mut saw_progress = false;
    let mut events = Vec::new();
    while !saw_progress {
        let batch = handle.events().recv_timeout(Duration::from_secs(60)).expect("no progress reported");
        saw_progress = batch
            .events
            .iter()
            .any(|e| matches!(e, WorkerEvent::CompileProgress { done, total } if *done > 0 && *total >= 3000));
        events.extend(batch.events);
    }
    let asked = Instant::now();
    handle.stop();
    events.extend(handle.wait());
    let report = Report { events };
    assert_eq!(report.outcome(), &RunOutcome::Stopped);
    assert!(report.phase(Phase::Compile).is_none(), "compilation never finished");
    assert!(asked.elapsed() < LOOSE_BOUND, "cancel took {:?}", asked.elapsed());

    // The engine is still healthy: the next run compiles and runs.
    let after = crate::support::run("hello.wat", SandboxProfile::default());
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
}

fn custom_section_with_nonce() -> Vec<u8> {
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos().to_le_bytes();
    let name = b"nonce";
    let mut section = vec![0u8, (1 + name.len() + nonce.len()) as u8, name.len() as u8];
    section.extend_from_slice(name);
    section.extend_from_slice(&nonce);
    section
}
