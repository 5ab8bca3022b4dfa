//! What leaves Wasmscope as text: a diagnosis as Markdown for a bug report,
//! a run's trace as JSON lines or CSV.

use std::fmt::Write as _;

use runtime_worker::diagnosis::Finding;
use runtime_worker::{RunOutcome, SandboxProfile};

use crate::model::call_store::CallStore;
use crate::model::run_record::outcome_text;

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
    let _ = writeln!(md, "**Profile**: {}\n", crate::sandbox_flags::profile_summary(profile));
    if findings.is_empty() {
        md.push_str("No denial or missing capability explains the outcome.\n");
    }
    for finding in findings {
        let _ = writeln!(md, "### {}\n\n{}\n", finding.headline, finding.detail);
        match &finding.fix {
            Some(fix) => {
                let _ = writeln!(md, "**Fix**: {} (`{}`)\n", fix.describe(), fix.as_flags());
            }
            None => md.push_str("**Fix**: none — the sandbox refused this by design.\n\n"),
        }
    }
    md
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
        let args = crate::gui::calls_view::args_text(&call);
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
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
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
}
