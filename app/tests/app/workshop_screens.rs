//! Workshop mode on a projector's screen (issue 20): at 1280×720 and
//! 1920×1080 the Calls table and the denial in words fill the screen, at
//! least eight calls can be read, the side panels give way to narrow strips,
//! and the tabs keep to one line.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wasmscope::gui::WasmscopeApp;

use crate::ui_stories::{app, click_run, ingest_steadily, open_sample, settle};

/// The run just made again through the engine with fixed times
/// (`ingest_steadily`, as `ui_stories`' snapshots do).
fn steady_copy_of_the_last_run(harness: &mut Harness<'static, WasmscopeApp>) {
    use runtime_worker::RunRequest;
    let app = harness.state();
    let module = app.session.module.as_ref().expect("a module is loaded");
    let (name, sha256, loaded) = (module.module.name.clone(), module.module.sha256, module.module.clone());
    let profile = app.state.profile.clone();
    let number = app.session.runs.len() + 1;
    let events = runtime_worker::Runtime::new()
        .unwrap()
        .start(RunRequest::new(loaded, profile.clone(), runtime_worker::Entry::Start))
        .wait();
    let mut record = wasmscope::model::run_record::RunRecord::new(1000 + number as u64, number, &name, sha256, profile);
    ingest_steadily(&mut record, events);
    harness.state_mut().session.runs.push(record);
    settle(harness);
}

/// The escape sample, in workshop mode (F11), run, in a window of `width` ×
/// `height` pixels.
fn escape_presented(width: f32, height: f32) -> Harness<'static, WasmscopeApp> {
    let mut harness = app();
    harness.set_size(egui::vec2(width, height));
    settle(&mut harness);
    open_sample(&mut harness, "Try to escape the mount");
    harness.key_press(egui::Key::F11);
    settle(&mut harness);
    assert!(harness.state().state.workshop, "F11 turns workshop mode on");
    click_run(&mut harness);
    settle(&mut harness);
    harness
}

/// The call rows the room can read: their `#` cell lies on the screen,
/// above the selected call's detail, and right of the scenarios' strip.
fn readable_call_rows(harness: &Harness<'static, WasmscopeApp>) -> usize {
    let screen = harness.ctx.content_rect();
    let detail_top = harness.get_by_role_and_label(Role::Button, "Copy as JSON").rect().top();
    let calls = harness.state().session.current_run().map_or(0, |r| r.calls.len());
    (0..calls)
        .filter(|seq| {
            harness.query_all_by_label(&seq.to_string()).any(|node| {
                let rect = node.rect();
                screen.contains_rect(rect) && rect.bottom() <= detail_top
            })
        })
        .count()
}

/// Every tab's button lies on one line, or the tabs are one selector.
fn tabs_on_one_line(harness: &Harness<'static, WasmscopeApp>) -> bool {
    if harness.query_by_role_and_label(Role::ComboBox, "Tab").is_some() {
        return true;
    }
    let tops: Vec<f32> = ["Inspector", "Summary", "Timings", "Compare", "Density"]
        .iter()
        .map(|tab| harness.get_by_label(tab).rect().top())
        .collect();
    tops.iter().all(|top| (top - tops[0]).abs() < 1.0)
}

/// What the room must see, asserted on the run as it happened and again on
/// its steady copy, which is then compared with its snapshot.
fn the_room_sees_the_calls_and_the_denial(width: f32, height: f32, snapshot: &str) {
    let mut harness = escape_presented(width, height);
    assert_the_room_sees_the_calls_and_the_denial(&harness, width, height);
    steady_copy_of_the_last_run(&mut harness);
    assert_the_room_sees_the_calls_and_the_denial(&harness, width, height);
    harness.remove_cursor();
    settle(&mut harness);
    harness.snapshot(snapshot);
}

fn assert_the_room_sees_the_calls_and_the_denial(harness: &Harness<'static, WasmscopeApp>, width: f32, height: f32) {
    let rows = readable_call_rows(harness);
    assert!(rows >= 8, "{rows} call rows can be read at {width}×{height}");
    let denial = harness.get_by_label_contains("climbs out of");
    assert!(harness.ctx.content_rect().contains_rect(denial.rect()), "the denial is on the screen");
    assert!(tabs_on_one_line(harness), "the tabs keep to one line at {width}×{height}");
    // The selected call's name heads the detail, below the table's rows.
    let copy = harness.get_by_role_and_label(Role::Button, "Copy as JSON").rect();
    let title = harness
        .query_all_by_label("path_open")
        .map(|node| node.rect())
        .find(|rect| rect.bottom() > copy.top())
        .expect("the detail's title");
    assert!(!title.intersects(copy), "the detail's title is clear of its Copy button");
}

#[test]
fn workshop_at_1280x720_shows_eight_calls_and_the_denial() {
    the_room_sees_the_calls_and_the_denial(1280.0, 720.0, "workshop_1280x720");
}

#[test]
fn workshop_at_1920x1080_shows_eight_calls_and_the_denial() {
    the_room_sees_the_calls_and_the_denial(1920.0, 1080.0, "workshop_1920x1080");
}

#[test]
fn the_folded_side_panels_open_over_the_calls_on_demand() {
    let mut harness = escape_presented(1280.0, 720.0);
    let capabilities_shown =
        |harness: &Harness<'static, WasmscopeApp>| harness.query_by_label_contains("Files (").is_some();
    assert!(!capabilities_shown(&harness), "the capabilities are folded into a strip");
    assert!(harness.query_by_label("Pick a scenario to begin.").is_none(), "so are the scenarios");

    harness.get_by_role_and_label(Role::Button, "Capabilities").click();
    settle(&mut harness);
    assert!(capabilities_shown(&harness), "the strip's button opens the capabilities over the calls");
    harness.get_by_role_and_label(Role::Button, "Capabilities").click();
    settle(&mut harness);
    assert!(!capabilities_shown(&harness), "and folds them again");

    harness.key_press(egui::Key::F9);
    settle(&mut harness);
    harness.get_by_label("Pick a scenario to begin.");
    harness.get_by_label("Try to escape the mount").click();
    settle(&mut harness);
    assert_eq!(harness.state().workshop.scenario, Some("escape.wat"), "a scenario is picked from over the calls");
    assert!(harness.query_by_label("Pick a scenario to begin.").is_none(), "and the scenarios fold away for it");
}
