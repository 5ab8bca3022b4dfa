//! What leaves Wasmscope as text: a diagnosis as Markdown for a bug report,
//! a run's trace as JSON lines, CSV or strace-like text, written a call at a
//! time (`model::export_job` does it on its own thread).

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;

use runtime_worker::doctor::Finding;
use runtime_worker::{CallEvent, HostCall, RunOutcome, SandboxProfile};

use crate::model::call_store::CallStore;
use crate::model::run_record::{RunRecord, outcome_text};
use crate::sandbox_flags::{fix_flags, profile_summary};

/// The diagnosis of a run as Markdown.
pub fn diagnosis_markdown(
    module: &str,
    profile: &SandboxProfile,
    outcome: Option<&RunOutcome>,
    findings: &[Finding],
) -> String {
    let mut md = format!("## Why `{module}` failed\n\n");
    if let Some(outcome) = outcome {
        let _ = writeln!(md, "The run {}.\n", outcome_text(outcome));
    }
    let _ = writeln!(md, "**Profile**: {}\n", profile_summary(profile));
    if findings.is_empty() {
        md.push_str("No denial or missing capability explains the outcome.\n");
    }
    for finding in findings {
        let _ = writeln!(md, "### {}\n\n{}\n", finding.headline, finding.detail);
        match &finding.fix {
            Some(fix) => {
                let _ = writeln!(md, "**Fix**: {} (`{}`)\n", fix.describe(), fix_flags(fix));
            }
            None => md.push_str("**Fix**: none — the sandbox refused this by design.\n\n"),
        }
    }
    md
}

/// The formats Export writes a run's calls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line (the `--trace json` format).
    JsonLines,
    /// A header, then one row per call.
    Csv,
    /// One strace-like line per call (the `--trace text` format).
    Text,
}

impl ExportFormat {
    /// The name the save dialog suggests.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::JsonLines => "trace.jsonl",
            ExportFormat::Csv => "trace.csv",
            ExportFormat::Text => "trace.txt",
        }
    }
}

/// A run's calls as Export takes them: shared with the run
/// (`RunRecord::calls`), so that they are written on another thread without
/// a copy.
#[derive(Clone)]
pub enum TraceCalls {
    /// A core module's preview1 calls.
    Core(Arc<CallStore>),
    /// A component's host calls.
    Host(Arc<Vec<HostCall>>),
}

impl TraceCalls {
    /// The calls of `run`: a component's host calls or a core module's calls.
    pub fn of(run: &RunRecord) -> TraceCalls {
        if run.component {
            TraceCalls::Host(Arc::clone(&run.host_calls))
        } else {
            TraceCalls::Core(Arc::clone(&run.calls))
        }
    }

    pub fn len(&self) -> usize {
        match self {
            TraceCalls::Core(calls) => calls.len(),
            TraceCalls::Host(calls) => calls.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a trace was not written whole.
#[derive(Debug)]
pub enum ExportError {
    /// `keep_going` said to stop.
    Cancelled,
    Io(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Cancelled => f.write_str("cancelled"),
            ExportError::Io(e) => e.fmt(f),
        }
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

/// Writes `calls` to `out` in `format`, a call at a time: a million calls
/// never become one string. `keep_going` is asked with the number of calls
/// written so far, every `PROGRESS_EVERY` calls and at the end; when it
/// answers false the write stops with `ExportError::Cancelled`.
pub fn write_trace(
    calls: &TraceCalls,
    format: ExportFormat,
    out: &mut impl Write,
    mut keep_going: impl FnMut(usize) -> bool,
) -> Result<(), ExportError> {
    // Each line is put together here and written whole (serde_json and
    // `write!` would hand a buffered writer a line in many small pieces).
    let mut line = String::with_capacity(512);
    let header = match (calls, format) {
        (TraceCalls::Core(_), ExportFormat::Csv) => CORE_CSV_HEADER,
        (TraceCalls::Host(_), ExportFormat::Csv) => HOST_CSV_HEADER,
        _ => "",
    };
    out.write_all(header.as_bytes())?;
    for i in 0..calls.len() {
        if i % PROGRESS_EVERY == 0 && !keep_going(i) {
            return Err(ExportError::Cancelled);
        }
        line.clear();
        match calls {
            TraceCalls::Core(store) => core_line(&store.get(i), format, &mut line),
            TraceCalls::Host(host_calls) => host_line(&host_calls[i], format, &mut line),
        }
        out.write_all(line.as_bytes())?;
    }
    if !keep_going(calls.len()) {
        return Err(ExportError::Cancelled);
    }
    Ok(())
}

/// How often `write_trace` reports progress (and can be cancelled).
pub const PROGRESS_EVERY: usize = 4096;

const CORE_CSV_HEADER: &str = "seq,start_ns,function,arguments,result,errno,denied,reason,duration_ns\n";
const HOST_CSV_HEADER: &str = "seq,start_ns,interface,function,arguments,result,error,denied,reason,duration_ns\n";

/// A core module's call as one line of `format`, with its newline.
fn core_line(call: &CallEvent, format: ExportFormat, line: &mut String) {
    match format {
        ExportFormat::JsonLines => {
            line.push_str(&serde_json::to_string(&call.json()).expect("a call serialises"));
        }
        ExportFormat::Text => line.push_str(&call.to_text()),
        ExportFormat::Csv => {
            let result: Vec<String> = call.results().iter().map(|r| format!("{}={}", r.name, r.value)).collect();
            let fields = [
                call.seq.to_string(),
                call.start_ns.to_string(),
                call.func.name().to_string(),
                args_text(call),
                result.join(" "),
                call.errno.map(|e| e.name().into_owned()).unwrap_or_default(),
                call.denial.is_some().to_string(),
                call.denial.as_ref().map(|d| d.reason.clone()).unwrap_or_default(),
                call.dur_ns.to_string(),
            ];
            push_row(line, &fields);
            return;
        }
    }
    line.push('\n');
}

/// A component's host call as one line of `format`, with its newline.
fn host_line(call: &HostCall, format: ExportFormat, line: &mut String) {
    match format {
        ExportFormat::JsonLines => {
            let _ = write!(line, "{}", call.to_json());
        }
        ExportFormat::Text => line.push_str(&call.to_text()),
        ExportFormat::Csv => {
            let fields = [
                call.seq.to_string(),
                call.start_ns.to_string(),
                call.interface.to_string(),
                call.function.to_string(),
                call.args_text(),
                call.result.to_string(),
                call.error.as_deref().unwrap_or_default().to_string(),
                call.denial.is_some().to_string(),
                call.denial.as_ref().map(|d| d.reason.clone()).unwrap_or_default(),
                call.dur_ns.to_string(),
            ];
            push_row(line, &fields);
            return;
        }
    }
    line.push('\n');
}

/// A call's arguments as one line, `name=value, …`: the CSV's column, and
/// what the Calls table and Compare show.
pub fn args_text(call: &CallEvent) -> String {
    call.args().iter().map(|a| format!("{}={}", a.name, a.value)).collect::<Vec<_>>().join(", ")
}

fn push_row(out: &mut String, fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&row.join(","));
    out.push('\n');
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use runtime_worker::{Abrupt, Denial, DenialKind, Errno, Name, Preview, WasiFunc, Within};

    use super::*;

    /// The export as it was before it was streamed: each format built whole
    /// as one `String` (kept verbatim, as the reference the streamed bytes
    /// must equal).
    mod whole_string {
        use super::super::{args_text, csv_field};
        use crate::model::call_store::CallStore;

        pub fn trace_jsonl(calls: &CallStore) -> String {
            let mut out = String::new();
            for i in 0..calls.len() {
                out.push_str(&serde_json::to_string(&calls.get(i).json()).expect("a call serialises"));
                out.push('\n');
            }
            out
        }

        pub fn trace_csv(calls: &CallStore) -> String {
            let mut out = String::from("seq,start_ns,function,arguments,result,errno,denied,reason,duration_ns\n");
            for i in 0..calls.len() {
                let call = calls.get(i);
                let args = args_text(&call);
                let result: Vec<String> = call.results().iter().map(|r| format!("{}={}", r.name, r.value)).collect();
                let fields = [
                    call.seq.to_string(),
                    call.start_ns.to_string(),
                    call.func.name().to_string(),
                    args,
                    result.join(" "),
                    call.errno.map(|e| e.name().into_owned()).unwrap_or_default(),
                    call.denial.is_some().to_string(),
                    call.denial.as_ref().map(|d| d.reason.clone()).unwrap_or_default(),
                    call.dur_ns.to_string(),
                ];
                push_row(&mut out, &fields);
            }
            out
        }

        pub fn host_calls_jsonl(calls: &[runtime_worker::HostCall]) -> String {
            let mut out = String::new();
            for call in calls {
                out.push_str(&call.to_json().to_string());
                out.push('\n');
            }
            out
        }

        pub fn host_calls_csv(calls: &[runtime_worker::HostCall]) -> String {
            let mut out =
                String::from("seq,start_ns,interface,function,arguments,result,error,denied,reason,duration_ns\n");
            for call in calls {
                let fields = [
                    call.seq.to_string(),
                    call.start_ns.to_string(),
                    call.interface.to_string(),
                    call.function.to_string(),
                    call.args_text(),
                    call.result.to_string(),
                    call.error.as_deref().unwrap_or_default().to_string(),
                    call.denial.is_some().to_string(),
                    call.denial.as_ref().map(|d| d.reason.clone()).unwrap_or_default(),
                    call.dur_ns.to_string(),
                ];
                push_row(&mut out, &fields);
            }
            out
        }

        fn push_row(out: &mut String, fields: &[String]) {
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }

    fn core_call(seq: u64, func: WasiFunc, params: &[u64], strings: &[&str]) -> CallEvent {
        let mut p = [0; 6];
        p[..params.len()].copy_from_slice(params);
        CallEvent {
            seq,
            func,
            start_ns: 1_000 * seq,
            dur_ns: 250 + seq,
            params: p,
            results: [0; 2],
            errno: None,
            abrupt: None,
            strings: strings.iter().map(|s| Box::from(*s)).collect(),
            preview: Preview::EMPTY,
            fd_labels: [None, None],
            denial: None,
            stack: None,
        }
    }

    /// Calls of every shape the formats treat apart: results, a preview with
    /// quotes, commas and a newline, a denial whose reason has commas, an
    /// errno, a list of strings, an exit.
    fn core_calls(copies: usize) -> CallStore {
        let mut store = CallStore::new();
        for copy in 0..copies as u64 {
            let seq = copy * 5;
            let mut write = core_call(seq, WasiFunc::FdWrite, &[1, 24], &[]);
            write.preview = Preview::from_slice(b"say \"hi\", then\nbye\r\n");
            write.results = [24, 0];
            let mut open = core_call(seq + 1, WasiFunc::PathOpen, &[3, 1, 0, 2, 0], &["../secret, \"x\".txt"]);
            open.fd_labels[0] = Some(Arc::from("/data"));
            open.errno = Some(Errno::PERM);
            let kind = DenialKind::EscapeByDotDot { path: "../secret, \"x\".txt".into(), within: Within::UnknownDir };
            open.denial = Some(Box::new(Denial::new(kind)));
            let mut missing = core_call(seq + 2, WasiFunc::PathOpen, &[3, 1, 0, 2, 0], &["nowhere.txt"]);
            missing.errno = Some(Errno::NOENT);
            let args = core_call(seq + 3, WasiFunc::ArgsGet, &[], &["m.wasm", "a b", "c,d"]);
            let mut exit = core_call(seq + 4, WasiFunc::ProcExit, &[3], &[]);
            exit.abrupt = Some(Abrupt::Exit(3));
            for call in [write, open, missing, args, exit] {
                store.push(&call);
            }
        }
        store
    }

    fn host_call(seq: u64, denied: bool) -> HostCall {
        HostCall {
            seq,
            interface: Name::from_static("wasi:sockets/tcp"),
            function: Name::from_static("[method]tcp-socket.finish-connect"),
            start_ns: 10 * seq,
            dur_ns: 20,
            args: [("self", "#1"), ("note", "a, \"b\"")].into_iter().collect(),
            result: if denied { "Err(access-denied)".into() } else { "Ok(())".into() },
            error: denied.then(|| Box::from("access-denied")),
            denial: denied.then(|| {
                Box::new(Denial::new(DenialKind::AddressRefused {
                    addr: "10.0.0.2:80".parse().unwrap(),
                    socket_use: runtime_worker::SocketUse::TcpConnect,
                    rule: runtime_worker::NetworkRule::LoopbackOnly,
                }))
            }),
            part: None,
            callee: None,
        }
    }

    fn streamed(calls: &TraceCalls, format: ExportFormat) -> String {
        let mut out = Vec::new();
        write_trace(calls, format, &mut out, |_| true).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_streamed_export_is_byte_for_byte_the_whole_string_one() {
        // More calls than one progress step, so the write goes on past a report.
        let store = Arc::new(core_calls(PROGRESS_EVERY / 5 + 3));
        let core = TraceCalls::Core(Arc::clone(&store));
        assert_eq!(streamed(&core, ExportFormat::JsonLines), whole_string::trace_jsonl(&store));
        assert_eq!(streamed(&core, ExportFormat::Csv), whole_string::trace_csv(&store));

        let host_calls: Vec<HostCall> = (0..7).map(|i| host_call(i, i % 3 == 1)).collect();
        let host = TraceCalls::Host(Arc::new(host_calls.clone()));
        assert_eq!(streamed(&host, ExportFormat::JsonLines), whole_string::host_calls_jsonl(&host_calls));
        assert_eq!(streamed(&host, ExportFormat::Csv), whole_string::host_calls_csv(&host_calls));
    }

    #[test]
    fn the_text_export_is_the_strace_lines() {
        let store = Arc::new(core_calls(1));
        let text = streamed(&TraceCalls::Core(Arc::clone(&store)), ExportFormat::Text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0], store.get(0).to_text());
        assert!(lines[1].starts_with("path_open(fd=3</data>, "), "{}", lines[1]);
        assert!(lines[1].contains(" = perm (Operation not permitted) "), "{}", lines[1]);
        assert_eq!(lines[4], "proc_exit(code=3) = exit(3) <254ns>");
        let host = streamed(&TraceCalls::Host(Arc::new(vec![host_call(0, false)])), ExportFormat::Text);
        assert_eq!(host, format!("{}\n", host_call(0, false).to_text()));
    }

    #[test]
    fn a_write_told_to_stop_stops_and_reports_its_progress() {
        let calls = TraceCalls::Core(Arc::new(core_calls(PROGRESS_EVERY)));
        let mut reports = Vec::new();
        let mut out = Vec::new();
        let stopped = write_trace(&calls, ExportFormat::JsonLines, &mut out, |written| {
            reports.push(written);
            written < 2 * PROGRESS_EVERY
        });
        assert!(matches!(stopped, Err(ExportError::Cancelled)), "{stopped:?}");
        assert_eq!(reports, [0, PROGRESS_EVERY, 2 * PROGRESS_EVERY]);
        assert_eq!(
            String::from_utf8(out).unwrap().lines().count(),
            2 * PROGRESS_EVERY,
            "what was asked before the stop"
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn host_calls_export_with_their_interface_and_denial() {
        let mut call = host_call(4, true);
        call.args = [("self", "#1")].into_iter().collect();
        let calls = TraceCalls::Host(Arc::new(vec![call]));
        let csv = streamed(&calls, ExportFormat::Csv);
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "4,40,wasi:sockets/tcp,[method]tcp-socket.finish-connect,self=#1,Err(access-denied),access-denied,true,\
             a TCP connection to 10.0.0.2:80 refused: the network is loopback-only,20"
        );
        let json: serde_json::Value = serde_json::from_str(streamed(&calls, ExportFormat::JsonLines).trim()).unwrap();
        assert_eq!(json["interface"], "wasi:sockets/tcp");
        assert_eq!(json["denied"], true);
        assert_eq!(json["args"]["self"], "#1");
    }
}
