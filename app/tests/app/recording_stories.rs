//! A run recorded on another machine (`wasmscope run --record`), looked at
//! in the window: opened as `wasmscope FILE` opens it, or dropped; every tab
//! reads it as a run; Compare sets it beside a run made here. A recording
//! cut off by a kill shows what it holds, and says where it stops.

use std::path::{Path, PathBuf};

use egui_kittest::kittest::Queryable;
use runtime_worker::SandboxProfile;

use crate::cli_run::{text, wasmscope};
use crate::ui_stories::{app, click_run, drop_file, settle, show_tab, step_until};

/// Records the escape sample under the profile of its story (the data
/// mounted at `/data`) into `dir`, with the module beside the recording.
fn record_escape(dir: &Path) -> PathBuf {
    let module = dir.join("escape.wat");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/escape.wat"), &module).unwrap();
    let file = dir.join("escape.wsrec");
    let out = wasmscope(&[
        "run",
        "--dir",
        "samples/data::/data",
        "--record",
        file.to_str().unwrap(),
        module.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    file
}

#[test]
fn open_a_recorded_escape_look_at_every_tab_and_compare_it_with_a_run_here() {
    let dir = tempfile::tempdir().unwrap();
    let file = record_escape(dir.path());
    let mut harness = app();
    // As `wasmscope escape.wsrec` opens it.
    harness.state_mut().open_path(file.clone());
    step_until(&mut harness, "the recording to load", |app| !app.session.is_loading());
    let run = harness.state().session.current_run().expect("the recording is a run");
    assert!(run.recorded.is_some(), "the current run is the recorded one");
    assert_eq!(run.module_name, "escape.wat");
    let loaded = harness.state().session.module.as_ref().map(|m| m.module.name.clone());
    assert_eq!(loaded.as_deref(), Some("escape.wat"), "the module beside the recording is loaded");
    harness.get_by_label_contains("is the recording");

    show_tab(&mut harness, "Calls");
    assert_eq!(harness.query_all_by_label("⛔ perm").count(), 2, "both escapes, denied");
    harness.get_by_label("⛔ 2 denied");
    harness.get_by_label_contains("(recorded)");

    show_tab(&mut harness, "Why?");
    // `../secret.txt` climbs out of the mount: no grant fixes that.
    harness.get_by_label_contains("climbs out of");
    assert!(harness.query_all_by_label("No grant fixes this: the sandbox refused it by design.").count() >= 1);

    show_tab(&mut harness, "Summary");
    harness.get_by_label("path_open");

    show_tab(&mut harness, "Memory");
    harness.get_by_label("initial 64.0 KiB");

    show_tab(&mut harness, "Timings");
    let number = harness.state().session.current_run().unwrap().number;
    harness.get_by_label(&format!("Run #{number} — escape.wat"));

    show_tab(&mut harness, "Console");
    harness.get_by_label_contains("blocked ../secret.txt");

    // The same module run here, with nothing mounted: the escapes now fail
    // for want of a descriptor, and Compare shows the calls that changed.
    harness.state_mut().state.profile = SandboxProfile::default();
    click_run(&mut harness);
    assert!(harness.state().session.current_run().is_some_and(|run| run.recorded.is_none()));
    show_tab(&mut harness, "Compare");
    assert!(harness.query_by_label("These runs are of different modules.").is_none(), "the same module");
    // The recorded run is the one before, the run here the one after.
    harness.get_by_label(&format!("Run #{number}"));
    harness.get_by_label(&format!("Run #{}", number + 1));
    harness.get_by_label_contains("changed");
}

#[test]
fn opening_a_recording_says_so_while_it_loads_then_capabilities_show_what_its_run_was_granted() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("escape.wat");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/escape.wat"), &module).unwrap();
    let file = dir.path().join("granted.wsrec");
    let out = wasmscope(&[
        "run",
        "--dir-readonly",
        "samples/data::/data",
        "--env",
        "GREETING=recorded",
        "--record",
        file.to_str().unwrap(),
        module.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bytes = std::fs::read(&file).unwrap();
    let granted = wasmscope::recording::read(&bytes).unwrap().header.profile;
    assert!(granted.mounts[0].read_only && granted.mounts[0].host.is_absolute(), "{granted:?}");

    // A recording that arrives slowly (a big one, a network share): a
    // named pipe that gives its bytes only when the test writes them.
    let slow = dir.path().join("slow.wsrec");
    let fifo = std::ffi::CString::new(slow.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the file.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");

    let mut harness = app();
    // The person's own profile: nothing granted.
    harness.state_mut().state.profile = SandboxProfile::default();
    harness.state_mut().open_path(slow.clone());
    settle(&mut harness);
    assert!(harness.state().session.is_loading());
    harness.get_by_label("Loading the recording slow.wsrec…");
    assert!(harness.query_by_label("Loading module…").is_none(), "a recording, not a module");
    harness.get_by_label("No directory is granted: every path the guest asks for is refused.");

    let writer = std::thread::spawn(move || std::fs::write(&slow, &bytes).unwrap());
    step_until(&mut harness, "the recording to load", |app| !app.session.is_loading());
    writer.join().unwrap();
    settle(&mut harness);
    assert!(harness.state().session.current_run().is_some_and(|run| run.recorded.is_some()));
    assert_eq!(harness.state().state.profile, granted, "Capabilities took the recorded profile");
    harness.get_by_label_contains("Capabilities show what it was granted");
    // What the run was granted, on screen: the folder as it was named on
    // the machine that recorded it, read-only, and the variable.
    harness.get_by_label(&granted.mounts[0].host.display().to_string());
    assert!(harness.query_by_label("No directory is granted: every path the guest asks for is refused.").is_none());
    assert!(harness.query_all_by_value("GREETING").count() >= 1, "the variable's name");
    // Its value is not in the recording (a recording is made to be shared).
    assert_eq!(granted.env.vars, [("GREETING".to_string(), String::new())]);
    assert!(harness.query_all_by_value("recorded").next().is_none(), "its value is not recorded");
    harness.get_by_label_contains("their values are not recorded");
}

#[test]
fn a_recording_cut_by_a_kill_shows_its_calls_and_says_where_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let file = record_escape(dir.path());
    let bytes = std::fs::read(&file).unwrap();
    // Cut in the middle of the run: the calls up to the second escape.
    let recorded = wasmscope::recording::read(&bytes).unwrap();
    let calls = recorded.events.iter().filter(|e| matches!(e, runtime_worker::WorkerEvent::Call(_))).count();
    let mut cut_at = bytes.len() - 2;
    while wasmscope::recording::read(&bytes[..cut_at]).unwrap().events.len() > recorded.events.len() / 2 {
        cut_at -= 1;
    }
    let cut = dir.path().join("cut.wsrec");
    std::fs::write(&cut, &bytes[..cut_at]).unwrap();

    let mut harness = app();
    drop_file(&mut harness, cut);
    settle(&mut harness);
    let notice = harness.state().session.notice.clone().expect("a notice about the cut");
    assert!(notice.error, "{notice:?}");
    assert!(notice.text.contains("up to where it stops"), "{}", notice.text);
    let run = harness.state().session.current_run().unwrap();
    assert!(run.is_finished() && run.outcome.is_none(), "over, without an outcome");
    assert!(run.calls.len() < calls, "{} of {calls} calls", run.calls.len());
    harness.get_by_label_contains("recording cut off");
}

#[test]
fn a_recording_of_a_newer_format_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let file = record_escape(dir.path());
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[8..10].copy_from_slice(&(wasmscope::recording::FORMAT_VERSION + 1).to_le_bytes());
    let newer = dir.path().join("newer.wsrec");
    std::fs::write(&newer, &bytes).unwrap();

    let mut harness = app();
    let runs_before = harness.state().session.runs.len();
    drop_file(&mut harness, newer);
    settle(&mut harness);
    let notice = harness.state().session.notice.clone().expect("a notice");
    assert!(notice.error && notice.text.contains("reads formats up to"), "{}", notice.text);
    assert_eq!(harness.state().session.runs.len(), runs_before, "no run was made of it");
}
