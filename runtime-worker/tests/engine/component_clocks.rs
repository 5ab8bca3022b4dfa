//! "Denied clocks read 0 to a component (WASI 0.2 clocks cannot fail),
//! marked denied" (ARCHITECTURE.md, Invariants). No sample component reads a
//! clock on purpose, so the guest here is a component written in WAT that
//! exports one function per clock, each returning what the clock said. The
//! same readings with real clocks show that the 0 comes from the denial.

use runtime_worker::{Capability, ClockPolicy, Entry, HostCall, RunOutcome, RunRequest, SandboxProfile, Value};

use crate::support::{Report, runtime};

/// `monotonic-now` returns `wasi:clocks/monotonic-clock.now`, and
/// `wall-seconds` the seconds of `wasi:clocks/wall-clock.now` (a record,
/// so the lowered call writes it to memory at 16 and the guest reads it back).
const CLOCK_READER: &str = r#"(component
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $monotonic
    (export "now" (func (result u64)))))
  (import "wasi:clocks/wall-clock@0.2.0" (instance $wall
    (type $record (record (field "seconds" u64) (field "nanoseconds" u32)))
    (export "datetime" (type $datetime (eq $record)))
    (export "now" (func (result $datetime)))))
  (core module $libc (memory (export "memory") 1))
  (core instance $libc (instantiate $libc))
  (core func $monotonic-now (canon lower (func $monotonic "now")))
  (core func $wall-now (canon lower (func $wall "now") (memory (core memory $libc "memory"))))
  (core module $guest
    (import "clocks" "monotonic-now" (func $monotonic-now (result i64)))
    (import "clocks" "wall-now" (func $wall-now (param i32)))
    (import "libc" "memory" (memory 1))
    (func (export "monotonic-now") (result i64) (call $monotonic-now))
    (func (export "wall-seconds") (result i64) (call $wall-now (i32.const 16)) (i64.load (i32.const 16))))
  (core instance $guest (instantiate $guest
    (with "clocks" (instance (export "monotonic-now" (func $monotonic-now)) (export "wall-now" (func $wall-now))))
    (with "libc" (instance $libc))))
  (func (export "monotonic-now") (result u64) (canon lift (core func $guest "monotonic-now")))
  (func (export "wall-seconds") (result u64) (canon lift (core func $guest "wall-seconds"))))"#;

/// 2020-09-13, in seconds since 1970: any real wall clock is past it.
const LONG_AGO: u64 = 1_600_000_000;

/// What the guest got from one clock, and the host calls that read it.
struct Reading {
    value: u64,
    clock_calls: Vec<HostCall>,
}

fn read(export: &str, clocks: ClockPolicy) -> Reading {
    let module = runtime_worker::inspect::load::load("clock_reader.wat", CLOCK_READER.as_bytes())
        .unwrap_or_else(|e| panic!("clock_reader.wat: {e}"));
    let profile = SandboxProfile { clocks, ..SandboxProfile::default() };
    let entry = Entry::Invoke { name: export.to_string(), args: vec![] };
    let report = Report { events: runtime().start(RunRequest::new(module, profile, entry)).wait() };
    let value = match report.outcome() {
        RunOutcome::Returned { values } => match values.as_slice() {
            [Value::Wave(text)] => text.parse().unwrap_or_else(|e| panic!("{export} returned {text:?}: {e}")),
            other => panic!("{export} returned {other:?}"),
        },
        other => panic!("{export}: {other:?}\nstderr: {}", report.stderr()),
    };
    let clock_calls = report
        .events
        .into_iter()
        .filter_map(|e| match e {
            runtime_worker::WorkerEvent::HostCall(call) if call.interface.starts_with("wasi:clocks/") => Some(call),
            _ => None,
        })
        .collect();
    Reading { value, clock_calls }
}

/// The one clock call of a reading, which must be `now` of `interface`.
fn the_call<'a>(reading: &'a Reading, interface: &str) -> &'a HostCall {
    match reading.clock_calls.as_slice() {
        [call] if &*call.interface == interface && &*call.function == "now" => call,
        other => panic!("expected one {interface}#now, got {other:#?}"),
    }
}

#[test]
fn a_denied_monotonic_clock_reads_0_and_the_reading_is_marked_denied() {
    let reading = read("monotonic-now", ClockPolicy::Denied);
    assert_eq!(reading.value, 0);
    let call = the_call(&reading, "wasi:clocks/monotonic-clock");
    let denial = call.denial.as_ref().unwrap_or_else(|| panic!("not marked denied: {call:#?}"));
    assert_eq!(denial.capability, Capability::Clocks);
    assert!(denial.reason.contains('0'), "the reason says what the guest was told: {}", denial.reason);
    assert_eq!(call.error, None, "a WASI 0.2 clock cannot fail, so the call did not: {call:#?}");
}

#[test]
fn a_denied_wall_clock_reads_the_epoch_and_the_reading_is_marked_denied() {
    let reading = read("wall-seconds", ClockPolicy::Denied);
    assert_eq!(reading.value, 0);
    let call = the_call(&reading, "wasi:clocks/wall-clock");
    let denial = call.denial.as_ref().unwrap_or_else(|| panic!("not marked denied: {call:#?}"));
    assert_eq!(denial.capability, Capability::Clocks);
    assert_eq!(call.error, None, "{call:#?}");
}

#[test]
fn real_clocks_read_the_time_and_are_not_marked() {
    let wall = read("wall-seconds", ClockPolicy::Real);
    assert!(wall.value > LONG_AGO, "the wall clock says {} s since 1970", wall.value);
    assert!(the_call(&wall, "wasi:clocks/wall-clock").denial.is_none());

    let monotonic = read("monotonic-now", ClockPolicy::Real);
    assert!(monotonic.value > 0, "a real monotonic clock has moved on from 0");
    assert!(the_call(&monotonic, "wasi:clocks/monotonic-clock").denial.is_none());
}
