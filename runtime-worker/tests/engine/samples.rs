//! Every sample through the engine, asserting on the event stream: decoded
//! paths, errno names, denials and their reasons, memory, output, the end.

use std::time::Duration;

use crate::support::{data_copy, invoke, run};
use runtime_worker::{
    Abrupt, Capability, ClockPolicy, Entry, Environment, Errno, Limits, MemoryChange, Mount, Phase, RunOutcome,
    SandboxProfile, StdinSource, TrapKind, Value, WasiFunc,
};

fn mount(dir: &tempfile::TempDir, read_only: bool) -> SandboxProfile {
    let mount = Mount { host: dir.path().to_path_buf(), guest: "/data".into(), read_only };
    SandboxProfile { mounts: vec![mount], ..SandboxProfile::default() }
}

#[test]
fn hello_writes_to_stdout_and_exits_zero() {
    let report = run("hello.wat", SandboxProfile::default());
    assert_eq!(report.stdout(), "Hello, WASI!\n");
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    let writes = report.calls_to(WasiFunc::FdWrite);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].preview.as_bytes(), b"Hello, WASI!\n");
    assert_eq!(writes[0].errno, None);
    assert_eq!(
        writes[0].to_text(),
        format!(
            "fd_write(fd=1, data=13 \"Hello, WASI!\\n\") = ok nwritten=13 <{}>",
            runtime_worker::trace::describe::format_nanos(writes[0].dur_ns)
        )
    );
    assert!(report.denied().is_empty());
}

#[test]
fn reading_a_file_without_a_mount_fails_in_the_guest_and_is_not_a_denial() {
    let report = run("read_file.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 2 });
    assert!(report.stderr().starts_with("no preopened directory"), "{}", report.stderr());
    let probe = &report.calls_to(WasiFunc::FdPrestatGet)[0];
    assert_eq!(probe.errno, Some(Errno::BADF));
    assert!(probe.denial.is_none(), "probing for preopens is how every guest starts");
    assert!(report.calls_to(WasiFunc::PathOpen).is_empty());
}

#[test]
fn reading_a_file_through_a_read_only_mount_traces_the_path_as_text() {
    let data = data_copy();
    let report = run("read_file.wat", mount(&data, true));
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    assert_eq!(report.stdout(), "read: Hello from the host filesystem!\n");
    let open = &report.calls_to(WasiFunc::PathOpen)[0];
    assert_eq!(open.path(), Some("hello.txt"));
    assert_eq!(open.fd_labels[0].as_deref(), Some("/data"));
    assert_eq!(open.errno, None);
    let opened = open.results[0];
    let read = report.calls_to(WasiFunc::FdRead).into_iter().find(|c| c.params[0] == opened).expect("fd_read");
    assert_eq!(read.fd_labels[0].as_deref(), Some("/data/hello.txt"));
    assert_eq!(read.preview.as_bytes(), &b"Hello from the host filesystem!\n"[..32]);
    let close = &report.calls_to(WasiFunc::FdClose)[0];
    assert_eq!(close.params[0], opened);
}

#[test]
fn escaping_the_mount_is_refused_and_explained() {
    let outside = tempfile::tempdir().unwrap();
    let data = outside.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    let profile = SandboxProfile { mounts: vec![Mount::read_write(&data, "/data")], ..SandboxProfile::default() };
    let report = run("escape.wat", profile);

    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stdout: {}", report.stdout());
    assert!(!report.stdout().contains("SECRET") && !report.stdout().contains("ESCAPED"));
    let opens = report.calls_to(WasiFunc::PathOpen);
    assert_eq!(opens.len(), 2);
    let (dotdot, absolute) = (opens[0], opens[1]);
    assert_eq!(dotdot.path(), Some("../secret.txt"));
    assert_eq!(dotdot.errno, Some(Errno::PERM), "wasmtime-wasi 48 answers an escape with `perm`");
    let denial = dotdot.denial.as_ref().expect("denied");
    assert_eq!(denial.capability, Capability::Files);
    assert_eq!(denial.reason, "`../secret.txt` climbs out of the mount `/data` with `..`");
    assert_eq!(absolute.path(), Some("/etc/passwd"));
    assert_eq!(absolute.errno, Some(Errno::PERM));
    assert!(absolute.denial.as_ref().unwrap().reason.contains("absolute path"));
}

#[test]
fn writing_to_a_read_only_mount_is_refused_and_touches_nothing() {
    let data = data_copy();
    let report = run("readonly_write.wat", mount(&data, true));
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 });
    assert_eq!(report.stderr(), format!("cannot create out.txt: errno {}\n", Errno::PERM.0));
    let open = &report.calls_to(WasiFunc::PathOpen)[0];
    assert_eq!(open.errno, Some(Errno::PERM));
    assert_eq!(open.denial.as_ref().unwrap().reason, "`/data` is mounted read-only: path_open needs write access");
    assert!(!data.path().join("out.txt").exists());
}

#[test]
fn writing_to_a_read_write_mount_succeeds() {
    let data = data_copy();
    let report = run("readonly_write.wat", mount(&data, false));
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    assert_eq!(std::fs::read_to_string(data.path().join("out.txt")).unwrap(), "written by wasm\n");
    let write = report.calls_to(WasiFunc::FdWrite).into_iter().find(|c| c.params[0] > 2).expect("file write");
    assert_eq!(write.fd_labels[0].as_deref(), Some("/data/out.txt"));
}

#[test]
fn an_environment_not_granted_is_a_denial() {
    // SAFETY: set before any run of this test reads the environment; tests that
    // inherit the host environment do not depend on this variable.
    unsafe { std::env::set_var("WASMSCOPE_TEST_SECRET", "hunter2") };
    let report = run("env.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 });
    assert_eq!(report.stderr(), "GREETING is not set\n");
    assert!(!report.stdout().contains("hunter2"));
    let sizes = &report.calls_to(WasiFunc::EnvironSizesGet)[0];
    assert_eq!(sizes.results, [0, 0]);
    let denial = sizes.denial.as_ref().expect("withheld environment is a denial");
    assert_eq!(denial.capability, Capability::EnvArgs);
    assert!(denial.reason.starts_with("the profile grants no environment variables"));
}

#[test]
fn a_granted_variable_is_seen_and_only_its_name_is_traced() {
    let env = Environment { inherit_host: false, vars: vec![("GREETING".into(), "hola".into())] };
    let report = run("env.wat", SandboxProfile { env, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(report.stdout(), "environment: 1 variables\nGREETING=hola\n");
    let get = &report.calls_to(WasiFunc::EnvironGet)[0];
    assert_eq!(get.strings, vec![Box::from("GREETING")]);
    assert!(get.denial.is_none());
}

#[test]
fn denied_clocks_answer_notcapable() {
    let report = run("clock.wat", SandboxProfile { clocks: ClockPolicy::Denied, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 });
    assert_eq!(report.stderr(), "clock denied: errno 76\n");
    let call = &report.calls_to(WasiFunc::ClockTimeGet)[0];
    assert_eq!(call.errno, Some(Errno::NOTCAPABLE));
    assert_eq!(call.denial.as_ref().unwrap().capability, Capability::Clocks);
}

#[test]
fn frozen_clocks_tell_the_chosen_instant() {
    let frozen = ClockPolicy::Frozen { unix_nanos: 1_700_000_000_123_456_789 };
    let report = run("clock.wat", SandboxProfile { clocks: frozen, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(report.stdout(), "realtime: 1700000000123456789 ns since 1970\nmonotonic: 0 ns\n");
    let call = &report.calls_to(WasiFunc::ClockTimeGet)[0];
    assert_eq!(call.results[0], 1_700_000_000_123_456_789);
}

#[test]
fn memory_growth_is_reported_page_by_page() {
    let report = run("grow_memory.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    let memory = report.memory();
    assert_eq!(memory[0], MemoryChange::Initial { bytes: 65536, maximum: None });
    let grows: Vec<_> = memory.iter().filter(|m| matches!(m, MemoryChange::Grew { .. })).collect();
    // The first step aligns to 16 pages, every later one adds 1 MiB.
    assert_eq!(grows.len(), 4096 / 16);
    assert_eq!(grows[0], &MemoryChange::Grew { from: 65536, to: 1 << 20 });
    assert_eq!(grows[1], &MemoryChange::Grew { from: 1 << 20, to: 2 << 20 });
    assert!(report.stdout().ends_with("reached 4096 pages\n"));
}

#[test]
fn a_memory_cap_refuses_growth_and_says_so() {
    let limits = Limits { max_memory_bytes: Some(8 << 20), ..Limits::default() };
    let report = run("grow_memory.wat", SandboxProfile { limits, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 });
    assert_eq!(report.stderr(), "memory.grow refused at 128 pages\n");
    let refused = report.memory().into_iter().find(|m| matches!(m, MemoryChange::Refused { .. }));
    assert_eq!(refused, Some(MemoryChange::Refused { from: 8 << 20, requested: 9 << 20, cap: 8 << 20 }));
}

#[test]
fn phases_are_timed_and_a_second_run_is_cached() {
    let first = run("hello.wat", SandboxProfile::default());
    let second = run("hello.wat", SandboxProfile::default());
    for report in [&first, &second] {
        for phase in [Phase::Compile, Phase::Instantiate, Phase::FirstCall, Phase::Total] {
            assert!(report.phase(phase).is_some(), "{phase:?} missing");
        }
    }
    assert!(second.phase(Phase::Compile).unwrap().cached);
    let total = second.phase(Phase::Total).unwrap().nanos;
    assert!(second.phase(Phase::FirstCall).unwrap().nanos <= total);
}

#[test]
fn stdin_bytes_are_echoed_then_end_of_file() {
    let profile = SandboxProfile { stdin: StdinSource::Fixed(b"abc".to_vec()), ..SandboxProfile::default() };
    let report = run("stdin_echo.wat", profile);
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(report.stdout(), "echo: abcstdin closed\n");
    let read = &report.calls_to(WasiFunc::FdRead)[0];
    assert_eq!(read.preview.as_bytes(), b"abc");
    assert_eq!(read.results[0], 3);
}

#[test]
fn interactive_stdin_feeds_the_running_guest() {
    let profile = SandboxProfile { stdin: StdinSource::Interactive, ..SandboxProfile::default() };
    let handle = crate::support::start("stdin_echo.wat", profile, Entry::Start);
    handle.send(runtime_worker::WorkerCommand::Stdin(b"first line\n".to_vec()));
    handle.send(runtime_worker::WorkerCommand::CloseStdin);
    let report = crate::support::Report { events: handle.wait() };
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(report.stdout(), "echo: first line\nstdin closed\n");
}

#[test]
fn reactor_exports_are_invoked_after_initialize() {
    let add = invoke("reactor.wat", "add", &["2", "3"]);
    assert_eq!(add.outcome(), &RunOutcome::Returned { values: vec![Value::I32(105)] });
    let fib = invoke("reactor.wat", "fib", &["10"]);
    assert_eq!(fib.outcome(), &RunOutcome::Returned { values: vec![Value::I64(55)] });
    let mul = invoke("reactor.wat", "mul_f64", &["1.5", "4"]);
    assert_eq!(mul.outcome(), &RunOutcome::Returned { values: vec![Value::F64(6.0)] });
    let hello = invoke("reactor.wat", "hello", &[]);
    assert_eq!(hello.stdout(), "hello from a reactor\n");
    assert_eq!(hello.outcome(), &RunOutcome::Returned { values: vec![] });
}

#[test]
fn bad_reactor_calls_say_what_is_wrong() {
    let missing = invoke("reactor.wat", "nope", &[]);
    let RunOutcome::Failed { message, .. } = missing.outcome() else { panic!("{:?}", missing.outcome()) };
    assert!(message.contains("no exported function `nope`") && message.contains("add"), "{message}");
    let wrong_count = invoke("reactor.wat", "add", &["1"]);
    let RunOutcome::Failed { message, .. } = wrong_count.outcome() else { panic!() };
    assert_eq!(message, "export `add` takes 2 argument(s), 1 given");
    let not_a_number = invoke("reactor.wat", "add", &["1", "two"]);
    let RunOutcome::Failed { message, .. } = not_a_number.outcome() else { panic!() };
    assert_eq!(message, "argument 2 of `add`: `two` is not an i32");
    let command = run("reactor.wat", SandboxProfile::default());
    let RunOutcome::Failed { message, .. } = command.outcome() else { panic!() };
    assert!(message.contains("reactor"), "{message}");
}

#[test]
fn traps_carry_a_named_backtrace() {
    let report = run("trap.wat", SandboxProfile::default());
    assert_eq!(report.stdout(), "about to trap\n");
    let RunOutcome::Trapped(trap) = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert_eq!(trap.kind, TrapKind::Unreachable);
    assert!(trap.message.contains("unreachable"), "{}", trap.message);
    let names: Vec<_> = trap.backtrace.iter().filter_map(|f| f.func_name.as_deref()).collect();
    assert_eq!(&names[..3], &["check_header", "parse_config", "_start"]);
}

#[test]
fn proc_exit_ends_the_run_with_its_code() {
    let report = run("exit_code.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 3 });
    let exit = &report.calls_to(WasiFunc::ProcExit)[0];
    assert_eq!(exit.abrupt, Some(Abrupt::Exit(3)));
    assert_eq!(exit.outcome_text(), "exit(3)");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let report = run("recursion.wat", SandboxProfile::default());
    let RunOutcome::Trapped(trap) = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert_eq!(trap.kind, TrapKind::StackOverflow);
}

#[test]
fn fuel_runs_out_in_an_endless_loop() {
    let limits = Limits { fuel: Some(1_000_000), ..Limits::default() };
    let report = run("loop_forever.wat", SandboxProfile { limits, ..SandboxProfile::default() });
    let RunOutcome::Trapped(trap) = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert_eq!(trap.kind, TrapKind::OutOfFuel);
}

#[test]
fn a_timeout_ends_an_endless_loop() {
    let limits = Limits { timeout: Some(Duration::from_millis(200)), ..Limits::default() };
    let report = run("loop_forever.wat", SandboxProfile { limits, ..SandboxProfile::default() });
    assert_eq!(report.outcome(), &RunOutcome::TimedOut);
    assert_eq!(report.stdout(), "spinning forever…\n");
}

#[test]
fn the_fs_tour_succeeds_on_a_writable_mount() {
    let data = data_copy();
    let report = run("fs_tour.wat", mount(&data, false));
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stdout: {}", report.stdout());
    let funcs: Vec<_> =
        report.calls().filter(|c| c.func != WasiFunc::FdWrite || c.params[0] > 2).map(|c| c.func).collect();
    for expected in [
        WasiFunc::PathCreateDirectory,
        WasiFunc::PathOpen,
        WasiFunc::PathFilestatGet,
        WasiFunc::PathRename,
        WasiFunc::PathUnlinkFile,
        WasiFunc::PathRemoveDirectory,
    ] {
        assert!(funcs.contains(&expected), "{expected:?} not traced: {funcs:?}");
    }
    let rename = &report.calls_to(WasiFunc::PathRename)[0];
    assert_eq!(&rename.strings[..], &[Box::from("scratch/note.txt"), Box::from("scratch/renamed.txt")]);
    assert!(!data.path().join("scratch").exists(), "the tour cleans up after itself");
}

#[test]
fn the_fs_tour_on_a_read_only_mount_is_denied_at_every_write() {
    let data = data_copy();
    let report = run("fs_tour.wat", mount(&data, true));
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 });
    let mkdir = &report.calls_to(WasiFunc::PathCreateDirectory)[0];
    assert_eq!(
        mkdir.denial.as_ref().unwrap().reason,
        "`/data` is mounted read-only: path_create_directory needs write access"
    );
    assert!(!data.path().join("scratch").exists());
}

/// A run whose caller reads no calls: the same guest behaviour, output,
/// memory, phases and end, and no call events.
fn unrecorded(module: &str, profile: SandboxProfile) -> crate::support::Report {
    let mut request = runtime_worker::RunRequest::new(crate::support::sample(module), profile, Entry::Start);
    request.record_calls = false;
    crate::support::Report { events: crate::support::runtime().start(request).wait() }
}

#[test]
fn a_run_that_records_no_calls_behaves_the_same() {
    let report = unrecorded("hello.wat", SandboxProfile::default());
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(report.stdout(), "Hello, WASI!\n");
    assert_eq!(report.calls().count(), 0);
    assert!(report.phase(Phase::FirstCall).is_some(), "the first call is still timed");

    // The profile is enforced whether or not anyone reads the calls.
    let denied = unrecorded("clock.wat", SandboxProfile { clocks: ClockPolicy::Denied, ..SandboxProfile::default() });
    assert_eq!(denied.outcome(), &RunOutcome::Exited { code: 1 });
    assert_eq!(denied.stderr(), "clock denied: errno 76\n");
    assert_eq!(denied.calls().count(), 0);

    let grown = unrecorded("grow_memory.wat", SandboxProfile::default());
    assert_eq!(grown.outcome(), &RunOutcome::Exited { code: 0 });
    assert!(grown.memory().iter().any(|m| matches!(m, MemoryChange::Grew { .. })));
    assert!(grown.stdout().contains("pages"));
}
