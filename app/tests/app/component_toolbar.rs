//! The toolbar for a component's run: its denials counted, its host calls
//! exported, as for a core module's calls.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use runtime_worker::{Denial, DenialKind, HostCall, Name, RunOutcome, SandboxProfile, WorkerEvent};
use wasmscope::export::ExportFormat;
use wasmscope::model::run_record::RunRecord;

use super::ui_stories::{app, settle, step_until};

fn host_call(seq: u64, function: &str, result: &str, denial: Option<DenialKind>) -> HostCall {
    HostCall {
        seq,
        interface: Name::from_static("wasi:sockets/tcp"),
        function: Name::from(function),
        start_ns: seq * 1_000,
        dur_ns: 500,
        args: [("self", "#3")].into_iter().collect(),
        result: result.into(),
        error: denial.is_some().then(|| Box::from("access-denied")),
        denial: denial.map(|kind| Box::new(Denial::new(kind))),
        part: None,
        callee: None,
    }
}

/// A component's run: a socket made, then a connection refused.
fn component_run() -> RunRecord {
    let mut run = RunRecord::new(900, 1, "client.wasm", [0; 32], SandboxProfile::default());
    run.component = true;
    run.ingest(WorkerEvent::HostCall(host_call(0, "create-tcp-socket", "Ok(Resource(3))", None)));
    let refused = host_call(1, "[method]tcp-socket.start-connect", "Err(access-denied)", Some(DenialKind::NetworkOff));
    run.ingest(WorkerEvent::HostCall(refused));
    run.ingest(WorkerEvent::Finished(RunOutcome::Exited { code: 1 }));
    run
}

#[test]
fn a_component_run_counts_its_denials_and_exports_its_host_calls() {
    let mut harness = app();
    harness.state_mut().session.runs.push(component_run());
    settle(&mut harness);
    harness.get_by_label("⛔ 1 denied");

    harness.get_by_role_and_label(Role::Button, "Export").click();
    settle(&mut harness);
    harness.get_by_role_and_label(Role::Button, "Trace as JSON lines…");
    harness.get_by_role_and_label(Role::Button, "Trace as CSV…");
    harness.get_by_role_and_label(Role::Button, "Trace as strace text…");

    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("trace.jsonl");
    harness.state_mut().export_trace(&jsonl, ExportFormat::JsonLines);
    step_until(&mut harness, "the export to end", |app| app.session.export().is_none());
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["interface"], "wasi:sockets/tcp");
    assert_eq!(lines[1]["denied"], true);
    let notice = harness.state().session.notice.clone().unwrap();
    assert!(!notice.error && notice.text.starts_with("Exported 2 calls to"), "{notice:?}");
    assert!(notice.text.ends_with(" B)"), "the file's size: {notice:?}");

    let csv = dir.path().join("trace.csv");
    harness.state_mut().export_trace(&csv, ExportFormat::Csv);
    step_until(&mut harness, "the export to end", |app| app.session.export().is_none());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 3, "a header and two rows: {text}");
    assert!(text.contains("[method]tcp-socket.start-connect"));
}
