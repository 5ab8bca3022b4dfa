//! What leaves Wasmscope as text: a diagnosis as Markdown for a bug report,
//! a run's trace as JSON lines or CSV.

use std::fmt::Write as _;

use runtime_worker::doctor::Finding;
use runtime_worker::{CallEvent, RunOutcome, SandboxProfile};

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

/// A run's trace as the window exports it: a component's host calls or a
/// core module's calls, as CSV or JSON lines.
pub fn run_trace(run: &RunRecord, csv: bool) -> String {
    match (run.component, csv) {
        (true, true) => host_calls_csv(&run.host_calls),
        (true, false) => host_calls_jsonl(&run.host_calls),
        (false, true) => trace_csv(&run.calls),
        (false, false) => trace_jsonl(&run.calls),
    }
}

/// Every call as one JSON object per line (the `--trace json` format).
pub fn trace_jsonl(calls: &CallStore) -> String {
    let mut out = String::new();
    for i in 0..calls.len() {
        out.push_str(&serde_json::to_string(&calls.get(i).json()).expect("a call serialises"));
        out.push('\n');
    }
    out
}

/// Every call as a CSV row: seq, start, function, arguments, result, errno,
/// denied, reason, duration.
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

/// A call's arguments as one line, `name=value, …`: the CSV's column, and
/// what the Calls table and Compare show.
pub fn args_text(call: &CallEvent) -> String {
    call.args().iter().map(|a| format!("{}={}", a.name, a.value)).collect::<Vec<_>>().join(", ")
}

/// A component's host calls as JSON lines (the `--trace json` format).
pub fn host_calls_jsonl(calls: &[runtime_worker::HostCall]) -> String {
    let mut out = String::new();
    for call in calls {
        out.push_str(&call.to_json().to_string());
        out.push('\n');
    }
    out
}

/// A component's host calls as CSV rows: seq, start, interface, function,
/// arguments, result, error, denied, reason, duration.
pub fn host_calls_csv(calls: &[runtime_worker::HostCall]) -> String {
    let mut out = String::from("seq,start_ns,interface,function,arguments,result,error,denied,reason,duration_ns\n");
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

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn host_calls_export_with_their_interface_and_denial() {
        use std::sync::Arc;
        let call = runtime_worker::HostCall {
            seq: 4,
            interface: Arc::from("wasi:sockets/tcp"),
            function: Arc::from("[method]tcp-socket.finish-connect"),
            start_ns: 10,
            dur_ns: 20,
            args: [("self", "#1")].into_iter().collect(),
            result: "Err(access-denied)".into(),
            error: Some("access-denied".into()),
            denial: Some(Box::new(runtime_worker::Denial::new(runtime_worker::DenialKind::AddressRefused {
                addr: "10.0.0.2:80".parse().unwrap(),
                socket_use: runtime_worker::SocketUse::TcpConnect,
                rule: runtime_worker::NetworkRule::LoopbackOnly,
            }))),
            part: None,
            callee: None,
        };
        let csv = host_calls_csv(std::slice::from_ref(&call));
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "4,10,wasi:sockets/tcp,[method]tcp-socket.finish-connect,self=#1,Err(access-denied),access-denied,true,\
             a TCP connection to 10.0.0.2:80 refused: the network is loopback-only,20"
        );
        let json: serde_json::Value = serde_json::from_str(host_calls_jsonl(&[call]).trim()).unwrap();
        assert_eq!(json["interface"], "wasi:sockets/tcp");
        assert_eq!(json["denied"], true);
        assert_eq!(json["args"]["self"], "#1");
    }
}
