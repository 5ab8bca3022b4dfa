//! WASI 0.3 components whose exports are `async func`s, and a 0.3
//! `wasi:http` handler, through the engine: a call to an async export returns
//! its value; Stop and the time limit end a guest while it awaits a host
//! future (an hour's `monotonic-clock.wait-for`), promptly; a
//! `wasi:http/handler@0.3.0` answers requests, streams a body written after
//! `handle` returned, and a trap or an await is ended like any run.
//!
//! The samples are `samples/components/async_greeter.wasm` and
//! `http_hello_p3.wasm` (Python, componentize-py 0.25.1). Each takes about
//! 10 s to compile; the runtime is shared by the test binary and caches
//! compiled components in memory, so every test first goes through
//! `greeted` or `handler_root`, whose `OnceLock` makes the others wait for
//! that first run, which compiles the sample.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::support::{Report, runtime, sample};
use runtime_worker::{
    Entry, HostCall, HttpRequest, HttpResponse, Limits, Phase, RunOutcome, RunRequest, SandboxProfile, Value,
    WorkerEvent,
};

const GREETER: &str = "components/async_greeter.wasm";
const HANDLER: &str = "components/http_hello_p3.wasm";

/// How long Stop or the time limit may take to end an awaiting guest. Loose:
/// CI machines are shared (the latency figures belong to the benchmarks).
const PROMPTLY: Duration = Duration::from_secs(3);

/// An hour, in the milliseconds `sleep` takes.
const AN_HOUR_MS: &str = "3600000";

fn invoke(name: &str, args: &[&str]) -> Entry {
    Entry::Invoke { name: name.to_string(), args: args.iter().map(|s| s.to_string()).collect() }
}

fn run(file: &str, profile: SandboxProfile, entry: Entry) -> Report {
    Report { events: runtime().start(RunRequest::new(sample(file), profile, entry)).wait() }
}

fn returned(report: &Report) -> Vec<&str> {
    match report.outcome() {
        RunOutcome::Returned { values } => values
            .iter()
            .map(|v| match v {
                Value::Wave(text) => text.as_str(),
                other => panic!("expected WAVE values, got {other:?}"),
            })
            .collect(),
        other => panic!("expected Returned, got {other:?}\nstderr: {}", report.stderr()),
    }
}

fn waits(report: &Report) -> Vec<&HostCall> {
    report
        .host_calls()
        .into_iter()
        .filter(|c| c.interface.starts_with("wasi:clocks/monotonic-clock") && &*c.function == "wait-for")
        .collect()
}

/// `greet("ada")`, once: compiles the sample for the other tests (see the header).
fn greeted() -> &'static Report {
    static GREETED: OnceLock<Report> = OnceLock::new();
    GREETED.get_or_init(|| run(GREETER, SandboxProfile::default(), invoke("greet", &["\"ada\""])))
}

#[test]
fn a_call_to_an_async_export_returns_its_value() {
    let report = greeted();
    assert_eq!(returned(report), ["\"Hello, ada!\""]);
    // It awaited the 0.3 clock's async `wait-for` (5 ms) on the way.
    let waits = waits(report);
    assert_eq!(waits.len(), 1, "{:#?}", report.host_calls());
    assert_eq!(waits[0].args_text(), "how_long=5000000");
    assert!(waits[0].dur_ns >= 5_000_000, "waited {} ns", waits[0].dur_ns);
    for phase in [Phase::Compile, Phase::Instantiate, Phase::Total] {
        assert!(report.phase(phase).is_some(), "no {phase:?} phase");
    }
}

#[test]
fn an_async_export_awaits_several_waits_at_once() {
    greeted();
    let report = run(
        GREETER,
        SandboxProfile::default(),
        invoke("wasmscope:samples/greeter#greet-all", &[r#"["ada", "grace", "linus"]"#]),
    );
    assert_eq!(returned(&report), [r#"["Hello, ada!", "Hello, grace!", "Hello, linus!"]"#]);
    // One 5 ms wait per name, all begun before the first ended.
    let waits = waits(&report);
    assert_eq!(waits.len(), 3, "{:#?}", report.host_calls());
    let first_end = waits.iter().map(|w| w.start_ns + w.dur_ns).min().unwrap();
    assert!(waits.iter().all(|w| w.start_ns < first_end), "the waits ran one after another: {waits:#?}");
}

#[test]
fn an_async_export_without_results_returns_none() {
    greeted();
    let report = run(GREETER, SandboxProfile::default(), invoke("sleep", &["20"]));
    assert_eq!(returned(&report), Vec::<&str>::new());
    assert_eq!(waits(&report).len(), 1);
}

#[test]
fn a_wrong_argument_to_an_async_export_names_the_parameter() {
    greeted();
    let report = run(GREETER, SandboxProfile::default(), invoke("greet", &["42"]));
    match report.outcome() {
        RunOutcome::Failed { message, .. } => {
            assert!(message.contains("`name`") && message.contains("string"), "{message}")
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// Starts `entry`, waits until the instance exists and then a little more,
/// so that the guest is awaiting; asks for Stop and returns the report with
/// how long Stop took.
fn stop_while_awaiting(file: &str, entry: Entry) -> (Report, Duration) {
    let handle = runtime().start(RunRequest::new(sample(file), SandboxProfile::default(), entry));
    let mut events = Vec::new();
    'instantiated: loop {
        let batch = handle.events().recv_timeout(Duration::from_secs(120)).expect("the guest was never instantiated");
        for event in batch.events {
            let instantiated = matches!(&event, WorkerEvent::Phase(t) if t.phase == Phase::Instantiate);
            let finished = matches!(event, WorkerEvent::Finished(_));
            events.push(event);
            assert!(!finished, "the run ended before it was stopped: {events:#?}");
            if instantiated {
                break 'instantiated;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    handle.stop();
    events.extend(handle.wait());
    (Report { events }, asked.elapsed())
}

#[test]
fn stop_ends_a_guest_awaiting_an_hours_wait() {
    greeted();
    let (report, took) = stop_while_awaiting(GREETER, invoke("sleep", &[AN_HOUR_MS]));
    assert_eq!(report.outcome(), &RunOutcome::Stopped, "stderr: {}", report.stderr());
    assert!(took < PROMPTLY, "stop took {took:?}");
    assert!(report.phase(Phase::Total).is_some());
    // The wait it was stopped in is recorded, and never returned.
    let waits = waits(&report);
    let [wait] = waits.as_slice() else { panic!("expected one wait-for: {:#?}", report.host_calls()) };
    assert_eq!(wait.args_text(), "how_long=3600000000000");
    assert!(wait.result.is_empty(), "the wait never returned: {wait:?}");
}

#[test]
fn the_time_limit_ends_a_guest_awaiting_an_hours_wait() {
    greeted();
    let limits = Limits { timeout: Some(Duration::from_millis(500)), ..Limits::default() };
    // The limit counts compilation too. The runtime's memory cache may have
    // let the compiled sample go for the big samples other tests compile at
    // the same time; then the limit ends the compile, and the run is tried
    // again with the sample compiled just before.
    for attempt in 1..=3 {
        runtime().prepare_component(&sample(GREETER)).expect("compiles");
        let started = Instant::now();
        let report =
            run(GREETER, SandboxProfile { limits, ..SandboxProfile::default() }, invoke("sleep", &[AN_HOUR_MS]));
        assert_eq!(report.outcome(), &RunOutcome::TimedOut, "stderr: {}", report.stderr());
        if report.phase(Phase::Instantiate).is_none() && attempt < 3 {
            continue;
        }
        assert!(started.elapsed() < Duration::from_millis(500) + PROMPTLY, "took {:?}", started.elapsed());
        // The time ran out while the guest awaited, not while it compiled.
        assert!(report.phase(Phase::Instantiate).is_some(), "never instantiated: {:#?}", report.events);
        assert_eq!(waits(&report).len(), 1, "{:#?}", report.host_calls());
        return;
    }
}

// A WASI 0.3 HTTP handler (`wasi:http/handler@0.3.0`).

fn request(method: &str, path: &str, body: &str) -> Entry {
    let mut request = HttpRequest::new(method, path);
    if !body.is_empty() {
        request.headers.push(("content-type".to_string(), "text/plain".to_string()));
        request.body = body.as_bytes().to_vec();
    }
    Entry::Http(request)
}

fn response(report: &Report) -> (u16, String) {
    match report.outcome() {
        RunOutcome::Responded(HttpResponse { status, body, .. }) => {
            (*status, String::from_utf8_lossy(body).into_owned())
        }
        other => panic!("expected a response, got {other:?}\nstderr: {}", report.stderr()),
    }
}

/// `GET /`, once: compiles the handler for the other tests (see the header).
fn handler_root() -> &'static Report {
    static ROOT: OnceLock<Report> = OnceLock::new();
    ROOT.get_or_init(|| run(HANDLER, SandboxProfile::default(), request("GET", "/", "")))
}

#[test]
fn a_0_3_handler_answers_a_request() {
    let (status, body) = response(handler_root());
    assert_eq!(status, 200);
    assert_eq!(body, "Hello from http_hello_p3, a wasi:http/service@0.3.0 component!\n");
}

#[test]
fn a_0_3_handler_reads_the_request_body_from_its_stream() {
    handler_root();
    let report = run(HANDLER, SandboxProfile::default(), request("POST", "/echo?x=1", "hello, echo"));
    let (status, body) = response(&report);
    assert_eq!(status, 200);
    assert!(body.starts_with("method: POST\npath: /echo?x=1\n"), "{body}");
    assert!(body.ends_with("body (11 bytes): hello, echo\n"), "{body}");
}

#[test]
fn a_0_3_handler_streams_a_body_written_after_it_returned() {
    handler_root();
    let report = run(HANDLER, SandboxProfile::default(), request("GET", "/count", ""));
    assert_eq!(response(&report), (200, "1\n2\n3\n4\n5\n".to_string()));
    // Four 100 ms waits between the lines, all after `handle` returned.
    assert_eq!(waits(&report).len(), 4, "{:#?}", report.host_calls());
}

#[test]
fn a_0_3_handler_that_traps_is_a_trap() {
    handler_root();
    let report = run(HANDLER, SandboxProfile::default(), request("GET", "/trap", ""));
    assert!(matches!(report.outcome(), RunOutcome::Trapped(_)), "{:?}", report.outcome());
    assert!(report.stderr().contains("/trap asked for a trap"), "{}", report.stderr());
}

#[test]
fn stop_ends_a_0_3_handler_awaiting_before_it_answers() {
    handler_root();
    let (report, took) = stop_while_awaiting(HANDLER, request("GET", "/slow", ""));
    assert_eq!(report.outcome(), &RunOutcome::Stopped, "stderr: {}", report.stderr());
    assert!(took < PROMPTLY, "stop took {took:?}");
}

#[test]
fn async_exports_are_typed_as_async_funcs() {
    let bytes = std::fs::read(crate::support::samples_dir().join(GREETER)).unwrap();
    let functions = runtime_worker::inspect::typed::exported_functions(&bytes).expect("types");
    let signatures: Vec<String> = functions
        .iter()
        .filter(|f| f.interface.as_deref() == Some("wasmscope:samples/greeter"))
        .map(|f| f.signature())
        .collect();
    assert_eq!(
        signatures,
        [
            "greet: async func(name: string) -> string",
            "greet-all: async func(names: list<string>) -> list<string>",
            "sleep: async func(ms: u64)",
        ]
    );
    // componentize-py's own `init` is not async.
    let init = functions.iter().find(|f| f.function == "init").expect("init");
    assert!(!init.is_async && init.signature().starts_with("init: func("), "{}", init.signature());
}
