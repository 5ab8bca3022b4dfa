//! The Compare tab aligns two runs as a diff: a guest that makes one more
//! call early shows that call as one insertion, and the calls after it as
//! the same, not as every one changed.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use wasmscope::model::session::ModuleOrigin;

use crate::ui_stories::{app, click_run, settle, show_tab};

/// Greets five times; given an argument (a `-v`), it first asks about
/// stdout: one call more, before all the others but `args_sizes_get`.
const GREETER: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello\n")
  (func $greet
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 1))
      (then (drop (call $fd_fdstat_get (i32.const 1) (i32.const 200)))))
    (call $greet) (call $greet) (call $greet) (call $greet) (call $greet)))
"#;

#[test]
fn one_more_call_early_is_one_insertion_and_the_rest_lines_up() {
    let mut harness = app();
    let loaded =
        harness.state_mut().session.load_bytes("greeter.wat", GREETER.as_bytes(), ModuleOrigin::Sample("greeter"));
    assert!(loaded, "the greeter loads");
    settle(&mut harness);
    click_run(&mut harness);
    harness.state_mut().state.profile.args = vec!["-v".to_string()];
    click_run(&mut harness);
    let runs = &harness.state().session.runs;
    assert_eq!((runs[0].calls.len(), runs[1].calls.len()), (6, 7), "the second run made one call more");

    show_tab(&mut harness, "Compare");
    harness.get_by_label("1 call differs: 1 inserted, 0 removed, 0 changed (first at #1 of run #2)");
    assert_eq!(harness.query_all_by_label("+ inserted").count(), 1, "one row, the inserted call");
    harness.get_by_label("fd_fdstat_get");

    // Every call: the five greetings line up, one row each.
    harness.get_by_role_and_label(Role::CheckBox, "show every call").click();
    settle(&mut harness);
    harness.get_by_label("6 calls before, 7 after");
    assert_eq!(harness.query_all_by_label("+ inserted").count(), 1);
    assert_eq!(harness.query_all_by_label("fd_write").count(), 10, "each greeting in both runs, side by side");
}
