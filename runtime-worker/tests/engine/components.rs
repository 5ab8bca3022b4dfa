//! WASI 0.2 components through the engine: a command traced call by call,
//! the network allow-list letting a connection through or refusing it with a
//! named reason, typed calls with WAVE values, the messages for components
//! that cannot run, Stop while the guest waits in a socket poll, the
//! exported functions' WIT types, and what a WASI 0.3 command's streams and
//! futures did after their calls (bytes, ends, values, what was pending).
//!
//! The Python samples take about 10 s each to compile. The runtime is shared
//! by the whole test binary (`crate::support::runtime`) and caches compiled
//! components in memory, so each compiles once. Every test that runs a
//! Python sample goes through `tcp_connect_warm` or `database_query`, whose
//! `OnceLock` makes the other tests wait for that first run (itself one of
//! the tests' runs), so that they start with the component compiled.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{Report, runtime, sample};
use runtime_worker::inspect::load;
use runtime_worker::inspect::typed::{WitType, exported_functions};
use runtime_worker::{
    Capability, Entry, HostCall, LoadedModule, Mount, NetworkPolicy, Phase, RunOutcome, RunRequest, SandboxProfile,
    Value, WorkerCommand, WorkerEvent,
};

const HELLO: &str = "components/hello_component.wasm";
const TCP_CONNECT: &str = "components/tcp_connect.wasm";
const DATABASE: &str = "components/database_connector.wasm";

/// How long a run may take here at most, compiling a Python sample included.
const GENEROUS: Duration = Duration::from_secs(120);

/// Every host call as one line, for assertion messages.
fn trace_text(report: &Report) -> String {
    report
        .host_calls()
        .iter()
        .map(|c| {
            let denial = c.denial.as_ref().map(|d| format!(" DENIED({:?}: {})", d.capability, d.reason));
            format!("{}({}) = {}{}", c.qualified_name(), c.args_text(), c.result, denial.unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_module(module: LoadedModule, profile: SandboxProfile, entry: Entry) -> Report {
    Report { events: runtime().start(RunRequest::new(module, profile, entry)).wait() }
}

fn run_sample(name: &str, profile: SandboxProfile, entry: Entry) -> Report {
    run_module(sample(name), profile, entry)
}

fn invoke(name: &str, args: &[&str]) -> Entry {
    Entry::Invoke { name: name.to_string(), args: args.iter().map(|s| s.to_string()).collect() }
}

/// A component from WebAssembly text.
fn component(name: &str, wat: &str) -> LoadedModule {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("{name}: {e}"));
    load::load(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn failure(report: &Report) -> (Phase, &str) {
    match report.outcome() {
        RunOutcome::Failed { stage, message } => (*stage, message.as_str()),
        other => panic!("expected Failed, got {other:?}\nstderr: {}", report.stderr()),
    }
}

/// A listener on a free loopback port that nobody should reach: checked
/// after the run with a non-blocking `accept`.
struct Untouched {
    listener: TcpListener,
    addr: String,
}

impl Untouched {
    fn new() -> Untouched {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        Untouched { listener, addr }
    }

    /// The kernel completes handshakes on its own, so a connection attempt
    /// that got through would be waiting in the backlog.
    fn was_reached(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        }
    }
}

// 1. A command component, traced end to end.

#[test]
fn a_command_component_reads_a_mounted_file_and_every_host_call_is_traced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "a greeting from the test's own directory\n").unwrap();
    let profile = SandboxProfile {
        mounts: vec![Mount::read_only(dir.path(), ".")],
        args: vec!["one".into(), "two words".into()],
        ..SandboxProfile::default()
    };
    let report = run_sample(HELLO, profile, Entry::Start);

    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    let stdout = report.stdout();
    assert!(stdout.contains("a greeting from the test's own directory"), "{stdout}");
    assert!(stdout.contains("argv[2] = two words"), "{stdout}");
    assert!(stdout.contains("GREETING is not set"), "{stdout}");

    let calls = report.host_calls();
    let open = calls
        .iter()
        .find(|c| {
            &*c.interface == "wasi:filesystem/types"
                && &*c.function == "[method]descriptor.open-at"
                && c.args.iter().any(|(_, v)| v.contains("hello.txt"))
        })
        .unwrap_or_else(|| panic!("no open-at of hello.txt in the trace:\n{}", trace_text(&report)));
    assert_eq!(open.error, None, "{open:?}");
    assert!(open.denial.is_none(), "{open:?}");
    assert!(open.result.starts_with("Ok("), "{open:?}");
    assert!(calls.iter().all(|c| c.denial.is_none()), "nothing was refused:\n{}", trace_text(&report));
    assert!(
        calls.iter().any(|c| c.interface.starts_with("wasi:cli/") && c.function.contains("get-arguments")),
        "the arguments were asked for:\n{}",
        trace_text(&report)
    );
    // Calls are numbered in order and their times do not go backwards.
    for (i, call) in calls.iter().enumerate() {
        assert_eq!(call.seq, i as u64, "{call:?}");
    }
    assert!(calls.windows(2).all(|w| w[0].start_ns <= w[1].start_ns), "{}", trace_text(&report));

    for phase in [Phase::Compile, Phase::Instantiate, Phase::FirstCall, Phase::Total] {
        assert!(report.phase(phase).is_some(), "no {phase:?} phase in {:#?}", report.events);
    }
    let total = report.phase(Phase::Total).unwrap().nanos;
    assert!(report.phase(Phase::Instantiate).unwrap().nanos <= total);
}

#[test]
fn a_command_component_without_the_mount_exits_1_and_says_which_file() {
    let report = run_sample(HELLO, SandboxProfile::default(), Entry::Start);
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 }, "stdout: {}", report.stdout());
    assert!(report.stderr().contains("cannot open hello.txt"), "{}", report.stderr());
    // The guest asked for its preopens, found none, and so never asked the
    // host to open the file: the refusal happened inside the guest.
    let calls = report.host_calls();
    assert!(
        calls.iter().any(|c| &*c.interface == "wasi:filesystem/preopens" && &*c.function == "get-directories"),
        "{}",
        trace_text(&report)
    );
    assert!(!calls.iter().any(|c| c.function.ends_with("descriptor.open-at")), "{}", trace_text(&report));
}

#[test]
fn a_component_run_that_records_no_calls_behaves_the_same() {
    let mut request =
        runtime_worker::RunRequest::new(crate::support::sample(HELLO), SandboxProfile::default(), Entry::Start);
    request.record_calls = false;
    let report = Report { events: crate::support::runtime().start(request).wait() };
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 1 }, "stdout: {}", report.stdout());
    assert!(report.stderr().contains("cannot open hello.txt"), "{}", report.stderr());
    assert!(report.host_calls().is_empty());
    assert!(report.phase(Phase::FirstCall).is_some());
}

#[test]
fn a_command_component_sees_its_environment() {
    let profile = SandboxProfile {
        env: runtime_worker::Environment { inherit_host: false, vars: vec![("GREETING".into(), "bonjour".into())] },
        ..SandboxProfile::default()
    };
    let report = run_sample(HELLO, profile, Entry::Start);
    assert!(report.stdout().contains("GREETING = bonjour"), "{}", report.stdout());
    // The trace names the variables the guest was given, never their values.
    let calls = report.host_calls();
    let environment = calls.iter().find(|c| &*c.function == "get-environment").expect("get-environment");
    assert!(environment.result.contains("\"GREETING\""), "{}", environment.result);
    assert!(!trace_text(&report).contains("bonjour"), "{}", trace_text(&report));
    // The arguments it was given, and what its writes to stdout carried.
    let arguments = calls.iter().find(|c| &*c.function == "get-arguments").expect("get-arguments");
    assert_eq!(&*arguments.result, "[\"hello_component.wasm\"]");
    let greeting = calls
        .iter()
        .filter(|c| c.function.contains("output-stream.blocking-write"))
        .flat_map(|c| c.args.iter())
        .find(|(name, value)| *name == "contents" && value.contains("Hello from a WASI 0.2 component"));
    assert!(greeting.is_some(), "{}", trace_text(&report));
}

// 2. and 3. The network policy.

/// The network-off run of `tcp_connect`, done once: the first test to need
/// the sample compiles it here while the others wait (see the header).
struct OffRun {
    report: Report,
    addr: String,
    reached: bool,
}

fn tcp_connect_warm() -> &'static OffRun {
    static OFF: OnceLock<OffRun> = OnceLock::new();
    OFF.get_or_init(|| {
        let target = Untouched::new();
        let profile = SandboxProfile {
            args: vec![target.addr.clone()],
            network: NetworkPolicy::Off,
            ..SandboxProfile::default()
        };
        let report = run_sample(TCP_CONNECT, profile, Entry::Start);
        OffRun { reached: target.was_reached(), addr: target.addr.clone(), report }
    })
}

/// A one-connection server: reads a line, answers `reply` (if any), and
/// sends what it read. With no reply it holds the connection open until the
/// client closes it.
fn serve_once(reply: Option<&'static str>) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(GENEROUS)).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        if let Some(reply) = reply {
            let mut stream: &TcpStream = &stream;
            stream.write_all(reply.as_bytes()).unwrap();
        }
        let _ = tx.send(line);
        // Until the client goes away.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    (addr, rx)
}

#[test]
fn an_allowed_connection_goes_through_and_is_traced() {
    tcp_connect_warm();
    let (addr, seen) = serve_once(Some("hello from the host\n"));
    let profile = SandboxProfile {
        args: vec![addr.clone()],
        network: NetworkPolicy::AllowList(vec![addr.clone()]),
        ..SandboxProfile::default()
    };
    let report = run_sample(TCP_CONNECT, profile, Entry::Start);

    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    assert!(report.stdout().contains("hello from the host"), "{}", report.stdout());
    let line = seen.recv_timeout(Duration::from_secs(10)).expect("the server got nothing");
    assert_eq!(line, "hello from wasm\n");

    let calls = report.host_calls();
    assert!(calls.iter().all(|c| c.denial.is_none()), "nothing was refused:\n{}", trace_text(&report));
    let start = calls
        .iter()
        .find(|c| &*c.function == "[method]tcp-socket.start-connect")
        .unwrap_or_else(|| panic!("no start-connect:\n{}", trace_text(&report)));
    assert_eq!(&*start.interface, "wasi:sockets/tcp");
    assert!(start.args.iter().any(|(_, v)| v.contains(&addr)), "the address is shown as text: {start:?}");
    assert_eq!(start.error, None, "{start:?}");
    let finished = calls.iter().any(|c| {
        &*c.function == "[method]tcp-socket.finish-connect" && c.error.is_none() && c.result.starts_with("Ok(")
    });
    assert!(finished, "no successful finish-connect:\n{}", trace_text(&report));
}

#[test]
fn with_the_network_off_the_socket_is_refused_and_the_refusal_is_named() {
    let off = tcp_connect_warm();
    let report = &off.report;
    assert!(
        matches!(report.outcome(), RunOutcome::Exited { code } if *code != 0),
        "{:?}\nstdout: {}",
        report.outcome(),
        report.stdout()
    );
    assert!(report.stderr().contains("access denied"), "{}", report.stderr());
    let calls = report.host_calls();
    let denied = calls
        .iter()
        .find(|c| c.denial.is_some())
        .unwrap_or_else(|| panic!("no denial in the trace:\n{}", trace_text(report)));
    let denial = denied.denial.as_ref().unwrap();
    assert_eq!(denial.capability, Capability::Network, "{denied:?}");
    assert!(denied.interface.starts_with("wasi:sockets/"), "{denied:?}");
    assert_eq!(denied.error.as_deref(), Some("access-denied"), "{denied:?}");
    assert!(denial.reason.contains("network is off"), "{}", denial.reason);
    assert!(!off.reached, "the listener at {} was reached with the network off", off.addr);
}

#[test]
fn an_address_outside_the_allow_list_is_refused_with_the_address_and_the_rule() {
    tcp_connect_warm();
    let target = Untouched::new();
    let profile = SandboxProfile {
        args: vec![target.addr.clone()],
        network: NetworkPolicy::AllowList(vec!["10.255.255.1:9".into()]),
        ..SandboxProfile::default()
    };
    let report = run_sample(TCP_CONNECT, profile, Entry::Start);

    assert!(
        matches!(report.outcome(), RunOutcome::Exited { code } if *code != 0),
        "{:?}\nstdout: {}",
        report.outcome(),
        report.stdout()
    );
    let calls = report.host_calls();
    let denied: Vec<&&HostCall> = calls.iter().filter(|c| c.denial.is_some()).collect();
    assert_eq!(denied.len(), 1, "one refusal:\n{}", trace_text(&report));
    let denial = denied[0].denial.as_ref().unwrap();
    assert_eq!(denial.capability, Capability::Network);
    assert!(denial.reason.contains(&target.addr), "names the address: {}", denial.reason);
    assert!(denial.reason.contains("`10.255.255.1:9`"), "names the rule: {}", denial.reason);
    assert!(!target.was_reached(), "the listener at {} was reached", target.addr);
}

// 4. Typed calls.

/// `execute-query` by its bare name, once: compiles the sample for the
/// other tests that use it (see the header).
fn database_query() -> &'static Report {
    static QUERY: OnceLock<Report> = OnceLock::new();
    QUERY.get_or_init(|| {
        run_sample(
            DATABASE,
            SandboxProfile::default(),
            invoke("execute-query", &["\"select * from users where id = 3\""]),
        )
    })
}

fn returned_wave(report: &Report) -> &str {
    match report.outcome() {
        RunOutcome::Returned { values } => match values.as_slice() {
            [Value::Wave(text)] => text,
            other => panic!("expected one WAVE value, got {other:?}"),
        },
        other => panic!("expected Returned, got {other:?}\nstderr: {}", report.stderr()),
    }
}

#[test]
fn a_typed_export_is_called_with_wave_arguments_and_returns_wave() {
    let text = returned_wave(database_query());
    assert!(text.contains("linus") && text.contains("67.25"), "{text}");
    assert!(text.starts_with("ok(["), "{text}");
    assert!(!text.contains("ada"), "only the row asked for: {text}");
    for phase in [Phase::Compile, Phase::Instantiate, Phase::Total] {
        assert!(database_query().phase(phase).is_some(), "no {phase:?} phase");
    }
}

#[test]
fn a_typed_export_is_found_by_its_interface_qualified_name() {
    database_query();
    let report = run_sample(
        DATABASE,
        SandboxProfile::default(),
        invoke("wasmscope:db/database-connector#execute-query", &["\"select * from users where score > 90\""]),
    );
    let text = returned_wave(&report);
    assert!(text.contains("ada") && text.contains("barbara"), "{text}");
    assert!(!text.contains("linus"), "{text}");
    assert_eq!(report.phase(Phase::Compile).map(|p| p.cached), Some(true), "compiled once per engine");
}

// 5. Components that cannot run, and calls that cannot be made.

#[test]
fn a_wrong_argument_type_names_the_parameter_and_its_type() {
    database_query();
    let report = run_sample(DATABASE, SandboxProfile::default(), invoke("execute-query", &["42"]));
    let (_, message) = failure(&report);
    assert!(message.contains("`sql`"), "{message}");
    assert!(message.contains("string"), "{message}");
}

#[test]
fn an_unknown_function_lists_the_exported_ones() {
    database_query();
    let report = run_sample(DATABASE, SandboxProfile::default(), invoke("drop-table", &[]));
    let (_, message) = failure(&report);
    assert!(message.contains("`drop-table`"), "{message}");
    assert!(message.contains("wasmscope:db/database-connector#execute-query"), "{message}");
}

#[test]
fn a_component_importing_a_non_wasi_interface_names_it() {
    let module = component(
        "imports-foo.wat",
        r#"(component
             (import "foo:bar/baz" (instance $baz (export "f" (func))))
             (core module $m (func (export "g")))
             (core instance $i (instantiate $m))
             (func (export "g") (canon lift (core func $i "g"))))"#,
    );
    let report = run_module(module, SandboxProfile::default(), invoke("g", &[]));
    let (stage, message) = failure(&report);
    assert_eq!(stage, Phase::Instantiate, "{message}");
    assert!(message.contains("`foo:bar/baz`"), "{message}");
}

#[test]
fn a_component_that_is_not_a_command_says_so_when_started() {
    let module = component(
        "not-a-command.wat",
        r#"(component
             (core module $m (func (export "g")))
             (core instance $i (instantiate $m))
             (func (export "g") (canon lift (core func $i "g"))))"#,
    );
    let report = run_module(module.clone(), SandboxProfile::default(), Entry::Start);
    let (_, message) = failure(&report);
    assert!(message.contains("wasi:cli/run"), "{message}");

    // The same component's own function can be called.
    let report = run_module(module, SandboxProfile::default(), invoke("g", &[]));
    assert_eq!(report.outcome(), &RunOutcome::Returned { values: vec![] });
}

#[test]
fn an_empty_component_has_nothing_to_run_or_call() {
    let module = component("empty.wat", "(component)");
    let report = run_module(module.clone(), SandboxProfile::default(), Entry::Start);
    assert!(failure(&report).1.contains("wasi:cli/run"), "{:?}", report.outcome());
    let report = run_module(module, SandboxProfile::default(), invoke("anything", &[]));
    let (_, message) = failure(&report);
    assert!(message.contains("exports no functions"), "{message}");
}

// 6. Stop while the guest waits in a host call.

#[test]
fn stop_ends_a_component_waiting_for_a_reply() {
    tcp_connect_warm();
    // A server that accepts and never answers: the guest waits up to 5 s.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap().to_string();
    let (accepted_tx, accepted) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let _ = accepted_tx.send(());
        stream.set_read_timeout(Some(GENEROUS)).unwrap();
        let _ = std::io::copy(&mut stream, &mut std::io::sink());
    });

    let profile = SandboxProfile {
        args: vec![addr.clone()],
        network: NetworkPolicy::AllowList(vec![addr.clone()]),
        ..SandboxProfile::default()
    };
    let handle = runtime().start(RunRequest::new(sample(TCP_CONNECT), profile, Entry::Start));
    let commander = handle.commander();
    let stopper = std::thread::spawn(move || {
        accepted.recv_timeout(GENEROUS).expect("the guest never connected");
        std::thread::sleep(Duration::from_millis(300));
        let asked = Instant::now();
        commander.send(WorkerCommand::Stop);
        asked
    });
    let report = Report { events: handle.wait() };
    let finished = Instant::now();
    let asked = stopper.join().expect("stopper");
    let took = finished.duration_since(asked);

    assert_eq!(report.outcome(), &RunOutcome::Stopped, "stdout: {}\nstderr: {}", report.stdout(), report.stderr());
    assert!(took < Duration::from_secs(3), "stop took {took:?}");
    assert!(report.stdout().contains("sent 16 bytes"), "{}", report.stdout());
    assert!(!report.stdout().contains("no reply"), "the 5 s wait did not run out: {}", report.stdout());
    // The call the guest was stopped in is recorded, with no result.
    let calls = report.host_calls();
    let last = calls.last().unwrap_or_else(|| panic!("no host calls"));
    assert!(last.result.is_empty(), "the last call never returned: {last:?}\n{}", trace_text(&report));
}

// 7. Exported functions with their WIT types, without compiling.

#[test]
fn exported_functions_give_wit_types_and_signatures() {
    let bytes = std::fs::read(crate::support::samples_dir().join(DATABASE)).unwrap();
    let functions = exported_functions(&bytes).expect("types");
    let query = functions
        .iter()
        .find(|f| f.function == "execute-query")
        .unwrap_or_else(|| panic!("no execute-query in {functions:#?}"));
    assert_eq!(query.interface.as_deref(), Some("wasmscope:db/database-connector"));
    assert_eq!(query.path(), "wasmscope:db/database-connector#execute-query");
    assert_eq!(query.params, vec![("sql".to_string(), WitType::String)]);
    let signature = query.signature();
    assert!(signature.contains("list<query-result>"), "{signature}");
    assert_eq!(signature, "execute-query: func(sql: string) -> result<list<query-result>, string>");
    let Some(WitType::Result { ok: Some(ok), .. }) = &query.result else { panic!("{:?}", query.result) };
    let WitType::List(row) = &**ok else { panic!("{ok:?}") };
    let WitType::Record { fields, .. } = &**row else { panic!("{row:?}") };
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["id", "name", "score"]);
    assert_eq!(fields[2].1, WitType::Float("f64"));

    let hello = std::fs::read(crate::support::samples_dir().join(HELLO)).unwrap();
    let functions = exported_functions(&hello).expect("types");
    assert!(
        functions
            .iter()
            .any(|f| f.function == "run" && f.interface.as_deref().is_some_and(|i| i.starts_with("wasi:cli/run"))),
        "{functions:#?}"
    );
}

/// A run that records no calls installs no `tracing` subscriber at all, and
/// a recorded run relies on the callsites' cached interest: runs of both
/// kinds, one after another (on the runtime's kept worker threads), must see
/// the same, and every recorded run every call.
#[test]
fn recorded_and_unrecorded_component_runs_alternate_and_see_the_same() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "read through either kind of run\n").unwrap();
    let profile = SandboxProfile {
        mounts: vec![Mount::read_only(dir.path(), ".")],
        args: vec!["one".into()],
        env: runtime_worker::Environment { inherit_host: false, vars: vec![("GREETING".into(), "hi".into())] },
        ..SandboxProfile::default()
    };
    let run = |record: bool| {
        let mut request = RunRequest::new(sample(HELLO), profile.clone(), Entry::Start);
        request.record_calls = record;
        Report { events: runtime().start(request).wait() }
    };
    let first = run(true);
    assert_eq!(first.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", first.stderr());
    assert!(first.stdout().contains("read through either kind of run"), "{}", first.stdout());
    let traced = trace_text(&first);
    assert!(traced.contains("output-stream.blocking-write"), "{traced}");
    for round in 0..3 {
        for record in [false, true] {
            let report = run(record);
            assert_eq!(report.outcome(), first.outcome(), "round {round}, recorded: {record}");
            assert_eq!(report.stdout(), first.stdout(), "round {round}, recorded: {record}");
            assert_eq!(report.stderr(), first.stderr(), "round {round}, recorded: {record}");
            assert!(report.phase(Phase::FirstCall).is_some(), "round {round}, recorded: {record}");
            if record {
                // The same calls, with the same arguments and results.
                let calls = |text: &str| {
                    text.lines().map(|l| l.split(" = ").next().unwrap_or_default().to_string()).collect::<Vec<_>>()
                };
                assert_eq!(calls(&trace_text(&report)), calls(&traced), "round {round}");
            } else {
                assert!(report.host_calls().is_empty(), "round {round}: {}", trace_text(&report));
            }
        }
    }
}

// 8. WASI 0.3: what a call's streams and futures did after it returned.

const P3_TOUR: &str = "components/p3_tour.wasm";

/// p3_tour with the samples' data mounted at /data, as its story runs it.
fn p3_tour_profile() -> SandboxProfile {
    let data = crate::support::samples_dir().join("data");
    SandboxProfile { mounts: vec![Mount::read_only(&data, "/data")], ..SandboxProfile::default() }
}

/// One run of p3_tour that reads hello.txt, shared by the tests that read
/// its trace (the first run compiles it).
fn p3_tour_read() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| run_sample(P3_TOUR, p3_tour_profile(), Entry::Start))
}

/// The `stream#N` or `future#N` in a value's text.
fn handle_in<'a>(text: &'a str, kind: &str) -> &'a str {
    let at = text.find(kind).unwrap_or_else(|| panic!("no {kind} in {text}"));
    let digits = text[at + kind.len()..].bytes().take_while(u8::is_ascii_digit).count();
    &text[at..at + kind.len() + digits]
}

/// The record named `function` on `interface`, which must come after `after`.
fn end_of<'a>(report: &'a Report, interface: &str, function: &str, after: &HostCall) -> &'a HostCall {
    let calls = report.host_calls();
    let record = calls
        .iter()
        .find(|c| &*c.interface == interface && &*c.function == function)
        .unwrap_or_else(|| panic!("no {interface}#{function} in the trace:\n{}", trace_text(report)));
    assert!(record.seq > after.seq, "{function} comes after the call that made it:\n{}", trace_text(report));
    assert_eq!(record.start_ns, after.start_ns, "an end is timed from the call that made its handle");
    record
}

fn arg<'a>(call: &'a HostCall, name: &str) -> &'a str {
    // Whichever way `HostCall` keeps its arguments' text.
    fn text(value: &(impl AsRef<str> + ?Sized)) -> &str {
        value.as_ref()
    }
    call.args
        .iter()
        .find(|(n, _)| text(n) == name)
        .map(|(_, v)| text(v))
        .unwrap_or_else(|| panic!("no {name} in {call:?}"))
}

#[test]
fn a_0_3_command_shows_what_went_through_each_stream_and_when_each_future_resolved() {
    let report = p3_tour_read();
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "stderr: {}", report.stderr());
    let calls = report.host_calls();
    let find = |interface: &str, function: &str| {
        *calls
            .iter()
            .find(|c| &*c.interface == interface && &*c.function == function)
            .unwrap_or_else(|| panic!("no {interface}#{function} in the trace:\n{}", trace_text(report)))
    };

    // stdout: one stream for the whole run; every byte the guest wrote went
    // through it, and its future resolved when the guest closed it.
    let write = find("wasi:cli/stdout", "write-via-stream");
    let (stream, future) = (handle_in(arg(write, "data"), "stream#"), handle_in(&write.result, "future#"));
    let stdout = report.stdout();
    let ended = end_of(report, "wasi:cli/stdout", &format!("{stream} ended"), write);
    assert_eq!(arg(ended, "bytes"), stdout.len().to_string(), "{ended:?}");
    assert_eq!(arg(ended, "preview"), "\"Hello from a WASI 0.3 component!\"", "the first 32 bytes");
    assert_eq!(&*ended.result, "closed by the guest");
    assert!(ended.dur_ns >= 20_000_000, "the stream was open across the 20 ms wait: {ended:?}");
    let resolved = end_of(report, "wasi:cli/stdout", &format!("{future} resolved"), write);
    assert_eq!((&*resolved.result, resolved.error.as_deref()), ("Ok(())", None));

    // hello.txt: its bytes reached the guest through the stream read-via-stream
    // gave, which ended with the data; its future said the read went well.
    let read = find("wasi:filesystem/types", "[method]descriptor.read-via-stream");
    let (stream, future) = (handle_in(&read.result, "stream#"), handle_in(&read.result, "future#"));
    let file = std::fs::read(crate::support::samples_dir().join("data/hello.txt")).unwrap();
    let ended = end_of(report, "wasi:filesystem/types", &format!("{stream} ended"), read);
    assert_eq!(arg(ended, "bytes"), file.len().to_string(), "{ended:?}");
    assert_eq!(arg(ended, "preview"), format!("{:?}", String::from_utf8_lossy(&file)));
    assert_eq!(&*ended.result, "end of data");
    let resolved = end_of(report, "wasi:filesystem/types", &format!("{future} resolved"), read);
    assert_eq!(&*resolved.result, "Ok(())");
    assert!(stdout.contains("Hello from the host filesystem!"), "the guest read the same bytes: {stdout}");

    // Nothing was left pending, and everything is numbered in order.
    assert!(calls.iter().all(|c| !c.result.is_empty()), "{}", trace_text(report));
    assert!(calls.iter().enumerate().all(|(i, c)| c.seq == i as u64));
}

#[test]
fn a_0_3_command_stopped_with_its_stdout_open_shows_it_pending() {
    p3_tour_read();
    for attempt in 1..=3 {
        let handle = runtime().start(RunRequest::new(sample(P3_TOUR), p3_tour_profile(), Entry::Start));
        let mut events = Vec::new();
        // The wall clock line comes just before a 20 ms wait, with stdout's stream open.
        'waiting: loop {
            let batch = handle.events().recv_timeout(GENEROUS).expect("the guest never wrote");
            for event in batch.events {
                let wall_clock = matches!(&event, WorkerEvent::Output { bytes, .. }
                    if String::from_utf8_lossy(bytes).contains("wall clock"));
                events.push(event);
                if wall_clock {
                    break 'waiting;
                }
            }
        }
        handle.stop();
        events.extend(handle.wait());
        let report = Report { events };
        if report.outcome() != &RunOutcome::Stopped {
            assert!(attempt < 3, "never stopped in time: {:?}", report.outcome());
            continue;
        }
        let calls = report.host_calls();
        let write = *calls.iter().find(|c| &*c.function == "write-via-stream").expect("stdout's stream");
        let (stream, future) = (handle_in(arg(write, "data"), "stream#"), handle_in(&write.result, "future#"));
        let open = end_of(&report, "wasi:cli/stdout", &format!("{stream} still open"), write);
        assert_eq!(&*open.result, "", "pending, like a call that never returned");
        assert_eq!(arg(open, "bytes"), report.stdout().len().to_string(), "what went through before the stop");
        let unresolved = end_of(&report, "wasi:cli/stdout", &format!("{future} unresolved"), write);
        assert_eq!(&*unresolved.result, "");
        return;
    }
}

#[test]
fn a_0_2_trace_has_no_stream_or_future_records() {
    let report = run_sample(HELLO, p3_tour_profile(), Entry::Start);
    let calls = report.host_calls();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| !c.function.contains("stream#") && !c.function.contains("future#")),
        "{}",
        trace_text(&report)
    );
}
