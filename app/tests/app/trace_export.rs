//! Exporting a big run: the trace is written on its own thread while the
//! window keeps drawing, the toolbar shows how far it got (with Cancel), and
//! the notice says where the file went and how big it is, or why there is none.

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use wasmscope::export::{ExportFormat, TraceCalls, write_trace};

use super::ui_stories::{app, open_sample, settle, step_until, step_within};

#[test]
fn export_a_million_calls_watching_the_progress() {
    let mut harness = app();
    open_sample(&mut harness, "A million calls");
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    // A million calls through a debug build on a shared machine.
    step_within(&mut harness, Duration::from_secs(600), "the run to finish", |app| !app.session.is_running());
    let calls = harness.state().session.current_run().unwrap().calls.len();
    assert!(calls > 1_000_000, "{calls} calls");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.jsonl");
    harness.state_mut().export_trace(&path, ExportFormat::JsonLines);
    settle(&mut harness);
    assert!(harness.query_by_label("Export").is_none(), "the progress stands in the Export menu's place");
    harness.get_by_role_and_label(Role::Button, "Cancel");
    // The window keeps drawing frames while the file is written, each frame
    // showing how far it got.
    let (mut frames, mut seen_between, mut slowest) = (0, false, Duration::ZERO);
    let started = Instant::now();
    while harness.state().session.export().is_some() {
        assert!(started.elapsed() < Duration::from_secs(600), "the export did not end");
        let written = harness.state().session.export().map_or(0, |job| job.written());
        if written > 0 && written < calls {
            let bar = harness.get_by_role(Role::ProgressIndicator);
            let label = bar.accesskit_node().label().unwrap_or_default();
            assert!(label.starts_with("Exporting… ") && label.ends_with(" %"), "{label}");
            seen_between = true;
        }
        let frame = Instant::now();
        harness.step();
        slowest = slowest.max(frame.elapsed());
        frames += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
    assert!(seen_between, "no frame showed the export part way ({frames} frames)");
    assert!(slowest < Duration::from_secs(2), "a frame took {slowest:?} while exporting");

    let notice = harness.state().session.notice.clone().expect("a notice");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(!notice.error, "{notice:?}");
    assert!(notice.text.starts_with(&format!("Exported {calls} calls to {}", path.display())), "{notice:?}");
    assert!(notice.text.ends_with(" MiB)"), "the file's size ({size} bytes): {notice:?}");
    harness.get_by_role_and_label(Role::Button, "Export");

    // The file holds what writing the run's calls at once would.
    let mut expected = Vec::new();
    let run = harness.state().session.current_run().unwrap();
    write_trace(&TraceCalls::of(run), ExportFormat::JsonLines, &mut expected, |_| true).unwrap();
    let written = std::fs::read(&path).unwrap();
    assert!(written == expected, "{} bytes written, {} expected", written.len(), expected.len());
    let last = written.split(|b| *b == b'\n').rev().nth(1).unwrap();
    let last: serde_json::Value = serde_json::from_slice(last).unwrap();
    assert_eq!(last["func"], "fd_write");

    // Cancel: the file is not written.
    let cancelled = dir.path().join("cancelled.csv");
    harness.state_mut().export_trace(&cancelled, ExportFormat::Csv);
    settle(&mut harness);
    harness.get_by_role_and_label(Role::Button, "Cancel").click();
    step_until(&mut harness, "the export to stop", |app| app.session.export().is_none());
    let notice = harness.state().session.notice.clone().unwrap();
    assert!(notice.text.starts_with("Export cancelled"), "{notice:?}");
    assert!(!cancelled.exists());
    let left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["trace.jsonl"], "no temporary file is left behind");

    // A path that cannot be written: said, in red.
    let blocker = dir.path().join("trace.jsonl");
    harness.state_mut().export_trace(&blocker.join("inside-a-file.txt"), ExportFormat::Text);
    step_until(&mut harness, "the export to fail", |app| app.session.export().is_none());
    let notice = harness.state().session.notice.clone().unwrap();
    assert!(notice.error, "{notice:?}");
    assert!(notice.text.starts_with(&format!("cannot export to {}", blocker.display())), "{notice:?}");
}
