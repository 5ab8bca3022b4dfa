//! `wasmscope run` with strace's habits: `-o`, `-c`, `-e trace=`, `-Z`, `-s`,
//! `-t`/`-tt`, the errno's meaning, the `+++` last line, and Ctrl+C/SIGTERM
//! writing out what was recorded.

use std::io::{BufRead, BufReader};

use super::cli_run::{text, wasmscope, wasmscope_command};

/// `HH:MM:SS` followed by `rest`, with `.uuuuuu` between them if `micros`.
fn starts_with_time_of_day(line: &str, micros: bool) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (clock, _) = line.split_once(' ').unwrap_or(("", ""));
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    parts.len() == 3
        && parts.iter().all(|p| p.len() == 2 && digits(p))
        && match fraction {
            Some(fraction) => micros && fraction.len() == 6 && digits(fraction),
            None => !micros,
        }
}

#[test]
fn o_alone_writes_a_text_trace_that_ends_with_how_the_guest_exited() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.txt");
    let out = wasmscope(&["run", "-o", file.to_str().unwrap(), "samples/exit_code.wat"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stderr), "", "the trace went to the file");
    let trace = std::fs::read_to_string(&file).unwrap();
    assert!(trace.contains("proc_exit(code=3)"), "{trace}");
    assert_eq!(trace.lines().last(), Some("+++ exited with 3 +++"), "{trace}");

    let trap = wasmscope(&["run", "--trace", "text", "samples/trap.wat"]);
    assert_eq!(trap.status.code(), Some(134));
    assert_eq!(text(&trap.stderr).lines().last(), Some("+++ killed by trap (unreachable) +++"));
}

#[test]
fn a_failed_call_shows_its_errno_and_what_it_means() {
    let out = wasmscope(&["run", "--dir", "samples/data::/data", "--trace", "text", "samples/escape.wat"]);
    let trace = text(&out.stderr);
    let open = trace.lines().find(|l| l.starts_with("path_open(")).expect("a path_open line");
    assert!(open.contains(" = perm (Operation not permitted) <"), "{open}");
}

#[test]
fn c_counts_calls_errors_and_time_per_function_instead_of_tracing() {
    let out = wasmscope(&["run", "-c", "--dir", "samples/data::/data", "samples/escape.wat"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stderr);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "% time     seconds  usecs/call     calls    errors syscall", "{table}");
    let columns = |name: &str| -> Vec<String> {
        let row = lines.iter().find(|l| l.ends_with(&format!(" {name}"))).unwrap_or_else(|| panic!("{table}"));
        row.split_whitespace().map(str::to_string).collect()
    };
    // Both escapes are refused: two calls, two errors.
    assert_eq!(columns("path_open")[3..], ["2", "2", "path_open"], "{table}");
    let writes = columns("fd_write");
    assert_eq!(writes.len(), 5, "no errors column for a function that never failed: {table}");
    let total = columns("total");
    assert_eq!(total[0], "100.00");
    assert!(!table.contains("path_open("), "-c alone prints no trace: {table}");
}

#[test]
fn e_trace_and_z_choose_the_calls() {
    let base = ["run", "--dir", "samples/data::/data", "--trace", "text"];
    let only_opens = wasmscope(&[&base[..], &["-e", "trace=path_open", "samples/escape.wat"]].concat());
    let trace = text(&only_opens.stderr);
    let calls: Vec<&str> = trace.lines().filter(|l| !l.starts_with("+++")).collect();
    assert_eq!(calls.len(), 2, "{trace}");
    assert!(calls.iter().all(|l| l.starts_with("path_open(")), "{trace}");

    let failed = wasmscope(&[&base[..], &["-Z", "samples/escape.wat"]].concat());
    let trace = text(&failed.stderr);
    let calls: Vec<&str> = trace.lines().filter(|l| !l.starts_with("+++")).collect();
    assert_eq!(calls.len(), 2, "only the two refused opens failed: {trace}");
    assert!(calls.iter().all(|l| l.contains(" = perm ")), "{trace}");

    let typo = wasmscope(&["run", "-e", "trace=fd_wirte", "samples/hello.wat"]);
    assert_eq!(typo.status.code(), Some(126));
    assert!(text(&typo.stderr).contains("`fd_wirte` is not a WASI preview1 function"), "{}", text(&typo.stderr));
}

#[test]
fn a_components_calls_are_chosen_and_counted_by_interface_and_function() {
    let out = wasmscope(&[
        "run",
        "-c",
        "--trace",
        "text",
        "-e",
        "trace=output-stream.blocking-write-and-flush,wasi:cli/exit#exit",
        "samples/components/hello_component.wasm",
    ]);
    let stderr = text(&out.stderr);
    let calls: Vec<&str> = stderr.lines().filter(|l| l.starts_with("wasi:")).collect();
    assert!(!calls.is_empty(), "{stderr}");
    assert!(
        calls.iter().all(|l| l.starts_with("wasi:io/streams#[method]output-stream.blocking-write-and-flush(")
            || l.starts_with("wasi:cli/exit#exit(")),
        "{stderr}"
    );
    assert!(stderr.lines().any(|l| l.ends_with(" wasi:cli/exit#exit") && l.contains(" 1 ")), "{stderr}");
}

#[test]
fn s_cuts_buffers_and_t_puts_the_time_of_day_first() {
    let out = wasmscope(&["run", "-s", "3", "-tt", "--trace", "text", "samples/hello.wat"]);
    let trace = text(&out.stderr);
    let write = trace.lines().next().unwrap();
    assert!(starts_with_time_of_day(write, true), "{write}");
    assert!(write.contains(" fd_write(fd=1, data=13 \"Hel\"…) = ok"), "{write}");

    let out = wasmscope(&["run", "-t", "--trace", "text", "samples/hello.wat"]);
    let write = text(&out.stderr).lines().next().unwrap().to_string();
    assert!(starts_with_time_of_day(&write, false), "{write}");
    assert!(write.contains(" fd_write(fd=1, data=13 \"Hello, WASI!\\n\") = ok"), "{write}");
}

/// Starts the guest that prints and then sleeps for an hour, waits for its
/// line, sends `signal` and returns the exit status, stderr and the trace.
#[cfg(unix)]
fn interrupt_a_sleeping_guest(signal: libc::c_int, format: &str) -> (Option<i32>, String, String) {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let mut child = wasmscope_command(&["run", "--trace", format, "-o", file.to_str().unwrap(), "samples/sleep.wat"])
        .spawn()
        .expect("wasmscope starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "sleeping for an hour\n");
    // The trace is written as the run goes: the guest's first call is in
    // the file while the guest sleeps (a trace kept in a buffer until the
    // end would never show up here).
    let mut waited = 0;
    while !std::fs::read_to_string(&file).unwrap_or_default().contains("fd_write") {
        assert!(waited < 3000, "the trace file is still empty while the guest sleeps");
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
    }
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    // A stop that does not work must fail the test, not leave it waiting
    // out the guest's hour.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("wasmscope was still running a minute after the signal");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.code(), stderr, std::fs::read_to_string(&file).unwrap())
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_guest_and_keeps_the_trace() {
    let (code, stderr, trace) = interrupt_a_sleeping_guest(libc::SIGINT, "json");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("SIGINT: the guest was stopped"), "{stderr}");
    let first: serde_json::Value = serde_json::from_str(trace.lines().next().expect("a trace line")).unwrap();
    assert_eq!(first["func"], "fd_write");

    let (code, stderr, trace) = interrupt_a_sleeping_guest(libc::SIGTERM, "text");
    assert_eq!(code, Some(143), "{stderr}");
    assert!(trace.starts_with("fd_write(fd=1, data=21 \"sleeping for an hour\\n\")"), "{trace}");
    assert_eq!(trace.lines().last(), Some("+++ killed by SIGTERM +++"), "{trace}");
}

/// A core module stopped while it sleeps in `poll_oneoff`: the sleep ends
/// the trace as strace shows a call it was interrupted in.
#[cfg(unix)]
#[test]
fn ctrl_c_shows_the_sleep_it_stopped_as_unfinished() {
    let (code, stderr, trace) = interrupt_a_sleeping_guest(libc::SIGINT, "text");
    assert_eq!(code, Some(130), "{stderr}");
    let lines: Vec<&str> = trace.lines().collect();
    let [.., sleep, ending] = lines[..] else { panic!("a call and the ending at least: {trace}") };
    assert!(sleep.starts_with("poll_oneoff(subscriptions=[\"clock monotonic for "), "{trace}");
    assert!(sleep.ends_with(") <unfinished ...>"), "{trace}");
    assert_eq!(ending, "+++ killed by SIGINT +++", "{trace}");

    let (code, stderr, trace) = interrupt_a_sleeping_guest(libc::SIGINT, "json");
    assert_eq!(code, Some(130), "{stderr}");
    let last: serde_json::Value = serde_json::from_str(trace.lines().last().expect("a trace line")).unwrap();
    assert_eq!(last["func"], "poll_oneoff", "{trace}");
    assert_eq!(last["unfinished"], true, "{trace}");
    assert_eq!(last["result"], serde_json::Value::Null, "{trace}");
    let first: serde_json::Value = serde_json::from_str(trace.lines().next().unwrap()).unwrap();
    assert_eq!(first.get("unfinished"), None, "only the call the run ended in: {trace}");
}

/// The `stream#N` or `future#N` in a trace line.
fn handle_in<'a>(line: &'a str, kind: &str) -> &'a str {
    let at = line.find(kind).unwrap_or_else(|| panic!("no {kind} in {line}"));
    let digits = line[at + kind.len()..].bytes().take_while(u8::is_ascii_digit).count();
    &line[at..at + kind.len() + digits]
}

#[test]
fn a_0_3_trace_shows_what_went_through_each_stream_and_when_each_future_resolved() {
    const GUEST: [&str; 4] = ["-S", "p3", "--dir", "samples/data::/data"];
    const FILE: &str = "samples/components/p3_tour.wasm";
    let out = wasmscope(&[&["run", "--trace", "text"][..], &GUEST, &[FILE]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let trace = text(&out.stderr);
    let lines: Vec<&str> = trace.lines().collect();
    let position = |needle: &str| {
        lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle}:\n{trace}"))
    };

    // stdout: a stream given to write-via-stream, everything the guest
    // printed went through it, and its future resolved when it was closed.
    let write = position("wasi:cli/stdout#write-via-stream(data=stream#");
    let (stream, future) = (handle_in(lines[write], "stream#"), handle_in(lines[write], "future#"));
    let ended = position(&format!(
        "wasi:cli/stdout#{stream} ended(bytes={}, preview=\"Hello from a WASI 0.3 component!\") = closed by the guest <",
        out.stdout.len()
    ));
    let resolved = position(&format!("wasi:cli/stdout#{future} resolved() = Ok(()) <"));
    assert!(write < ended && ended < resolved, "{trace}");

    // hello.txt: the stream read-via-stream gave carried the file's 32 bytes.
    let read = position("wasi:filesystem/types#[method]descriptor.read-via-stream(self=");
    let (stream, future) = (handle_in(lines[read], "stream#"), handle_in(lines[read], "future#"));
    let ended = position(&format!(
        "wasi:filesystem/types#{stream} ended(bytes=32, preview=\"Hello from the host filesystem!\\n\") = end of data <"
    ));
    let resolved = position(&format!("wasi:filesystem/types#{future} resolved() = Ok(()) <"));
    assert!(read < ended && read < resolved, "{trace}");
    assert_eq!(lines.last(), Some(&"+++ exited with 0 +++"));

    // The same records as JSON lines.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.jsonl");
    let out = wasmscope(&[&["run", "--trace", "json", "-o", file.to_str().unwrap()][..], &GUEST, &[FILE]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = std::fs::read_to_string(&file).unwrap();
    let records: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ended = records
        .iter()
        .find(|r| {
            r["interface"] == "wasi:filesystem/types" && r["func"].as_str().is_some_and(|f| f.ends_with(" ended"))
        })
        .unwrap_or_else(|| panic!("no file stream's end in {json}"));
    assert_eq!(ended["args"]["bytes"], "32", "{ended}");
    assert_eq!(ended["result"], "end of data", "{ended}");
    assert!(ended["dur_ns"].as_u64().is_some(), "{ended}");
}
