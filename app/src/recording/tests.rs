//! The format read back: every kind of event and refusal, every cut, a
//! newer format, damage.

use std::sync::Arc;

use runtime_worker::wasi::abi::{Errno, WasiFunc};
use runtime_worker::{
    Abrupt, CallEvent, Denial, DenialKind, Entry, Frame, Guest, HostCall, HttpResponse, MemoryChange, MemoryEvent,
    ModuleKind, NetworkRule, Phase, PhaseTiming, Preview, RunOutcome, SandboxProfile, SocketUse, SourceLocation,
    Stream, TrapInfo, TrapKind, Value, Within, WorkerEvent,
};

use super::*;

fn header() -> Header {
    let mut profile = SandboxProfile::default();
    profile.mounts.push(runtime_worker::Mount::read_only("/srv/data", "/data"));
    profile.env.vars.push(("LANG".into(), "C".into()));
    profile.limits.max_output_bytes = None;
    Header {
        writer: env!("CARGO_PKG_VERSION").to_string(),
        module_name: "escape.wat".into(),
        module_sha256: [7; 32],
        kind: ModuleKind::Core,
        language: Some("C11".into()),
        started_unix_ms: 1_796_000_000_000,
        entry: Entry::Invoke { name: "run".into(), args: vec!["1".into()] },
        profile,
        program_name: Some("prog".into()),
        part: None,
        swaps: vec![("database-connector".into(), "provider.wasm".into())],
    }
}

fn call(seq: u64, func: WasiFunc, denial: Option<DenialKind>) -> WorkerEvent {
    WorkerEvent::Call(CallEvent {
        seq,
        func,
        start_ns: 1_000 * seq + 17,
        dur_ns: 250,
        params: [3, 0, 5, 0, 0, 0],
        results: [0, 12],
        errno: denial.as_ref().map(|_| Errno::PERM),
        abrupt: None,
        strings: vec!["../secret.txt".into()],
        preview: Preview::from_slice(b"hello"),
        fd_labels: [Some(Arc::from("/data")), None],
        denial: denial.map(|kind| Box::new(Denial::new(kind))),
        stack: None,
    })
}

fn host_call(seq: u64, start_ns: u64) -> WorkerEvent {
    WorkerEvent::HostCall(HostCall {
        seq,
        interface: "wasi:filesystem/types".into(),
        function: "[method]descriptor.open-at".into(),
        start_ns,
        dur_ns: 900,
        args: [("self", "#3"), ("path", "\"hello.txt\"")].into_iter().collect(),
        result: "Err(ErrorCode::NotPermitted)".into(),
        error: Some("not-permitted".into()),
        denial: Some(Box::new(Denial::new(DenialKind::ReadOnlyMounts { mounts: vec!["/data".into()] }))),
        part: Some("#1 command".into()),
        callee: None,
    })
}

/// Every kind of event, outcome and refusal at least once.
fn all_kinds() -> Vec<WorkerEvent> {
    let refusals = [
        DenialKind::EscapeByDotDot { path: "../x".into(), within: Within::Mount("/data".into()) },
        DenialKind::EscapeBySymlink {
            path: "l/x".into(),
            within: Within::Dir("/data/sub".into()),
            link: "l".into(),
            target: "/etc".into(),
        },
        DenialKind::AbsolutePath { path: "/etc/passwd".into(), guest: Guest::Component },
        DenialKind::ReadOnlyMount { mount: "/data".into(), needed_by: Some(WasiFunc::PathOpen.name()) },
        DenialKind::ReadOnlyMount { mount: "/data".into(), needed_by: None },
        DenialKind::FdNotOpen { fd: 9 },
        DenialKind::EnvNotGranted { host_vars: 40 },
        DenialKind::ClockDenied { guest: Guest::CoreModule },
        DenialKind::NoSockets,
        DenialKind::NetworkOff,
        DenialKind::AddressRefused {
            addr: "[::1]:8080".parse().unwrap(),
            socket_use: SocketUse::UdpSend,
            rule: NetworkRule::NoEntryMatches(vec!["example.com:443".into()]),
        },
        DenialKind::DnsOff { host: Some("example.com".into()), network_off: true },
        DenialKind::HttpRequestRefused {
            method: "GET".into(),
            url: "http://example.com/".into(),
            cause: Box::new(DenialKind::DnsOff { host: None, network_off: false }),
        },
        DenialKind::ReadOnlyMounts { mounts: vec!["/a".into(), "/b".into()] },
        DenialKind::EscapeByDotDot { path: "..".into(), within: Within::UnknownDir },
        DenialKind::EscapeByDotDot { path: "..".into(), within: Within::SomeMount },
    ];
    let mut events = vec![
        WorkerEvent::CompileProgress { done: 3, total: 10 },
        WorkerEvent::Phase(PhaseTiming { phase: Phase::Compile, nanos: 12_345_678, cached: true }),
        WorkerEvent::Phase(PhaseTiming { phase: Phase::Instantiate, nanos: 800, cached: false }),
        WorkerEvent::Memory(MemoryEvent { at_ns: 5, change: MemoryChange::Initial { bytes: 65_536, maximum: None } }),
        WorkerEvent::Memory(MemoryEvent {
            at_ns: 6,
            change: MemoryChange::Initial { bytes: 65_536, maximum: Some(1 << 32) },
        }),
        WorkerEvent::Memory(MemoryEvent { at_ns: 9, change: MemoryChange::Grew { from: 65_536, to: 131_072 } }),
        WorkerEvent::Memory(MemoryEvent {
            at_ns: 10,
            change: MemoryChange::Refused { from: 131_072, requested: 1 << 30, cap: 1 << 20 },
        }),
        WorkerEvent::Phase(PhaseTiming { phase: Phase::FirstCall, nanos: 80, cached: false }),
    ];
    for (i, kind) in refusals.into_iter().enumerate() {
        events.push(call(i as u64, WasiFunc::PathOpen, Some(kind)));
    }
    events.push(call(40, WasiFunc::FdWrite, None));
    let mut exit = call(41, WasiFunc::ProcExit, None);
    if let WorkerEvent::Call(call) = &mut exit {
        call.abrupt = Some(Abrupt::Exit(-3));
        call.fd_labels = [None, Some("/data/x".into())];
        call.params = [1, 2, 3, 4, 5, u64::MAX];
        call.results = [u64::MAX, 0];
    }
    events.push(exit);
    events.push(host_call(0, 3_000));
    // Out of time order, as a 0.3 stream's end may be put among the calls.
    events.push(host_call(7, 1_000));
    // Calls too long for the encoder's room for a call (written another way).
    let mut long_path = call(42, WasiFunc::PathOpen, Some(DenialKind::NoSockets));
    if let WorkerEvent::Call(call) = &mut long_path {
        call.strings = vec!["x".repeat(300).into(), "y".repeat(90).into()];
    }
    events.push(long_path);
    let mut long_result = host_call(8, 4_000);
    if let WorkerEvent::HostCall(call) = &mut long_result {
        call.result = "r".repeat(400).into();
    }
    events.push(long_result);
    events.push(call(43, WasiFunc::FdWrite, None));
    events.push(WorkerEvent::Output { stream: Stream::Stdout, bytes: b"hello\n".to_vec() });
    events.push(WorkerEvent::Output { stream: Stream::Stderr, bytes: Vec::new() });
    events.push(WorkerEvent::OutputDropped { stream: Stream::Stderr, total: 1 << 40 });
    events.push(WorkerEvent::Phase(PhaseTiming { phase: Phase::Total, nanos: u64::MAX, cached: false }));
    events
}

fn outcomes() -> Vec<RunOutcome> {
    vec![
        RunOutcome::Exited { code: -1 },
        RunOutcome::Returned {
            values: vec![
                Value::I32(i32::MIN),
                Value::I64(-5),
                Value::F32(1.5),
                Value::F64(-0.25),
                Value::Wave("[{id: 1}]".into()),
            ],
        },
        RunOutcome::Responded(HttpResponse {
            status: 404,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"nope".to_vec(),
        }),
        RunOutcome::Trapped(TrapInfo {
            kind: TrapKind::MemoryOutOfBounds,
            message: "wasm trap: out of bounds memory access".into(),
            backtrace: vec![
                Frame { func_index: 3, func_name: None, module_offset: None, source: Vec::new() },
                Frame {
                    func_index: 7,
                    func_name: Some("main".into()),
                    module_offset: Some(0x1234),
                    source: vec![SourceLocation {
                        function: Some("divide".into()),
                        file: Some("./prog.c".into()),
                        line: Some(7),
                        column: None,
                    }],
                },
            ],
        }),
        RunOutcome::Stopped,
        RunOutcome::TimedOut,
        RunOutcome::Failed { stage: Phase::Instantiate, message: "unknown import".into() },
    ]
}

/// A recording of `events` in batches of three, complete.
fn record(events: &[WorkerEvent]) -> Vec<u8> {
    let mut writer = RecordingWriter::new(Vec::new(), &header()).unwrap();
    for batch in events.chunks(3) {
        writer.write_batch(batch).unwrap();
    }
    writer.finish().unwrap()
}

fn debug(events: &[WorkerEvent]) -> Vec<String> {
    events.iter().map(|e| format!("{e:?}")).collect()
}

#[test]
fn every_kind_of_event_reads_back_as_it_was_written() {
    for outcome in outcomes() {
        let mut events = all_kinds();
        events.push(WorkerEvent::Finished(outcome));
        let bytes = record(&events);
        let recording = read(&bytes).unwrap();
        assert_eq!(recording.header, header());
        assert_eq!(recording.ending, Ending::Complete);
        assert_eq!(debug(&recording.events), debug(&events));
    }
}

#[test]
fn a_denials_sentence_is_kept_as_written() {
    let mut event = call(0, WasiFunc::PathOpen, Some(DenialKind::NoSockets));
    if let WorkerEvent::Call(call) = &mut event {
        call.denial.as_mut().unwrap().reason = "worded by an older wasmscope".into();
    }
    let recording = read(&record(&[event])).unwrap();
    let WorkerEvent::Call(call) = &recording.events[0] else { panic!("not a call") };
    assert_eq!(call.denial.as_ref().unwrap().reason, "worded by an older wasmscope");
    assert_eq!(call.denial.as_ref().unwrap().capability, runtime_worker::Capability::Network);
}

#[test]
fn repeated_text_is_written_once_and_a_plain_call_is_small() {
    let write = |seq| {
        WorkerEvent::Call(CallEvent {
            seq,
            func: WasiFunc::FdWrite,
            start_ns: 100 * seq,
            dur_ns: 300,
            params: [1, 1, 0, 0, 0, 0],
            results: [16, 0],
            errno: None,
            abrupt: None,
            strings: Vec::new(),
            preview: Preview::from_slice(b"0123456789abcdef"),
            fd_labels: [None, None],
            denial: None,
            stack: None,
        })
    };
    let one = record(&[write(0)]).len();
    let bytes = record(&(0..1000).map(write).collect::<Vec<_>>());
    let named = bytes.windows(b"fd_write".len()).filter(|w| w == b"fd_write").count();
    assert_eq!(named, 1, "the function's name, once");
    // The 16 bytes of preview and their length, and at most 20 for the rest.
    let per_call = (bytes.len() - one) as f64 / 999.0;
    assert!(per_call <= 17.0 + 20.0, "{per_call} bytes per fd_write");
}

#[test]
fn every_cut_reads_as_a_beginning_or_a_clear_error() {
    let mut events = all_kinds();
    events.push(WorkerEvent::Finished(outcomes().swap_remove(3)));
    let bytes = record(&events);
    let expected = debug(&events);
    let (_, reader) = open(&bytes).unwrap();
    let events_start = reader.at;
    for cut in 0..bytes.len() {
        match read(&bytes[..cut]) {
            Err(RecordingError::BadHeader(why)) => {
                assert!(cut < events_start, "cut at {cut}: {why}");
                assert!(why.contains("stops before"), "cut at {cut}: {why}");
            }
            Err(other) => panic!("cut at {cut}: {other}"),
            Ok(recording) => {
                assert!(cut >= events_start, "cut at {cut} read a header");
                let Ending::Incomplete { at_byte, why } = &recording.ending else {
                    panic!("cut at {cut} read as complete")
                };
                assert!(*at_byte <= cut as u64);
                assert!(why.contains("cut off") || why.contains("stops after"), "cut at {cut}: {why}");
                let read = debug(&recording.events);
                assert_eq!(read[..], expected[..read.len()], "cut at {cut}");
            }
        }
    }
    // The last byte is the end frame's count: all events, but no end.
    let recording = read(&bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(recording.events.len(), events.len());
    assert!(matches!(recording.ending, Ending::Incomplete { .. }));
}

#[test]
fn a_newer_format_is_refused_with_the_version_that_wrote_it() {
    let mut bytes = record(&all_kinds());
    bytes[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let error = read(&bytes).err().expect("a newer format read");
    assert!(matches!(error, RecordingError::NewerFormat { format, .. } if format == FORMAT_VERSION + 1));
    let text = error.to_string();
    assert!(text.contains(&format!("format {}", FORMAT_VERSION + 1)), "{text}");
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
}

#[test]
fn other_files_and_damage_say_what_they_are() {
    assert!(matches!(read(b"\0asm\x01\0\0\0"), Err(RecordingError::NotARecording)));
    assert!(matches!(read(b""), Err(RecordingError::BadHeader(_))));
    assert!(matches!(read(b"(module)"), Err(RecordingError::NotARecording)));

    let events = all_kinds();
    let bytes = record(&events);
    // Where each event's frame ends.
    let (_, mut reader) = open(&bytes).unwrap();
    let start = reader.at;
    let mut ends = Vec::new();
    while reader.next().is_some() {
        ends.push(reader.at);
    }
    // Every single byte of the events flipped: never a panic, and the
    // events written before the damaged byte read as they were written.
    let expected = debug(&events);
    for at in start..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        let recording = read(&damaged).unwrap();
        let intact = ends.iter().take_while(|&&end| end <= at).count();
        let read = debug(&recording.events);
        assert!(read.len() >= intact, "flip at {at}");
        assert_eq!(read[..intact], expected[..intact], "flip at {at}");
    }
    // Bytes after the end.
    let mut longer = bytes.clone();
    longer.push(0);
    let recording = read(&longer).unwrap();
    assert!(matches!(&recording.ending, Ending::Incomplete { why, .. } if why.contains("follow")));
}
