//! Runs that take a slot of the pooling allocator: which do, that the rest
//! still run, and that a slot keeps nothing of the run before.

use runtime_worker::inspect::load;
use runtime_worker::{
    Entry, Phase, RunOutcome, RunRequest, Runtime, SandboxProfile, StdinSource, Value, WorkerCommand, WorkerEvent,
};

use crate::support::{Report, runtime, sample};

fn pooled(report: &Report) -> bool {
    report.phase(Phase::Instantiate).expect("an instantiate timing").cached
}

fn run_wat(runtime: &Runtime, wat: &str, entry: Entry) -> Report {
    let module = load::load("pool.wat", wat.as_bytes()).unwrap();
    Report { events: runtime.start(RunRequest::new(module, SandboxProfile::default(), entry)).wait() }
}

#[test]
fn a_plain_command_runs_pooled_and_a_growable_table_on_demand() {
    let hello = crate::support::run("hello.wat", SandboxProfile::default());
    assert_eq!(hello.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(hello.stdout(), "Hello, WASI!\n");
    assert!(pooled(&hello), "hello fits a pooled slot");

    // A table without a maximum could grow past its slot.
    let growable = run_wat(runtime(), r#"(module (table 1 funcref) (func (export "_start")))"#, Entry::Start);
    assert_eq!(growable.outcome(), &RunOutcome::Exited { code: 0 });
    assert!(!pooled(&growable));
}

#[test]
fn a_pooled_memory_grows_to_the_same_limits_as_one_on_demand() {
    // The sample grows its memory page by page until refused by the cap.
    let limits = runtime_worker::Limits { max_memory_bytes: Some(8 << 20), ..Default::default() };
    let profile = SandboxProfile { limits, ..SandboxProfile::default() };
    let report = crate::support::run("grow_memory.wat", profile);
    assert!(pooled(&report));
    assert!(
        report
            .memory()
            .iter()
            .any(|m| matches!(m, runtime_worker::MemoryChange::Refused { cap, .. } if *cap == 8 << 20)),
        "the cap refused a growth: {:?}",
        report.memory()
    );
}

#[test]
fn a_slot_keeps_nothing_of_the_run_before() {
    // Its own runtime, so that this module's runs reuse each other's slots.
    let runtime = Runtime::new().unwrap();
    // `read` gives 42 from the data segment when nothing else is left over.
    let wat = r#"(module
        (memory (export "memory") 1)
        (data (i32.const 16) "\2a\00\00\00")
        (func (export "write") (result i32)
            (drop (memory.grow (i32.const 3)))
            (i32.store (i32.const 0) (i32.const 0x5ec2e7))
            (i32.store (i32.const 16) (i32.const 0x5ec2e7))
            (i32.store (i32.const 200000) (i32.const 0x5ec2e7))
            (i32.load (i32.const 200000)))
        (func (export "read") (result i32)
            (drop (memory.grow (i32.const 3)))
            (i32.add
                (i32.or (i32.load (i32.const 0)) (i32.load (i32.const 200000)))
                (i32.load (i32.const 16)))))"#;
    let invoke = |name: &str| Entry::Invoke { name: name.to_string(), args: vec![] };
    for _ in 0..3 {
        let wrote = run_wat(&runtime, wat, invoke("write"));
        assert_eq!(wrote.outcome(), &RunOutcome::Returned { values: vec![Value::I32(0x5ec2e7)] });
        let read = run_wat(&runtime, wat, invoke("read"));
        assert!(pooled(&wrote) && pooled(&read));
        assert_eq!(read.outcome(), &RunOutcome::Returned { values: vec![Value::I32(42)] }, "a fresh memory");
    }
}

/// Runs of `module` waiting for stdin, more than the pool has slots, all
/// alive at once; then each is given a line and its stdin closed.
fn all_alive_at_once(module: &runtime_worker::LoadedModule) -> Vec<Report> {
    let runtime = Runtime::new().unwrap();
    let profile = SandboxProfile { stdin: StdinSource::Interactive, ..SandboxProfile::default() };
    let handles: Vec<_> = (0..runtime_worker::POOLED_RUNS as usize + 3)
        .map(|_| runtime.start(RunRequest::new(module.clone(), profile.clone(), Entry::Start)))
        .collect();
    // Let each instantiate before any ends and gives back its slot.
    let reports: Vec<Report> = handles
        .iter()
        .map(|handle| {
            let mut events = Vec::new();
            while !events.iter().any(|e| matches!(e, WorkerEvent::Phase(t) if t.phase == Phase::Instantiate))
                && !events.iter().any(|e| matches!(e, WorkerEvent::Finished(_)))
            {
                events.extend(handle.events().recv().expect("the run is alive").events);
            }
            Report { events }
        })
        .collect();
    handles
        .into_iter()
        .zip(reports)
        .map(|(handle, mut report)| {
            handle.send(WorkerCommand::Stdin(b"hi\n".to_vec()));
            handle.send(WorkerCommand::CloseStdin);
            report.events.extend(handle.wait());
            report
        })
        .collect()
}

#[test]
fn runs_beyond_the_pools_slots_run_on_demand() {
    let reports = all_alive_at_once(&sample("stdin_echo.wat"));
    for report in &reports {
        assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
        assert_eq!(report.stdout(), "echo: hi\nstdin closed\n");
    }
    let pooled_runs = reports.iter().filter(|r| pooled(r)).count();
    assert_eq!(pooled_runs, runtime_worker::POOLED_RUNS as usize, "every slot taken, and the rest on demand");
}

#[test]
fn modules_that_throw_exceptions_fill_every_slot_too() {
    // An exception lives on a GC heap, which the pool takes from its
    // memories: a run needs two of them.
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (tag $oops)
        (func (export "_start")
            (block $caught
                (try_table (catch $oops $caught)
                    (throw $oops)))
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 16))
            (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let module = load::load("throws.wat", wat.as_bytes()).unwrap();
    let reports = all_alive_at_once(&module);
    for report in &reports {
        assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "{:?}", report.events.last());
    }
    let pooled_runs = reports.iter().filter(|r| pooled(r)).count();
    assert_eq!(pooled_runs, runtime_worker::POOLED_RUNS as usize);
}
