//! The Console after a trap in a C program built with `-g`: each frame of
//! the backtrace names its source line, as selectable text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::kittest::Queryable;

use super::ui_stories::{app, click_run, show_tab, step_until};

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn the_console_shows_the_source_line_of_each_frame() {
    let mut harness = app();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/real/divide_by_zero.wasm");
    harness.input_mut().dropped_files.push(Arc::new(DroppedPath(sample)));
    harness.step();
    step_until(&mut harness, "the module to load", |app| !app.session.is_loading());
    click_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("wasm backtrace:");
    harness.get_by_label("   0: share @ 0x29c");
    harness.get_by_label("        at ./divide_by_zero.c:7:18");
    harness.get_by_label("   1: split_bill @ 0x22d");
    harness.get_by_label("        at ./divide_by_zero.c:11:16");
    harness.get_by_label("   2: __main_argc_argv @ 0x33e");
    harness.get_by_label("        at ./divide_by_zero.c:19:30");
    // A frame without debug info: its name and offset only.
    harness.get_by_label("   3: __main_void @ 0x27de");
}

/// strace's `-k` in the window: tick "Call stacks" in Calls, run again,
/// and a call's detail lists the guest's frames, the C program's own with
/// its source line; the choice is kept for the next start of the app.
#[test]
fn call_stacks_show_which_line_made_each_call() {
    use super::ui_stories::{open_sample, tall_app};

    let top_most = |harness: &egui_kittest::Harness<'static, wasmscope::gui::WasmscopeApp>, label: &str| {
        harness.query_all_by_label(label).min_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().click();
    };
    let mut harness = tall_app();
    open_sample(&mut harness, "C: divide by zero (a trap with source lines)");
    show_tab(&mut harness, "Calls");
    // Before any run the choice is there already.
    harness.get_by_label("Call stacks");
    click_run(&mut harness);
    show_tab(&mut harness, "Calls");
    // Without stacks, the write's detail has none.
    top_most(&harness, "fd_write");
    harness.run();
    harness.get_by_label("nwritten");
    assert!(harness.query_by_label("stack").is_none());
    harness.get_by_label("Call stacks").click();
    harness.run();
    assert!(harness.state().state.call_stacks, "kept with the settings");
    click_run(&mut harness);
    show_tab(&mut harness, "Calls");
    let run = harness.state().session.current_run().unwrap();
    assert!(run.calls.stack(0).is_some(), "the run kept stacks");
    // The write's row (the top-most `fd_write`: the table, not a filter).
    top_most(&harness, "fd_write");
    harness.run();
    harness.get_by_label("stack");
    harness.get_by_label("__wasi_fd_write at ././libc-bottom-half/sources/__wasilibc_real.c:383:19");
    harness.get_by_label("__main_argc_argv at ./divide_by_zero.c:17:5");
}
