//! The calls table as a reader uses it: a right click on a call copies it or
//! narrows the table to calls like it; the keyboard moves through the rows,
//! finds, clears and copies.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use runtime_worker::{Errno, WasiFunc};
use wasmscope::gui::WasmscopeApp;
use wasmscope::model::call_filter::ResultFilter;

use super::ui_stories::{app, click_run, open_sample, settle, show_tab, tall_app};

/// What the window put on the clipboard in the frames after an action.
fn copied(harness: &mut Harness<'static, WasmscopeApp>) -> Vec<String> {
    let mut texts = Vec::new();
    for _ in 0..4 {
        harness.step();
        for command in &harness.output().platform_output.commands {
            if let egui::OutputCommand::CopyText(text) = command {
                texts.push(text.clone());
            }
        }
    }
    texts
}

/// The top-most node labelled `label`: in the table, above the detail pane.
fn in_table<'a>(harness: &'a Harness<'static, WasmscopeApp>, label: &'a str) -> egui_kittest::Node<'a> {
    harness.query_all_by_label(label).min_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap()
}

/// Right-clicks the row of `row`'s call and picks `item` from its menu
/// (the menu opens at the pointer; the detail pane has a "Copy as JSON" too).
fn right_click_then(harness: &mut Harness<'static, WasmscopeApp>, row: &str, item: &str) {
    let at = in_table(harness, row).rect().center();
    in_table(harness, row).click_secondary();
    settle(harness);
    let by = egui_kittest::kittest::by().role(Role::Button).label(item);
    let nearest =
        harness.query_all(by).min_by(|a, b| a.rect().center().distance(at).total_cmp(&b.rect().center().distance(at)));
    nearest.unwrap_or_else(|| panic!("no {item} in the menu")).click();
}

#[test]
fn right_click_a_call_to_copy_it_or_see_only_calls_like_it() {
    let mut harness = app();
    open_sample(&mut harness, "Write to a read-only mount");
    click_run(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    let denied = run.calls.denied_indices().next().unwrap();
    let call = run.calls.get(denied);
    let (line, json) = (call.to_text(), call.to_json().to_string());
    assert!(line.starts_with("path_open(") && line.contains("[denied:"), "{line}");

    right_click_then(&mut harness, "path_open", "Copy as strace line");
    assert_eq!(copied(&mut harness), [line]);
    right_click_then(&mut harness, "path_open", "Copy as JSON");
    assert_eq!(copied(&mut harness), [json]);
    right_click_then(&mut harness, "path_open", "Copy the path");
    assert_eq!(copied(&mut harness), ["out.txt"]);
    // A call without a path has no such item.
    in_table(&harness, "fd_write").click_secondary();
    settle(&mut harness);
    assert!(harness.query_by_label("Copy the path").is_none());
    // Esc closes the menu, and leaves the selected call selected.
    let selected = harness.state().calls.selected();
    assert!(selected.is_some());
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert!(harness.query_by_label("Show only this function").is_none());
    assert_eq!(harness.state().calls.selected(), selected);
    // With a search set too, Esc closes the menu and leaves the search.
    harness.state_mut().state.filter.text = "out.txt".into();
    settle(&mut harness);
    in_table(&harness, "path_open").click_secondary();
    settle(&mut harness);
    assert!(harness.query_by_label("Show only this function").is_some(), "the menu is open");
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert!(harness.query_by_label("Show only this function").is_none());
    assert_eq!(harness.state().state.filter.text, "out.txt");
    harness.state_mut().state.filter.text.clear();
    settle(&mut harness);

    right_click_then(&mut harness, "path_open", "Show only this error");
    settle(&mut harness);
    assert_eq!(harness.state().state.filter.result, ResultFilter::Errno(Errno::PERM.0));
    let total = harness.state().session.current_run().unwrap().calls.len();
    harness.get_by_label(&format!("1 of {total} calls"));
    right_click_then(&mut harness, "path_open", "Show only this function");
    settle(&mut harness);
    let filter = &harness.state().state.filter;
    assert_eq!(filter.func, Some(WasiFunc::PathOpen));
    assert_eq!(filter.result, ResultFilter::Errno(Errno::PERM.0), "the error filter stays");
}

#[test]
fn a_component_call_has_the_same_menu() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: a C program as a WASI 0.2 command");
    click_run(&mut harness);
    show_tab(&mut harness, "Calls");
    let run = harness.state().session.current_run().unwrap();
    let open = run.host_calls.iter().find(|c| c.short_name() == "descriptor.open-at").unwrap();
    let line = open.to_text();
    let opens = run.host_calls.iter().filter(|c| c.short_name() == "descriptor.open-at").count();
    let total = run.host_calls.len();

    right_click_then(&mut harness, "descriptor.open-at", "Copy as strace line");
    assert_eq!(copied(&mut harness), [line]);
    right_click_then(&mut harness, "descriptor.open-at", "Copy the path");
    assert_eq!(copied(&mut harness), ["hello.txt"]);
    right_click_then(&mut harness, "descriptor.open-at", "Show only this function");
    settle(&mut harness);
    let function = harness.state().state.filter.host_function.clone();
    assert_eq!(function.as_deref(), Some("wasi:filesystem/types#[method]descriptor.open-at"));
    harness.get_by_label(&format!("{opens} of {total} component host calls"));
    harness.get_by_label("function: wasi:filesystem/types#[method]descriptor.open-at");
    // Widened again from the filter line.
    harness.get_by_role_and_label(Role::Button, "Clear").click();
    settle(&mut harness);
    harness.get_by_label(&format!("{total} component host calls"));
}

#[test]
fn arrows_move_through_the_calls_ctrl_c_copies_one_esc_clears() {
    let mut harness = app();
    open_sample(&mut harness, "A tour of the filesystem calls");
    click_run(&mut harness);
    show_tab(&mut harness, "Calls");
    assert_eq!(harness.state().calls.selected(), None);
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().calls.selected(), Some(0));
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    harness.key_press(egui::Key::ArrowUp);
    settle(&mut harness);
    assert_eq!(harness.state().calls.selected(), Some(1));

    harness.event(egui::Event::Copy);
    let second = harness.state().session.current_run().unwrap().calls.get(1).to_text();
    assert_eq!(copied(&mut harness), [second]);

    // Ctrl+F puts the cursor in the search box: typing searches.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    settle(&mut harness);
    assert!(harness.get_by_label("Search calls").is_focused());
    harness.get_by_label("Search calls").type_text("renamed");
    settle(&mut harness);
    assert_eq!(harness.state().state.filter.text, "renamed");
    // Arrows belong to the search box while typing.
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().calls.selected(), Some(1));

    // Esc empties the search, then unselects the call.
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert_eq!(harness.state().state.filter.text, "");
    assert_eq!(harness.state().calls.selected(), Some(1));
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert_eq!(harness.state().calls.selected(), None);
}

/// Drags across `label`'s text with the mouse.
fn drag_across(harness: &mut Harness<'static, WasmscopeApp>, label: &str) {
    let rect = harness.get_by_label(label).rect();
    let (from, to) = (rect.left_center() + egui::vec2(1.0, 0.0), rect.right_center() - egui::vec2(1.0, 0.0));
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    harness.event(egui::Event::PointerMoved(from));
    harness.event(button(from, true));
    harness.step();
    harness.event(egui::Event::PointerMoved(to));
    harness.step();
    harness.event(button(to, false));
    settle(harness);
}

#[test]
fn console_output_and_call_details_can_be_selected_and_copied() {
    let mut harness = app();
    open_sample(&mut harness, "Write to a read-only mount");
    click_run(&mut harness);
    // The detail pane of the denied call, opened by itself.
    let reason = "/data is mounted read-only: path_open needs write access";
    drag_across(&mut harness, reason);
    harness.event(egui::Event::Copy);
    assert_eq!(copied(&mut harness), [reason], "the selected text, not the selected row");

    show_tab(&mut harness, "Console");
    let run = harness.state().session.current_run().unwrap();
    let line = run.console.lines().first().expect("the guest printed").text.to_string();
    drag_across(&mut harness, &line);
    harness.event(egui::Event::Copy);
    assert_eq!(copied(&mut harness), [line]);
}
